#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/civil_time.h"

#define AMS "Europe/Amsterdam"

static struct civil_date date(int y, int m, int d)
{
	struct civil_date c = { y, m, d };
	return c;
}

static void assert_date(struct civil_date got, int y, int m, int d)
{
	assert_int_equal(got.year, y);
	assert_int_equal(got.month, m);
	assert_int_equal(got.day, d);
}

static void test_date_parse_and_format_round_trip(void **state)
{
	(void)state;
	struct civil_date d;
	assert_int_equal(civil_date_parse("2024-01-24", &d), 0);
	assert_date(d, 2024, 1, 24);
	char out[11];
	civil_date_format(d, out);
	assert_string_equal(out, "2024-01-24");
	civil_date_format(date(987, 3, 5), out);
	assert_string_equal(out, "0987-03-05");
}

static void test_date_parse_rejects_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2024-02-30", "2023-02-29", "2024-1-5", "2024-01-24x", "2024-01-24 ", " 2024-01-24",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-04-31", "2024/01/24", "20240124",
		"", "abcd-ef-gh", "2024-01-2", "+024-01-24",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct civil_date d = date(1, 2, 3);
		if (civil_date_parse(bad[i], &d) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_date(d, 1, 2, 3);  /* untouched on failure */
	}
}

static void test_leap_years(void **state)
{
	(void)state;
	struct civil_date d;
	assert_int_equal(civil_date_parse("2024-02-29", &d), 0);
	assert_int_equal(civil_date_parse("2000-02-29", &d), 0);
	assert_int_equal(civil_date_parse("1900-02-29", &d), -1);
	assert_int_equal(civil_date_parse("2100-02-29", &d), -1);
	assert_int_equal(civil_date_parse("2023-02-28", &d), 0);
	assert_int_equal(civil_date_to_days(date(2025, 1, 1)) - civil_date_to_days(date(2024, 1, 1)),
			 366);
	assert_int_equal(civil_date_to_days(date(2024, 1, 1)) - civil_date_to_days(date(2023, 1, 1)),
			 365);
}

static void test_days_since_epoch(void **state)
{
	(void)state;
	assert_int_equal(civil_date_to_days(date(1970, 1, 1)), 0);
	assert_int_equal(civil_date_to_days(date(2024, 1, 24)), 19746);
	assert_int_equal(civil_date_to_days(date(1, 1, 1)), -719162);
	assert_int_equal(civil_date_to_days(date(9999, 12, 31)), 2932896);
	assert_date(civil_date_from_days(-1), 1969, 12, 31);
	assert_date(civil_date_from_days(19746), 2024, 1, 24);
	assert_date(civil_date_from_days(-719162), 1, 1, 1);
}

/* Every day from year 1 to 9999: from_days inverts to_days, and consecutive day numbers are
 * consecutive calendar days. */
static void test_days_round_trip_over_all_years(void **state)
{
	(void)state;
	struct civil_date prev = civil_date_from_days(-719163);
	assert_date(prev, 0, 12, 31);
	for (int64_t n = -719162; n <= 2932896; n++) {
		struct civil_date d = civil_date_from_days(n);
		assert_int_equal(civil_date_to_days(d), n);
		assert_true(civil_date_compare(prev, d) < 0);
		if (d.day != 1) {
			assert_int_equal(d.day, prev.day + 1);
			assert_int_equal(d.month, prev.month);
		} else if (d.month != 1) {
			assert_int_equal(d.month, prev.month + 1);
		} else {
			assert_int_equal(d.year, prev.year + 1);
			assert_int_equal(prev.month, 12);
			assert_int_equal(prev.day, 31);
		}
		prev = d;
	}
}

