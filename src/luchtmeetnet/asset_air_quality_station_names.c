#include "luchtmeetnet/pipeline.h"

int lmn_compute_air_quality_station_names(struct asset_ctx *ctx, struct lerr *err)
{
	return lmn_union_inputs(ctx, "number, location, type, municipality, province, organisation, "
				"url, year_start, components, longitude, latitude, description_nl, "
				"description_en", err);
}
