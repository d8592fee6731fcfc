#include <stdio.h>
#include <stdlib.h>

#include "io/duck.h"
#include "luchtmeetnet/api.h"
#include "luchtmeetnet/pipeline.h"

struct appending {
	duckdb_appender appender;
	int64_t start_us;
	int64_t end_us;
	int64_t rows;
};

static int64_t to_us(time_t t)
{
	return (int64_t)t * 1000000;
}

static int append_row(void *p, const struct measurement *m, struct lerr *err)
{
	struct appending *a = p;
	duckdb_appender ap = a->appender;
	duckdb_state s = duckdb_append_varchar(ap, m->station_number);
	if (s == DuckDBSuccess)
		s = duckdb_append_varchar(ap, m->formula);
	if (s == DuckDBSuccess)
		s = m->value_is_null ? duckdb_append_null(ap) : duckdb_append_double(ap, m->value);
	if (s == DuckDBSuccess)
		s = duckdb_append_timestamp(ap, (duckdb_timestamp){to_us(m->timestamp_measured)});
	if (s == DuckDBSuccess)
		s = duckdb_append_timestamp(ap, (duckdb_timestamp){a->start_us});
	if (s == DuckDBSuccess)
		s = duckdb_append_timestamp(ap, (duckdb_timestamp){a->end_us});
	if (s == DuckDBSuccess)
		s = duckdb_appender_end_row(ap);
	if (s != DuckDBSuccess)
		return lerr_set(err, "cannot store a measurement: %s", duckdb_appender_error(ap));
	a->rows++;
	return 0;
}

int lmn_compute_air_quality_data(struct asset_ctx *ctx, struct lerr *err)
{
	const char *station = asset_ctx_value(ctx, PARTITIONS_STATIC);
	struct lmn_client *api = lmn_api_for(ctx);
	struct appending a = {
		.start_us = to_us(ctx->window_start),
		.end_us = to_us(ctx->window_end),
	};
	if (duckdb_appender_create(ctx->duck->con, NULL, "out", &a.appender) != DuckDBSuccess)
		return lerr_set(err, "cannot append to the output table");
	int requests = api->requests;
	int rc = lmn_measurements(api, station, ctx->window_start, ctx->window_end, append_row, &a, err);
	if (rc == 0 && duckdb_appender_close(a.appender) != DuckDBSuccess)
		rc = lerr_set(err, "cannot store the measurements: %s", duckdb_appender_error(a.appender));
	duckdb_appender_destroy(&a.appender);
	if (rc == 0)
		asset_log(ctx, EVENT_INFO, "fetched %lld rows for %s in %d request%s",
			  (long long)a.rows, station, api->requests - requests,
			  api->requests - requests == 1 ? "" : "s");
	return rc;
}

int lmn_check_values_above_zero(struct asset_ctx *ctx, struct check_result *out, struct lerr *err)
{
	char *summary = NULL;
	if (duck_query_text(ctx->duck,
			    "SELECT json_object('rows', count(*), 'below_zero', count(*) FILTER (value < 0), "
			    "'min_value', min(value))::VARCHAR FROM out",
			    &summary, err) < 0)
		return -1;
	int64_t below = 0;
	bool none = false;
	if (duck_query_int64(ctx->duck, "SELECT count(*) FROM out WHERE value < 0", &below, &none,
			     err) < 0) {
		free(summary);
		return -1;
	}
	out->passed = below == 0;
	out->metadata_json = summary;
	return 0;
}
