#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/parquet_io.h"

#include "test_support.h"

struct fixture {
	struct duck d;
	char root[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct lerr err;
	if (!f)
		return -1;
	strcpy(f->root, "/tmp/lucht-parquet-XXXXXX");
	if (!mkdtemp(f->root) || duck_open(&f->d, &err) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	duck_close(&f->d);
	remove_tree(f->root);
	free(f);
	return 0;
}

static void exec(struct fixture *f, const char *sql)
{
	struct lerr err;
	if (duck_exec(&f->d, sql, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

/* Runs the query that fmt and ap make, which must succeed, for its number (num) or its text. */
static void vquery(struct fixture *f, int64_t *num, char **text, const char *fmt, va_list ap)
{
	struct buf sql;
	buf_init(&sql, 1 << 16);
	assert_int_equal(buf_vprintf(&sql, fmt, ap), 0);
	struct lerr err;
	int rc = num ? duck_query_int64(&f->d, buf_str(&sql), num, NULL, &err)
		     : duck_query_text(&f->d, buf_str(&sql), text, &err);
	if (rc < 0)
		fail_msg("%s: %s", buf_str(&sql), err.msg);
	buf_release(&sql);
}

static int64_t query_int(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int64_t query_int(struct fixture *f, const char *fmt, ...)
{
	int64_t v = -1;
	va_list ap;
	va_start(ap, fmt);
	vquery(f, &v, NULL, fmt, ap);
	va_end(ap);
	return v;
}

static char *query_text(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *query_text(struct fixture *f, const char *fmt, ...)
{
	char *v = NULL;
	va_list ap;
	va_start(ap, fmt);
	vquery(f, NULL, &v, fmt, ap);
	va_end(ap);
	return v;
}

/* The names in dir, sorted, joined by spaces. */
static char *list_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	struct buf b;
	buf_init(&b, 4096);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, ".."))
			assert_int_equal(buf_printf(&b, "%s%s", b.len ? " " : "", names[i]->d_name), 0);
		free(names[i]);
	}
	free(names);
	return buf_detach(&b);
}

static void assert_dir_holds(const char *dir, const char *expected)
{
	char *got = list_dir(dir);
	assert_string_equal(got, expected);
	free(got);
}

/* The partition folders in a path would otherwise show up as extra columns. */
#define READ "read_parquet('%s', hive_partitioning = false)"

#define MEASUREMENT_COLUMNS                                                                   \
	"(station_number VARCHAR, formula VARCHAR, value DOUBLE, timestamp_measured TIMESTAMPTZ, " \
	"start TIMESTAMPTZ, \"end\" TIMESTAMPTZ)"

static const char *const measurement_rows[] = {
	"('NL01485', 'NO2', 12.5, '2024-01-24 01:00:00+00', '2024-01-23 23:00:00+00', '2024-01-24 23:00:00+00')",
	"('NL01485', 'PM10', NULL, '2024-01-24 02:00:00+00', '2024-01-23 23:00:00+00', '2024-01-24 23:00:00+00')",
	"('NL01485', 'O3', 0.1, '2024-01-24 03:00:00+01', '2024-01-23 23:00:00+00', '2024-01-24 23:00:00+00')",
};

/* Creates table `name` with the measurement rows, in the given order of measurement_rows. */
static void make_measurements(struct fixture *f, const char *name, const int *order, size_t n)
{
	struct buf sql;
	buf_init(&sql, 1 << 16);
	assert_int_equal(buf_printf(&sql, "CREATE OR REPLACE TABLE %s " MEASUREMENT_COLUMNS ";", name), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_printf(&sql, "INSERT INTO %s VALUES %s;", name, measurement_rows[order[i]]), 0);
	exec(f, buf_str(&sql));
	buf_release(&sql);
}

static void write_ok(struct fixture *f, const char *table, const char *path, struct parquet_written *w)
{
	struct lerr err;
	if (parquet_write_table(&f->d, table, path, w, &err) < 0)
		fail_msg("write %s: %s", table, err.msg);
}

static void path_of(struct fixture *f, const char *rel, char *out, size_t size)
{
	assert_true((size_t)snprintf(out, size, "%s/%s", f->root, rel) < size);
}

/* parquet_path into b must give expected. The tests reuse b: each path replaces the last. */
static void assert_path(struct buf *b, const char *root, const char *asset,
			const struct hive_part *parts, size_t nparts, const char *expected)
{
	struct lerr err;
	if (parquet_path(root, asset, parts, nparts, b, &err) != 0)
		fail_msg("parquet_path: %s", err.msg);
	assert_string_equal(buf_str(b), expected);
}

static void assert_path_fails(struct buf *b, const char *root, const char *asset,
			      const struct hive_part *parts, size_t nparts, const char *expected)
{
	struct lerr err;
	assert_int_equal(parquet_path(root, asset, parts, nparts, b, &err), -1);
	assert_string_equal(err.msg, expected);
}

static void test_path_builds_hive_layout(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	const struct hive_part parts[] = { { "date", "2024-01-24" }, { "station", "NL01485" } };
	assert_path(&b, "/data/lz", "air_quality_data", parts, 2,
		    "/data/lz/air_quality_data/date=2024-01-24/station=NL01485/data.parquet");
	assert_path(&b, "/data/lake//", "air_quality_station_names", NULL, 0,
		    "/data/lake/air_quality_station_names/data.parquet");
	assert_path(&b, "/", "a_1", parts + 1, 1, "/a_1/station=NL01485/data.parquet");
	assert_path(&b, "lake", "x", parts, 1, "lake/x/date=2024-01-24/data.parquet");
	const struct hive_part odd_ok[] = { { "v", "a.b-c_D9" }, { "w", "x.." } };
	assert_path(&b, "/r", "x", odd_ok, 2, "/r/x/v=a.b-c_D9/w=x../data.parquet");
	buf_release(&b);
}

static void assert_bad_value(const char *value, const char *expected)
{
	struct buf b;
	buf_init(&b, 4096);
	const struct hive_part parts[] = { { "station", "NL01485" }, { "date", value } };
	assert_path_fails(&b, "/data", "asset", parts, 2, expected);
	buf_release(&b);
}

static void test_path_rejects_values_that_could_escape(void **state)
{
	(void)state;
	assert_bad_value("../x", "invalid partition value '../x' for date");
	assert_bad_value("..", "invalid partition value '..' for date");
	assert_bad_value(".", "invalid partition value '.' for date");
	assert_bad_value(".hidden", "invalid partition value '.hidden' for date");
	assert_bad_value("", "invalid partition value '' for date");
	assert_bad_value("a/b", "invalid partition value 'a/b' for date");
	assert_bad_value("/abs", "invalid partition value '/abs' for date");
	assert_bad_value("2024-01-24|NL01485", "invalid partition value '2024-01-24|NL01485' for date");
	assert_bad_value("a b", "invalid partition value 'a b' for date");
	assert_bad_value("a=b", "invalid partition value 'a=b' for date");
	assert_bad_value("a\\b", "invalid partition value 'a\\b' for date");
	assert_bad_value("tab\there", "invalid partition value 'tab\\x09here' for date");
	assert_bad_value("caf\xc3\xa9", "invalid partition value 'caf\\xc3\\xa9' for date");
	assert_bad_value("x'y", "invalid partition value 'x'y' for date");
}

static void test_path_rejects_bad_names(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	const struct hive_part upper[] = { { "Date", "2024-01-24" } };
	assert_path_fails(&b, "/data", "asset", upper, 1, "invalid partition name 'Date'");
	const struct hive_part empty[] = { { "", "2024-01-24" } };
	assert_path_fails(&b, "/data", "asset", empty, 1, "invalid partition name ''");
	const struct hive_part dots[] = { { "..", "x" } };
	assert_path_fails(&b, "/data", "asset", dots, 1, "invalid partition name '..'");
	assert_path_fails(&b, "/data", "../etc", NULL, 0, "invalid asset name '../etc'");
	assert_path_fails(&b, "/data", "", NULL, 0, "invalid asset name ''");
	assert_path_fails(&b, "/data", "Air", NULL, 0, "invalid asset name 'Air'");
	assert_path_fails(&b, "", "air", NULL, 0, "empty storage root");
	buf_release(&b);
}

static void test_path_too_long_for_buffer(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 20);
	assert_path_fails(&b, "/data/landing_zone", "air_quality_data", NULL, 0,
			  "path of air_quality_data under /data/landing_zone is too long");
	buf_release(&b);
}

static void test_path_list_sql(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	char *paths[] = { "/a/data.parquet", "/it's/data.parquet" };
	assert_int_equal(buf_puts(&b, "read_parquet("), 0);
	assert_int_equal(parquet_path_list_sql(&b, paths, 2), 0);
	assert_string_equal(buf_str(&b), "read_parquet(['/a/data.parquet', '/it''s/data.parquet']");
	buf_reset(&b);
	assert_int_equal(parquet_path_list_sql(&b, paths, 0), 0);
	assert_string_equal(buf_str(&b), "[]");
	buf_release(&b);
	buf_init(&b, 10);
	assert_int_equal(parquet_path_list_sql(&b, paths, 2), -1);
	buf_release(&b);
}

static void test_write_round_trips_rows_and_types(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0, 1, 2 };
	make_measurements(f, "m", order, 3);
	char path[256];
	path_of(f, "lz/air_quality_data/date=2024-01-24/station=NL01485/data.parquet", path, sizeof(path));
	struct parquet_written w = { 0 };
	write_ok(f, "m", path, &w);
	assert_int_equal(w.rows, 3);
	assert_int_equal(strlen(w.data_version), 64);
	assert_int_equal(strspn(w.data_version, "0123456789abcdef"), 64);

	assert_int_equal(query_int(f, "SELECT count(*) FROM " READ, path), 3);
	assert_int_equal(query_int(f, "SELECT count(*) FROM (SELECT * FROM m EXCEPT ALL "
				      "SELECT * FROM " READ ")", path), 0);
	assert_int_equal(query_int(f, "SELECT count(*) FROM (SELECT * FROM " READ " "
				      "EXCEPT ALL SELECT * FROM m)", path), 0);
	char *types = query_text(f, "SELECT string_agg(column_name || ' ' || column_type, ', ') "
				    "FROM (DESCRIBE SELECT * FROM " READ ")", path);
	assert_string_equal(types, "station_number VARCHAR, formula VARCHAR, value DOUBLE, "
				   "timestamp_measured TIMESTAMP WITH TIME ZONE, start TIMESTAMP WITH TIME ZONE, "
				   "end TIMESTAMP WITH TIME ZONE");
	free(types);
	char *codec = query_text(f, "SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata('%s')", path);
	assert_string_equal(codec, "ZSTD");
	free(codec);

	char dir[256];
	path_of(f, "lz/air_quality_data/date=2024-01-24/station=NL01485", dir, sizeof(dir));
	assert_dir_holds(dir, "data.parquet");
}

static void test_write_uses_row_groups_of_100000(void **state)
{
	struct fixture *f = *state;
	exec(f, "CREATE OR REPLACE TABLE big AS SELECT i FROM range(250000) t(i)");
	char path[256];
	path_of(f, "big/data.parquet", path, sizeof(path));
	struct parquet_written w;
	write_ok(f, "big", path, &w);
	assert_int_equal(w.rows, 250000);
	/* DuckDB closes a row group at the first 2048-row vector that reaches the size. */
	assert_int_equal(query_int(f, "SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s')", path), 3);
	assert_int_equal(query_int(f, "SELECT max(row_group_num_rows) FROM parquet_metadata('%s')", path), 100352);
}

static void test_data_version_ignores_row_order_and_time_zone(void **state)
{
	struct fixture *f = *state;
	const int order_a[] = { 0, 1, 2 };
	const int order_b[] = { 2, 0, 1 };
	make_measurements(f, "va", order_a, 3);
	make_measurements(f, "vb", order_b, 3);
	char path_a[256], path_b[256];
	path_of(f, "a/data.parquet", path_a, sizeof(path_a));
	path_of(f, "b/data.parquet", path_b, sizeof(path_b));
	struct parquet_written a, b;
	write_ok(f, "va", path_a, &a);
	exec(f, "SET TimeZone = 'Europe/Amsterdam'");
	write_ok(f, "vb", path_b, &b);
	exec(f, "SET TimeZone = 'UTC'");
	assert_string_equal(a.data_version, b.data_version);

	exec(f, "UPDATE vb SET value = 12.6 WHERE formula = 'NO2'");
	write_ok(f, "vb", path_b, &b);
	assert_string_not_equal(a.data_version, b.data_version);
	exec(f, "UPDATE vb SET value = 12.5 WHERE formula = 'NO2'");
	write_ok(f, "vb", path_b, &b);
	assert_string_equal(a.data_version, b.data_version);
	exec(f, "UPDATE vb SET timestamp_measured = timestamp_measured + INTERVAL 1 SECOND WHERE formula = 'O3'");
	write_ok(f, "vb", path_b, &b);
	assert_string_not_equal(a.data_version, b.data_version);
}

static void test_data_version_hashes_sorted_row_digests(void **state)
{
	struct fixture *f = *state;
	exec(f, "CREATE OR REPLACE TABLE j(a INTEGER, t TIMESTAMPTZ, s VARCHAR); "
		"INSERT INTO j VALUES (2, '2024-01-24 01:00:00+01', NULL), (1, NULL, 'x')");
	char path[256];
	path_of(f, "j/data.parquet", path, sizeof(path));
	struct parquet_written w;
	write_ok(f, "j", path, &w);
	/* The rows as to_json renders them: TIMESTAMPTZ in UTC, NULL as null. */
	char *expected = query_text(f, "SELECT sha256(string_agg(h, '' ORDER BY h)) FROM (VALUES "
				       "(sha256('{\"a\":1,\"t\":null,\"s\":\"x\"}')), "
				       "(sha256('{\"a\":2,\"t\":\"2024-01-24 00:00:00+00\",\"s\":null}'))) v(h)");
	assert_string_equal(w.data_version, expected);
	free(expected);
}

static void test_rewrite_replaces_file(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0, 1, 2 };
	make_measurements(f, "r3", order, 3);
	make_measurements(f, "r1", order, 1);
	char path[256], dir[256];
	path_of(f, "re/data.parquet", path, sizeof(path));
	path_of(f, "re", dir, sizeof(dir));
	struct parquet_written w;
	write_ok(f, "r3", path, &w);
	assert_int_equal(query_int(f, "SELECT count(*) FROM " READ, path), 3);
	write_ok(f, "r1", path, &w);
	assert_int_equal(w.rows, 1);
	assert_int_equal(query_int(f, "SELECT count(*) FROM " READ, path), 1);
	assert_dir_holds(dir, "data.parquet");
}

