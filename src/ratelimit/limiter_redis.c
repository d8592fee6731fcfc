#include "ratelimit/limiter.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/config.h"

/*
 * The shared back-end: one sorted set per environment in Redis, a member per acquisition
 * scored by the microsecond the Redis server gave it. Every operation is one run of the
 * script below, which Redis executes atomically and which reads the time from Redis itself,
 * so that hosts whose clocks disagree still share one window. The client's clock is never
 * used; only its sleeps are timed locally, as durations.
 */
#define REDIS_MAX_CALLS 1000000
#define REDIS_TIMEOUT_S 5  /* connecting, and waiting for any one answer */
#define REDIS_KEY_MAX 128

/*
 * KEYS[1]: the window. ARGV: the operation (take, date or peek), calls, period in
 * microseconds, the member. Answers {1 when a slot was taken, slots used, microseconds until
 * the next slot frees (0: one is free now)}. take prunes and takes a free slot; date moves a
 * slot still in the window to now; peek prunes and only looks. The expiry lets an idle window
 * vanish. replicate_commands makes Redis before 5 accept writes after TIME (a no-op since).
 */
static const char window_script[] =
	"redis.replicate_commands()\n"
	"local key, op = KEYS[1], ARGV[1]\n"
	"local calls, period = tonumber(ARGV[2]), tonumber(ARGV[3])\n"
	"local t = redis.call('TIME')\n"
	"local now = tonumber(t[1]) * 1000000 + tonumber(t[2])\n"
	"local ttl = math.ceil(period / 1000) + 1000\n"
	"if op == 'date' then\n"
	"  redis.call('ZADD', key, 'XX', now, ARGV[4])\n"
	"  redis.call('PEXPIRE', key, ttl)\n"
	"  return {0, 0, 0}\n"
	"end\n"
	"redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)\n"
	"local used = redis.call('ZCARD', key)\n"
	"if used < calls then\n"
	"  if op == 'take' then\n"
	"    redis.call('ZADD', key, now, ARGV[4])\n"
	"    redis.call('PEXPIRE', key, ttl)\n"
	"    return {1, used + 1, 0}\n"
	"  end\n"
	"  return {0, used, 0}\n"
	"end\n"
	"local frees = redis.call('ZRANGE', key, used - calls, used - calls, 'WITHSCORES')\n"
	"return {0, used, tonumber(frees[2]) + period - now}\n";

struct redis_limiter {
	struct limiter base;
	struct redis_target target;
	redisContext *ctx;          /* NULL: not connected; the next operation connects */
	char server[300];           /* HOST:PORT/DB, for messages */
	char where[300 + REDIS_KEY_MAX + 8];
	char key[REDIS_KEY_MAX];
	char sha[48];
	char id[320];               /* host, pid and a random number: unique to this limiter */
	uint64_t serial;            /* of the members this limiter added */
	char taken[352];            /* the member awaiting limiter_done; "" when none */
	char calls_arg[16];
	char period_arg[24];
};

static struct redis_limiter *redis_of(struct limiter *l)
{
	return (struct redis_limiter *)l;
}

static void disconnect(struct redis_limiter *l)
{
	if (l->ctx)
		redisFree(l->ctx);
	l->ctx = NULL;
}

/*
 * One command. hiredis writes with write(2): a server that vanished would raise SIGPIPE and
 * end the process, so SIGPIPE is held back for the call and one it raised is discarded. A
 * lost connection is dropped, so that the next call connects afresh; NULL then.
 */
static redisReply *command(struct redis_limiter *l, int argc, const char **argv, struct lerr *err)
{
	sigset_t pipe_set, old, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	bool was_pending = sigismember(&pending, SIGPIPE);
	redisReply *r = redisCommandArgv(l->ctx, argc, argv, NULL);
	if (!was_pending && !sigismember(&old, SIGPIPE)) {
		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_set, NULL, &(struct timespec){ 0, 0 });
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r) {
		lerr_set(err, "rate limit: lost the connection to Redis at %s: %s", l->server,
			 l->ctx->errstr[0] ? l->ctx->errstr : "no answer");
		err->retryable = true;
		disconnect(l);
	}
	return r;
}

/* An error answer to what, as a message; Redis never repeats a password in one. */
static int reply_error(const struct redis_limiter *l, const char *what, const redisReply *r,
		       struct lerr *err)
{
	if (strncmp(r->str, "NOAUTH", 6) == 0)
		return lerr_set(err, "rate limit: Redis at %s asks for a password: give it in "
				"LUCHT_REDIS_URL or DAGSTER_SECRET_REDIS_PASSWORD", l->server);
	return lerr_set(err, "rate limit: Redis at %s: %s: %.*s", l->server, what,
			(int)(r->len < 300 ? r->len : 300), r->str);
}

