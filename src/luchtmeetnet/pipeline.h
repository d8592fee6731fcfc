#ifndef LUCHT_LUCHTMEETNET_PIPELINE_H
#define LUCHT_LUCHTMEETNET_PIPELINE_H

#include "engine/asset.h"

/* The Luchtmeetnet ingestion pipeline: its assets, jobs and partitions (pipeline.c). */
extern const struct pipeline lmn_pipeline;

extern const struct partitions_def lmn_daily;
extern const struct partitions_def lmn_station_partitions;
extern const struct partitions_def lmn_daily_stations;

/* The assets' computations and checks, one file each. */
int lmn_compute_air_quality_data(struct asset_ctx *ctx, struct lerr *err);
int lmn_check_values_above_zero(struct asset_ctx *ctx, struct check_result *out, struct lerr *err);
int lmn_compute_daily_air_quality_data(struct asset_ctx *ctx, struct lerr *err);
int lmn_compute_station_names(struct asset_ctx *ctx, struct lerr *err);
int lmn_compute_air_quality_station_names(struct asset_ctx *ctx, struct lerr *err);

/* Reads the input files into "out" (same columns), logging the skipped input partitions;
 * fails when there is nothing to read. Shared by the two copy-to-lake assets. */
int lmn_union_inputs(struct asset_ctx *ctx, const char *columns, struct lerr *err);

/* The process-wide resources: the API client with its HTTP client and rate limiter. */
void *lmn_resources_open(const struct config *c, struct lerr *err);
void lmn_resources_close(void *resources);
/* The process's API client, logging each request to the event log of ctx's run. */
struct lmn_client *lmn_api_for(struct asset_ctx *ctx);

#endif
