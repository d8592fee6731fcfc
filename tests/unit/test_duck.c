#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/duck.h"

static int setup(void **state)
{
	struct duck *d = calloc(1, sizeof(*d));
	struct lerr err;
	if (!d || duck_open(d, &err) < 0) {
		free(d);
		return -1;
	}
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	duck_close(*state);
	free(*state);
	return 0;
}

/* duck_print_query into a string: *text is what it printed, which the caller frees. */
static int print_to_text(struct duck *d, const char *sql, enum duck_format fmt, uint64_t *rows,
			 char **text, struct lerr *err)
{
	size_t len = 0;
	*text = NULL;
	FILE *f = open_memstream(text, &len);
	assert_non_null(f);
	int rc = duck_print_query(d, sql, fmt, f, rows, err);
	assert_int_equal(fclose(f), 0);
	return rc;
}

/* duck_print_query must print exactly expected and count rows rows; -1 asks for no count
 * (passes NULL). */
static void assert_prints(struct duck *d, const char *sql, enum duck_format fmt,
			  const char *expected, int64_t rows)
{
	uint64_t got = UINT64_MAX;  /* no count it gives: left so, it fails the check */
	char *out;
	struct lerr err;
	if (print_to_text(d, sql, fmt, rows < 0 ? NULL : &got, &out, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
	assert_string_equal(out, expected);
	if (rows >= 0)
		assert_int_equal(got, rows);
	free(out);
}

/* The error of a duck_print_query that must fail; nothing may have been printed. */
static void print_fails(struct duck *d, const char *sql, const char *expected_part)
{
	char *out;
	struct lerr err;
	assert_int_equal(print_to_text(d, sql, DUCK_TABLE, NULL, &out, &err), -1);
	assert_string_equal(out, "");
	free(out);
	if (!strstr(err.msg, expected_part))
		fail_msg("%s: error '%s' lacks '%s'", sql, err.msg, expected_part);
}

/* duck_query_int64 of sql must succeed with expected. */
static void assert_query_int64(struct duck *d, const char *sql, int64_t expected)
{
	struct lerr err;
	int64_t v = ~expected;  /* anything else, so that a v left as it was fails */
	if (duck_query_int64(d, sql, &v, NULL, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	assert_int_equal(v, expected);
}

/* duck_query_text of sql must succeed with expected. */
static void assert_query_text(struct duck *d, const char *sql, const char *expected)
{
	struct lerr err;
	char *s = NULL;
	if (duck_query_text(d, sql, &s, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
	assert_non_null(s);
	assert_string_equal(s, expected);
	free(s);
}

static void assert_quoted(const char *in, const char *expected)
{
	struct buf b;
	buf_init(&b, 100);
	assert_int_equal(buf_puts(&b, "x="), 0);
	assert_int_equal(duck_quote(&b, in), 0);
	assert_string_equal(buf_str(&b), expected);
	buf_release(&b);
}

static void test_quote_doubles_single_quotes(void **state)
{
	(void)state;
	assert_quoted("plain", "x='plain'");
	assert_quoted("it's", "x='it''s'");
	assert_quoted("", "x=''");
	assert_quoted("''", "x=''''''");
	assert_quoted("a\"b\\c", "x='a\"b\\c'");
}

static void test_quote_full_buffer_leaves_contents(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "ab"), 0);
	assert_int_equal(duck_quote(&b, "it's long"), -1);
	assert_string_equal(buf_str(&b), "ab");
	assert_int_equal(b.len, 2);
	buf_release(&b);
}

static void test_quote_round_trips_through_duckdb(void **state)
{
	struct duck *d = *state;
	const char *nasty = "a'b''c;\\ -- ' OR 1=1";
	struct buf sql;
	buf_init(&sql, 1000);
	assert_int_equal(buf_puts(&sql, "SELECT "), 0);
	assert_int_equal(duck_quote(&sql, nasty), 0);
	assert_query_text(d, buf_str(&sql), nasty);
	buf_release(&sql);
}

static void test_open_sets_up_session(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	static const char *const settings[][2] = {
		{ "TimeZone", "UTC" },
		{ "threads", "1" },
		{ "autoload_known_extensions", "false" },
		{ "autoinstall_known_extensions", "false" },
		{ "enable_external_file_cache", "false" },
		{ "temp_directory", "" },
	};
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT current_setting('%s')::VARCHAR", settings[i][0]);
		char *v = NULL;
		assert_int_equal(duck_query_text(d, sql, &v, &err), 0);
		if (strcmp(v, settings[i][1]) != 0)
			fail_msg("%s is '%s', expected '%s'", settings[i][0], v, settings[i][1]);
		free(v);
	}
	/* memory_limit reads back in binary units. */
	assert_query_text(d, "SELECT current_setting('memory_limit')", "128.0 MiB");
}

static void test_time_zone_works_without_autoload(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_int_equal(duck_exec(d, "SET TimeZone = 'Europe/Amsterdam'", &err), 0);
	assert_query_text(d, "SELECT (TIMESTAMPTZ '2024-07-01 00:00:00+00')::VARCHAR",
			  "2024-07-01 02:00:00+02");
	assert_int_equal(duck_exec(d, "SET TimeZone = 'UTC'", &err), 0);
}

static void test_exec_runs_statements_and_reports_errors(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_int_equal(duck_exec(d, "CREATE TEMP TABLE e(a INT); INSERT INTO e VALUES (1), (2)", &err), 0);
	int64_t n;
	assert_int_equal(duck_query_int64(d, "SELECT count(*) FROM e", &n, NULL, &err), 0);
	assert_int_equal(n, 2);

	assert_int_equal(duck_exec(d, "SELEC 1", &err), -1);
	assert_string_equal(err.msg, "Parser Error: syntax error at or near \"SELEC\"");
	/* Several lines from DuckDB become one. */
	assert_int_equal(duck_exec(d, "SELECT * FROM no_such_table", &err), -1);
	assert_non_null(strstr(err.msg, "Table with name no_such_table does not exist!"));
	assert_null(strchr(err.msg, '\n'));
	assert_null(strstr(err.msg, "LINE 1"));
	assert_int_equal(duck_exec(d, "DROP TABLE e", &err), 0);
}

static void test_query_int64(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	int64_t v = 7;
	bool is_null = true;
	assert_int_equal(duck_query_int64(d, "SELECT 42", &v, &is_null, &err), 0);
	assert_int_equal(v, 42);
	assert_false(is_null);
	assert_query_int64(d, "SELECT (-5)::TINYINT", -5);
	assert_query_int64(d, "SELECT 4000000000::UINTEGER", 4000000000LL);
	/* sum() of integers is a HUGEINT. */
	assert_query_int64(d, "SELECT sum(i) FROM range(10) t(i)", 45);
	assert_query_int64(d, "SELECT (-9000000000000000000)::HUGEINT", -9000000000000000000LL);
	assert_query_int64(d, "SELECT 3, 4 UNION ALL SELECT 5, 6", 3);

	assert_int_equal(duck_query_int64(d, "SELECT NULL::BIGINT", &v, &is_null, &err), 0);
	assert_true(is_null);
	is_null = false;
	assert_int_equal(duck_query_int64(d, "SELECT 1 WHERE false", &v, &is_null, &err), 0);
	assert_true(is_null);

	assert_int_equal(duck_query_int64(d, "SELECT 'x'", &v, NULL, &err), -1);
	assert_string_equal(err.msg, "query result is not a 64-bit integer");
	assert_int_equal(duck_query_int64(d, "SELECT 18446744073709551615::UBIGINT", &v, NULL, &err), -1);
	assert_int_equal(duck_query_int64(d, "SELECT 1::HUGEINT << 70", &v, NULL, &err), -1);
	assert_int_equal(duck_query_int64(d, "SELECT nope", &v, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "nope"));
}

static void test_query_text(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_query_text(d, "SELECT 'hello, world'", "hello, world");
	assert_query_text(d, "SELECT ''", "");
	assert_query_text(d, "SELECT 123456789012", "123456789012");
	assert_query_text(d, "SELECT true", "true");
	assert_query_text(d, "SELECT (TIMESTAMPTZ '2024-01-24 01:00:00+01')::VARCHAR",
			  "2024-01-24 00:00:00+00");

	char *s = (char *)"untouched";
	assert_int_equal(duck_query_text(d, "SELECT NULL::VARCHAR", &s, &err), 0);
	assert_null(s);
	s = (char *)"untouched";
	assert_int_equal(duck_query_text(d, "SELECT 'x' WHERE false", &s, &err), 0);
	assert_null(s);

	assert_int_equal(duck_query_text(d, "SELECT 1.5::DOUBLE", &s, &err), -1);
	assert_string_equal(err.msg, "query result is not text; cast it to VARCHAR in the query");
}

/* One row of every awkward kind of value, and one of NULLs. */
static const char *const mixed_sql =
	"SELECT * FROM (VALUES "
	"(1, 'a,\"b\"', 1.5::DOUBLE, ['x', 'y,z']::VARCHAR[], TIMESTAMPTZ '2024-01-24 01:00:00+01', true), "
	"(NULL, NULL, NULL, NULL, NULL, NULL)"
	") t(n, name, value, tags, ts, ok) ORDER BY n NULLS LAST";

static void test_print_table(void **state)
{
	assert_prints(*state, mixed_sql, DUCK_TABLE,
		"   n | name  | value | tags       | ts                     | ok\n"
		"-----+-------+-------+------------+------------------------+-----\n"
		"   1 | a,\"b\" |   1.5 | [x, 'y,z'] | 2024-01-24 00:00:00+00 | true\n"
		"NULL | NULL  |  NULL | NULL       | NULL                   | NULL\n"
		"(2 rows)\n", 2);
}

static void test_print_csv(void **state)
{
	assert_prints(*state, mixed_sql, DUCK_CSV,
		"n,name,value,tags,ts,ok\n"
		"1,\"a,\"\"b\"\"\",1.5,\"[x, 'y,z']\",2024-01-24 00:00:00+00,true\n"
		",,,,,\n", 2);
}

static void test_print_json(void **state)
{
	assert_prints(*state, mixed_sql, DUCK_JSON,
		"[\n"
		"{\"n\": 1, \"name\": \"a,\\\"b\\\"\", \"value\": 1.5, \"tags\": \"[x, 'y,z']\", "
		"\"ts\": \"2024-01-24 00:00:00+00\", \"ok\": true},\n"
		"{\"n\": null, \"name\": null, \"value\": null, \"tags\": null, \"ts\": null, \"ok\": null}\n"
		"]\n", 2);
}

static void test_print_empty_result(void **state)
{
	const char *sql = "SELECT 1 AS a, 'x' AS b WHERE false";
	assert_prints(*state, sql, DUCK_TABLE, "a | b\n--+--\n(0 rows)\n", 0);
	assert_prints(*state, sql, DUCK_CSV, "a,b\n", -1);
	assert_prints(*state, sql, DUCK_JSON, "[]\n", -1);
}

static void test_print_one_row_says_row(void **state)
{
	assert_prints(*state, "SELECT 'x' AS a", DUCK_TABLE, "a\n-\nx\n(1 row)\n", -1);
}

static void test_print_table_escapes_and_cuts_long_values(void **state)
{
	struct buf expected;
	buf_init(&expected, 4096);
	assert_int_equal(buf_puts(&expected, "s\n"), 0);
	for (int i = 0; i < 60; i++)
		assert_int_equal(buf_puts(&expected, "-"), 0);
	assert_int_equal(buf_puts(&expected, "\na\\nb\\tc\n"
				"012345678901234567890123456789012345678901234567890123456789\n"
				"01234567890123456789012345678901234567890123456789012345678\u2026\n"), 0);
	for (int i = 0; i < 59; i++)
		assert_int_equal(buf_puts(&expected, "\u00e9"), 0);
	/* An escape is not split: 29 of them and the ellipsis make 59 columns. */
	assert_int_equal(buf_puts(&expected, "\u2026\n"), 0);
	for (int i = 0; i < 29; i++)
		assert_int_equal(buf_puts(&expected, "\\n"), 0);
	assert_int_equal(buf_puts(&expected, "\u2026\n(5 rows)\n"), 0);
	assert_prints(*state, "SELECT E'a\\nb\\tc' AS s UNION ALL SELECT repeat('0123456789', 6) "
			      "UNION ALL SELECT repeat('0123456789', 7) UNION ALL SELECT repeat('\u00e9', 61) "
			      "UNION ALL SELECT repeat(E'\\n', 31)", DUCK_TABLE, buf_str(&expected), -1);
	buf_release(&expected);
}

static void test_print_csv_quotes_only_when_needed(void **state)
{
	/* An empty string is quoted so that it differs from NULL. */
	assert_prints(*state, "SELECT 'plain' AS \"a b\", '' AS \"c,d\", E'x\\ny' AS e, NULL AS f",
		      DUCK_CSV, "a b,\"c,d\",e,f\nplain,\"\",\"x\ny\",\n", -1);
}

static void test_print_json_numbers_and_strings(void **state)
{
	assert_prints(*state, "SELECT 12.30::DECIMAL(5,2) AS dec, 1e20::DOUBLE AS big, "
			      "'inf'::DOUBLE AS inf, 170141183460469231731687303715884105727::HUGEINT AS h, "
			      "DATE '2024-01-02' AS d, E'q\"\\\\\\n\\x01' AS s, {'k': 1} AS st",
		      DUCK_JSON,
		      "[\n{\"dec\": 12.30, \"big\": 1e+20, \"inf\": \"inf\", "
		      "\"h\": 170141183460469231731687303715884105727, \"d\": \"2024-01-02\", "
		      "\"s\": \"q\\\"\\\\\\n\\u0001\", \"st\": \"{'k': 1}\"}\n]\n", -1);
}

static void test_print_describe(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_int_equal(duck_exec(d, "CREATE TEMP TABLE desc_t(a INTEGER, b VARCHAR[])", &err), 0);
	assert_prints(d, "DESCRIBE desc_t", DUCK_CSV,
		      "column_name,column_type,null,key,default,extra\n"
		      "a,INTEGER,YES,,,\nb,VARCHAR[],YES,,,\n", -1);
	assert_int_equal(duck_exec(d, "DROP TABLE desc_t", &err), 0);
}

static void test_print_runs_all_statements_and_prints_the_last(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	/* Semicolons inside strings and comments do not split statements. */
	assert_prints(d, "CREATE TEMP TABLE ms(t TIMESTAMPTZ, s VARCHAR); "
			 "INSERT INTO ms VALUES ('2024-01-24 00:00:00+00', 'a;b'); -- ; not here\n"
			 "SELECT t, s, ';' AS x FROM ms;  ", DUCK_CSV,
		      "t,s,x\n2024-01-24 00:00:00+00,a;b,;\n", 1);
	assert_int_equal(duck_exec(d, "DROP TABLE ms", &err), 0);
}

static void test_print_other_statements(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_int_equal(duck_exec(d, "CREATE TEMP TABLE os(a INT)", &err), 0);
	assert_prints(d, "INSERT INTO os VALUES (1), (2), (3)", DUCK_TABLE,
		      "Count\n-----\n    3\n(1 row)\n", 1);
	assert_prints(d, "CALL pragma_table_info('os')", DUCK_JSON,
		      "[\n{\"cid\": 0, \"name\": \"a\", \"type\": \"INTEGER\", \"notnull\": false, "
		      "\"dflt_value\": null, \"pk\": false}\n]\n", -1);
	assert_int_equal(duck_exec(d, "DROP TABLE os", &err), 0);
}

static void test_print_refuses_columns_it_cannot_read(void **state)
{
	struct duck *d = *state;
	struct lerr err;
	assert_int_equal(duck_exec(d, "CREATE TEMP TABLE pv(k VARCHAR, v DOUBLE); "
				 "INSERT INTO pv VALUES ('a', 1.5)", &err), 0);
	/* DuckDB turns this PIVOT into two statements, so its text cannot be wrapped. */
	print_fails(d, "PIVOT pv ON k USING sum(v)", "cannot print column");
	print_fails(d, "CALL range(DATE '2024-01-01', DATE '2024-01-03', INTERVAL 1 DAY)",
		    "cannot print column 'range'");
	assert_int_equal(duck_exec(d, "DROP TABLE pv", &err), 0);
}

static void test_print_errors(void **state)
{
	struct duck *d = *state;
	print_fails(d, "SELEC 1", "Parser Error: syntax error at or near \"SELEC\"");
	print_fails(d, "", "no SQL statement to run");
	print_fails(d, " ; ", "no SQL statement to run");
	print_fails(d, "SELECT * FROM missing_table", "Table with name missing_table does not exist");
	/* A failing statement stops the rest. */
	print_fails(d, "SELECT 1 FROM missing_table; CREATE TEMP TABLE never(a INT)", "missing_table");
	int64_t n;
	struct lerr err;
	assert_int_equal(duck_query_int64(d, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'never'",
					  &n, NULL, &err), 0);
	assert_int_equal(n, 0);
}

static void test_print_reports_write_errors(void **state)
{
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		skip();
	struct lerr err;
	assert_int_equal(duck_print_query(*state, "SELECT 1", DUCK_CSV, full, NULL, &err), -1);
	fclose(full);
	assert_string_equal(err.msg, "cannot write the result: No space left on device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_doubles_single_quotes),
		cmocka_unit_test(test_quote_full_buffer_leaves_contents),
		cmocka_unit_test(test_quote_round_trips_through_duckdb),
		cmocka_unit_test(test_open_sets_up_session),
		cmocka_unit_test(test_time_zone_works_without_autoload),
		cmocka_unit_test(test_exec_runs_statements_and_reports_errors),
		cmocka_unit_test(test_query_int64),
		cmocka_unit_test(test_query_text),
		cmocka_unit_test(test_print_table),
		cmocka_unit_test(test_print_csv),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_print_empty_result),
		cmocka_unit_test(test_print_one_row_says_row),
		cmocka_unit_test(test_print_table_escapes_and_cuts_long_values),
		cmocka_unit_test(test_print_csv_quotes_only_when_needed),
		cmocka_unit_test(test_print_json_numbers_and_strings),
		cmocka_unit_test(test_print_describe),
		cmocka_unit_test(test_print_runs_all_statements_and_prints_the_last),
		cmocka_unit_test(test_print_other_statements),
		cmocka_unit_test(test_print_refuses_columns_it_cannot_read),
		cmocka_unit_test(test_print_errors),
		cmocka_unit_test(test_print_reports_write_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