/* Runs a command whose answer only has to be no error. */
static int expect_ok(struct redis_limiter *l, const char *what, int argc, const char **argv,
		     struct lerr *err)
{
	redisReply *r = command(l, argc, argv, err);
	if (!r)
		return -1;
	int rc = r->type == REDIS_REPLY_ERROR ? reply_error(l, what, r, err) : 0;
	freeReplyObject(r);
	return rc;
}

static int authenticate(struct redis_limiter *l, struct lerr *err)
{
	const struct redis_target *t = &l->target;
	/* A user name alone means nothing to Redis; AUTH takes a password, with a user name
	 * (Redis 6 ACL) or without (requirepass). */
	if (!t->password[0])
		return 0;
	const char *argv[3] = { "AUTH" };
	int argc = 1;
	if (t->user[0])
		argv[argc++] = t->user;
	argv[argc++] = t->password;
	redisReply *r = command(l, argc, argv, err);
	if (!r)
		return -1;
	int rc = 0;
	if (r->type == REDIS_REPLY_ERROR)
		rc = lerr_set(err, "rate limit: Redis at %s refused the %s: %.*s", l->server,
			      t->user[0] ? "user name and password" : "password",
			      (int)(r->len < 300 ? r->len : 300), r->str);
	freeReplyObject(r);
	return rc;
}

static int load_script(struct redis_limiter *l, struct lerr *err)
{
	const char *argv[] = { "SCRIPT", "LOAD", window_script };
	redisReply *r = command(l, 3, argv, err);
	if (!r)
		return -1;
	int rc = 0;
	if (r->type == REDIS_REPLY_ERROR)
		rc = reply_error(l, "SCRIPT LOAD", r, err);
	else if (r->type != REDIS_REPLY_STRING || r->len >= sizeof(l->sha))
		rc = lerr_set(err, "rate limit: Redis at %s: SCRIPT LOAD gave no SHA", l->server);
	else
		memcpy(l->sha, r->str, r->len + 1);
	freeReplyObject(r);
	return rc;
}

/* Connects, authenticates, selects the database and loads the script. */
static int connect_redis(struct redis_limiter *l, struct lerr *err)
{
	struct timeval tv = { REDIS_TIMEOUT_S, 0 };
	l->ctx = redisConnectWithTimeout(l->target.host, l->target.port, tv);
	if (!l->ctx || l->ctx->err) {
		lerr_set(err, "rate limit: cannot reach Redis at %s: %s (start it, or correct "
			 "LUCHT_REDIS_URL / DAGSTER_SECRET_REDIS_HOST)", l->server,
			 l->ctx ? l->ctx->errstr : "out of memory");
		err->retryable = true;
		disconnect(l);
		return -1;
	}
	if (redisSetTimeout(l->ctx, tv) != REDIS_OK) {
		lerr_set(err, "rate limit: Redis at %s: cannot set a timeout: %s", l->server,
			 l->ctx->errstr);
		disconnect(l);
		return -1;
	}
	char db[16];
	snprintf(db, sizeof(db), "%d", l->target.db);
	const char *select[] = { "SELECT", db };
	if (authenticate(l, err) < 0 || (l->target.db && expect_ok(l, "SELECT", 2, select, err) < 0) ||
	    load_script(l, err) < 0) {
		disconnect(l);
		return -1;
	}
	return 0;
}

static int parse_answer(const struct redis_limiter *l, const redisReply *r, long long out[3],
			struct lerr *err)
{
	if (r->type == REDIS_REPLY_ERROR)
		return reply_error(l, "the rate limit script", r, err);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3)
		return lerr_set(err, "rate limit: Redis at %s: the script gave an unexpected answer",
				l->server);
	for (size_t i = 0; i < 3; i++) {
		if (r->element[i]->type != REDIS_REPLY_INTEGER)
			return lerr_set(err, "rate limit: Redis at %s: the script gave an unexpected "
					"answer", l->server);
		out[i] = r->element[i]->integer;
	}
	return 0;
}

/*
 * One run of the window script. A connection that served before and is lost now (Redis
 * restarted, or dropped it as idle while we slept) is made again once; a script Redis no
 * longer knows (restart, SCRIPT FLUSH) is loaded again once.
 */
