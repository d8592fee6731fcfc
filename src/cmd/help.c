#include "cmd/cli.h"

static const char usage[] =
	"usage: lucht help [COMMAND]\n"
	"\n"
	"Lists the commands, or prints the usage of one (the same as lucht COMMAND --help).\n";

static int run(int argc, char **argv)
{
	extern const struct command command_help;
	if (argc > 2)
		return cli_usage_error(&command_help, "takes at most one command name");
	if (argc == 2) {
		const struct command *cmd = command_find(argv[1]);
		if (!cmd)
			return cli_usage_error(&command_help, "unknown command '%s'", argv[1]);
		command_print_usage(cmd, stdout);
		return EXIT_OK;
	}
	printf("usage: lucht COMMAND [OPTIONS]\n\n"
	       "lucht ingests the Luchtmeetnet air-quality API into a Parquet data lake.\n\n"
	       "Commands:\n");
	for (size_t i = 0; commands[i]; i++)
		printf("  %-12s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nlucht help COMMAND (or lucht COMMAND --help) tells more of each.\n"
	       "Exit codes: 0 done, 1 some of the work failed, 2 usage or configuration error.\n");
	return EXIT_OK;
}

const struct command command_help = {
	.name = "help",
	.summary = "list the commands or show the usage of one",
	.usage = usage,
	.run = run,
};
