#include "engine/execute.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/interrupt.h"
#include "engine/retry.h"
#include "io/duck.h"
#include "io/parquet_io.h"
#include "util/buf.h"
#include "util/civil_time.h"
#include "util/config.h"
#include "util/log.h"

static void this_host(char out[STORE_NAME_LEN])
{
	if (gethostname(out, STORE_NAME_LEN) < 0)
		strcpy(out, "localhost");
	out[STORE_NAME_LEN - 1] = '\0';
}

static int output_path(const struct engine *e, const struct asset_ctx *ctx, struct buf *path,
		       struct lerr *err)
{
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(ctx->asset->partitions, dims);
	struct hive_part parts[PARTITIONS_MAX_DIMS];
	for (size_t i = 0; i < n; i++) {
		parts[i].name = dims[i]->hive_name;
		parts[i].value = ctx->values[i];
	}
	const char *root = ctx->asset->storage == STORAGE_DATA_LAKE ? e->config->data_lake
								     : e->config->landing_zone;
	return parquet_path(root, ctx->asset->name, parts, n, path, err);
}

static void check_results_release(struct check_result *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].metadata_json);
}

/* Evaluates every check on "out"; a check that cannot be evaluated counts as failed. */
static int run_checks(struct asset_ctx *ctx, struct check_result *results, struct run_outcome *out,
		      struct lerr *err)
{
	for (size_t i = 0; i < ctx->asset->nchecks; i++) {
		const struct check_def *c = &ctx->asset->checks[i];
		struct check_result *r = &results[i];
		memset(r, 0, sizeof(*r));
		snprintf(r->name, sizeof(r->name), "%s", c->name);
		r->blocking = c->blocking;
		struct lerr cerr;
		lerr_clear(&cerr);
		if (c->run(ctx, r, &cerr) < 0) {
			r->passed = false;
			asset_log(ctx, EVENT_WARNING, "check %s could not be evaluated: %s", c->name,
				  cerr.msg);
		}
		if (r->passed)
			continue;
		if (c->blocking)
			return lerr_set(err, "check %s failed", c->name);
		out->warnings++;
	}
	return 0;
}

/* One attempt: compute "out", check it, write it, record it. Checks come before the write so
 * that a blocking check that fails leaves the previous file in place. */
static int attempt_once(struct engine *e, struct asset_ctx *ctx, struct run_outcome *out,
			struct lerr *err)
{
	struct duck duck = {0};
	struct buf sql, path;
	buf_init(&sql, 64 * 1024);
	buf_init(&path, 4096);
	size_t nchecks = ctx->asset->nchecks;
	struct check_result *results = calloc(nchecks ? nchecks : 1, sizeof(*results));
	int rc = -1;

	out->warnings = 0;
	if (!results) {
		lerr_set(err, "out of memory");
		goto out;
	}
	if (output_path(e, ctx, &path, err) < 0 || duck_open(&duck, err) < 0)
		goto out;
	ctx->duck = &duck;
	if (buf_printf(&sql, "CREATE TABLE out (%s)", ctx->asset->columns_sql) < 0 ||
	    duck_exec(&duck, buf_str(&sql), err) < 0 || ctx->asset->compute(ctx, err) < 0)
		goto out;
	if (run_checks(ctx, results, out, err) < 0)
		goto out;

	struct parquet_written written;
	if (parquet_write_table(&duck, "out", buf_str(&path), &written, err) < 0)
		goto out;

