#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "util/config.h"

#include "test_support.h"

struct fixture {
	struct temp_file db;  /* the store's file, in a folder that tests put other files in */
	struct store *store;
	struct lerr err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(temp_file_make(&f->db, "/tmp/lucht-store-XXXXXX", "lucht.db"), 0);
	f->store = store_sqlite_open(f->db.path, &f->err);
	assert_non_null(f->store);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->store);
	remove_tree(f->db.dir);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static struct run new_run(const char *job, const char *asset, const char *partition)
{
	struct run r = { .status = RUN_QUEUED, .attempt = 1 };
	snprintf(r.job, sizeof(r.job), "%s", job);
	snprintf(r.asset, sizeof(r.asset), "%s", asset);
	snprintf(r.partition, sizeof(r.partition), "%s", partition);
	return r;
}

static void create_run(struct fixture *f, struct run *r)
{
	assert_int_equal(store_run_create(f->store, r, &f->err), 0);
}

static struct materialization new_materialization(const char *run_id, const char *partition,
						  int64_t rows, int64_t at)
{
	struct materialization m = { .rows = rows, .at = at, .path = "/lake/day/data.parquet" };
	snprintf(m.asset, sizeof(m.asset), "air_quality_data");
	snprintf(m.partition, sizeof(m.partition), "%s", partition);
	snprintf(m.run_id, sizeof(m.run_id), "%s", run_id);
	snprintf(m.data_version, sizeof(m.data_version),
		 "0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd0123abcd");
	snprintf(m.code_version, sizeof(m.code_version), "v1");
	return m;
}

/* The one number that sql returns, read straight from the file, past the store. */
static int64_t query_one(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static int64_t count_rows(const char *path, const char *table)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	return query_one(path, sql);
}

static int64_t user_version(const char *path)
{
	return query_one(path, "PRAGMA user_version");
}

static void exec_raw(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	return strdup(text);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* store_run_list with filter must give exactly the runs in want, up to a NULL, in that order. */
static void assert_run_list(struct fixture *f, const struct run_filter *filter,
			    const struct run *const want[])
{
	struct run_list l;
	assert_int_equal(store_run_list(f->store, filter, &l, &f->err), 0);
	size_t n = 0;
	while (want[n])
		n++;
	assert_int_equal(l.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l.v[i].id, want[i]->id);
		assert_string_equal(l.v[i].asset, want[i]->asset);
	}
	run_list_release(&l);
}

/* ---- names ---- */

static void test_status_names_round_trip(void **state)
{
	(void)state;
	for (int i = RUN_QUEUED; i <= RUN_CANCELED; i++) {
		enum run_status s;
		assert_int_equal(run_status_parse(run_status_name((enum run_status)i), &s), 0);
		assert_int_equal(s, i);
	}
	enum run_status s;
	assert_int_equal(run_status_parse("running", &s), -1);
	assert_int_equal(run_status_parse(NULL, &s), -1);
	assert_string_equal(run_status_name(RUN_STARTED), "started");
	assert_true(run_status_finished(RUN_CANCELED));
	assert_true(run_status_finished(RUN_FAILED));
	assert_false(run_status_finished(RUN_STARTING));

	enum event_level l;
	assert_string_equal(event_level_name(EVENT_WARNING), "warning");
	assert_int_equal(event_level_parse("error", &l), 0);
	assert_int_equal(l, EVENT_ERROR);
	assert_int_equal(event_level_parse("fatal", &l), -1);

	enum partition_state p;
	assert_string_equal(partition_state_name(PARTITION_MATERIALIZED), "materialized");
	assert_int_equal(partition_state_parse("missing", &p), 0);
	assert_int_equal(p, PARTITION_MISSING);
	assert_int_equal(partition_state_parse("done", &p), -1);
}

/* ---- runs ---- */

