#include "engine/partitions.h"

#include <stdio.h>
#include <string.h>

size_t partitions_dims(const struct partitions_def *def,
		       const struct partitions_def *out[PARTITIONS_MAX_DIMS])
{
	if (!def)
		return 0;
	if (def->kind != PARTITIONS_MULTI) {
		out[0] = def;
		return 1;
	}
	size_t n = def->ndims < PARTITIONS_MAX_DIMS ? def->ndims : PARTITIONS_MAX_DIMS;
	for (size_t i = 0; i < n; i++)
		out[i] = def->dims[i];
	return n;
}

int partitions_newest_day(const struct partitions_def *daily, time_t now, struct civil_date *out)
{
	struct civil_date today;
	if (tz_local_date(daily->timezone, now, &today) < 0)
		return -1;
	*out = civil_date_add_days(today, -1);
	return 0;
}

int partitions_day_window(const struct partitions_def *daily, struct civil_date date,
			  time_t *start, time_t *end, struct lerr *err)
{
	if (tz_local_midnight(daily->timezone, date, start) < 0 ||
	    tz_local_midnight(daily->timezone, civil_date_add_days(date, 1), end) < 0)
		return lerr_set(err, "unknown time zone '%s'", daily->timezone);
	return 0;
}

static int check_static(const struct partitions_def *dim, const char *value, struct lerr *err)
{
	for (size_t i = 0; i < dim->nvalues; i++)
		if (strcmp(dim->values[i], value) == 0)
			return 0;
	return lerr_set(err, "unknown %s '%s': it is not one of the %zu %ss of '%s' "
			"(`lucht partitions station_names` lists them)",
			dim->what, value, dim->nvalues, dim->what, dim->name);
}

static int check_day(const struct partitions_def *dim, const char *value, time_t now,
		     struct lerr *err)
{
	struct civil_date d, first, newest;
	char newest_s[11];
	if (civil_date_parse(value, &d) < 0)
		return lerr_set(err, "invalid %s '%s': expected a real date as YYYY-MM-DD", dim->what,
				value);
	if (civil_date_parse(dim->start_date, &first) < 0 ||
	    partitions_newest_day(dim, now, &newest) < 0)
		return lerr_set(err, "partitions '%s' are misdefined", dim->name);
	civil_date_format(newest, newest_s);
	if (civil_date_compare(d, first) < 0)
		return lerr_set(err, "%s %s is before the first day %s", dim->what, value,
				dim->start_date);
	if (civil_date_compare(d, newest) > 0)
		return lerr_set(err, "%s %s has not ended yet in %s: the newest day is %s", dim->what,
				value, dim->timezone, newest_s);
	return 0;
}

int partitions_check_value(const struct partitions_def *dim, const char *value, time_t now,
			   struct lerr *err)
{
	switch (dim->kind) {
	case PARTITIONS_STATIC:
		return check_static(dim, value, err);
	case PARTITIONS_DAILY:
		return check_day(dim, value, now, err);
	case PARTITIONS_MULTI:
		break;
	}
	return lerr_set(err, "a multi-dimensional partition is not a dimension value");
}