	struct materialization m = {0};
	snprintf(m.asset, sizeof(m.asset), "%s", ctx->asset->name);
	snprintf(m.partition, sizeof(m.partition), "%s", ctx->partition);
	snprintf(m.run_id, sizeof(m.run_id), "%s", ctx->run->id);
	snprintf(m.data_version, sizeof(m.data_version), "%s", written.data_version);
	snprintf(m.code_version, sizeof(m.code_version), "%s",
		 ctx->asset->code_version ? ctx->asset->code_version : "");
	m.rows = written.rows;
	m.path = (char *)buf_str(&path);
	if (store_materialization_commit(e->store, &m, results, nchecks, err) < 0)
		goto out;
	for (size_t i = 0; i < nchecks; i++)
		run_event(e->store, ctx->run->id, results[i].passed ? EVENT_INFO : EVENT_WARNING,
			  "ASSET_CHECK", "check %s %s: %s", results[i].name,
			  results[i].passed ? "passed" : "failed (a warning, not a failure)",
			  results[i].metadata_json ? results[i].metadata_json : "{}");
	out->rows = written.rows;
	rc = 0;
out:
	if (results)
		check_results_release(results, nchecks);
	free(results);
	ctx->duck = NULL;
	duck_close(&duck);
	buf_release(&sql);
	buf_release(&path);
	return rc;
}

/* Attempts until success, a failure that no retry can mend, or the policy's end. */
static int attempt_all(struct engine *e, struct asset_ctx *ctx, struct run *run,
		       struct run_outcome *out, struct lerr *err)
{
	int max = ctx->asset->retry.enabled ? e->config->retry_max : 0;
	for (int attempt = 1;; attempt++) {
		out->attempts = attempt;
		if (attempt > 1) {
			run->attempt = attempt;
			struct lerr uerr;
			if (store_run_update(e->store, run, &uerr) < 0)
				log_error("cannot record attempt %d of run %s: %s", attempt, run->id,
					  uerr.msg);
		}
		lerr_clear(err);
		if (attempt_once(e, ctx, out, err) == 0)
			return 0;
		run_event(e->store, run->id, EVENT_ERROR, "STEP_FAILURE", "attempt %d failed: %s",
			  attempt, err->msg);
		if (interrupted() || !err->retryable || attempt > max)
			return -1;
		double delay = retry_delay(&ctx->asset->retry, attempt, e->config->retry_delay,
					   retry_random());
		if (err->retry_after > delay)
			delay = err->retry_after;
		run_event(e->store, run->id, EVENT_INFO, "STEP_RETRY", "retry %d of %d in %.1f s",
			  attempt, max, delay);
		if (sleep_interruptible(delay) < 0)
			return -1;
	}
}

static int prepare_ctx(const struct asset_def *asset, struct asset_ctx *ctx,
		       char keybuf[PARTITION_KEY_MAX], struct lerr *err)
{
	if (partitions_parse_key(asset->partitions, ctx->partition, ctx->run->created_at / 1000000,
				 keybuf, ctx->values, err) < 0)
		return -1;
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(asset->partitions, dims);
	for (size_t i = 0; i < n; i++) {
		struct civil_date d;
		if (dims[i]->kind == PARTITIONS_DAILY && civil_date_parse(ctx->values[i], &d) == 0)
			return partitions_day_window(dims[i], d, &ctx->window_start,
						     &ctx->window_end, err);
	}
	return 0;
}

static void finish(struct engine *e, struct run *run, struct run_outcome *out, const char *error)
{
	struct lerr err;
	run->ended_at = time_now_us();
	run->pid = 0;
	if (out->status == RUN_SUCCEEDED) {
		run_event(e->store, run->id, EVENT_INFO, "RUN_SUCCESS",
			  "succeeded: %lld rows in %d attempt%s", (long long)out->rows,
			  out->attempts, out->attempts == 1 ? "" : "s");
	} else {
		snprintf(out->error, sizeof(out->error), "%s", error);
		free(run->error);
		run->error = strdup(out->error);
		if (out->status == RUN_FAILED &&
		    store_partition_fail(e->store, run->asset, run->partition, run->id, out->error, &err) < 0)
			log_error("cannot record the failure of %s %s: %s", run->asset, run->partition,
				  err.msg);
		run_event(e->store, run->id, EVENT_ERROR,
			  out->status == RUN_CANCELED ? "RUN_CANCELED" : "RUN_FAILURE", "%s: %s",
			  run_status_name(out->status), out->error);
	}
	run->status = out->status;
	if (store_run_update(e->store, run, &err) < 0)
		log_error("cannot record the end of run %s: %s", run->id, err.msg);
	out->seconds = (double)(run->ended_at - run->started_at) / 1e6;
}