static void test_run_create_sets_id_and_created_at(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	r.tags_json = "{\"schedule\":\"daily\"}";
	create_run(f, &r);
	assert_int_equal(strlen(r.id), 32);
	for (size_t i = 0; i < 32; i++)
		assert_true(isxdigit((unsigned char)r.id[i]) && !isupper((unsigned char)r.id[i]));
	assert_true(r.created_at > 1700000000LL * 1000000);

	struct run got;
	assert_int_equal(store_run_get(f->store, r.id, &got, &f->err), 0);
	assert_string_equal(got.id, r.id);
	assert_string_equal(got.job, "ingest");
	assert_string_equal(got.asset, "air_quality_data");
	assert_string_equal(got.partition, "2024-01-24|NL01485");
	assert_int_equal(got.status, RUN_QUEUED);
	assert_string_equal(got.tags_json, "{\"schedule\":\"daily\"}");
	assert_int_equal(got.attempt, 1);
	assert_int_equal(got.created_at, r.created_at);
	assert_int_equal(got.started_at, 0);
	assert_null(got.error);
	run_release(&got);

	struct run other = new_run("ingest", "air_quality_data", "");
	create_run(f, &other);
	assert_string_not_equal(other.id, r.id);
	assert_int_equal(store_run_get(f->store, other.id, &got, &f->err), 0);
	assert_string_equal(got.tags_json, "{}");
	assert_string_equal(got.partition, "");
	run_release(&got);
}

static void test_run_update_writes_status_times_and_error(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &r);

	r.status = RUN_STARTED;
	r.started_at = 1706137200000000;
	r.pid = 4242;
	snprintf(r.host, sizeof(r.host), "worker-1");
	assert_int_equal(store_run_update(f->store, &r, &f->err), 0);
	struct run got;
	assert_int_equal(store_run_get(f->store, r.id, &got, &f->err), 0);
	assert_int_equal(got.status, RUN_STARTED);
	assert_int_equal(got.started_at, 1706137200000000);
	assert_int_equal(got.pid, 4242);
	assert_string_equal(got.host, "worker-1");
	run_release(&got);

	r.status = RUN_FAILED;
	r.attempt = 2;
	r.ended_at = 1706137260000000;
	r.error = "HTTP 503 from /measurements";
	r.pid = 0;
	assert_int_equal(store_run_update(f->store, &r, &f->err), 0);
	assert_int_equal(store_run_get(f->store, r.id, &got, &f->err), 0);
	assert_int_equal(got.status, RUN_FAILED);
	assert_int_equal(got.attempt, 2);
	assert_int_equal(got.ended_at, 1706137260000000);
	assert_string_equal(got.error, "HTTP 503 from /measurements");
	assert_int_equal(got.pid, 0);
	assert_int_equal(got.created_at, r.created_at);
	run_release(&got);
}

static void test_unknown_run_id_is_an_error(void **state)
{
	struct fixture *f = *state;
	struct run got;
	assert_int_equal(store_run_get(f->store, "0123456789abcdef0123456789abcdef", &got, &f->err),
			 -1);
	assert_string_equal(f->err.msg, "no run with id 0123456789abcdef0123456789abcdef");

	struct run r = new_run("ingest", "air_quality_data", "");
	snprintf(r.id, sizeof(r.id), "feedfeedfeedfeedfeedfeedfeedfeed");
	assert_int_equal(store_run_update(f->store, &r, &f->err), -1);
	assert_string_equal(f->err.msg, "no run with id feedfeedfeedfeedfeedfeedfeedfeed");

	assert_int_equal(store_event_append(f->store, "nope", EVENT_INFO, "LOG", "x", &f->err), -1);
	assert_string_equal(f->err.msg, "no run with id nope");
}

