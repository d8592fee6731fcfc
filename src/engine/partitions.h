#ifndef LUCHT_ENGINE_PARTITIONS_H
#define LUCHT_ENGINE_PARTITIONS_H

#include <stddef.h>
#include <time.h>

#include "util/civil_time.h"
#include "util/error.h"
#include "util/strv.h"

/*
 * Partitions definitions: a static list, days in a time zone, or several dimensions whose
 * values are joined with '|' in the order of `dims` (the original's order: alphabetical by
 * dimension name, so the date comes first: "2024-01-24|NL01485").
 */
enum partitions_kind { PARTITIONS_STATIC, PARTITIONS_DAILY, PARTITIONS_MULTI };

#define PARTITIONS_MAX_DIMS 2
#define PARTITION_KEY_MAX 64

struct partitions_def {
	enum partitions_kind kind;
	const char *name;       /* dimension name: "stations", "daily" */
	const char *hive_name;  /* its folder name in the data layout: "station", "date" */
	const char *what;       /* what a value is, for messages: "station", "date" */
	/* PARTITIONS_STATIC */
	const char *const *values;
	size_t nvalues;
	/* PARTITIONS_DAILY: from start_date to the last day that has fully ended in timezone */
	const char *start_date;
	const char *timezone;
	/* PARTITIONS_MULTI */
	const struct partitions_def *const *dims;
	size_t ndims;
};

/* The dimensions of def into out: itself for a single dimension, its dims for a multi one. */
size_t partitions_dims(const struct partitions_def *def,
		       const struct partitions_def *out[PARTITIONS_MAX_DIMS]);

/* The newest day of a daily dimension at now: the last local day that has fully ended. */
int partitions_newest_day(const struct partitions_def *daily, time_t now, struct civil_date *out);

/* The window of day `date` of a daily dimension: [local midnight, next local midnight), UTC. */
int partitions_day_window(const struct partitions_def *daily, struct civil_date date,
			  time_t *start, time_t *end, struct lerr *err);

/*
 * Checks one dimension value: a known static value, or a real date from start_date to the
 * newest day. The message says what is wrong and what would be right.
 */
int partitions_check_value(const struct partitions_def *dim, const char *value, time_t now,
			   struct lerr *err);

/*
 * Splits key into one value per dimension (values[i] points into buf, which must hold
 * PARTITION_KEY_MAX bytes) and checks each. An unpartitioned asset (def NULL) takes only "".
 */
int partitions_parse_key(const struct partitions_def *def, const char *key, time_t now,
			 char buf[PARTITION_KEY_MAX], const char *values[PARTITIONS_MAX_DIMS],
			 struct lerr *err);

/* The value of the dimension of kind `kind` in a parsed key, or NULL when def has none. */
const char *partitions_value_of(const struct partitions_def *def, enum partitions_kind kind,
				const char *const values[PARTITIONS_MAX_DIMS]);

/* What the command line asks for; every member optional. */
struct partition_selection {
	const struct strv *keys;      /* --partition */
	const char *date;             /* --date */
	const char *from, *to;        /* --from / --to */
	const struct strv *values;    /* --station: values of the static dimension */
	int all_days;                 /* every day from the start, instead of the newest */
};

/*
 * The keys a selection names, in key order (date, then station). Without keys or dates:
 * the newest day; without --station: every value of the static dimension. Options that do
 * not fit def (a date for an asset without days, anything for an unpartitioned one) fail.
 */
int partitions_select(const struct partitions_def *def, const struct partition_selection *sel,
		      time_t now, struct strv *out, struct lerr *err);

#endif
