#include <stdlib.h>

#include "cmd/cli.h"
#include "cmd/run_json.h"
#include "engine/execute.h"

#include <getopt.h>

static const char usage[] =
	"usage: lucht runs [--asset A] [--job J] [--partition KEY] [--status S] [--limit N]\n"
	"                  [--json]\n"
	"\n"
	"Lists runs, newest first: id, job, asset, partition, status (queued, starting,\n"
	"started, succeeded, failed, canceled), attempt, start time, duration and error.\n"
	"A run whose process died is shown failed.\n"
	"\n"
	"  --limit N   at most N runs (default 50; 0 for all)\n"
	"  --json      an array of {id, job, asset, partition, status, tags, attempt,\n"
	"              created_at, started_at, ended_at, error}\n";

extern const struct command command_runs;

static void print_run(const struct run *r)
{
	char started[32], duration[16] = "";
	cli_format_time(r->started_at, started);
	if (r->started_at && r->ended_at)
		snprintf(duration, sizeof(duration), "%.1fs", (double)(r->ended_at - r->started_at) / 1e6);
	printf("%-32s  %-26s %-25s %-18s %-9s %2d  %-24s %8s  %s\n", r->id, r->job, r->asset,
	       r->partition, run_status_name(r->status), r->attempt, started, duration,
	       r->error ? r->error : "");
}

static int list(struct cli *cli, const struct run_filter *f, int json)
{
	struct lerr err;
	struct run_list l = {0};
	if (engine_reap_orphaned_runs(cli->store, &err) < 0 || store_run_list(cli->store, f, &l, &err) < 0)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < l.n; i++)
			json_array_append_new(arr, run_to_json(&l.v[i]));
		json_dumpf(arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(arr);
	} else {
		printf("%-32s  %-26s %-25s %-18s %-9s %2s  %-24s %8s  %s\n", "ID", "JOB", "ASSET",
		       "PARTITION", "STATUS", "AT", "STARTED", "DURATION", "ERROR");
		for (size_t i = 0; i < l.n; i++)
			print_run(&l.v[i]);
	}
	run_list_release(&l);
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"asset", required_argument, NULL, 'a'}, {"job", required_argument, NULL, 'J'},
		{"partition", required_argument, NULL, 'p'}, {"status", required_argument, NULL, 's'},
		{"limit", required_argument, NULL, 'l'}, {"json", no_argument, NULL, 'j'},
		{0}};
	struct run_filter f = {.status = -1, .limit = 50};
	int c, json = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		char *end;
		enum run_status st;
		switch (c) {
		case 'a': f.asset = optarg; break;
		case 'J': f.job = optarg; break;
		case 'p': f.partition = optarg; break;
		case 'j': json = 1; break;
		case 's':
			if (run_status_parse(optarg, &st) < 0)
				return cli_usage_error(&command_runs, "unknown status '%s': one of queued, "
						       "starting, started, succeeded, failed, canceled", optarg);
			f.status = (int)st;
			break;
		case 'l':
			f.limit = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || *optarg == '-')
				return cli_usage_error(&command_runs, "--limit takes a whole number, not '%s'",
						       optarg);
			break;
		default:
			return cli_option_error(&command_runs, c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(&command_runs, "unexpected argument '%s'", argv[optind]);
	struct cli cli;
	int rc = cli_open(&cli, &command_runs, true);
	if (rc)
		return rc;
	rc = list(&cli, &f, json);
	cli_close(&cli);
	return rc;
}

const struct command command_runs = {
	.name = "runs",
	.summary = "list runs and their status",
	.usage = usage,
	.run = run,
};
