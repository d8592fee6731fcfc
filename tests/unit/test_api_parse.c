#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luchtmeetnet/api.h"

#define T_2024_01_24 1706054400  /* 2024-01-24T00:00:00Z */

static char *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("LUCHT_TEST_DATA");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	static char data[1 << 16];
	*len = fread(data, 1, sizeof(data) - 1, f);
	data[*len] = '\0';
	fclose(f);
	return data;
}

struct rows {
	struct measurement m[16];
	size_t n;
	size_t fail_at;  /* 1-based row to refuse, 0: none */
};

static int collect(void *ctx, const struct measurement *m, struct lerr *err)
{
	struct rows *r = ctx;
	if (r->n == sizeof(r->m) / sizeof(r->m[0]))
		fail_msg("too many rows");
	r->m[r->n++] = *m;
	if (r->n == r->fail_at)
		return lerr_set(err, "refused row %zu", r->n);
	return 0;
}

static int parse_text(const char *body, struct rows *rows, struct lmn_page *page,
		      struct lerr *err)
{
	return lmn_parse_measurements_page(body, strlen(body), page, collect, rows, err);
}

/* parse_text for a page kept as a file in the test data. */
static int parse_fixture(const char *name, struct rows *rows, struct lmn_page *page,
			 struct lerr *err)
{
	size_t len;
	const char *body = read_fixture(name, &len);
	return lmn_parse_measurements_page(body, len, page, collect, rows, err);
}

static void assert_row(const struct measurement *m, const char *station, const char *formula,
		       double value, time_t at)
{
	assert_string_equal(m->station_number, station);
	assert_string_equal(m->formula, formula);
	assert_false(m->value_is_null);
	assert_true(m->value == value);
	assert_int_equal(m->timestamp_measured, at);
}

static void test_page_gives_rows_and_pagination(void **state)
{
	(void)state;
	struct rows rows = { .n = 0 };
	struct lmn_page page;
	struct lerr err;
	assert_int_equal(parse_fixture("measurements_page1.json", &rows, &page, &err), 0);
	assert_int_equal(page.current_page, 1);
	assert_int_equal(page.next_page, 2);
	assert_int_equal(page.last_page, 2);
	assert_int_equal(rows.n, 4);
	assert_row(&rows.m[0], "NL01485", "NO2", 26.2, T_2024_01_24);
	assert_row(&rows.m[1], "NL01485", "O3", -0.9, T_2024_01_24);
	/* +01:00 is honoured: 02:00+01:00 is 01:00 UTC; an integer value is a value. */
	assert_row(&rows.m[2], "NL01485", "PM10", 14, T_2024_01_24 + 3600);
	assert_string_equal(rows.m[3].formula, "PM25");
	assert_true(rows.m[3].value_is_null);
	assert_int_equal(rows.m[3].timestamp_measured, T_2024_01_24 + 3600);
}

static void test_empty_result_has_no_next_page(void **state)
{
	(void)state;
	struct rows rows = { .n = 0 };
	struct lmn_page page;
	struct lerr err;
	assert_int_equal(parse_fixture("measurements_empty.json", &rows, &page, &err), 0);
	assert_int_equal(rows.n, 0);
	assert_int_equal(page.last_page, 0);
	assert_int_equal(page.next_page, 0);
	assert_true(page.next_page <= page.current_page);
}

static void test_old_format_without_start_and_end(void **state)
{
	(void)state;
	struct rows rows = { .n = 0 };
	struct lmn_page page;
	struct lerr err;
	assert_int_equal(parse_fixture("measurements_old_format.json", &rows, &page, &err), 0);
	assert_int_equal(page.current_page, 3);
	assert_int_equal(page.next_page, 3);
	assert_int_equal(rows.n, 2);
	assert_row(&rows.m[0], "NL49012", "SO2", 3.5, 1559394000);
	assert_row(&rows.m[1], "NL49012", "NO2", 41.7, 1559394000 - 3600);
}

static void test_malformed_json_fails_and_leaves_page(void **state)
{
	(void)state;
	struct rows rows = { .n = 0 };
	struct lmn_page page = { 7, 7, 7 };
	struct lerr err;
	assert_int_equal(parse_fixture("malformed.json", &rows, &page, &err), -1);
	assert_non_null(strstr(err.msg, "malformed JSON: "));
	assert_false(err.retryable);
	assert_int_equal(page.current_page, 7);
	assert_int_equal(rows.n, 0);
}

static void test_structure_errors_say_what_is_missing(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{ "[]", "the response is not a JSON object" },
		{ "{\"data\": []}", "the response has no pagination object" },
		{ "{\"pagination\": {\"current_page\": 1, \"last_page\": 1}, \"data\": []}",
		  "pagination.next_page is missing or not an integer" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1}}",
		  "the response has no data array" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		  " \"data\": [{\"formula\": \"NO\", \"timestamp_measured\": \"2024-01-24T00:00:00Z\","
		  " \"value\": 1}, {\"timestamp_measured\": \"2024-01-24T00:00:00Z\"}]}",
		  "row 2: no formula" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		  " \"data\": [{\"formula\": \"NO\", \"value\": 1}]}",
		  "row 1: no timestamp_measured" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		  " \"data\": [{\"formula\": \"NO\", \"timestamp_measured\": \"yesterday\"}]}",
		  "row 1: timestamp_measured \"yesterday\" is not an ISO 8601 time" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		  " \"data\": [{\"formula\": \"NO\", \"timestamp_measured\": \"2024-01-24T00:00:00Z\","
		  " \"value\": \"12.5\"}]}",
		  "row 1: value is not a number" },
		{ "{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		  " \"data\": [7]}",
		  "row 1: not an object" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rows rows = { .n = 0 };
		struct lmn_page page;
		struct lerr err;
		assert_int_equal(parse_text(cases[i].body, &rows, &page, &err), -1);
		assert_string_equal(err.msg, cases[i].msg);
		assert_false(err.retryable);
	}
}