static void test_run_list_newest_first_with_filters(void **state)
{
	struct fixture *f = *state;
	struct run a = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	struct run b = new_run("ingest", "air_quality_data", "2024-01-25|NL01485");
	struct run c = new_run("copy", "daily_air_quality_data", "2024-01-24");
	struct run d = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &a);
	create_run(f, &b);
	create_run(f, &c);
	d.status = RUN_SUCCEEDED;
	create_run(f, &d);

	assert_run_list(f, NULL, (const struct run *const[]){ &d, &c, &b, &a, NULL });
	const struct {
		struct run_filter filter;
		const struct run *want[5];  /* up to a NULL */
	} cases[] = {
		{ { .asset = "air_quality_data", .status = -1 }, { &d, &b, &a } },
		{ { .job = "copy", .status = -1 }, { &c } },
		{ { .partition = "2024-01-24|NL01485", .status = -1 }, { &d, &a } },
		{ { .asset = "air_quality_data", .status = RUN_QUEUED }, { &b, &a } },
		{ { .status = -1, .limit = 2 }, { &d, &c } },
		{ { .job = "backfill", .status = -1 }, { NULL } },
		{ { .id_prefix = c.id, .status = -1 }, { &c } },
		{ { .id_prefix = "", .status = -1, .limit = 1 }, { &d } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_run_list(f, &cases[i].filter, cases[i].want);
	/* A prefix matches the start of an id only. */
	char prefix[9], middle[9];
	snprintf(prefix, sizeof(prefix), "%.8s", b.id);
	snprintf(middle, sizeof(middle), "%.8s", b.id + 4);
	assert_run_list(f, &(struct run_filter){ .id_prefix = prefix, .status = -1 },
			(const struct run *const[]){ &b, NULL });
	struct run_list l = {0};
	assert_int_equal(store_run_list(f->store, &(struct run_filter){ .id_prefix = middle,
									 .status = -1 }, &l, &f->err), 0);
	for (size_t i = 0; i < l.n; i++)
		assert_memory_equal(l.v[i].id, middle, 8);
	run_list_release(&l);
}

/* ---- events ---- */

static void test_events_listed_in_append_order(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "");
	struct run other = new_run("ingest", "air_quality_data", "");
	create_run(f, &r);
	create_run(f, &other);
	assert_int_equal(store_event_append(f->store, r.id, EVENT_INFO, "RUN_START", "started", &f->err), 0);
	assert_int_equal(store_event_append(f->store, other.id, EVENT_INFO, "RUN_START", "other", &f->err), 0);
	assert_int_equal(store_event_append(f->store, r.id, EVENT_WARNING, "STEP_RETRY", "HTTP 429, retry in 30 s", &f->err), 0);
	assert_int_equal(store_event_append(f->store, r.id, EVENT_ERROR, "RUN_FAILURE", NULL, &f->err), 0);

	struct event_list l;
	assert_int_equal(store_event_list(f->store, r.id, &l, &f->err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].type, "RUN_START");
	assert_int_equal(l.v[0].level, EVENT_INFO);
	assert_string_equal(l.v[0].message, "started");
	assert_string_equal(l.v[1].type, "STEP_RETRY");
	assert_int_equal(l.v[1].level, EVENT_WARNING);
	assert_string_equal(l.v[1].message, "HTTP 429, retry in 30 s");
	assert_string_equal(l.v[2].type, "RUN_FAILURE");
	assert_int_equal(l.v[2].level, EVENT_ERROR);
	assert_string_equal(l.v[2].message, "");
	assert_true(l.v[0].id < l.v[1].id && l.v[1].id < l.v[2].id);
	assert_string_equal(l.v[2].run_id, r.id);
	assert_true(l.v[0].at > 0 && l.v[0].at <= l.v[2].at);
	event_list_release(&l);
}

/* ---- materializations and partitions ---- */

