#include "ratelimit/limiter.h"

#include <errno.h>
#include <string.h>

#include "util/buf.h"
#include "util/config.h"
#include "util/fs.h"

struct limiter *limiter_open(const struct config *c, struct lerr *err)
{
	/* Never fall back to the local limiter when Redis was asked for: processes on other
	 * hosts would then share no limit at all. */
	if (c->redis_url[0]) {
		lerr_set(err, "LUCHT_REDIS_URL is set but the Redis rate limiter is not built yet");
		return NULL;
	}
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

struct limiter *limiter_free(struct limiter *l)
{
	if (l)
		l->ops->free(l);
	return NULL;
}
