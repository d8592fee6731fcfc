#ifndef LUCHT_LIMITER_TEST_SUPPORT_H
#define LUCHT_LIMITER_TEST_SUPPORT_H

/*
 * The rate limiter calls that a limiter test expects to succeed: on an error the test fails
 * with the limiter's message. Static functions for the reason given in test_support.h.
 */

#include "test_support.h"

#include "ratelimit/limiter.h"

static inline struct limiter *local_open_ok(const char *path, int calls, double period,
					    double max_wait)
{
	struct lerr err;
	lerr_clear(&err);
	struct limiter *l = limiter_local_open(path, calls, period, max_wait, &err);
	if (!l)
		fail_msg("limiter_local_open: %s", err.msg);
	return l;
}

/* The seconds it waited for a slot. */
static inline double acquire_ok(struct limiter *l)
{
	struct lerr err;
	double waited = -1;
	if (limiter_acquire(l, &waited, &err) != 0)
		fail_msg("limiter_acquire: %s", err.msg);
	return waited;
}

static inline void done_ok(struct limiter *l)
{
	struct lerr err;
	if (limiter_done(l, &err) != 0)
		fail_msg("limiter_done: %s", err.msg);
}

static inline struct limiter_status status_ok(struct limiter *l)
{
	struct lerr err;
	struct limiter_status st;
	memset(&st, 0, sizeof(st));
	if (limiter_status(l, &st, &err) != 0)
		fail_msg("limiter_status: %s", err.msg);
	return st;
}

#endif
