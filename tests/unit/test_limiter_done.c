#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit/limiter.h"

#include "limiter_test_support.h"

/*
 * limiter_done on the embedded back-end: the slot is held from the answer on, so that the
 * server's window, which saw the request somewhere in between, is never overrun.
 */
static struct temp_file state_file;

static int group_setup(void **state)
{
	(void)state;
	return temp_file_make(&state_file, "/tmp/lucht-test-done-XXXXXX", "ratelimit.state");
}

static int group_teardown(void **state)
{
	(void)state;
	return temp_file_remove(&state_file);
}

/* A limiter on a new state file: no slot taken yet. */
static struct limiter *open_fresh(int calls, double period)
{
	unlink(state_file.path);
	return local_open_ok(state_file.path, calls, period, 30);
}

static void test_done_holds_the_slot_from_the_answer(void **state)
{
	(void)state;
	struct limiter *l = open_fresh(1, 2.0);
	struct lerr err;
	assert_int_equal(limiter_acquire(l, NULL, &err), 0);
	nanosleep(&(struct timespec){ 0, 500 * 1000 * 1000 }, NULL);
	/* Held from the acquisition it would free 1.5 s from now at the latest. */
	assert_int_equal(limiter_done(l, &err), 0);
	assert_true(status_ok(l).next_free_in > 1.6);
	limiter_free(l);
}

static void test_done_keeps_the_other_slots(void **state)
{
	(void)state;
	struct limiter *l = open_fresh(3, 30);
	struct limiter *other = limiter_local_open(state_file.path, 3, 30, 30, &(struct lerr){0});
	assert_non_null(other);
	struct lerr err;
	assert_int_equal(limiter_acquire(l, NULL, &err), 0);
	assert_int_equal(limiter_acquire(other, NULL, &err), 0);
	assert_int_equal(limiter_done(l, &err), 0);
	assert_int_equal(limiter_done(other, &err), 0);
	/* Nothing outstanding any more: no slot is moved or added. */
	assert_int_equal(limiter_done(l, &err), 0);
	struct limiter_status st;
	assert_int_equal(limiter_status(l, &st, &err), 0);
	assert_int_equal(st.used, 2);
	assert_int_equal(limiter_acquire(l, NULL, &err), 0);
	assert_int_equal(limiter_status(other, &st, &err), 0);
	assert_int_equal(st.used, 3);
	assert_true(st.next_free_in > 29);
	limiter_free(l);
	limiter_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_done_holds_the_slot_from_the_answer),
		cmocka_unit_test(test_done_keeps_the_other_slots),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
