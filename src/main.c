#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "help";
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0)
		name = "version";
	const struct command *cmd = command_find(name);
	if (!cmd) {
		fprintf(stderr, "lucht: unknown command '%s'\nTry 'lucht help'.\n", name);
		return EXIT_USAGE;
	}
	if (argc > 1 && wants_help(argc - 1, argv + 1)) {
		command_print_usage(cmd, stdout);
		return EXIT_OK;
	}
	return cmd->run(argc > 1 ? argc - 1 : 1, argc > 1 ? argv + 1 : (char *[]){(char *)name, NULL});
}
