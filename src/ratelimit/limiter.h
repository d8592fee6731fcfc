#ifndef LUCHT_RATELIMIT_LIMITER_H
#define LUCHT_RATELIMIT_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

struct config;
struct redis_target;

/*
 * The rate limiter every API request passes first: a sliding-window log of at most `calls`
 * acquisitions in any trailing `period` seconds, shared by every lucht process that uses the
 * same back-end. Back-ends implement struct limiter_ops, one file each: limiter_local.c
 * (embedded, one host, a locked file in $LUCHT_HOME) and limiter_redis.c (every host, a
 * sorted set in Redis dated by the Redis server's clock).
 *
 * A slot is taken when a request may go and dated again when its answer is in
 * (limiter_done): the server saw the request somewhere between the two, so holding the slot
 * from the later instant keeps the server's own window from ever seeing calls + 1 requests,
 * whatever the delay between the limiter and the server.
 */
struct limiter;

struct limiter_status {
	const char *backend;   /* "local" or "redis" */
	const char *where;     /* the state file, or "HOST:PORT/DB key KEY"; owned by the limiter */
	int calls;
	double period;
	int used;              /* acquisitions in the trailing window now */
	double next_free_in;   /* seconds until a slot frees; 0 when one is free now */
};

struct limiter_ops {
	const char *name;
	/* One attempt, without waiting: takes a slot (*free_in_us = 0) or says in how many
	 * microseconds the next one frees (> 0). */
	int (*try_acquire)(struct limiter *l, int64_t *free_in_us, struct lerr *err);
	/* Dates the slot the last try_acquire took at now; nothing when none is outstanding. */
	int (*done)(struct limiter *l, struct lerr *err);
	int (*status)(struct limiter *l, struct limiter_status *out, struct lerr *err);
	void (*free)(struct limiter *l);
};

struct limiter {
	const struct limiter_ops *ops;
	int calls;
	double period;
	double max_wait;
	/* Polled when a wait is woken by a signal; a true return ends the wait with an error,
	 * so that a stop request need not wait for a slot. NULL: never. */
	bool (*should_abort)(void);
};

/* The back-end the configuration asks for: Redis when LUCHT_REDIS_URL (or the original's
 * DAGSTER_SECRET_REDIS_HOST) is set, connected and authenticated now so that a wrong host or
 * password fails before any request; the local one otherwise. */
struct limiter *limiter_open(const struct config *c, struct lerr *err);
/* The embedded back-end: state in the file at path, guarded by fcntl locks. */
struct limiter *limiter_local_open(const char *path, int calls, double period, double max_wait,
				   struct lerr *err);
/* The Redis back-end: the sorted set at key on the server t names. */
struct limiter *limiter_redis_open(const struct redis_target *t, const char *key, int calls,
				   double period, double max_wait, struct lerr *err);

/* For back-ends: checks the window and fills the common part of l. */
int limiter_init(struct limiter *l, const struct limiter_ops *ops, int calls, int max_calls,
		 double period, double max_wait, struct lerr *err);

/* Blocks until a slot is taken (0) or max_wait would be exceeded (-1, "rate limit: waited N s
 * ...", retryable), sleeping exactly until the next slot frees rather than polling. *waited
 * (may be NULL) receives the seconds slept. */
int limiter_acquire(struct limiter *l, double *waited, struct lerr *err);

/* After the request that limiter_acquire let go has been answered or has failed. */
static inline int limiter_done(struct limiter *l, struct lerr *err)
{
	return l->ops->done(l, err);
}

static inline int limiter_status(struct limiter *l, struct limiter_status *out, struct lerr *err)
{
	return l->ops->status(l, out, err);
}

/* Accepts NULL; returns NULL so that `l = limiter_free(l);` reads well. */
struct limiter *limiter_free(struct limiter *l);

#endif
