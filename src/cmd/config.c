#include <getopt.h>

#include "cmd/cli.h"

static const char usage[] =
	"usage: lucht config [--json]\n"
	"\n"
	"Prints the effective configuration: every variable, its value and where it came from\n"
	"(the environment, the .env file of the working directory, or the default). Secrets are\n"
	"masked: tokens show as ********, passwords in URLs as ***.\n"
	"\n"
	"  --json   one JSON object: {\"NAME\": {\"value\": ..., \"source\": ...}, ...}\n";

static int run(int argc, char **argv)
{
	extern const struct command command_config;
	int json;
	if (cli_json_option(&command_config, argc, argv, &json))
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error(&command_config, "unexpected argument '%s'", argv[optind]);
	struct cli cli;
	int rc = cli_open(&cli, &command_config, false);
	if (rc)
		return rc;
	config_print(&cli.config, stdout, json);
	cli_close(&cli);
	return EXIT_OK;
}

const struct command command_config = {
	.name = "config",
	.summary = "print the effective configuration, secrets masked",
	.usage = usage,
	.run = run,
};