static int run_script(struct redis_limiter *l, const char *op, const char *member,
		      long long out[3], struct lerr *err)
{
	bool fresh = false, reloaded = false;
	for (;;) {
		if (!l->ctx) {
			if (connect_redis(l, err) < 0)
				return -1;
			fresh = true;
		}
		const char *argv[] = { "EVALSHA", l->sha, "1", l->key, op, l->calls_arg,
				       l->period_arg, member };
		redisReply *r = command(l, 8, argv, err);
		if (!r) {
			if (fresh)
				return -1;
			fresh = true;
			continue;
		}
		if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0 && !reloaded) {
			freeReplyObject(r);
			reloaded = true;
			if (load_script(l, err) < 0)
				return -1;
			continue;
		}
		int rc = parse_answer(l, r, out, err);
		freeReplyObject(r);
		return rc;
	}
}

static int redis_try_acquire(struct limiter *base, int64_t *free_in_us, struct lerr *err)
{
	struct redis_limiter *l = redis_of(base);
	char member[sizeof(l->taken)];
	snprintf(member, sizeof(member), "%s:%" PRIu64, l->id, ++l->serial);
	long long a[3];
	if (run_script(l, "take", member, a, err) < 0)
		return -1;
	if (a[0] == 1) {
		memcpy(l->taken, member, sizeof(member));
		*free_in_us = 0;
	} else {
		*free_in_us = a[2] > 0 ? a[2] : 1;
	}
	return 0;
}

static int redis_done(struct limiter *base, struct lerr *err)
{
	struct redis_limiter *l = redis_of(base);
	if (!l->taken[0])
		return 0;
	char member[sizeof(l->taken)];
	memcpy(member, l->taken, sizeof(member));
	l->taken[0] = '\0';
	long long a[3];
	return run_script(l, "date", member, a, err);
}

static int redis_status(struct limiter *base, struct limiter_status *out, struct lerr *err)
{
	struct redis_limiter *l = redis_of(base);
	long long a[3];
	if (run_script(l, "peek", "", a, err) < 0)
		return -1;
	out->backend = base->ops->name;
	out->where = l->where;
	out->calls = base->calls;
	out->period = base->period;
	out->used = (int)a[1];
	out->next_free_in = (double)a[2] / 1e6;
	return 0;
}

static void redis_free(struct limiter *base)
{
	struct redis_limiter *l = redis_of(base);
	disconnect(l);
	redis_target_clear(&l->target);
	free(l);
}

static const struct limiter_ops redis_ops = {
	.name = "redis",
	.try_acquire = redis_try_acquire,
	.done = redis_done,
	.status = redis_status,
	.free = redis_free,
};

/* Members must be unique across every process and host that shares the window: a repeated
 * one would replace a slot instead of taking another. */
static int make_id(struct redis_limiter *l, struct lerr *err)
{
	char host[256] = "";
	uint64_t nonce;
	if (getrandom(&nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
		return lerr_set(err, "rate limit: no random number for the Redis members");
	gethostname(host, sizeof(host) - 1);
	snprintf(l->id, sizeof(l->id), "%s:%ld:%016" PRIx64, host, (long)getpid(), nonce);
	return 0;
}

struct limiter *limiter_redis_open(const struct redis_target *t, const char *key, int calls,
				   double period, double max_wait, struct lerr *err)
{
	struct limiter base;
	if (limiter_init(&base, &redis_ops, calls, REDIS_MAX_CALLS, period, max_wait, err) < 0)
		return NULL;
	if (strlen(key) >= REDIS_KEY_MAX) {
		lerr_set(err, "rate limit: the Redis key %.40s... is too long", key);
		return NULL;
	}
	struct redis_limiter *l = calloc(1, sizeof(*l));
	if (!l) {
		lerr_set(err, "rate limit: out of memory");
		return NULL;
	}
	l->base = base;
	l->target = *t;
	snprintf(l->key, sizeof(l->key), "%s", key);
	redis_target_name(t, l->server, sizeof(l->server));
	snprintf(l->where, sizeof(l->where), "%s key %s", l->server, l->key);
	snprintf(l->calls_arg, sizeof(l->calls_arg), "%d", calls);
	long long period_us = llround(period * 1e6);
	snprintf(l->period_arg, sizeof(l->period_arg), "%lld", period_us > 0 ? period_us : 1);
	/* Connecting now reports a wrong host or password before any request is sent. */
	if (make_id(l, err) < 0 || connect_redis(l, err) < 0) {
		redis_free(&l->base);
		return NULL;
	}
	return &l->base;
}