static void test_add_days_across_months_and_years(void **state)
{
	(void)state;
	assert_date(civil_date_add_days(date(2024, 1, 31), 1), 2024, 2, 1);
	assert_date(civil_date_add_days(date(2024, 2, 28), 1), 2024, 2, 29);
	assert_date(civil_date_add_days(date(2023, 2, 28), 1), 2023, 3, 1);
	assert_date(civil_date_add_days(date(2024, 12, 31), 1), 2025, 1, 1);
	assert_date(civil_date_add_days(date(2025, 1, 1), -1), 2024, 12, 31);
	assert_date(civil_date_add_days(date(2024, 3, 1), -1), 2024, 2, 29);
	assert_date(civil_date_add_days(date(2024, 1, 1), 366), 2025, 1, 1);
	assert_date(civil_date_add_days(date(2024, 1, 24), 0), 2024, 1, 24);
}

static void test_compare(void **state)
{
	(void)state;
	assert_true(civil_date_compare(date(2024, 1, 24), date(2024, 1, 25)) < 0);
	assert_true(civil_date_compare(date(2024, 2, 1), date(2024, 1, 31)) > 0);
	assert_true(civil_date_compare(date(2023, 12, 31), date(2024, 1, 1)) < 0);
	assert_int_equal(civil_date_compare(date(2024, 1, 24), date(2024, 1, 24)), 0);
}

static int offset_at(const char *zone, time_t t)
{
	int offset = -12345;
	assert_int_equal(tz_offset_at(zone, t, &offset), 0);
	return offset;
}

/* Transition instants (UTC) from the IANA database, to check the built-in rule against. */
static const struct {
	int year;
	time_t summer_starts;
	time_t summer_ends;
} eu_transitions[] = {
	{ 2024, 1711846800, 1729990800 }, /* 2024-03-31, 2024-10-27 01:00Z */
	{ 2025, 1743296400, 1761440400 }, /* 2025-03-30, 2025-10-26 */
	{ 2026, 1774746000, 1792890000 },
	{ 2027, 1806195600, 1824944400 }, /* 2027-10-31: October's last day is a Sunday */
	{ 2028, 1837645200, 1856394000 },
	{ 2029, 1869094800, 1887843600 },
	{ 2030, 1901149200, 1919293200 }, /* 2030-03-31 */
};

static void test_amsterdam_offsets_around_transitions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(eu_transitions) / sizeof(eu_transitions[0]); i++) {
		time_t on = eu_transitions[i].summer_starts, off = eu_transitions[i].summer_ends;
		assert_int_equal(offset_at(AMS, on - 1), 3600);
		assert_int_equal(offset_at(AMS, on), 7200);
		assert_int_equal(offset_at(AMS, off - 1), 7200);
		assert_int_equal(offset_at(AMS, off), 3600);
	}
	assert_int_equal(offset_at(AMS, 1706137200), 3600);  /* 2024-01-24T23:00Z */
	assert_int_equal(offset_at(AMS, 1720994400), 7200);  /* 2024-07-14T22:00Z */
}

static void test_utc_and_unknown_zones(void **state)
{
	(void)state;
	assert_int_equal(offset_at("UTC", 1720994400), 0);
	assert_true(tz_known("UTC"));
	assert_true(tz_known(AMS));
	assert_false(tz_known("Europe/Brussels"));
	assert_false(tz_known("europe/amsterdam"));
	int offset = 7;
	assert_int_equal(tz_offset_at("CET", 0, &offset), -1);
	assert_int_equal(offset, 7);
	time_t t;
	assert_int_equal(tz_local_midnight("Mars/Olympus", date(2024, 1, 24), &t), -1);
	struct civil_date d;
	assert_int_equal(tz_local_date("", 0, &d), -1);
	char out[26];
	assert_int_equal(time_format_local("Local", 0, out), -1);
}

static double day_hours(struct civil_date d)
{
	time_t start, end;
	assert_int_equal(tz_local_midnight(AMS, d, &start), 0);
	assert_int_equal(tz_local_midnight(AMS, civil_date_add_days(d, 1), &end), 0);
	return (double)(end - start) / 3600.0;
}

static time_t midnight(const char *zone, struct civil_date d)
{
	time_t t;
	assert_int_equal(tz_local_midnight(zone, d, &t), 0);
	return t;
}

