#ifndef LUCHT_RATELIMIT_LIMITER_H
#define LUCHT_RATELIMIT_LIMITER_H

#include <stdint.h>

#include "util/error.h"

struct config;

/*
 * The rate limiter every API request passes first: a sliding-window log of at most `calls`
 * acquisitions in any trailing `period` seconds, shared by every lucht process that uses the
 * same back-end. Back-ends implement struct limiter_ops, one file each: limiter_local.c
 * (embedded, one host, a locked file in $LUCHT_HOME) and, later, limiter_redis.c.
 */
struct limiter;

struct limiter_status {
	const char *backend;   /* "local" or "redis" */
	int calls;
	double period;
	int used;              /* acquisitions in the trailing window now */
	double next_free_in;   /* seconds until a slot frees; 0 when one is free now */
};

struct limiter_ops {
	const char *name;
	/* Blocks until a slot is taken (0) or max_wait would be exceeded (-1, "rate limit:
	 * waited N s ..."), sleeping exactly until the oldest acquisition leaves the window
	 * rather than polling. *waited (may be NULL) receives the seconds slept. */
	int (*acquire)(struct limiter *l, double *waited, struct lerr *err);
	int (*status)(struct limiter *l, struct limiter_status *out, struct lerr *err);
	void (*free)(struct limiter *l);
};

struct limiter {
	const struct limiter_ops *ops;
	int calls;
	double period;
	double max_wait;
};

/* The back-end the configuration asks for (local unless Redis is configured). */
struct limiter *limiter_open(const struct config *c, struct lerr *err);
/* The embedded back-end: state in the file at path, guarded by fcntl locks. */
struct limiter *limiter_local_open(const char *path, int calls, double period, double max_wait,
				   struct lerr *err);

static inline int limiter_acquire(struct limiter *l, double *waited, struct lerr *err)
{
	return l->ops->acquire(l, waited, err);
}

static inline int limiter_status(struct limiter *l, struct limiter_status *out, struct lerr *err)
{
	return l->ops->status(l, out, err);
}

/* Accepts NULL; returns NULL so that `l = limiter_free(l);` reads well. */
struct limiter *limiter_free(struct limiter *l);

#endif
