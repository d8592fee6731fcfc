#include <getopt.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "ratelimit/limiter.h"

static const char usage[] =
	"usage: lucht ratelimit [--json]\n"
	"\n"
	"Shows the rate limiter that every request to the API passes first: its back-end (redis,\n"
	"shared by every process on every host that uses the same Redis, or local, shared by\n"
	"the processes of one host), the window (LUCHT_RATE_CALLS requests in any trailing\n"
	"LUCHT_RATE_PERIOD seconds), the slots used now and when the next one frees. It takes no\n"
	"slot itself.\n"
	"\n"
	"  --json   one JSON object: {backend, where, calls, period, used, next_free_in}\n"
	"\n"
	"Exit status: 0 shown, 1 the limiter cannot be reached (Redis down, wrong password),\n"
	"2 usage or configuration error.\n";

extern const struct command command_ratelimit;

static void print_text(const struct limiter_status *st)
{
	printf("back-end   %s at %s\n", st->backend, st->where);
	printf("window     %d request%s per %g s\n", st->calls, st->calls == 1 ? "" : "s",
	       st->period);
	printf("used now   %d of %d\n", st->used, st->calls);
	if (st->next_free_in > 0)
		printf("next slot  frees in %.3f s\n", st->next_free_in);
	else
		printf("next slot  free now\n");
}

static void print_json(const struct limiter_status *st)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:f, s:i, s:f}", "backend", st->backend, "where",
			      st->where, "calls", st->calls, "period", st->period, "used", st->used,
			      "next_free_in", st->next_free_in);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	json_decref(o);
}

static int run(int argc, char **argv)
{
	int json;
	if (cli_json_option(&command_ratelimit, argc, argv, &json))
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(&command_ratelimit, "unexpected argument '%s'", argv[optind]);
	struct cli cli;
	int rc = cli_open(&cli, &command_ratelimit, false);
	if (rc)
		return rc;
	struct lerr err;
	struct limiter_status st;
	struct limiter *l = limiter_open(&cli.config, &err);
	if (!l || limiter_status(l, &st, &err) < 0) {
		rc = cli_fail(&command_ratelimit, EXIT_FAILED, "%s", err.msg);
	} else {
		if (json)
			print_json(&st);
		else
			print_text(&st);
		rc = EXIT_OK;
	}
	limiter_free(l);
	cli_close(&cli);
	return rc;
}

const struct command command_ratelimit = {
	.name = "ratelimit",
	.summary = "show the rate limiter: back-end, window, slots used, next free slot",
	.usage = usage,
	.run = run,
};
