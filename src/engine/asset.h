#ifndef LUCHT_ENGINE_ASSET_H
#define LUCHT_ENGINE_ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "engine/partitions.h"
#include "store/store.h"
#include "util/error.h"
#include "util/strv.h"

struct config;
struct duck;
struct asset_ctx;

/*
 * What the engine runs, declared by a pipeline as tables of these structs. Nothing here
 * knows what the assets compute.
 */

enum asset_storage { STORAGE_LANDING_ZONE, STORAGE_DATA_LAKE };

/* How the partitions of an asset's input map onto its own. */
enum input_mapping {
	INPUT_NONE,
	INPUT_ALL,         /* every materialized partition of the input (unpartitioned <- any) */
	INPUT_SAME_DAY,    /* the input's partitions of the same day (day <- day x station) */
};

struct retry_policy {
	bool enabled;      /* retry counts and base delay come from LUCHT_RETRY_MAX / _DELAY */
	bool backoff;      /* delay x (2^n - 1) for retry n, else a constant delay */
	bool jitter;       /* plus or minus the base delay */
};

struct check_def {
	const char *name;
	bool blocking;     /* a failure fails the run; otherwise it is recorded as a warning */
	/* Evaluates the check on the asset's output table "out" (in ctx->duck). */
	int (*run)(struct asset_ctx *ctx, struct check_result *out, struct lerr *err);
	const char *description;
};

struct asset_def {
	const char *name;
	const char *group;
	const char *description;
	const struct partitions_def *partitions;  /* NULL: not partitioned */
	enum asset_storage storage;
	const char *columns_sql;  /* the output table's columns: "number VARCHAR, ..." */
	const char *input;        /* upstream asset, or NULL */
	enum input_mapping input_mapping;
	/* Fills the table "out" (created from columns_sql) in ctx->duck. */
	int (*compute)(struct asset_ctx *ctx, struct lerr *err);
	struct retry_policy retry;
	const struct check_def *checks;
	size_t nchecks;
	const char *code_version;
};

struct job_def {
	const char *name;
	const char *asset;       /* the asset it materializes */
	const char *description;
};

struct pipeline {
	const char *name;
	const struct asset_def *assets;
	size_t nassets;
	const struct job_def *jobs;
	size_t njobs;
	/* Opens what the computations share for a whole process (API clients and the like). */
	void *(*resources_open)(const struct config *c, struct lerr *err);
	void (*resources_close)(void *resources);
};

/* What one computation of one partition sees. */
struct asset_ctx {
	const struct pipeline *pipeline;
	const struct asset_def *asset;
	const struct config *config;
	struct store *store;
	const struct run *run;
	void *resources;
	struct duck *duck;
	const char *partition;                       /* the key, "" when not partitioned */
	const char *values[PARTITIONS_MAX_DIMS];     /* the key's dimension values */
	/* For a partition with a day: its window in UTC, [start, end); 0 otherwise. */
	time_t window_start;
	time_t window_end;
};

const struct asset_def *pipeline_asset(const struct pipeline *p, const char *name);
/* The job that materializes asset (the first whose asset it is), or NULL. */
const struct job_def *pipeline_job_for(const struct pipeline *p, const char *asset);
/* "unknown asset 'x': the assets are a, b, c" */
int pipeline_unknown_asset(const struct pipeline *p, const char *name, struct lerr *err);

/* The value of the dimension of kind in the partition being computed, or NULL. */
const char *asset_ctx_value(const struct asset_ctx *ctx, enum partitions_kind kind);

/* Appends an event to a run's log. A store that fails here is reported on stderr rather than
 * returned: losing one line of a log must not fail the run it describes. */
void run_event(struct store *s, const char *run_id, enum event_level level, const char *type,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Appends to the run's event log and prints the line to stderr at warning and above. */
void asset_log(struct asset_ctx *ctx, enum event_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The files of the input partitions that this partition reads, by the asset's input
 * mapping: only partitions recorded as materialized. The input partitions expected but not
 * read go to `failed` (the last attempt failed and nothing was ever materialized) or
 * `missing` (never attempted); either may be NULL.
 */
int asset_input_files(struct asset_ctx *ctx, struct strv *files, struct strv *failed,
		      struct strv *missing, struct lerr *err);

#endif
