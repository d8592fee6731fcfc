#include "util/civil_time.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SECONDS_PER_DAY 86400

/* Floor division: the calendar arithmetic below must round towards the past for instants
 * before 1970 as well. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static bool is_leap_year(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return month == 2 && is_leap_year(year) ? 29 : days[month - 1];
}

/*
 * Days from civil: counting in 400-year eras that start on March 1st puts the leap day at
 * the end of each year, so the day of the year follows from the month by one linear formula.
 */
int64_t civil_date_to_days(struct civil_date d)
{
	int64_t y = (int64_t)d.year - (d.month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t year_of_era = y - era * 400;                      /* 0..399 */
	int64_t month_from_march = (d.month + 9) % 12;            /* March 0 .. February 11 */
	int64_t day_of_year = (153 * month_from_march + 2) / 5 + d.day - 1;
	int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;                /* 719468: 0000-03-01 .. 1970-01-01 */
}

struct civil_date civil_date_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t day_of_era = z - era * 146097;                    /* 0..146096 */
	int64_t year_of_era =
		(day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	int64_t month_from_march = (5 * day_of_year + 2) / 153;
	struct civil_date d;
	d.day = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
	d.month = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
	d.year = (int)(year_of_era + era * 400 + (d.month <= 2));
	return d;
}

struct civil_date civil_date_add_days(struct civil_date d, int64_t n)
{
	return civil_date_from_days(civil_date_to_days(d) + n);
}

int civil_date_compare(struct civil_date a, struct civil_date b)
{
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

/* Reads exactly n decimal digits at s; -1 when any of them is not a digit. */
static int parse_digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* YYYY-MM-DD at the start of s, not necessarily NUL-terminated there. */
static int parse_date_prefix(const char *s, struct civil_date *out)
{
	struct civil_date d;
	if (parse_digits(s, 4, &d.year) < 0 || s[4] != '-' || parse_digits(s + 5, 2, &d.month) < 0 ||
	    s[7] != '-' || parse_digits(s + 8, 2, &d.day) < 0)
		return -1;
	if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
		return -1;
	*out = d;
	return 0;
}

int civil_date_parse(const char *s, struct civil_date *out)
{
	if (strlen(s) != 10)
		return -1;
	return parse_date_prefix(s, out);
}

void civil_date_format(struct civil_date d, char out[11])
{
	/* The modulo tells the compiler (and the reader) that the fields fit their widths; every
	 * date this program handles has a four-digit year. */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d.year % 10000u, (unsigned)d.month % 100u,
		 (unsigned)d.day % 100u);
}

/*
 * Time zones. Europe/Amsterdam is computed from the EU summer-time rule rather than read from
 * the system tz database: that would mean setting the process-global TZ (which every thread
 * shares) and depending on tzdata being installed. The rule has held unchanged since 1996, and
 * the pipeline never needs dates before its 2024 start.
 */
#define CET_OFFSET 3600
#define CEST_OFFSET 7200

static bool zone_is_utc(const char *zone)
{
	return strcmp(zone, "UTC") == 0;
}

static bool zone_is_amsterdam(const char *zone)
{
	return strcmp(zone, "Europe/Amsterdam") == 0;
}

int tz_known(const char *zone)
{
	return zone && (zone_is_utc(zone) || zone_is_amsterdam(zone));
}

/* 01:00 UTC on the last Sunday of month in year: when EU summer time starts or ends. */
static int64_t eu_transition(int64_t year, int month)
{
	struct civil_date last = { (int)year, month, days_in_month(year, month) };
	int64_t days = civil_date_to_days(last);
	int64_t weekday = floor_mod(days + 4, 7);  /* 1970-01-01 was a Thursday; Sunday is 0 */
	return (days - weekday) * SECONDS_PER_DAY + 3600;
}

static int amsterdam_offset(int64_t t)
{
	int64_t year = civil_date_from_days(floor_div(t, SECONDS_PER_DAY)).year;
	bool summer = t >= eu_transition(year, 3) && t < eu_transition(year, 10);
	return summer ? CEST_OFFSET : CET_OFFSET;
}

int tz_offset_at(const char *zone, time_t t, int *offset_seconds)
{
	if (!tz_known(zone))
		return -1;
	*offset_seconds = zone_is_utc(zone) ? 0 : amsterdam_offset((int64_t)t);
	return 0;
}

int tz_local_midnight(const char *zone, struct civil_date d, time_t *out)
{
	if (!tz_known(zone))
		return -1;
	int64_t local = civil_date_to_days(d) * SECONDS_PER_DAY;
	/* The offset at local midnight is found from a guess: subtract the offset in force at the
	 * local time read as UTC, then once more with the offset at that instant. Amsterdam
	 * changes its clocks at 02:00/03:00 local, never across midnight, so this is exact. */
	int offset;
	tz_offset_at(zone, (time_t)local, &offset);
	tz_offset_at(zone, (time_t)(local - offset), &offset);
	*out = (time_t)(local - offset);
	return 0;
}

int tz_local_date(const char *zone, time_t t, struct civil_date *out)
{
	int offset;
	if (tz_offset_at(zone, t, &offset) < 0)
		return -1;
	*out = civil_date_from_days(floor_div((int64_t)t + offset, SECONDS_PER_DAY));
	return 0;
}

/* Wall-clock fields of t shifted by offset seconds. */
struct wall_time {
	struct civil_date date;
	int hour, minute, second;
};

static struct wall_time wall_time_at(int64_t t, int offset)
{
	int64_t local = t + offset;
	int64_t secs = floor_mod(local, SECONDS_PER_DAY);
	struct wall_time w;
	w.date = civil_date_from_days(floor_div(local, SECONDS_PER_DAY));
	w.hour = (int)(secs / 3600);
	w.minute = (int)(secs / 60 % 60);
	w.second = (int)(secs % 60);
	return w;
}

/* YYYY-MM-DDTHH:MM:SS (19 characters) into out, which has room for at least 20. */
static void format_wall_time(struct wall_time w, char *out)
{
	civil_date_format(w.date, out);
	snprintf(out + 10, 10, "T%02u:%02u:%02u", (unsigned)w.hour % 100u, (unsigned)w.minute % 100u,
		 (unsigned)w.second % 100u);
}

static void format_with_offset(time_t t, int offset, char out[26])
{
	format_wall_time(wall_time_at((int64_t)t, offset), out);
	unsigned abs_offset = (unsigned)(offset < 0 ? -offset : offset);
	snprintf(out + 19, 7, "%c%02u:%02u", offset < 0 ? '-' : '+', abs_offset / 3600 % 100u,
		 abs_offset / 60 % 60);
}

void time_format_utc(time_t t, char out[26])
{
	format_with_offset(t, 0, out);
}

int time_format_local(const char *zone, time_t t, char out[26])
{
	int offset;
	if (tz_offset_at(zone, t, &offset) < 0)
		return -1;
	format_with_offset(t, offset, out);
	return 0;
}

/* The offset part of an ISO 8601 date-time: "", Z, +HH:MM, +HHMM or +HH (or with '-'). */
static int parse_offset(const char *s, int *offset)
{
	if (*s == '\0' || strcmp(s, "Z") == 0) {
		*offset = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	const char *p = s + 1;
	size_t n = strlen(p);
	int hours, minutes = 0;
	if (parse_digits(p, 2, &hours) < 0)
		return -1;
	if (n == 4) {
		if (parse_digits(p + 2, 2, &minutes) < 0)
			return -1;
	} else if (n == 5) {
		if (p[2] != ':' || parse_digits(p + 3, 2, &minutes) < 0)
			return -1;
	} else if (n != 2) {
		return -1;
	}
	if (hours > 23 || minutes > 59)
		return -1;
	*offset = (*s == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
	return 0;
}

int time_parse_iso8601(const char *s, time_t *out)
{
	/* Every check stops at the first mismatch, so a short string is never read past its NUL. */
	struct civil_date d;
	int hour, minute, second;
	if (parse_date_prefix(s, &d) < 0 || s[10] != 'T' || parse_digits(s + 11, 2, &hour) < 0 ||
	    s[13] != ':' || parse_digits(s + 14, 2, &minute) < 0 || s[16] != ':' ||
	    parse_digits(s + 17, 2, &second) < 0)
		return -1;
	if (hour > 23 || minute > 59 || second > 59)
		return -1;
	const char *p = s + 19;
	if (*p == '.') {
		/* Sub-second digits are checked and dropped: the API works in whole hours. */
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int offset;
	if (parse_offset(p, &offset) < 0)
		return -1;
	*out = (time_t)(civil_date_to_days(d) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second -
			offset);
	return 0;
}

int64_t time_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void time_format_us(int64_t us, char out[32])
{
	int64_t secs = floor_div(us, 1000000);
	unsigned millis = (unsigned)(floor_mod(us, 1000000) / 1000);
	format_wall_time(wall_time_at(secs, 0), out);
	snprintf(out + 19, 6, ".%03uZ", millis % 1000u);
}
