#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "engine/partitions.h"
#include "luchtmeetnet/pipeline.h"

/* 2024-06-15 12:00 UTC: the newest day is 2024-06-14. */
static const time_t NOW = 1718452800;

static void assert_window(struct civil_date d, const char *start, const char *end)
{
	time_t s, e;
	struct lerr err;
	char buf[26];
	assert_int_equal(partitions_day_window(&lmn_daily, d, &s, &e, &err), 0);
	time_format_utc(s, buf);
	assert_string_equal(buf, start);
	time_format_utc(e, buf);
	assert_string_equal(buf, end);
}

static void test_day_windows_follow_amsterdam_time(void **state)
{
	(void)state;
	assert_window((struct civil_date){2024, 1, 24}, "2024-01-23T23:00:00+00:00",
		      "2024-01-24T23:00:00+00:00");
	/* 23 hours: summer time starts at 02:00 local. */
	assert_window((struct civil_date){2024, 3, 31}, "2024-03-30T23:00:00+00:00",
		      "2024-03-31T22:00:00+00:00");
	assert_window((struct civil_date){2024, 7, 1}, "2024-06-30T22:00:00+00:00",
		      "2024-07-01T22:00:00+00:00");
	/* 25 hours: summer time ends at 03:00 local. */
	assert_window((struct civil_date){2024, 10, 27}, "2024-10-26T22:00:00+00:00",
		      "2024-10-27T23:00:00+00:00");
}

static void test_newest_day_is_the_last_that_ended_locally(void **state)
{
	(void)state;
	struct civil_date d;
	char s[11];
	assert_int_equal(partitions_newest_day(&lmn_daily, NOW, &d), 0);
	civil_date_format(d, s);
	assert_string_equal(s, "2024-06-14");
	/* 2024-06-14 22:30 UTC is already 00:30 on the 15th in Amsterdam. */
	assert_int_equal(partitions_newest_day(&lmn_daily, 1718404200, &d), 0);
	civil_date_format(d, s);
	assert_string_equal(s, "2024-06-14");
	/* 2024-06-14 21:30 UTC is 23:30 on the 14th: the 14th has not ended. */
	assert_int_equal(partitions_newest_day(&lmn_daily, 1718400600, &d), 0);
	civil_date_format(d, s);
	assert_string_equal(s, "2024-06-13");
}

static void expect_key_error(const struct partitions_def *def, const char *key, const char *msg)
{
	char buf[PARTITION_KEY_MAX];
	const char *values[PARTITIONS_MAX_DIMS];
	struct lerr err;
	lerr_clear(&err);
	assert_int_equal(partitions_parse_key(def, key, NOW, buf, values, &err), -1);
	if (!strstr(err.msg, msg))
		fail_msg("'%s': '%s' not in '%s'", key, msg, err.msg);
}

static void test_keys_parse_date_first(void **state)
{
	(void)state;
	char buf[PARTITION_KEY_MAX];
	const char *values[PARTITIONS_MAX_DIMS];
	struct lerr err;
	assert_int_equal(partitions_parse_key(&lmn_daily_stations, "2024-01-24|NL01485", NOW, buf,
					      values, &err), 0);
	assert_string_equal(values[0], "2024-01-24");
	assert_string_equal(values[1], "NL01485");
	assert_string_equal(partitions_value_of(&lmn_daily_stations, PARTITIONS_STATIC, values),
			    "NL01485");
	assert_int_equal(partitions_parse_key(NULL, "", NOW, buf, values, &err), 0);
}

