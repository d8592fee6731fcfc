#ifndef LUCHT_ENGINE_EXECUTE_H
#define LUCHT_ENGINE_EXECUTE_H

#include <stdint.h>

#include "engine/asset.h"
#include "store/store.h"

struct config;

/* What one process needs to run partitions. */
struct engine {
	const struct pipeline *pipeline;
	const struct config *config;
	struct store *store;
	void *resources;
};

struct run_outcome {
	char run_id[STORE_ID_LEN];
	enum run_status status;   /* RUN_SUCCEEDED, RUN_FAILED or RUN_CANCELED */
	int64_t rows;
	int attempts;
	int warnings;             /* non-blocking checks that failed */
	double seconds;
	char error[1024];         /* when not succeeded */
};

/*
 * Runs one partition of an asset as a run of its job in this process: the run and each
 * attempt are recorded in the store with their events, retries follow the asset's policy,
 * the output is written by the Parquet I/O manager, checks are evaluated and recorded.
 * Returns 0 with the outcome (which may be a failure of the partition), or -1 when the run
 * could not even be recorded (the store is gone): err says why.
 */
int engine_run_partition(struct engine *e, const struct asset_def *asset, const char *partition,
			 const char *tags_json, struct run_outcome *out, struct lerr *err);

/*
 * Marks failed the runs of this host that claim to be running in a process that no longer
 * exists (killed, crashed), so none stays "started" forever. Returns how many, or -1.
 */
int engine_reap_orphaned_runs(struct store *s, struct lerr *err);

#endif