static void test_local_midnight_on_dst_days(void **state)
{
	(void)state;
	assert_int_equal(midnight(AMS, date(2024, 3, 31)), 1711839600);   /* 2024-03-30T23:00Z */
	assert_int_equal(midnight(AMS, date(2024, 4, 1)), 1711922400);    /* 2024-03-31T22:00Z */
	assert_int_equal(midnight(AMS, date(2024, 10, 27)), 1729980000);  /* 2024-10-26T22:00Z */
	assert_int_equal(midnight(AMS, date(2024, 10, 28)), 1730070000);  /* 2024-10-27T23:00Z */
	assert_int_equal(midnight(AMS, date(2024, 1, 24)), 1706050800);
	assert_int_equal(midnight(AMS, date(2024, 7, 15)), 1720994400);
	assert_int_equal(midnight(AMS, date(2025, 3, 30)), 1743289200);
	assert_int_equal(midnight(AMS, date(2025, 10, 26)), 1761429600);
	assert_int_equal(midnight("UTC", date(2024, 1, 24)), 1706054400);
	assert_true(day_hours(date(2024, 3, 31)) == 23);
	assert_true(day_hours(date(2024, 10, 27)) == 25);
	assert_true(day_hours(date(2024, 1, 24)) == 24);
	assert_true(day_hours(date(2024, 7, 15)) == 24);
	assert_true(day_hours(date(2024, 3, 30)) == 24);
	assert_true(day_hours(date(2024, 10, 28)) == 24);
}

static void test_local_date_around_midnight(void **state)
{
	(void)state;
	struct civil_date d;
	assert_int_equal(tz_local_date(AMS, 1706137200 - 1, &d), 0);  /* 23:59:59 local */
	assert_date(d, 2024, 1, 24);
	assert_int_equal(tz_local_date(AMS, 1706137200, &d), 0);      /* 00:00:00 local */
	assert_date(d, 2024, 1, 25);
	assert_int_equal(tz_local_date(AMS, 1720994400 - 1, &d), 0);  /* summer, +02:00 */
	assert_date(d, 2024, 7, 14);
	assert_int_equal(tz_local_date(AMS, 1720994400, &d), 0);
	assert_date(d, 2024, 7, 15);
	assert_int_equal(tz_local_date("UTC", 1706137200, &d), 0);
	assert_date(d, 2024, 1, 24);
	assert_int_equal(tz_local_date("UTC", -1, &d), 0);
	assert_date(d, 1969, 12, 31);
}