static void test_hostile_and_malformed_keys_are_refused(void **state)
{
	(void)state;
	expect_key_error(&lmn_daily_stations, "../..|NL01485", "invalid date '../..'");
	expect_key_error(&lmn_daily_stations, "2024-01-24|../../etc", "unknown station '../../etc'");
	expect_key_error(&lmn_daily_stations, "NL01485|2024-01-24", "invalid date 'NL01485'");
	expect_key_error(&lmn_daily_stations, "2024-01-24", "malformed partition key");
	expect_key_error(&lmn_daily_stations, "2024-01-24|", "malformed partition key");
	expect_key_error(&lmn_daily_stations, "|NL01485", "malformed partition key");
	expect_key_error(&lmn_daily_stations, "2024-01-24|NL01485|x", "malformed partition key");
	expect_key_error(&lmn_daily_stations, "2024-01-24||NL01485", "malformed partition key");
	expect_key_error(&lmn_daily, "2024-01-24|NL01485", "malformed partition key");
	expect_key_error(&lmn_daily, "2024-01-23", "before the first day 2024-01-24");
	expect_key_error(&lmn_daily, "2024-06-15", "has not ended yet");
	expect_key_error(&lmn_daily, "2024-02-30", "invalid date");
	expect_key_error(&lmn_station_partitions, "NL99999", "unknown station 'NL99999'");
	expect_key_error(NULL, "x", "not partitioned");
	char long_key[200];
	memset(long_key, 'a', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	expect_key_error(&lmn_daily_stations, long_key, "malformed partition key");
}

static void test_selection_of_days_and_stations(void **state)
{
	(void)state;
	struct strv keys = STRV_INIT, stations = STRV_INIT;
	struct lerr err;
	strv_push(&stations, "NL49002");
	strv_push(&stations, "NL01485");
	struct partition_selection sel = {.from = "2024-02-28", .to = "2024-03-01", .values = &stations};
	assert_int_equal(partitions_select(&lmn_daily_stations, &sel, NOW, &keys, &err), 0);
	assert_int_equal(keys.n, 6);
	assert_string_equal(keys.v[0], "2024-02-28|NL49002");
	assert_string_equal(keys.v[1], "2024-02-28|NL01485");
	assert_string_equal(keys.v[2], "2024-02-29|NL49002");
	assert_string_equal(keys.v[5], "2024-03-01|NL01485");
	strv_clear(&keys);

	/* Nothing selected: the newest day, every station. */
	struct partition_selection none = {0};
	assert_int_equal(partitions_select(&lmn_daily_stations, &none, NOW, &keys, &err), 0);
	assert_int_equal(keys.n, 99);
	assert_string_equal(keys.v[0], "2024-06-14|NL01485");
	strv_clear(&keys);

	struct partition_selection all = {.all_days = 1};
	assert_int_equal(partitions_select(&lmn_daily, &all, NOW, &keys, &err), 0);
	assert_string_equal(keys.v[0], "2024-01-24");
	assert_string_equal(keys.v[keys.n - 1], "2024-06-14");
	assert_int_equal(keys.n, 143);
	strv_clear(&keys);

	assert_int_equal(partitions_select(NULL, &none, NOW, &keys, &err), 0);
	assert_int_equal(keys.n, 1);
	assert_string_equal(keys.v[0], "");
	strv_clear(&keys);
	strv_clear(&stations);
}

static void expect_selection_error(const struct partitions_def *def,
				   const struct partition_selection *sel, const char *msg)
{
	struct strv keys = STRV_INIT;
	struct lerr err;
	assert_int_equal(partitions_select(def, sel, NOW, &keys, &err), -1);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' not in '%s'", msg, err.msg);
	assert_int_equal(keys.n, 0);
	strv_clear(&keys);
}

static void test_selection_errors(void **state)
{
	(void)state;
	struct strv stations = STRV_INIT, keys = STRV_INIT;
	strv_push(&stations, "NL01485");
	strv_push(&keys, "2024-01-24|NL01485");
	expect_selection_error(&lmn_daily_stations,
			       &(struct partition_selection){.from = "2024-03-02", .to = "2024-03-01"},
			       "is after --to");
	expect_selection_error(&lmn_daily_stations, &(struct partition_selection){.to = "2024-03-01"},
			       "--from and --to go together");
	expect_selection_error(&lmn_daily_stations,
			       &(struct partition_selection){.date = "2024-03-01", .from = "2024-03-01",
							     .to = "2024-03-01"},
			       "either --date or --from/--to");
	expect_selection_error(&lmn_daily, &(struct partition_selection){.values = &stations},
			       "not partitioned by station");
	expect_selection_error(&lmn_station_partitions,
			       &(struct partition_selection){.date = "2024-03-01"}, "not partitioned by day");
	expect_selection_error(NULL, &(struct partition_selection){.values = &stations}, "not partitioned");
	expect_selection_error(&lmn_daily_stations,
			       &(struct partition_selection){.keys = &keys, .values = &stations},
			       "--partition names whole keys");
	strv_clear(&stations);
	strv_clear(&keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_windows_follow_amsterdam_time),
		cmocka_unit_test(test_newest_day_is_the_last_that_ended_locally),
		cmocka_unit_test(test_keys_parse_date_first),
		cmocka_unit_test(test_hostile_and_malformed_keys_are_refused),
		cmocka_unit_test(test_selection_of_days_and_stations),
		cmocka_unit_test(test_selection_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