static void test_failed_write_keeps_old_file(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0, 1, 2 };
	make_measurements(f, "keep", order, 3);
	char path[256], dir[256];
	path_of(f, "keep/data.parquet", path, sizeof(path));
	path_of(f, "keep", dir, sizeof(dir));
	struct parquet_written w;
	write_ok(f, "keep", path, &w);
	struct parquet_written before = w;

	struct lerr err;
	assert_int_equal(parquet_write_table(&f->d, "no_such_table", path, &w, &err), -1);
	char expected[1024];
	snprintf(expected, sizeof(expected), "cannot write %s: Catalog Error: Table with name no_such_table does not exist!", path);
	assert_memory_equal(err.msg, expected, strlen(expected));
	assert_int_equal(w.rows, before.rows);  /* untouched on failure */
	assert_int_equal(query_int(f, "SELECT count(*) FROM " READ, path), 3);
	assert_dir_holds(dir, "data.parquet");

	assert_int_equal(parquet_write_table(&f->d, "keep; DROP TABLE keep", path, &w, &err), -1);
	snprintf(expected, sizeof(expected),
		 "cannot write %s: invalid table name 'keep; DROP TABLE keep'", path);
	assert_string_equal(err.msg, expected);
	assert_int_equal(query_int(f, "SELECT count(*) FROM keep"), 3);
}

