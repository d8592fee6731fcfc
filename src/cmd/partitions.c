#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cli.h"
#include "cmd/selection_opts.h"
#include "luchtmeetnet/pipeline.h"

static const char usage[] =
	"usage: lucht partitions ASSET [--partition KEY]... [--date D | --from D --to D | --all]\n"
	"                        [--station S]... [--json]\n"
	"\n"
	"Shows the status of each partition of an asset: materialized (with its row count, data\n"
	"version and time), failed (with the error of its last attempt; an earlier\n"
	"materialization, if any, is kept and still read downstream), or missing.\n"
	"\n"
	SELECTION_USAGE
	"  --all             every day from 2024-01-24 to the newest\n"
	"  --json            an array of {partition, status, rows, data_version,\n"
	"                    materialized_at, run_id, error}\n";

extern const struct command command_partitions;

static json_t *status_json(const char *key, const struct partition_status *st)
{
	char at[32];
	cli_format_time(st ? st->materialized_at : 0, at);
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "partition", key, "status",
			 partition_state_name(st ? st->state : PARTITION_MISSING), "rows",
			 st && st->materialized_at ? json_integer(st->rows) : json_null(),
			 "data_version", st && st->materialized_at ? json_string(st->data_version) : json_null(),
			 "materialized_at", at[0] ? json_string(at) : json_null(),
			 "run_id", st && st->run_id[0] ? json_string(st->run_id) : json_null(),
			 "error", st && st->error ? json_string(st->error) : json_null());
}

static void print_row(const char *key, const struct partition_status *st)
{
	char at[32], rows[24] = "", version[16] = "";
	cli_format_time(st ? st->materialized_at : 0, at);
	if (st && st->materialized_at) {
		snprintf(rows, sizeof(rows), "%lld", (long long)st->rows);
		snprintf(version, sizeof(version), "%.12s", st->data_version);
	}
	printf("%-20s %-12s %8s  %-12s  %-24s  %s\n", key[0] ? key : "(unpartitioned)",
	       partition_state_name(st ? st->state : PARTITION_MISSING), rows, version, at,
	       st && st->error ? st->error : "");
}

static int show(struct cli *cli, const struct asset_def *asset, const struct strv *keys, int json)
{
	struct lerr err;
	struct partition_status_list have = {0};
	if (store_partition_status_list(cli->store, asset->name, &have, &err) < 0)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	size_t count[3] = {0};
	json_t *arr = json ? json_array() : NULL;
	if (!json)
		printf("%-20s %-12s %8s  %-12s  %-24s  %s\n", "PARTITION", "STATUS", "ROWS",
		       "DATA VERSION", "MATERIALIZED AT", "ERROR");
	for (size_t i = 0; i < keys->n; i++) {
		const struct partition_status *st = partition_status_find(&have, keys->v[i]);
		count[st ? st->state : PARTITION_MISSING]++;
		if (json)
			json_array_append_new(arr, status_json(keys->v[i], st));
		else
			print_row(keys->v[i], st);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
	} else {
		printf("%zu partitions: %zu materialized, %zu failed, %zu missing\n", keys->n,
		       count[PARTITION_MATERIALIZED], count[PARTITION_FAILED], count[PARTITION_MISSING]);
	}
	partition_status_list_release(&have);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {SELECTION_LONG_OPTIONS,
					     {"all", no_argument, NULL, 'a'},
					     {"json", no_argument, NULL, 'j'},
					     {0}};
	struct selection_opts so = {0};
	int c, rc, json = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c == 'j' || c == 'a') {
			json |= c == 'j';
			so.sel.all_days |= c == 'a';
			continue;
		}
		int taken = selection_opts_take(&so, c, optarg);
		if (taken <= 0) {
			selection_opts_release(&so);
			return taken < 0 ? cli_fail(&command_partitions, EXIT_USAGE, "out of memory")
					 : cli_option_error(&command_partitions, c, argv);
		}
	}
	struct strv keys = STRV_INIT;
	const struct asset_def *asset;
	struct cli cli;
	rc = selection_opts_resolve(&so, &command_partitions, argc, argv, &asset, &keys);
	if (rc == 0 && (rc = cli_open(&cli, &command_partitions, true)) == 0) {
		rc = show(&cli, asset, &keys, json);
		cli_close(&cli);
	}
	strv_clear(&keys);
	selection_opts_release(&so);
	return rc;
}

const struct command command_partitions = {
	.name = "partitions",
	.summary = "show which partitions of an asset are materialized, failed or missing",
	.usage = usage,
	.run = run,
};
