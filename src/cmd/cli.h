#ifndef LUCHT_CMD_CLI_H
#define LUCHT_CMD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "store/store.h"
#include "util/config.h"

/*
 * The command line: one file per command (src/cmd/NAME.c defines command_NAME), listed once
 * in the table of commands.c. To add a command: write its file with a usage text and a run
 * function, add it to that table, describe it in the README, and test it.
 */

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct command {
	const char *name;
	const char *summary;  /* one line for `lucht help` */
	const char *usage;    /* the whole text of `lucht help NAME` and `lucht NAME --help` */
	int (*run)(int argc, char **argv);  /* argv[0] is the command's name */
};

extern const struct command *const commands[];
const struct command *command_find(const char *name);
void command_print_usage(const struct command *cmd, FILE *out);

/* Prints "lucht NAME: message" and a hint to stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* For getopt_long's ':' (missing argument) and '?' (unknown option), with opterr = 0 and an
 * optstring starting with ':': names the option; returns EXIT_USAGE. */
int cli_option_error(const struct command *cmd, int c, char **argv);

/* For a command whose one option is --json: parses the options, leaving optind at the first
 * argument. 0, or EXIT_USAGE after printing what is wrong. */
int cli_json_option(const struct command *cmd, int argc, char **argv, int *json);

/* Prints "lucht NAME: message" to stderr; returns code. */
int cli_fail(const struct command *cmd, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What most commands start from: the configuration (.env in the working directory), and
 * the instance store when asked for. */
struct cli {
	const struct command *cmd;
	struct config config;
	struct store *store;
};

/* 0, or EXIT_USAGE after printing what is wrong. */
int cli_open(struct cli *c, const struct command *cmd, bool with_store);
void cli_close(struct cli *c);
/* Opens the store of an opened cli (for a command that checks more before it writes). */
int cli_open_store(struct cli *c);

/* Microseconds since the epoch as ISO 8601, or "" for 0. */
void cli_format_time(int64_t us, char out[32]);

#endif