/* A pid that is certainly not running: a child that has exited and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void test_write_removes_temp_files_of_dead_writers(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0 };
	make_measurements(f, "one", order, 1);
	char path[256], dir[256], stale[512], live[512], other[512];
	path_of(f, "crash/data.parquet", path, sizeof(path));
	path_of(f, "crash", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0777), 0);
	snprintf(stale, sizeof(stale), "%s/.data.parquet.tmp-%ld-0000abcd", dir, (long)dead_pid());
	snprintf(live, sizeof(live), "%s/.data.parquet.tmp-%ld-0000beef", dir, (long)getppid());
	snprintf(other, sizeof(other), "%s/.notes.tmp-%ld-0000abcd", dir, (long)dead_pid());
	write_file(stale, "half a file");
	write_file(live, "a writer still at work");
	write_file(other, "not ours");
	struct parquet_written w;
	write_ok(f, "one", path, &w);
	/* The crashed writer's file is gone; a running writer's and a stranger's stay. */
	char expected[256];
	snprintf(expected, sizeof(expected), "%s %s data.parquet", strrchr(live, '/') + 1,
		 strrchr(other, '/') + 1);
	assert_dir_holds(dir, expected);
}

static void test_failed_rename_leaves_no_temp_file(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0 };
	make_measurements(f, "one", order, 1);
	/* The target is a folder, so the data reach the temporary file but cannot replace it. */
	char path[256], dir[256];
	path_of(f, "isdir/data.parquet", path, sizeof(path));
	path_of(f, "isdir", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0777), 0);
	assert_int_equal(mkdir(path, 0777), 0);
	struct parquet_written w;
	struct lerr err;
	assert_int_equal(parquet_write_table(&f->d, "one", path, &w, &err), -1);
	char prefix[1024];
	snprintf(prefix, sizeof(prefix), "cannot write %s: cannot rename ", path);
	assert_memory_equal(err.msg, prefix, strlen(prefix));
	assert_non_null(strstr(err.msg, ": Is a directory"));
	assert_dir_holds(dir, "data.parquet");
}

