#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ratelimit/limiter.h"
#include "util/civil_time.h"
#include "util/config.h"

#include "limiter_test_support.h"

static struct temp_file state_file;

/* Each test starts without a state file. */
static int setup(void **state)
{
	(void)state;
	unlink(state_file.path);
	return 0;
}

static struct limiter *open_ok(int calls, double period, double max_wait)
{
	return local_open_ok(state_file.path, calls, period, max_wait);
}

static void test_sixth_call_waits_for_the_first_to_leave(void **state)
{
	(void)state;
	struct limiter *l = open_ok(5, 1.0, 30);
	for (int i = 0; i < 5; i++)
		assert_true(acquire_ok(l) == 0);
	struct limiter_status st = status_ok(l);
	assert_int_equal(st.used, 5);
	assert_true(st.next_free_in > 0 && st.next_free_in <= 1.0);
	assert_true(acquire_ok(l) > 0);
	st = status_ok(l);
	assert_true(st.used >= 1 && st.used <= 5);
	l = limiter_free(l);
	assert_null(l);
}

static void test_max_wait_too_short_fails_without_sleeping(void **state)
{
	(void)state;
	struct limiter *l = open_ok(2, 30, 0.2);
	acquire_ok(l);
	acquire_ok(l);
	struct lerr err;
	lerr_clear(&err);
	double waited = -1;
	assert_int_equal(limiter_acquire(l, &waited, &err), -1);
	assert_true(waited == 0);
	assert_non_null(strstr(err.msg, "rate limit: waited 0.0 s and the window (2 per 30 s) is "
					"still full; raise LUCHT_RATE_MAX_WAIT or try later"));
	assert_true(err.retryable);
	assert_true(err.retry_after > 0 && err.retry_after <= 30.01);
	assert_int_equal(status_ok(l).used, 2);  /* the failed attempt took nothing */
	limiter_free(l);
}

static void test_status_numbers(void **state)
{
	(void)state;
	struct limiter *l = open_ok(3, 60, 0);
	struct limiter_status st = status_ok(l);
	assert_string_equal(st.backend, "local");
	assert_int_equal(st.calls, 3);
	assert_true(st.period == 60);
	assert_int_equal(st.used, 0);
	assert_true(st.next_free_in == 0);
	acquire_ok(l);
	acquire_ok(l);
	st = status_ok(l);
	assert_int_equal(st.used, 2);
	assert_true(st.next_free_in == 0);
	acquire_ok(l);
	st = status_ok(l);
	assert_int_equal(st.used, 3);
	assert_true(st.next_free_in > 0 && st.next_free_in <= 60);
	limiter_free(l);
}

static void test_changed_calls_keeps_the_newest(void **state)
{
	(void)state;
	struct limiter *five = open_ok(5, 60, 0);
	for (int i = 0; i < 5; i++)
		acquire_ok(five);
	struct limiter *three = open_ok(3, 60, 0);
	assert_int_equal(status_ok(three).used, 3);
	struct lerr err;
	assert_int_equal(limiter_acquire(three, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "(3 per 60 s)"));
	struct limiter *ten = open_ok(10, 60, 0);
	assert_int_equal(status_ok(ten).used, 5);
	acquire_ok(ten);
	assert_int_equal(status_ok(ten).used, 6);
	assert_int_equal(status_ok(five).used, 5);
	limiter_free(five);
	limiter_free(three);
	limiter_free(ten);
}

static void test_corrupt_file_is_reinitialized(void **state)
{
	(void)state;
	write_bytes(state_file.path, "garbage, not a rate limit state file", 36);
	struct limiter *l = open_ok(2, 60, 0);
	assert_int_equal(status_ok(l).used, 0);
	acquire_ok(l);
	assert_int_equal(status_ok(l).used, 1);

	/* A file cut short of the stamps its header counts. */
	struct stat sb;
	assert_int_equal(stat(state_file.path, &sb), 0);
	assert_int_equal(truncate(state_file.path, sb.st_size - 4), 0);
	assert_int_equal(status_ok(l).used, 0);
	acquire_ok(l);
	acquire_ok(l);
	assert_int_equal(status_ok(l).used, 2);

	write_bytes(state_file.path, "", 0);
	assert_int_equal(status_ok(l).used, 0);
	limiter_free(l);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct lerr err;
	assert_null(limiter_local_open(state_file.path, 0, 1, 1, &err));
	assert_non_null(strstr(err.msg, "rate limit"));
	assert_null(limiter_local_open(state_file.path, 5, 0, 1, &err));
	assert_null(limiter_local_open(state_file.path, 5, 1, -1, &err));
	assert_null(limiter_local_open("/nonexistent-lucht-dir/x.state", 5, 1, 1, &err));
	assert_non_null(strstr(err.msg, "/nonexistent-lucht-dir/x.state"));
	assert_null(limiter_free(NULL));
}

