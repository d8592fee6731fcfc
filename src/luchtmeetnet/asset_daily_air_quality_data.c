#include "luchtmeetnet/pipeline.h"

int lmn_compute_daily_air_quality_data(struct asset_ctx *ctx, struct lerr *err)
{
	return lmn_union_inputs(ctx, "station_number, formula, value, timestamp_measured, start, \"end\"",
				err);
}