static int key_format_hint(const struct partitions_def *def, struct lerr *err, const char *key)
{
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(def, dims);
	char hint[128] = "";
	size_t len = 0;
	for (size_t i = 0; i < n && len < sizeof(hint); i++) {
		int w = snprintf(hint + len, sizeof(hint) - len, "%s%s", i ? "|" : "",
				 dims[i]->kind == PARTITIONS_DAILY ? "YYYY-MM-DD" : dims[i]->what);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return lerr_set(err, "malformed partition key '%.*s': expected %s", PARTITION_KEY_MAX, key,
			hint);
}

int partitions_parse_key(const struct partitions_def *def, const char *key, time_t now,
			 char buf[PARTITION_KEY_MAX], const char *values[PARTITIONS_MAX_DIMS],
			 struct lerr *err)
{
	if (!def) {
		if (key[0] != '\0')
			return lerr_set(err, "the asset is not partitioned, so it takes no partition key");
		buf[0] = '\0';
		return 0;
	}
	if (strlen(key) >= PARTITION_KEY_MAX)
		return key_format_hint(def, err, key);
	strcpy(buf, key);

	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(def, dims);
	char *p = buf;
	for (size_t i = 0; i < n; i++) {
		char *sep = strchr(p, '|');
		if ((i + 1 < n) != (sep != NULL))
			return key_format_hint(def, err, key);
		if (sep)
			*sep = '\0';
		if (*p == '\0')
			return key_format_hint(def, err, key);
		values[i] = p;
		if (partitions_check_value(dims[i], p, now, err) < 0)
			return lerr_prefix(err, "partition key '%s'", key);
		p = sep ? sep + 1 : p;
	}
	return 0;
}

const char *partitions_value_of(const struct partitions_def *def, enum partitions_kind kind,
				const char *const values[PARTITIONS_MAX_DIMS])
{
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(def, dims);
	for (size_t i = 0; i < n; i++)
		if (dims[i]->kind == kind)
			return values[i];
	return NULL;
}

/* Every day the selection names, checked, as YYYY-MM-DD. */
static int select_days(const struct partitions_def *daily, const struct partition_selection *sel,
		       time_t now, struct strv *days, struct lerr *err)
{
	struct civil_date from, to;
	const char *from_s = sel->date ? sel->date : sel->from;
	const char *to_s = sel->date ? sel->date : sel->to;
	if ((sel->from != NULL) != (sel->to != NULL))
		return lerr_set(err, "--from and --to go together: give both, or use --date");
	if (sel->date && sel->from)
		return lerr_set(err, "use either --date or --from/--to, not both");
	if (!from_s) {
		if (sel->all_days) {
			if (civil_date_parse(daily->start_date, &from) < 0)
				return lerr_set(err, "partitions '%s' are misdefined", daily->name);
		} else if (partitions_newest_day(daily, now, &from) < 0) {
			return lerr_set(err, "unknown time zone '%s'", daily->timezone);
		}
		if (partitions_newest_day(daily, now, &to) < 0)
			return lerr_set(err, "unknown time zone '%s'", daily->timezone);
	} else {
		if (check_day(daily, from_s, now, err) < 0 || check_day(daily, to_s, now, err) < 0)
			return -1;
		civil_date_parse(from_s, &from);
		civil_date_parse(to_s, &to);
		if (civil_date_compare(from, to) > 0)
			return lerr_set(err, "--from %s is after --to %s", from_s, to_s);
	}
	for (struct civil_date d = from; civil_date_compare(d, to) <= 0; d = civil_date_add_days(d, 1)) {
		char s[11];
		civil_date_format(d, s);
		if (strv_push(days, s) < 0)
			return lerr_set(err, "out of memory");
	}
	return 0;
}

static int select_static(const struct partitions_def *dim, const struct partition_selection *sel,
			 struct strv *out, struct lerr *err)
{
	if (sel->values && sel->values->n) {
		for (size_t i = 0; i < sel->values->n; i++) {
			if (check_static(dim, sel->values->v[i], err) < 0)
				return -1;
			if (!strv_contains(out, sel->values->v[i]) && strv_push(out, sel->values->v[i]) < 0)
				return lerr_set(err, "out of memory");
		}
		return 0;
	}
	for (size_t i = 0; i < dim->nvalues; i++)
		if (strv_push(out, dim->values[i]) < 0)
			return lerr_set(err, "out of memory");
	return 0;
}

static int select_dim(const struct partitions_def *dim, const struct partition_selection *sel,
		      time_t now, struct strv *out, struct lerr *err)
{
	if (dim->kind == PARTITIONS_DAILY)
		return select_days(dim, sel, now, out, err);
	return select_static(dim, sel, out, err);
}

static int has_kind(const struct partitions_def *def, enum partitions_kind kind)
{
	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(def, dims);
	for (size_t i = 0; i < n; i++)
		if (dims[i]->kind == kind)
			return 1;
	return 0;
}

static int select_explicit(const struct partitions_def *def, const struct strv *keys, time_t now,
			   struct strv *out, struct lerr *err)
{
	for (size_t i = 0; i < keys->n; i++) {
		char buf[PARTITION_KEY_MAX];
		const char *values[PARTITIONS_MAX_DIMS];
		if (partitions_parse_key(def, keys->v[i], now, buf, values, err) < 0)
			return -1;
		if (!strv_contains(out, keys->v[i]) && strv_push(out, keys->v[i]) < 0)
			return lerr_set(err, "out of memory");
	}
	return 0;
}

/* The cartesian product of the dimensions' values, first dimension outermost. */
static int select_product(const struct strv *dimvals, size_t n, struct strv *out, struct lerr *err)
{
	size_t idx[PARTITIONS_MAX_DIMS] = {0};
	for (size_t i = 0; i < n; i++)
		if (dimvals[i].n == 0)
			return 0;
	for (;;) {
		char key[PARTITION_KEY_MAX * PARTITIONS_MAX_DIMS] = "";
		size_t len = 0;
		for (size_t i = 0; i < n; i++) {
			int w = snprintf(key + len, sizeof(key) - len, "%s%s", i ? "|" : "",
					 dimvals[i].v[idx[i]]);
			if (w < 0)
				return lerr_set(err, "partition key too long");
			len += (size_t)w;
		}
		if (strv_push(out, key) < 0)
			return lerr_set(err, "out of memory");
		size_t d = n;
		while (d > 0 && ++idx[d - 1] == dimvals[d - 1].n)
			idx[--d] = 0;
		if (d == 0)
			return 0;
	}
}

int partitions_select(const struct partitions_def *def, const struct partition_selection *sel,
		      time_t now, struct strv *out, struct lerr *err)
{
	int dated = sel->date || sel->from || sel->to || sel->all_days;
	int stationed = sel->values && sel->values->n;
	int keyed = sel->keys && sel->keys->n;

	if (!def) {
		if (dated || stationed || keyed)
			return lerr_set(err, "the asset is not partitioned: it takes no --partition, "
					"--date, --from/--to or --station");
		return strv_push(out, "") < 0 ? lerr_set(err, "out of memory") : 0;
	}
	if (keyed && (dated || stationed))
		return lerr_set(err, "--partition names whole keys: use it without --date, "
				"--from/--to or --station");
	if (keyed)
		return select_explicit(def, sel->keys, now, out, err);
	if (dated && !has_kind(def, PARTITIONS_DAILY))
		return lerr_set(err, "the asset is not partitioned by day: it takes no --date or --from/--to");
	if (stationed && !has_kind(def, PARTITIONS_STATIC))
		return lerr_set(err, "the asset is not partitioned by station: it takes no --station");

	const struct partitions_def *dims[PARTITIONS_MAX_DIMS];
	size_t n = partitions_dims(def, dims);
	struct strv dimvals[PARTITIONS_MAX_DIMS] = {STRV_INIT, STRV_INIT};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = select_dim(dims[i], sel, now, &dimvals[i], err);
	if (rc == 0)
		rc = select_product(dimvals, n, out, err);
	for (size_t i = 0; i < n; i++)
		strv_clear(&dimvals[i]);
	return rc;
}
