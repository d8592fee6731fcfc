#ifndef LUCHT_UTIL_CIVIL_TIME_H
#define LUCHT_UTIL_CIVIL_TIME_H

#include <stdint.h>
#include <time.h>

/* A calendar date, proleptic Gregorian. */
struct civil_date {
	int year;
	int month;  /* 1..12 */
	int day;    /* 1..31 */
};

/* Strict YYYY-MM-DD (exactly 10 characters, a real date): 0, or -1 for anything else. */
int civil_date_parse(const char *s, struct civil_date *out);
/* Writes YYYY-MM-DD and a NUL into out (11 bytes). */
void civil_date_format(struct civil_date d, char out[11]);
/* Days since 1970-01-01 and back. */
int64_t civil_date_to_days(struct civil_date d);
struct civil_date civil_date_from_days(int64_t days);
struct civil_date civil_date_add_days(struct civil_date d, int64_t n);
int civil_date_compare(struct civil_date a, struct civil_date b);  /* <0, 0, >0 */

/*
 * Time zones. Only the zones the pipeline needs are known, by their IANA names:
 * "UTC" and "Europe/Amsterdam" (CET/CEST under the EU summer-time rule: from the last
 * Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC).
 * Returns 0 and the zone's offset from UTC in seconds at the UTC instant t, or -1 for an
 * unknown zone.
 */
int tz_offset_at(const char *zone, time_t t, int *offset_seconds);
int tz_known(const char *zone);

/* The UTC instant of local midnight starting date d in zone. 0 or -1 (unknown zone). */
int tz_local_midnight(const char *zone, struct civil_date d, time_t *out);
/* The local calendar date in zone at UTC instant t. 0 or -1 (unknown zone). */
int tz_local_date(const char *zone, time_t t, struct civil_date *out);

/* ISO 8601 in UTC with an explicit offset: 2024-01-24T23:00:00+00:00 (26 bytes with NUL). */
void time_format_utc(time_t t, char out[26]);
/* ISO 8601 in zone with its offset at t: 2024-01-25T00:00:00+01:00. 0 or -1. */
int time_format_local(const char *zone, time_t t, char out[26]);
/* Parses ISO 8601 date-times as the API writes them: YYYY-MM-DDTHH:MM:SS with an optional
 * fraction and an offset (Z, +HH:MM, +HHMM, +HH) or none (taken as UTC). 0 or -1. */
int time_parse_iso8601(const char *s, time_t *out);

/* Wall-clock now in microseconds since the epoch. */
int64_t time_now_us(void);
/* Microseconds since the epoch as ISO 8601 UTC with milliseconds: 2024-01-24T23:00:00.123Z
 * (25 bytes with NUL). */
void time_format_us(int64_t us, char out[32]);

#endif