static void test_missing_value_and_station_are_tolerated(void **state)
{
	(void)state;
	const char *body =
		"{\"pagination\": {\"current_page\": 1, \"next_page\": 1, \"last_page\": 1},"
		" \"data\": [{\"formula\": \"NO\", \"timestamp_measured\": \"2024-01-24T00:00:00\"}]}";
	struct rows rows = { .n = 0 };
	struct lmn_page page;
	struct lerr err;
	assert_int_equal(parse_text(body, &rows, &page, &err), 0);
	assert_int_equal(rows.n, 1);
	assert_true(rows.m[0].value_is_null);
	assert_string_equal(rows.m[0].station_number, "");  /* the caller knows whose it is */
	assert_int_equal(rows.m[0].timestamp_measured, T_2024_01_24);
}

static void test_row_callback_error_stops_parsing(void **state)
{
	(void)state;
	struct rows rows = { .n = 0, .fail_at = 2 };
	struct lmn_page page = { 7, 7, 7 };
	struct lerr err;
	assert_int_equal(parse_fixture("measurements_page1.json", &rows, &page, &err), -1);
	assert_string_equal(err.msg, "refused row 2");
	assert_int_equal(rows.n, 2);
	assert_int_equal(page.current_page, 7);
}

static void test_station_fields(void **state)
{
	(void)state;
	size_t len;
	const char *body = read_fixture("station_NL01485.json", &len);
	struct station_info s;
	struct lerr err;
	assert_int_equal(lmn_parse_station(body, len, "NL01485", &s, &err), 0);
	assert_string_equal(s.number, "NL01485");
	assert_string_equal(s.location, "Rotterdam-Hoogvliet");
	assert_string_equal(s.type, "Industrial");
	assert_string_equal(s.municipality, "Rotterdam");
	assert_null(s.province);
	assert_string_equal(s.organisation, "DCMR (Rijnmond)");
	assert_string_equal(s.url, "");
	assert_string_equal(s.year_start, "");
	assert_int_equal(s.components.n, 5);
	assert_string_equal(s.components.v[0], "NO");
	assert_string_equal(s.components.v[4], "SO2");
	assert_true(s.has_coordinates);
	assert_true(s.longitude == 4.3517);
	assert_true(s.latitude == 51.8614);
	assert_string_equal(s.description_nl, "Rotterdam-Hoogvliet, Leemkuil");
	assert_string_equal(s.description_en, "Rotterdam-Hoogvliet, Leemkuil");
	station_info_release(&s);
	assert_null(s.number);
}

static void test_station_with_few_fields(void **state)
{
	(void)state;
	const char *body = "{\"data\": {\"location\": \"Ergens\", \"province\": \"Utrecht\"}}";
	struct station_info s;
	struct lerr err;
	assert_int_equal(lmn_parse_station(body, strlen(body), "NL00001", &s, &err), 0);
	assert_string_equal(s.location, "Ergens");
	assert_string_equal(s.province, "Utrecht");
	assert_string_equal(s.type, "");
	assert_string_equal(s.description_en, "");
	assert_int_equal(s.components.n, 0);
	assert_false(s.has_coordinates);
	station_info_release(&s);
}

static void test_station_errors(void **state)
{
	(void)state;
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{ "{\"reason\": \"not_found\", \"message\": \"Not Found\"}",
		  "the response has no data object" },
		{ "{\"data\": {\"location\": 5}}", "location is not a string" },
		{ "{\"data\": {\"components\": \"NO2\"}}", "components is not an array" },
		{ "{\"data\": {\"components\": [\"NO2\", null]}}", "components[1] is not a string" },
		{ "{\"data\": {\"geometry\": {\"coordinates\": [4.5]}}}",
		  "geometry.coordinates is not [longitude, latitude]" },
		{ "{\"data\": {\"description\": {\"NL\": 1}}}", "description: NL is not a string" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct station_info s = { .location = (char *)"untouched" };
		struct lerr err;
		assert_int_equal(lmn_parse_station(cases[i].body, strlen(cases[i].body), "NL00001",
						   &s, &err), -1);
		assert_string_equal(err.msg, cases[i].msg);
		assert_string_equal(s.location, "untouched");
	}
	size_t len;
	const char *body = read_fixture("malformed.json", &len);
	struct station_info s;
	struct lerr err;
	assert_int_equal(lmn_parse_station(body, len, "NL00001", &s, &err), -1);
	assert_non_null(strstr(err.msg, "malformed JSON: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_gives_rows_and_pagination),
		cmocka_unit_test(test_empty_result_has_no_next_page),
		cmocka_unit_test(test_old_format_without_start_and_end),
		cmocka_unit_test(test_malformed_json_fails_and_leaves_page),
		cmocka_unit_test(test_structure_errors_say_what_is_missing),
		cmocka_unit_test(test_missing_value_and_station_are_tolerated),
		cmocka_unit_test(test_row_callback_error_stops_parsing),
		cmocka_unit_test(test_station_fields),
		cmocka_unit_test(test_station_with_few_fields),
		cmocka_unit_test(test_station_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
