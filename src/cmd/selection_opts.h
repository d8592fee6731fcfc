#ifndef LUCHT_CMD_SELECTION_OPTS_H
#define LUCHT_CMD_SELECTION_OPTS_H

#include <getopt.h>

#include "engine/partitions.h"
#include "util/strv.h"

/* The partition options that materialize and partitions share. */
struct selection_opts {
	struct strv keys;
	struct strv stations;
	struct partition_selection sel;
};

#define SELECTION_LONG_OPTIONS                                                               \
	{"partition", required_argument, NULL, 'p'}, {"date", required_argument, NULL, 'd'},   \
	{"from", required_argument, NULL, 'f'}, {"to", required_argument, NULL, 't'},           \
	{"station", required_argument, NULL, 's'}

#define SELECTION_USAGE                                                                      \
	"  --partition KEY   a whole partition key (repeatable): 2024-01-24|NL01485 for\n"        \
	"                    air_quality_data, 2024-01-24 for daily_air_quality_data,\n"          \
	"                    NL01485 for station_names\n"                                          \
	"  --date D          one day (YYYY-MM-DD, a day in Europe/Amsterdam)\n"                   \
	"  --from D --to D   every day from D to D, both included\n"                              \
	"  --station S       one station (repeatable); without it, all 99\n"                      \
	"Without --partition or a date: the newest day (the last that has fully ended in\n"      \
	"Europe/Amsterdam). Days start on 2024-01-24.\n"

/* 1 when getopt's c was a selection option (taken into o), 0 when not, -1 when out of memory. */
int selection_opts_take(struct selection_opts *o, int c, const char *arg);
void selection_opts_release(struct selection_opts *o);

struct asset_def;
struct command;

/* After getopt: the one ASSET argument and the keys the options select, checked. 0, or
 * EXIT_USAGE after printing what is wrong. */
int selection_opts_resolve(struct selection_opts *o, const struct command *cmd, int argc,
			   char **argv, const struct asset_def **asset, struct strv *keys);

#endif