static void test_commit_marks_partition_materialized(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &r);
	struct materialization m = new_materialization(r.id, "2024-01-24|NL01485", 24, 1706137200000000);
	assert_int_equal(store_materialization_commit(f->store, &m, NULL, 0, &f->err), 0);

	struct partition_status_list l;
	assert_int_equal(store_partition_status_list(f->store, "air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].partition, "2024-01-24|NL01485");
	assert_int_equal(l.v[0].state, PARTITION_MATERIALIZED);
	assert_int_equal(l.v[0].rows, 24);
	assert_string_equal(l.v[0].data_version, m.data_version);
	assert_int_equal(l.v[0].materialized_at, 1706137200000000);
	assert_string_equal(l.v[0].run_id, r.id);
	assert_string_equal(l.v[0].path, "/lake/day/data.parquet");
	assert_null(l.v[0].error);
	assert_true(l.v[0].updated_at > 0);
	partition_status_list_release(&l);

	struct event_list ev;
	assert_int_equal(store_event_list(f->store, r.id, &ev, &f->err), 0);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.v[0].type, "ASSET_MATERIALIZATION");
	assert_int_equal(ev.v[0].level, EVENT_INFO);
	assert_string_equal(ev.v[0].message,
			    "materialized 2024-01-24|NL01485: 24 rows, data version 0123abcd...");
	event_list_release(&ev);
	assert_int_equal(count_rows(f->db.path, "materializations"), 1);

	assert_int_equal(store_partition_status_list(f->store, "daily_air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.n, 0);
	partition_status_list_release(&l);
}

static void test_partitions_sorted_by_key(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "");
	create_run(f, &r);
	const char *keys[] = { "2024-01-25|NL01485", "2024-01-24|NL49014", "2024-01-24|NL01485" };
	for (size_t i = 0; i < 3; i++) {
		struct materialization m = new_materialization(r.id, keys[i], (int64_t)i, 0);
		assert_int_equal(store_materialization_commit(f->store, &m, NULL, 0, &f->err), 0);
	}
	assert_int_equal(store_partition_fail(f->store, "air_quality_data", "2024-01-23|NL01485", r.id,
					      "HTTP 500", &f->err), 0);
	struct partition_status_list l;
	assert_int_equal(store_partition_status_list(f->store, "air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].partition, "2024-01-23|NL01485");
	assert_string_equal(l.v[1].partition, "2024-01-24|NL01485");
	assert_string_equal(l.v[2].partition, "2024-01-24|NL49014");
	assert_string_equal(l.v[3].partition, "2024-01-25|NL01485");
	assert_int_equal(l.v[1].rows, 2);
	/* at 0 means now */
	assert_true(l.v[1].materialized_at > 1700000000LL * 1000000);
	/* never materialized: no data kept */
	assert_int_equal(l.v[0].state, PARTITION_FAILED);
	assert_int_equal(l.v[0].materialized_at, 0);
	assert_int_equal(l.v[0].rows, 0);
	assert_null(l.v[0].path);
	assert_string_equal(l.v[0].data_version, "");
	assert_string_equal(l.v[0].error, "HTTP 500");
	partition_status_list_release(&l);
}

static void test_failure_keeps_last_materialization(void **state)
{
	struct fixture *f = *state;
	struct run first = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	struct run second = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &first);
	create_run(f, &second);
	struct materialization m = new_materialization(first.id, "2024-01-24|NL01485", 24, 1706137200000000);
	assert_int_equal(store_materialization_commit(f->store, &m, NULL, 0, &f->err), 0);
	assert_int_equal(store_partition_fail(f->store, "air_quality_data", "2024-01-24|NL01485",
					      second.id, "HTTP 503 after 3 attempts", &f->err), 0);

	struct partition_status_list l;
	assert_int_equal(store_partition_status_list(f->store, "air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].state, PARTITION_FAILED);
	assert_string_equal(l.v[0].error, "HTTP 503 after 3 attempts");
	assert_string_equal(l.v[0].run_id, second.id);
	assert_int_equal(l.v[0].rows, 24);
	assert_string_equal(l.v[0].data_version, m.data_version);
	assert_int_equal(l.v[0].materialized_at, 1706137200000000);
	assert_string_equal(l.v[0].path, "/lake/day/data.parquet");
	partition_status_list_release(&l);

	/* a later success clears the error */
	m = new_materialization(second.id, "2024-01-24|NL01485", 23, 1706223600000000);
	assert_int_equal(store_materialization_commit(f->store, &m, NULL, 0, &f->err), 0);
	assert_int_equal(store_partition_status_list(f->store, "air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.v[0].state, PARTITION_MATERIALIZED);
	assert_null(l.v[0].error);
	assert_int_equal(l.v[0].rows, 23);
	assert_int_equal(l.v[0].materialized_at, 1706223600000000);
	partition_status_list_release(&l);
}

static void test_commit_for_unknown_run_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct materialization m = new_materialization("feedfeedfeedfeedfeedfeedfeedfeed",
						       "2024-01-24|NL01485", 24, 0);
	struct check_result check = { .name = "values_above_zero", .passed = true, .blocking = true };
	assert_int_equal(store_materialization_commit(f->store, &m, &check, 1, &f->err), -1);
	assert_string_equal(f->err.msg, "no run with id feedfeedfeedfeedfeedfeedfeedfeed");
	assert_int_equal(count_rows(f->db.path, "materializations"), 0);
	assert_int_equal(count_rows(f->db.path, "check_results"), 0);
	assert_int_equal(count_rows(f->db.path, "asset_partitions"), 0);
}

static void test_commit_failing_midway_is_rolled_back(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &r);
	struct materialization m = new_materialization(r.id, "2024-01-24|NL01485", 24, 1706137200000000);
	assert_int_equal(store_materialization_commit(f->store, &m, NULL, 0, &f->err), 0);

	/* The second check fails to insert, after the materialization row and the first check. */
	exec_raw(f->db.path, "CREATE TRIGGER boom BEFORE INSERT ON check_results WHEN NEW.name = 'boom'"
			     " BEGIN SELECT RAISE(ABORT, 'check insert refused'); END;");
	struct check_result checks[] = {
		{ .name = "values_above_zero", .passed = true, .blocking = true },
		{ .name = "boom", .passed = true, .blocking = true },
	};
	struct materialization again = new_materialization(r.id, "2024-01-24|NL01485", 99, 1706223600000000);
	assert_int_equal(store_materialization_commit(f->store, &again, checks, 2, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "check insert refused"));
	assert_non_null(strstr(f->err.msg, f->db.path));

	assert_int_equal(count_rows(f->db.path, "materializations"), 1);
	assert_int_equal(count_rows(f->db.path, "check_results"), 0);
	struct partition_status_list l;
	assert_int_equal(store_partition_status_list(f->store, "air_quality_data", &l, &f->err), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].rows, 24);
	assert_int_equal(l.v[0].materialized_at, 1706137200000000);
	partition_status_list_release(&l);
	struct event_list ev;
	assert_int_equal(store_event_list(f->store, r.id, &ev, &f->err), 0);
	assert_int_equal(ev.n, 1);
	event_list_release(&ev);

	/* the store still works after the rollback */
	assert_int_equal(store_materialization_commit(f->store, &again, checks, 1, &f->err), 0);
	assert_int_equal(count_rows(f->db.path, "materializations"), 2);
}

static void test_check_results_recorded_and_listed(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &r);
	struct check_result first[] = {
		{ .name = "values_above_zero", .passed = true, .blocking = true,
		  .metadata_json = "{\"checked\":24}" },
		{ .name = "all_hours_present", .passed = false, .blocking = false },
	};
	struct materialization m = new_materialization(r.id, "2024-01-24|NL01485", 24, 1706137200000000);
	assert_int_equal(store_materialization_commit(f->store, &m, first, 2, &f->err), 0);
	struct check_result later = { .name = "values_above_zero", .passed = false, .blocking = true };
	m = new_materialization(r.id, "2024-01-24|NL01485", 20, 1706223600000000);
	assert_int_equal(store_materialization_commit(f->store, &m, &later, 1, &f->err), 0);

	struct stored_check *v;
	size_t n;
	assert_int_equal(store_check_list(f->store, "air_quality_data", "2024-01-24|NL01485", &v, &n, &f->err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].result.name, "values_above_zero");
	assert_false(v[0].result.passed);
	assert_int_equal(v[0].at, 1706223600000000);
	assert_string_equal(v[0].result.metadata_json, "{}");
	assert_string_equal(v[1].result.name, "values_above_zero");
	assert_true(v[1].result.passed);
	assert_true(v[1].result.blocking);
	assert_string_equal(v[1].result.metadata_json, "{\"checked\":24}");
	assert_int_equal(v[1].at, 1706137200000000);
	assert_string_equal(v[2].result.name, "all_hours_present");
	assert_false(v[2].result.passed);
	assert_false(v[2].result.blocking);
	assert_string_equal(v[2].run_id, r.id);
	assert_string_equal(v[2].partition, "2024-01-24|NL01485");
	stored_checks_free(v, n);

	assert_int_equal(store_check_list(f->store, "air_quality_data", "2024-01-25|NL01485", &v, &n, &f->err), 0);
	assert_int_equal(n, 0);
	stored_checks_free(v, n);
}

/* ---- the file ---- */

static void test_reopen_keeps_data_and_schema(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "2024-01-24|NL01485");
	create_run(f, &r);
	f->store = store_close(f->store);
	assert_null(f->store);
	for (int i = 0; i < 2; i++) {
		f->store = store_sqlite_open(f->db.path, &f->err);
		assert_non_null(f->store);
		struct run got;
		assert_int_equal(store_run_get(f->store, r.id, &got, &f->err), 0);
		assert_string_equal(got.job, "ingest");
		run_release(&got);
		f->store = store_close(f->store);
	}
	assert_int_equal(user_version(f->db.path), 1);
	assert_int_equal(query_one(f->db.path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
	assert_int_equal(count_rows(f->db.path, "runs"), 1);
	f->store = store_sqlite_open(f->db.path, &f->err);
	assert_non_null(f->store);
}

static void assert_refused_untouched(const char *path, const char *contents, const char *why)
{
	struct lerr err;
	assert_null(store_sqlite_open(path, &err));
	char want[512];
	snprintf(want, sizeof(want), "%s is not a lucht instance database: %s", path, why);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "; move it away or set LUCHT_HOME"));
	char *now = read_file(path);
	assert_string_equal(now, contents);
	free(now);
	char wal[512];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_false(exists(wal));
}

static void test_garbage_file_is_refused_and_left_alone(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof(path), "%s/garbage.db", f->db.dir);
	char text[4096] = "";
	for (int i = 0; i < 100; i++)
		strcat(text, "not a database, ");
	write_file(path, text);
	assert_refused_untouched(path, text, "file is not a database");

	snprintf(path, sizeof(path), "%s/tiny.db", f->db.dir);
	write_file(path, "hello\n");
	assert_refused_untouched(path, "hello\n", "file is not a database");
}

