#include <getopt.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/run_json.h"

static const char usage[] =
	"usage: lucht logs RUN_ID [--json]\n"
	"\n"
	"Prints a run (as lucht runs shows it) and its event log, oldest first: each event's\n"
	"time, level, type and message (requests sent, retries, skipped inputs, check results,\n"
	"the error of a failed attempt). RUN_ID is the whole id or enough of its start to name\n"
	"one run.\n"
	"\n"
	"  --json   one object: the run's fields and \"events\": [{at, level, type, message}]\n";

extern const struct command command_logs;

static json_t *events_json(const struct event_list *l)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		char at[32];
		cli_format_time(l->v[i].at, at);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "at", at, "level",
						     event_level_name(l->v[i].level), "type",
						     l->v[i].type, "message",
						     l->v[i].message ? l->v[i].message : ""));
	}
	return arr;
}

static void print_text(const struct run *r, const struct event_list *l)
{
	char started[32], ended[32];
	cli_format_time(r->started_at, started);
	cli_format_time(r->ended_at, ended);
	printf("run %s: %s of %s%s%s, %s (attempt %d)\n", r->id, r->job, r->asset,
	       r->partition[0] ? " " : "", r->partition, run_status_name(r->status), r->attempt);
	printf("started %s, ended %s\n", started[0] ? started : "-", ended[0] ? ended : "-");
	if (r->error)
		printf("error: %s\n", r->error);
	printf("\n");
	for (size_t i = 0; i < l->n; i++) {
		char at[32];
		cli_format_time(l->v[i].at, at);
		printf("%s %-7s %-22s %s\n", at, event_level_name(l->v[i].level), l->v[i].type,
		       l->v[i].message ? l->v[i].message : "");
	}
}

/* The run an id names: the whole id, or a prefix of one run's id only. */
static int find_run(struct cli *cli, const char *id, struct run *out)
{
	struct lerr err;
	if (store_run_get(cli->store, id, out, &err) == 0)
		return 0;
	size_t len = strlen(id);
	if (len < 4 || len >= STORE_ID_LEN - 1 || strspn(id, "0123456789abcdef") != len)
		return cli_fail(cli->cmd, EXIT_USAGE, "%s (lucht runs lists the runs)", err.msg);
	struct run_filter f = {.id_prefix = id, .status = -1, .limit = 2};
	struct run_list l = {0};
	int rc = EXIT_OK;
	if (store_run_list(cli->store, &f, &l, &err) < 0)
		rc = cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	else if (l.n != 1)
		rc = cli_fail(cli->cmd, EXIT_USAGE, "%s run ids start with '%s': give more of it "
			      "(lucht runs lists the runs)", l.n ? "several" : "no", id);
	else if (store_run_get(cli->store, l.v[0].id, out, &err) < 0)
		rc = cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	run_list_release(&l);
	return rc;
}

static int show(struct cli *cli, const char *id, int json)
{
	struct lerr err;
	struct run r = {0};
	struct event_list l = {0};
	int rc = find_run(cli, id, &r);
	if (rc)
		return rc;
	if (store_event_list(cli->store, r.id, &l, &err) < 0) {
		rc = cli_fail(cli->cmd, EXIT_USAGE, "%s", err.msg);
	} else if (json) {
		json_t *o = run_to_json(&r);
		json_object_set_new(o, "events", events_json(&l));
		json_dumpf(o, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(o);
	} else {
		print_text(&r, &l);
	}
	event_list_release(&l);
	run_release(&r);
	return rc;
}

static int run(int argc, char **argv)
{
	int json;
	if (cli_json_option(&command_logs, argc, argv, &json))
		return EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error(&command_logs, optind == argc ? "which run? (lucht runs lists them)"
					   : "one run at a time");
	struct cli cli;
	int rc = cli_open(&cli, &command_logs, true);
	if (rc)
		return rc;
	rc = show(&cli, argv[optind], json);
	cli_close(&cli);
	return rc;
}

const struct command command_logs = {
	.name = "logs",
	.summary = "show a run and its event log",
	.usage = usage,
	.run = run,
};