int engine_run_partition(struct engine *e, const struct asset_def *asset, const char *partition,
			 const char *tags_json, struct run_outcome *out, struct lerr *err)
{
	const struct job_def *job = pipeline_job_for(e->pipeline, asset->name);
	struct run run = {0};
	memset(out, 0, sizeof(*out));
	snprintf(run.job, sizeof(run.job), "%s", job ? job->name : asset->name);
	snprintf(run.asset, sizeof(run.asset), "%s", asset->name);
	snprintf(run.partition, sizeof(run.partition), "%s", partition);
	run.status = RUN_STARTED;
	run.tags_json = (char *)tags_json;
	run.attempt = 1;
	run.started_at = time_now_us();
	run.pid = (int)getpid();
	this_host(run.host);
	if (store_run_create(e->store, &run, err) < 0) {
		run.tags_json = NULL;
		return -1;
	}
	run.tags_json = NULL; /* borrowed: run_release must not free it */
	snprintf(out->run_id, sizeof(out->run_id), "%s", run.id);
	run_event(e->store, run.id, EVENT_INFO, "RUN_START", "started %s for %s%s%s (pid %d on %s)",
		  run.job, asset->name, partition[0] ? " " : "", partition, run.pid, run.host);

	struct asset_ctx ctx = {
		.pipeline = e->pipeline,
		.asset = asset,
		.config = e->config,
		.store = e->store,
		.run = &run,
		.resources = e->resources,
		.partition = partition,
	};
	char keybuf[PARTITION_KEY_MAX];
	struct lerr aerr;
	lerr_clear(&aerr);
	if (prepare_ctx(asset, &ctx, keybuf, &aerr) == 0 &&
	    attempt_all(e, &ctx, &run, out, &aerr) == 0) {
		out->status = RUN_SUCCEEDED;
		finish(e, &run, out, NULL);
	} else if (interrupted()) {
		char why[1200];
		snprintf(why, sizeof(why), "interrupted by %s (%s)", interrupt_signal_name(), aerr.msg);
		out->status = RUN_CANCELED;
		finish(e, &run, out, why);
	} else {
		out->status = RUN_FAILED;
		finish(e, &run, out, aerr.msg);
	}
	run_release(&run);
	return 0;
}

int engine_reap_orphaned_runs(struct store *s, struct lerr *err)
{
	char host[STORE_NAME_LEN];
	this_host(host);
	int reaped = 0;
	static const enum run_status live[] = {RUN_STARTING, RUN_STARTED};
	for (size_t k = 0; k < sizeof(live) / sizeof(live[0]); k++) {
		struct run_filter f = {.status = (int)live[k]};
		struct run_list l = {0};
		if (store_run_list(s, &f, &l, err) < 0)
			return -1;
		for (size_t i = 0; i < l.n; i++) {
			struct run *r = &l.v[i];
			if (strcmp(r->host, host) != 0 || r->pid <= 0 ||
			    (kill(r->pid, 0) == 0 || errno != ESRCH))
				continue;
			char msg[256];
			snprintf(msg, sizeof(msg), "the run's process (pid %d) ended before the run "
				 "finished (killed or crashed)", r->pid);
			free(r->error);
			r->error = strdup(msg);
			r->status = RUN_FAILED;
			r->ended_at = time_now_us();
			r->pid = 0;
			struct lerr e2;
			if (store_run_update(s, r, &e2) == 0 &&
			    store_event_append(s, r->id, EVENT_ERROR, "RUN_FAILURE", msg, &e2) == 0 &&
			    store_partition_fail(s, r->asset, r->partition, r->id, msg, &e2) == 0)
				reaped++;
		}
		run_list_release(&l);
	}
	return reaped;
}