static void test_other_programs_database_is_refused(void **state)
{
	struct fixture *f = *state;
	char path[160];
	snprintf(path, sizeof(path), "%s/other.db", f->db.dir);
	exec_raw(path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');");
	struct lerr err;
	assert_null(store_sqlite_open(path, &err));
	assert_non_null(strstr(err.msg, "is not a lucht instance database: it is the SQLite database of another program"));
	assert_int_equal(count_rows(path, "notes"), 1);
	assert_int_equal(user_version(path), 0);
}

static void test_newer_schema_is_refused(void **state)
{
	struct fixture *f = *state;
	f->store = store_close(f->store);
	exec_raw(f->db.path, "PRAGMA user_version = 7");
	assert_null(store_sqlite_open(f->db.path, &f->err));
	char want[256];
	snprintf(want, sizeof(want),
		 "instance database %s has schema version 7, newer than this lucht knows (1): use a newer lucht",
		 f->db.path);
	assert_string_equal(f->err.msg, want);
	assert_int_equal(user_version(f->db.path), 7);
}

static void test_locked_database_names_the_other_process(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "");
	create_run(f, &r);
	sqlite3 *other;
	assert_int_equal(sqlite3_open(f->db.path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	/* waits out the busy timeout */
	assert_int_equal(store_event_append(f->store, r.id, EVENT_INFO, "LOG", "x", &f->err), -1);
	assert_non_null(strstr(f->err.msg, "another process holds it locked"));
	assert_non_null(strstr(f->err.msg, f->db.path));
	assert_true(f->err.retryable);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	assert_int_equal(store_event_append(f->store, r.id, EVENT_INFO, "LOG", "x", &f->err), 0);
}

/* ---- processes at once ---- */

#define APPENDS 500

static int append_many(const char *path, const char *run_id, const char *who)
{
	struct lerr err;
	struct store *s = store_sqlite_open(path, &err);
	if (!s) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	for (int i = 0; i < APPENDS; i++) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s %d", who, i);
		if (store_event_append(s, run_id, EVENT_DEBUG, "LOG", msg, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			store_close(s);
			return 1;
		}
	}
	store_close(s);
	return 0;
}

static void test_two_processes_append_without_loss(void **state)
{
	struct fixture *f = *state;
	struct run r = new_run("ingest", "air_quality_data", "");
	create_run(f, &r);
	/* SQLite connections must not cross a fork */
	f->store = store_close(f->store);
	const char *who[] = { "a", "b" };
	pid_t pids[2];
	for (int p = 0; p < 2; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0)
			_exit(append_many(f->db.path, r.id, who[p]));
	}
	for (int p = 0; p < 2; p++)
		wait_ok(pids[p]);

	f->store = store_sqlite_open(f->db.path, &f->err);
	assert_non_null(f->store);
	struct event_list l;
	assert_int_equal(store_event_list(f->store, r.id, &l, &f->err), 0);
	assert_int_equal(l.n, 2 * APPENDS);
	int next[2] = { 0, 0 };
	for (size_t i = 0; i < l.n; i++) {
		if (i > 0)
			assert_true(l.v[i].id > l.v[i - 1].id);
		int p = l.v[i].message[0] == 'a' ? 0 : 1;
		char want[64];
		snprintf(want, sizeof(want), "%s %d", who[p], next[p]++);
		assert_string_equal(l.v[i].message, want);
	}
	assert_int_equal(next[0], APPENDS);
	assert_int_equal(next[1], APPENDS);
	event_list_release(&l);
}

static void test_processes_creating_one_database_at_once(void **state)
{
	struct fixture *f = *state;
	f->store = store_close(f->store);
	for (int round = 0; round < 5; round++) {
		char path[160];
		snprintf(path, sizeof(path), "%s/fresh-%d.db", f->db.dir, round);
		int go[2];
		assert_int_equal(pipe(go), 0);
		pid_t pids[3];
		for (int p = 0; p < 3; p++) {
			pids[p] = fork();
			assert_true(pids[p] >= 0);
			if (pids[p] == 0) {
				char c;
				close(go[1]);
				/* all start when the pipe closes */
				if (read(go[0], &c, 1) != 0)
					_exit(2);
				struct lerr err;
				struct store *s = store_sqlite_open(path, &err);
				if (!s) {
					fprintf(stderr, "%s\n", err.msg);
					_exit(1);
				}
				store_close(s);
				_exit(0);
			}
		}
		close(go[0]);
		close(go[1]);
		for (int p = 0; p < 3; p++)
			wait_ok(pids[p]);
		assert_int_equal(user_version(path), 1);
		assert_int_equal(count_rows(path, "runs"), 0);
	}
}

/* ---- store_open ---- */

static void test_store_open_creates_the_instance_folder(void **state)
{
	struct fixture *f = *state;
	char home[160];
	snprintf(home, sizeof(home), "%s/a/b/home", f->db.dir);
	struct config c = { .home = home, .database_url = "" };
	struct store *s = store_open(&c, &f->err);
	assert_non_null(s);
	assert_string_equal(s->ops->name, "sqlite");
	store_close(s);
	char db[200];
	snprintf(db, sizeof(db), "%s/lucht.db", home);
	assert_true(exists(db));
	assert_int_equal(user_version(db), 1);

	/* already there */
	s = store_open(&c, &f->err);
	assert_non_null(s);
	store_close(s);
}

static void test_store_open_names_the_folder_it_cannot_create(void **state)
{
	struct fixture *f = *state;
	char file[160], home[200], want[600];
	snprintf(file, sizeof(file), "%s/plain-file", f->db.dir);
	write_file(file, "x");
	snprintf(home, sizeof(home), "%s/home", file);
	struct config c = { .home = home, .database_url = "" };
	assert_null(store_open(&c, &f->err));
	snprintf(want, sizeof(want), "cannot create instance folder %s (LUCHT_HOME): cannot create "
		 "folder %s: %s", home, file, strerror(ENOTDIR));
	assert_string_equal(f->err.msg, want);

	c.home = file;
	assert_null(store_open(&c, &f->err));
	snprintf(want, sizeof(want), "cannot create instance folder %s (LUCHT_HOME): cannot create "
		 "folder %s: %s", file, file, strerror(ENOTDIR));
	assert_string_equal(f->err.msg, want);
}

static void test_store_open_refuses_a_database_url(void **state)
{
	struct fixture *f = *state;
	char home[160];
	snprintf(home, sizeof(home), "%s/pg-home", f->db.dir);
	struct config c = { .home = home, .database_url = "postgresql://lucht@localhost/lucht" };
	assert_null(store_open(&c, &f->err));
	assert_string_equal(f->err.msg,
			    "LUCHT_DATABASE_URL is set but this build has no PostgreSQL back-end yet");
	assert_false(exists(home));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_status_names_round_trip),
		T(test_run_create_sets_id_and_created_at),
		T(test_run_update_writes_status_times_and_error),
		T(test_unknown_run_id_is_an_error),
		T(test_run_list_newest_first_with_filters),
		T(test_events_listed_in_append_order),
		T(test_commit_marks_partition_materialized),
		T(test_partitions_sorted_by_key),
		T(test_failure_keeps_last_materialization),
		T(test_commit_for_unknown_run_leaves_nothing),
		T(test_commit_failing_midway_is_rolled_back),
		T(test_check_results_recorded_and_listed),
		T(test_reopen_keeps_data_and_schema),
		T(test_garbage_file_is_refused_and_left_alone),
		T(test_other_programs_database_is_refused),
		T(test_newer_schema_is_refused),
		T(test_locked_database_names_the_other_process),
		T(test_two_processes_append_without_loss),
		T(test_processes_creating_one_database_at_once),
		T(test_store_open_creates_the_instance_folder),
		T(test_store_open_names_the_folder_it_cannot_create),
		T(test_store_open_refuses_a_database_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
