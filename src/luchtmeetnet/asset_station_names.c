#include <jansson.h>
#include <stdlib.h>

#include "io/duck.h"
#include "luchtmeetnet/api.h"
#include "luchtmeetnet/pipeline.h"

static duckdb_state bind_text(duckdb_prepared_statement st, idx_t i, const char *s)
{
	return s ? duckdb_bind_varchar(st, i, s) : duckdb_bind_null(st, i);
}

/* The components as a JSON array, which DuckDB turns into a VARCHAR[]. */
static char *components_json(const struct strv *c)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < c->n; i++)
		json_array_append_new(a, json_string(c->v[i]));
	char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return s;
}

static int insert_station(struct duck *d, const struct station_info *s, struct lerr *err)
{
	duckdb_prepared_statement st;
	if (duckdb_prepare(d->con,
			   "INSERT INTO out VALUES (?, ?, ?, ?, ?, ?, ?, ?, from_json(?, '[\"VARCHAR\"]'), "
			   "?, ?, ?, ?)", &st) != DuckDBSuccess) {
		lerr_set(err, "cannot prepare the station row: %s", duckdb_prepare_error(st));
		duckdb_destroy_prepare(&st);
		return -1;
	}
	char *components = components_json(&s->components);
	const char *texts[] = {s->number, s->location, s->type, s->municipality, s->province,
			       s->organisation, s->url, s->year_start};
	duckdb_state rc = DuckDBSuccess;
	for (idx_t i = 0; i < 8 && rc == DuckDBSuccess; i++)
		rc = bind_text(st, i + 1, texts[i]);
	if (rc == DuckDBSuccess)
		rc = bind_text(st, 9, components);
	if (rc == DuckDBSuccess)
		rc = s->has_coordinates ? duckdb_bind_double(st, 10, s->longitude) : duckdb_bind_null(st, 10);
	if (rc == DuckDBSuccess)
		rc = s->has_coordinates ? duckdb_bind_double(st, 11, s->latitude) : duckdb_bind_null(st, 11);
	if (rc == DuckDBSuccess)
		rc = bind_text(st, 12, s->description_nl);
	if (rc == DuckDBSuccess)
		rc = bind_text(st, 13, s->description_en);
	duckdb_result res;
	int out = 0;
	if (rc != DuckDBSuccess)
		out = lerr_set(err, "cannot bind the station row");
	else if (duckdb_execute_prepared(st, &res) != DuckDBSuccess)
		out = lerr_set(err, "cannot store the station row: %s", duckdb_result_error(&res));
	if (rc == DuckDBSuccess)
		duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&st);
	free(components);
	return out;
}

int lmn_compute_station_names(struct asset_ctx *ctx, struct lerr *err)
{
	const char *number = asset_ctx_value(ctx, PARTITIONS_STATIC);
	struct station_info s = {0};
	if (lmn_station(lmn_api_for(ctx), number, &s, err) < 0)
		return -1;
	int rc = insert_station(ctx->duck, &s, err);
	station_info_release(&s);
	return rc;
}