static void test_format_utc_and_local(void **state)
{
	(void)state;
	char out[26];
	time_format_utc(1706137200, out);
	assert_string_equal(out, "2024-01-24T23:00:00+00:00");
	assert_int_equal(time_format_local(AMS, 1706137200, out), 0);
	assert_string_equal(out, "2024-01-25T00:00:00+01:00");
	assert_int_equal(time_format_local(AMS, 1720994400, out), 0);
	assert_string_equal(out, "2024-07-15T00:00:00+02:00");
	assert_int_equal(time_format_local(AMS, 1711846800 - 1, out), 0);
	assert_string_equal(out, "2024-03-31T01:59:59+01:00");
	assert_int_equal(time_format_local(AMS, 1711846800, out), 0);
	assert_string_equal(out, "2024-03-31T03:00:00+02:00");
	assert_int_equal(time_format_local("UTC", 0, out), 0);
	assert_string_equal(out, "1970-01-01T00:00:00+00:00");
	time_format_utc(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59+00:00");
}

static time_t parsed(const char *s)
{
	time_t t = -42;
	if (time_parse_iso8601(s, &t) != 0)
		fail_msg("rejected '%s'", s);
	return t;
}

static void test_parse_iso8601_offsets(void **state)
{
	(void)state;
	assert_int_equal(parsed("2024-01-24T23:00:00Z"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:00:00+00:00"), 1706137200);
	assert_int_equal(parsed("2024-01-25T00:00:00+01:00"), 1706137200);
	assert_int_equal(parsed("2024-01-25T00:00:00+0100"), 1706137200);
	assert_int_equal(parsed("2024-01-25T00:00:00+01"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:00:00"), 1706137200);
	assert_int_equal(parsed("2024-01-24T18:00:00-05:00"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:30:00+00:30"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:00:00.123Z"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:00:00.999999+00:00"), 1706137200);
	assert_int_equal(parsed("2024-01-24T23:00:00.5"), 1706137200);
	assert_int_equal(parsed("2024-02-29T12:34:56Z"), 1709210096);
	assert_int_equal(parsed("1970-01-01T00:00:00Z"), 0);
}

static void test_parse_iso8601_rejects_garbage(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "garbage", "2024-01-24", "2024-01-24T", "2024-01-24T23:00", "2024-01-24 23:00:00Z",
		"2024-01-24t23:00:00Z", "2024-01-24T24:00:00Z", "2024-01-24T23:60:00Z",
		"2024-01-24T23:00:60Z", "2024-02-30T00:00:00Z", "2024-1-24T23:00:00Z",
		"2024-01-24T23:00:00Zjunk", "2024-01-24T23:00:00z", "2024-01-24T23:00:00 ",
		"2024-01-24T23:00:00+01:", "2024-01-24T23:00:00+1", "2024-01-24T23:00:00+01:000",
		"2024-01-24T23:00:00+010", "2024-01-24T23:00:00+24:00", "2024-01-24T23:00:00+01:60",
		"2024-01-24T23:00:00.Z", "2024-01-24T23:00:00.", "2024-01-24T23:00:00.12.3Z",
		"2024-01-24T23:00:00+01:00Z", "2024-01-24T2a:00:00Z", "2024-01-24T23:00:00UTC",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		time_t t = 777;
		if (time_parse_iso8601(bad[i], &t) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(t, 777);
	}
}

static void test_format_and_parse_agree(void **state)
{
	(void)state;
	char out[26];
	for (time_t t = 1704067200; t < 1767225600; t += 3 * 3600 + 17 * 60 + 11) {
		time_format_utc(t, out);
		assert_int_equal(parsed(out), t);
		assert_int_equal(time_format_local(AMS, t, out), 0);
		assert_int_equal(parsed(out), t);
	}
}

static void test_format_us(void **state)
{
	(void)state;
	char out[32];
	time_format_us(1706137200123456, out);
	assert_string_equal(out, "2024-01-24T23:00:00.123Z");
	time_format_us(1706137200000999, out);
	assert_string_equal(out, "2024-01-24T23:00:00.000Z");
	time_format_us(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	assert_int_equal(strlen(out), 24);
}

static void test_now_is_wall_clock(void **state)
{
	(void)state;
	int64_t now = time_now_us();
	assert_true(now > (int64_t)1704067200 * 1000000);  /* after 2024-01-01 */
	time_t t = time(NULL);
	/* Same clock as time(): within a minute, whatever the machine's speed. */
	assert_true(now / 1000000 >= (int64_t)t - 60 && now / 1000000 <= (int64_t)t + 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_parse_and_format_round_trip),
		cmocka_unit_test(test_date_parse_rejects_invalid),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_days_since_epoch),
		cmocka_unit_test(test_days_round_trip_over_all_years),
		cmocka_unit_test(test_add_days_across_months_and_years),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_amsterdam_offsets_around_transitions),
		cmocka_unit_test(test_utc_and_unknown_zones),
		cmocka_unit_test(test_local_midnight_on_dst_days),
		cmocka_unit_test(test_local_date_around_midnight),
		cmocka_unit_test(test_format_utc_and_local),
		cmocka_unit_test(test_parse_iso8601_offsets),
		cmocka_unit_test(test_parse_iso8601_rejects_garbage),
		cmocka_unit_test(test_format_and_parse_agree),
		cmocka_unit_test(test_format_us),
		cmocka_unit_test(test_now_is_wall_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
