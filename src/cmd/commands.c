#include <string.h>

#include "cmd/cli.h"

extern const struct command command_materialize, command_partitions, command_runs,
	command_logs, command_sql, command_config, command_ratelimit, command_help, command_version;

/* Every command, in the order `lucht help` lists them. */
const struct command *const commands[] = {
	&command_materialize,
	&command_partitions,
	&command_runs,
	&command_logs,
	&command_sql,
	&command_config,
	&command_ratelimit,
	&command_help,
	&command_version,
	NULL,
};

const struct command *command_find(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}
