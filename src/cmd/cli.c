#include "cmd/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "util/civil_time.h"
#include "util/log.h"

void command_print_usage(const struct command *cmd, FILE *out)
{
	fputs(cmd->usage, out);
}

static void vfail(const struct command *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "lucht %s: ", cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'lucht help %s'.\n", cmd->name);
	return EXIT_USAGE;
}

int cli_option_error(const struct command *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];
	if (c == ':')
		return cli_usage_error(cmd, "option %s needs a value", opt);
	return cli_usage_error(cmd, "unknown option %s", opt);
}

int cli_json_option(const struct command *cmd, int argc, char **argv, int *json)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
	int c;
	*json = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_option_error(cmd, c, argv);
		*json = 1;
	}
	return 0;
}

int cli_fail(const struct command *cmd, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(cmd, fmt, ap);
	va_end(ap);
	return code;
}

int cli_open(struct cli *c, const struct command *cmd, bool with_store)
{
	struct lerr err;
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	if (config_load(&c->config, ".env", &err) < 0)
		return cli_fail(cmd, EXIT_USAGE, "configuration: %s", err.msg);
	enum log_level level;
	if (log_level_parse(c->config.log_level, &level) == 0)
		log_set_level(level);
	if (!with_store)
		return 0;
	int rc = cli_open_store(c);
	if (rc)
		config_release(&c->config);
	return rc;
}

int cli_open_store(struct cli *c)
{
	struct lerr err;
	c->store = store_open(&c->config, &err);
	return c->store ? 0 : cli_fail(c->cmd, EXIT_USAGE, "%s", err.msg);
}

void cli_close(struct cli *c)
{
	c->store = store_close(c->store);
	config_release(&c->config);
}

void cli_format_time(int64_t us, char out[32])
{
	if (us == 0)
		out[0] = '\0';
	else
		time_format_us(us, out);
}