static void test_open_from_config(void **state)
{
	(void)state;
	char home[600];
	snprintf(home, sizeof(home), "%s/nested/home", state_file.dir);
	setenv("LUCHT_HOME", home, 1);
	setenv("LUCHT_ENV", "prd", 1);
	setenv("LUCHT_RATE_CALLS", "4", 1);
	struct config c;
	struct lerr err;
	assert_int_equal(config_load(&c, NULL, &err), 0);
	struct limiter *l = limiter_open(&c, &err);
	if (!l)
		fail_msg("limiter_open: %s", err.msg);
	assert_int_equal(status_ok(l).calls, 4);
	char state_path[700];
	snprintf(state_path, sizeof(state_path), "%s/ratelimit-prd.state", home);
	assert_int_equal(access(state_path, F_OK), 0);
	limiter_free(l);
	unlink(state_path);
	config_release(&c);

	/* Redis asked for: no silent fall-back to the local file. */
	setenv("LUCHT_REDIS_URL", "redis://127.0.0.1:1/0", 1);
	assert_int_equal(config_load(&c, NULL, &err), 0);
	assert_null(limiter_open(&c, &err));
	assert_non_null(strstr(err.msg, "rate limit: cannot reach Redis at 127.0.0.1:1: "));
	config_release(&c);
	env_unset((const char *const[]){ "LUCHT_REDIS_URL", "LUCHT_HOME", "LUCHT_ENV",
					 "LUCHT_RATE_CALLS", NULL });
	char sub[700];
	snprintf(sub, sizeof(sub), "%s/nested/home", state_file.dir);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/nested", state_file.dir);
	rmdir(sub);
}

/* Each child records the instant just before and just after every acquire: the limiter's own
 * stamp lies in between. */
struct record {
	long long before, after;
};

#define CHILDREN 4
#define PER_CHILD 10
#define MP_CALLS 8
#define MP_PERIOD_US 500000

static int child_run(const char *log_path)
{
	struct lerr err;
	struct limiter *l = limiter_local_open(state_file.path, MP_CALLS, MP_PERIOD_US / 1e6, 60,
					       &err);
	int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (!l || fd < 0)
		return 1;
	for (int i = 0; i < PER_CHILD; i++) {
		long long before = time_now_us();
		if (limiter_acquire(l, NULL, &err) != 0)
			return 1;
		long long after = time_now_us();
		char line[64];
		int n = snprintf(line, sizeof(line), "%lld %lld\n", before, after);
		if (write(fd, line, (size_t)n) != n)
			return 1;
	}
	close(fd);
	limiter_free(l);
	return 0;
}

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static void test_processes_share_the_window(void **state)
{
	(void)state;
	char log_path[600];
	snprintf(log_path, sizeof(log_path), "%s/stamps.log", state_file.dir);
	unlink(log_path);
	pid_t pids[CHILDREN];
	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(child_run(log_path));
	}
	for (int i = 0; i < CHILDREN; i++)
		wait_ok(pids[i]);
	FILE *f = fopen(log_path, "r");
	assert_non_null(f);
	struct record rec[CHILDREN * PER_CHILD + 1];
	int n = 0;
	while (n <= CHILDREN * PER_CHILD && fscanf(f, "%lld %lld", &rec[n].before, &rec[n].after) == 2)
		n++;
	fclose(f);
	unlink(log_path);
	assert_int_equal(n, CHILDREN * PER_CHILD);

	/*
	 * MP_CALLS + 1 acquisitions inside one window would break the limit. They certainly did
	 * if they all started at or after some record's `before` and all ended before that
	 * instant + period; so for every record, the (MP_CALLS + 1)-th earliest `after` among the
	 * acquisitions starting no earlier must lie a whole period or more later.
	 */
	for (int i = 0; i < n; i++) {
		long long afters[CHILDREN * PER_CHILD];
		int m = 0;
		for (int j = 0; j < n; j++)
			if (rec[j].before >= rec[i].before)
				afters[m++] = rec[j].after;
		if (m <= MP_CALLS)
			continue;
		qsort(afters, (size_t)m, sizeof(afters[0]), compare_ll);
		if (afters[MP_CALLS] - rec[i].before < MP_PERIOD_US)
			fail_msg("%d acquisitions within %lld us of %lld", MP_CALLS + 1,
				 afters[MP_CALLS] - rec[i].before, rec[i].before);
	}
	struct limiter *l = open_ok(MP_CALLS, MP_PERIOD_US / 1e6, 0);
	struct limiter_status st = status_ok(l);
	assert_true(st.used <= MP_CALLS);
	assert_int_equal(st.calls, MP_CALLS);
	limiter_free(l);
}

static int group_setup(void **state)
{
	(void)state;
	return temp_file_make(&state_file, "/tmp/lucht-test-limiter-XXXXXX", "ratelimit.state");
}

static int group_teardown(void **state)
{
	(void)state;
	return temp_file_remove(&state_file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sixth_call_waits_for_the_first_to_leave, setup),
		cmocka_unit_test_setup(test_max_wait_too_short_fails_without_sleeping, setup),
		cmocka_unit_test_setup(test_status_numbers, setup),
		cmocka_unit_test_setup(test_changed_calls_keeps_the_newest, setup),
		cmocka_unit_test_setup(test_corrupt_file_is_reinitialized, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_open_from_config, setup),
		cmocka_unit_test_setup(test_processes_share_the_window, setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
