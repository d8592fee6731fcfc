#include "ratelimit/limiter.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/fs.h"

/* Sleep a little past the instant a slot frees, so that the next attempt finds it free. */
#define WAKE_MARGIN_US 1000

static struct limiter *open_redis(const struct config *c, struct lerr *err)
{
	struct redis_target t;
	struct limiter *l = NULL;
	if (config_redis_target(c->redis_url, &t, err) == 0) {
		char key[64];
		/* The original's key name. Its members are scored in microseconds of Redis's clock,
		 * not the original library's client seconds: the two must not share one Redis. */
		snprintf(key, sizeof(key), "luchtmeetnet_api_%s", c->env);
		l = limiter_redis_open(&t, key, c->rate_calls, c->rate_period, c->rate_max_wait, err);
	}
	redis_target_clear(&t);
	return l;
}

struct limiter *limiter_open(const struct config *c, struct lerr *err)
{
	/* Never fall back to the local limiter when Redis was asked for: processes on other
	 * hosts would then share no limit at all. */
	if (c->redis_url[0])
		return open_redis(c, err);
	if (fs_mkdir_parents(c->home, false, err) < 0) {
		lerr_prefix(err, "LUCHT_HOME");
		return NULL;
	}
	struct buf path;
	buf_init(&path, 64 * 1024);
	if (buf_printf(&path, "%s/ratelimit-%s.state", c->home, c->env) < 0) {
		lerr_set(err, "LUCHT_HOME is too long");
		buf_release(&path);
		return NULL;
	}
	struct limiter *l = limiter_local_open(buf_str(&path), c->rate_calls, c->rate_period,
					       c->rate_max_wait, err);
	buf_release(&path);
	return l;
}

int limiter_init(struct limiter *l, const struct limiter_ops *ops, int calls, int max_calls,
		 double period, double max_wait, struct lerr *err)
{
	if (calls < 1 || calls > max_calls)
		return lerr_set(err, "rate limit: %d calls per period is outside 1 to %d", calls,
				max_calls);
	if (!isfinite(period) || period <= 0 || period > 1e9 || !isfinite(max_wait) || max_wait < 0)
		return lerr_set(err, "rate limit: period %g s or maximum wait %g s is out of range",
				period, max_wait);
	l->ops = ops;
	l->calls = calls;
	l->period = period;
	l->max_wait = max_wait;
	l->should_abort = NULL;
	return 0;
}

/* Sleeps for seconds, through signals unless should_abort says to stop; returns the seconds
 * that actually passed. */
static double sleep_for(const struct limiter *l, double seconds)
{
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct timespec left = { (time_t)seconds, (long)((seconds - floor(seconds)) * 1e9) };
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		if (l->should_abort && l->should_abort())
			break;
	clock_gettime(CLOCK_MONOTONIC, &end);
	return (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
}

int limiter_acquire(struct limiter *l, double *waited, struct lerr *err)
{
	double slept = 0;
	int rc;
	for (;;) {
		int64_t free_in_us;
		rc = l->ops->try_acquire(l, &free_in_us, err);
		if (rc < 0 || free_in_us == 0)
			break;
		double need = (double)(free_in_us + WAKE_MARGIN_US) / 1e6;
		if (slept + need > l->max_wait) {
			rc = lerr_set(err, "rate limit: waited %.1f s and the window (%d per %g s) is "
				      "still full; raise LUCHT_RATE_MAX_WAIT or try later",
				      slept, l->calls, l->period);
			err->retryable = true;
			err->retry_after = need;
			break;
		}
		slept += sleep_for(l, need);
		if (l->should_abort && l->should_abort()) {
			rc = lerr_set(err, "rate limit: interrupted after waiting %.1f s for a slot",
				      slept);
			break;
		}
	}
	if (waited)
		*waited = slept;
	return rc;
}

struct limiter *limiter_free(struct limiter *l)
{
	if (l)
		l->ops->free(l);
	return NULL;
}