static void test_unwritable_folder_fails_cleanly(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0 };
	make_measurements(f, "uw", order, 1);
	/* Tests run as root, so a folder is made unwritable by putting a file in its place. */
	char file[256], path[256];
	path_of(f, "plainfile", file, sizeof(file));
	write_file(file, "");
	path_of(f, "plainfile/date=2024-01-24/data.parquet", path, sizeof(path));
	struct parquet_written w;
	struct lerr err;
	assert_int_equal(parquet_write_table(&f->d, "uw", path, &w, &err), -1);
	char expected[1024];
	snprintf(expected, sizeof(expected), "cannot write %s: cannot create folder %s: Not a directory", path, file);
	assert_string_equal(err.msg, expected);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 0);
}

static void test_empty_table_writes_valid_file(void **state)
{
	struct fixture *f = *state;
	make_measurements(f, "empty", NULL, 0);
	char path[256];
	path_of(f, "empty/date=2024-01-24/data.parquet", path, sizeof(path));
	struct parquet_written w = { .rows = -1 };
	write_ok(f, "empty", path, &w);
	assert_int_equal(w.rows, 0);
	char *sha_empty = query_text(f, "SELECT sha256('')");
	assert_string_equal(w.data_version, sha_empty);
	free(sha_empty);
	assert_int_equal(query_int(f, "SELECT count(*) FROM " READ, path), 0);
	char *types = query_text(f, "SELECT string_agg(column_type, ', ') "
				    "FROM (DESCRIBE SELECT * FROM " READ ")", path);
	assert_string_equal(types, "VARCHAR, VARCHAR, DOUBLE, TIMESTAMP WITH TIME ZONE, "
				   "TIMESTAMP WITH TIME ZONE, TIMESTAMP WITH TIME ZONE");
	free(types);
}

