#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/cli.h"
#include "cmd/selection_opts.h"
#include "engine/execute.h"
#include "engine/interrupt.h"
#include "io/data_root.h"
#include "luchtmeetnet/pipeline.h"
#include "util/log.h"

static const char usage[] =
	"usage: lucht materialize ASSET [--partition KEY]... [--date D | --from D --to D]\n"
	"                         [--station S]...\n"
	"\n"
	"Computes partitions of an asset in the foreground, one after another, and stores them\n"
	"as Parquet. Each partition is one run of the asset's job, recorded with its event log\n"
	"(lucht runs, lucht logs RUN_ID). A partition that fails does not stop the others.\n"
	"\n"
	"Assets:\n"
	"  air_quality_data           one station-day of measurements (landing zone)\n"
	"  daily_air_quality_data     one day of every station (data lake); reads the\n"
	"                             air_quality_data partitions of that day that materialized\n"
	"  station_names              one station's details (landing zone)\n"
	"  air_quality_station_names  every station's details (data lake, not partitioned)\n"
	"\n"
	SELECTION_USAGE
	"\n"
	"Exit status: 0 every partition succeeded, 1 some failed, 2 usage or configuration\n"
	"error (nothing done).\n";

extern const struct command command_materialize;

struct tally {
	size_t succeeded, failed, canceled;
	int64_t rows;
};

static void report(size_t i, size_t n, const struct asset_def *a, const char *key,
		   const struct run_outcome *o, struct tally *t)
{
	int width = snprintf(NULL, 0, "%zu", n);
	printf("[%*zu/%zu] %s%s%s: ", width, i + 1, n, a->name, key[0] ? " " : "", key);
	switch (o->status) {
	case RUN_SUCCEEDED:
		t->succeeded++;
		t->rows += o->rows;
		printf("succeeded, %lld rows", (long long)o->rows);
		if (o->warnings)
			printf(", %d check warning%s", o->warnings, o->warnings == 1 ? "" : "s");
		break;
	case RUN_CANCELED:
		t->canceled++;
		printf("canceled: %s", o->error);
		break;
	default:
		t->failed++;
		printf("failed: %s", o->error);
		break;
	}
	printf(" (%d attempt%s, %.1f s, run %s)\n", o->attempts, o->attempts == 1 ? "" : "s",
	       o->seconds, o->run_id);
	fflush(stdout);
}

static int materialize(struct cli *cli, const struct asset_def *asset, const struct strv *keys)
{
	struct lerr err;
	const char *root_var = asset->storage == STORAGE_DATA_LAKE ? "LUCHT_DATA_LAKE"
								    : "LUCHT_LANDING_ZONE";
	const char *root = asset->storage == STORAGE_DATA_LAKE ? cli->config.data_lake
							       : cli->config.landing_zone;
	if (data_root_check(root, root_var, &err) < 0)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	int rc = cli_open_store(cli);
	if (rc)
		return rc;
	if (engine_reap_orphaned_runs(cli->store, &err) < 0)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	struct engine e = {.pipeline = &lmn_pipeline, .config = &cli->config, .store = cli->store};
	e.resources = lmn_pipeline.resources_open(&cli->config, &err);
	if (!e.resources)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);

	interrupt_install();
	struct tally t = {0};
	int64_t started = time_now_us();
	size_t i;
	for (i = 0; i < keys->n && !interrupted(); i++) {
		struct run_outcome o;
		if (engine_run_partition(&e, asset, keys->v[i], "{\"trigger\":\"manual\"}", &o, &err) < 0) {
			rc = cli_fail(cli->cmd, EXIT_FAILED, "%s", err.msg);
			break;
		}
		report(i, keys->n, asset, keys->v[i], &o, &t);
	}
	lmn_pipeline.resources_close(e.resources);

	size_t not_started = keys->n - i;
	printf("materialize %s: %zu succeeded, %zu failed", asset->name, t.succeeded, t.failed);
	if (t.canceled || not_started)
		printf(", %zu canceled, %zu not started", t.canceled, not_started);
	printf(" of %zu partition%s; %lld rows in %.1f s\n", keys->n, keys->n == 1 ? "" : "s",
	       (long long)t.rows, (double)(time_now_us() - started) / 1e6);
	if (t.failed || t.canceled || not_started)
		rc = EXIT_FAILED;
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {SELECTION_LONG_OPTIONS, {0}};
	struct selection_opts so = {0};
	int c, rc;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		int taken = selection_opts_take(&so, c, optarg);
		if (taken <= 0) {
			selection_opts_release(&so);
			return taken < 0 ? cli_fail(&command_materialize, EXIT_USAGE, "out of memory")
					 : cli_option_error(&command_materialize, c, argv);
		}
	}
	struct strv keys = STRV_INIT;
	const struct asset_def *asset;
	struct cli cli;
	rc = selection_opts_resolve(&so, &command_materialize, argc, argv, &asset, &keys);
	if (rc == 0 && (rc = cli_open(&cli, &command_materialize, false)) == 0) {
		rc = materialize(&cli, asset, &keys);
		cli_close(&cli);
	}
	strv_clear(&keys);
	selection_opts_release(&so);
	return rc;
}

const struct command command_materialize = {
	.name = "materialize",
	.summary = "compute partitions of an asset now, in the foreground",
	.usage = usage,
	.run = run,
};