static void test_write_to_folder_with_quote(void **state)
{
	struct fixture *f = *state;
	const int order[] = { 0, 1 };
	make_measurements(f, "q", order, 2);
	char path[256];
	path_of(f, "it's here/data.parquet", path, sizeof(path));
	struct parquet_written w;
	write_ok(f, "q", path, &w);
	struct buf sql;
	buf_init(&sql, 1024);
	assert_int_equal(buf_puts(&sql, "SELECT count(*) FROM read_parquet("), 0);
	char *paths[] = { path };
	assert_int_equal(parquet_path_list_sql(&sql, paths, 1), 0);
	assert_int_equal(buf_puts(&sql, ")"), 0);
	int64_t n;
	struct lerr err;
	assert_int_equal(duck_query_int64(&f->d, buf_str(&sql), &n, NULL, &err), 0);
	assert_int_equal(n, 2);
	buf_release(&sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_builds_hive_layout),
		cmocka_unit_test(test_path_rejects_values_that_could_escape),
		cmocka_unit_test(test_path_rejects_bad_names),
		cmocka_unit_test(test_path_too_long_for_buffer),
		cmocka_unit_test(test_path_list_sql),
		cmocka_unit_test_setup_teardown(test_write_round_trips_rows_and_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_uses_row_groups_of_100000, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_version_ignores_row_order_and_time_zone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_version_hashes_sorted_row_digests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrite_replaces_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_keeps_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_removes_temp_files_of_dead_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rename_leaves_no_temp_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_folder_fails_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_table_writes_valid_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_to_folder_with_quote, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
