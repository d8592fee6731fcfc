#include "ratelimit/limiter.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/civil_time.h"

/*
 * The embedded back-end. The state file holds the acquisitions still in the window, oldest
 * first, as microseconds of CLOCK_REALTIME: unlike the monotonic clock it means the same in
 * every process and survives a reboot. Every operation opens the file afresh and takes an
 * open-file-description lock, so that processes, threads and forked children each exclude one
 * another (a classic POSIX lock would be shared by all threads of a process, and a descriptor
 * inherited across fork would share its lock with the parent).
 * The file stays in the host's byte order: it never leaves the host.
 */
#define STATE_MAGIC "LUCHTRL1"
#define LOCAL_MAX_CALLS 1000000       /* the whole file is read on every acquire */

struct state_header {
	char magic[8];
	uint32_t calls;  /* of the process that wrote it; others may be configured differently */
	uint32_t count;
};

struct state_file {
	struct state_header hdr;
	int64_t stamps[];
};

struct local_limiter {
	struct limiter base;
	char *path;
	int64_t period_us;
	int64_t taken_us;  /* the stamp of the slot awaiting limiter_done; 0: none */
};

/* The state file opened and locked for one operation. */
struct state {
	int fd;
	struct state_file *file;  /* room for calls stamps */
};

static struct local_limiter *local_of(struct limiter *l)
{
	return (struct local_limiter *)l;
}

static int state_error(const struct local_limiter *l, const char *what, struct lerr *err)
{
	return lerr_set(err, "rate limit state %s: %s: %s", l->path, what, strerror(errno));
}

static void state_close(struct state *st)
{
	/* Closing the only descriptor of the open file description releases its lock. */
	if (st->fd >= 0)
		close(st->fd);
	free(st->file);
	st->fd = -1;
	st->file = NULL;
}

static int state_open(const struct local_limiter *l, short lock_type, struct state *st,
		      struct lerr *err)
{
	st->file = malloc(sizeof(struct state_file) + (size_t)l->base.calls * sizeof(int64_t));
	st->fd = -1;
	if (!st->file)
		return lerr_set(err, "rate limit: out of memory");
	st->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (st->fd < 0) {
		state_error(l, "open", err);
		goto fail;
	}
	struct flock fl = { .l_type = lock_type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	while (fcntl(st->fd, F_OFD_SETLKW, &fl) < 0) {
		if (errno != EINTR) {
			state_error(l, "lock", err);
			goto fail;
		}
	}
	return 0;
fail:
	state_close(st);
	return -1;
}

static int read_exact(int fd, void *p, size_t len, off_t offset)
{
	while (len > 0) {
		ssize_t n = pread(fd, p, len, offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 1;  /* 1: the file is shorter than it says */
		p = (char *)p + n;
		len -= (size_t)n;
		offset += n;
	}
	return 0;
}

/*
 * Loads the newest stamps that fit our calls into st->file, none for a new, short or corrupt
 * file (which the next write then replaces). Stamps ahead of now (the wall clock was set back)
 * count as taken now, or they would hold their slots for as long as the clock jumped.
 */
static int state_read(const struct local_limiter *l, struct state *st, int64_t now,
		      struct lerr *err)
{
	struct state_file *f = st->file;
	struct state_header hdr;
	struct stat sb;
	memcpy(f->hdr.magic, STATE_MAGIC, sizeof(f->hdr.magic));
	f->hdr.calls = (uint32_t)l->base.calls;
	f->hdr.count = 0;
	if (fstat(st->fd, &sb) < 0)
		return state_error(l, "stat", err);
	if ((size_t)sb.st_size < sizeof(hdr))
		return 0;
	int rc = read_exact(st->fd, &hdr, sizeof(hdr), 0);
	if (rc < 0)
		return state_error(l, "read", err);
	if (rc > 0 || memcmp(hdr.magic, STATE_MAGIC, sizeof(hdr.magic)) != 0 ||
	    hdr.count > LOCAL_MAX_CALLS ||
	    (size_t)sb.st_size != sizeof(hdr) + (size_t)hdr.count * sizeof(int64_t))
		return 0;
	uint32_t keep = hdr.count < f->hdr.calls ? hdr.count : f->hdr.calls;
	off_t from = (off_t)(sizeof(hdr) + (size_t)(hdr.count - keep) * sizeof(int64_t));
	rc = read_exact(st->fd, f->stamps, keep * sizeof(int64_t), from);
	if (rc < 0)
		return state_error(l, "read", err);
	if (rc > 0)
		return 0;
	for (uint32_t i = 1; i < keep; i++)
		if (f->stamps[i] < f->stamps[i - 1])
			return 0;
	for (uint32_t i = 0; i < keep; i++)
		if (f->stamps[i] > now)
			f->stamps[i] = now;
	f->hdr.count = keep;
	return 0;
}

/* Drops the stamps that have left the trailing window (t, t + period]. */
static void state_prune(const struct local_limiter *l, struct state *st, int64_t now)
{
	struct state_file *f = st->file;
	uint32_t gone = 0;
	while (gone < f->hdr.count && f->stamps[gone] + l->period_us <= now)
		gone++;
	memmove(f->stamps, f->stamps + gone, (f->hdr.count - gone) * sizeof(int64_t));
	f->hdr.count -= gone;
}

static int state_write(const struct local_limiter *l, struct state *st, struct lerr *err)
{
	size_t len = sizeof(struct state_header) + st->file->hdr.count * sizeof(int64_t);
	const char *p = (const char *)st->file;
	for (size_t done = 0; done < len; ) {
		ssize_t n = pwrite(st->fd, p + done, len - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return state_error(l, "write", err);
		done += (size_t)n;
	}
	if (ftruncate(st->fd, (off_t)len) < 0)
		return state_error(l, "truncate", err);
	return 0;
}

/* One locked attempt: takes a slot (*free_in_us = 0) or says how long until one frees. */
static int local_try_acquire(struct limiter *base, int64_t *free_in_us, struct lerr *err)
{
	struct local_limiter *l = local_of(base);
	struct state st;
	if (state_open(l, F_WRLCK, &st, err) < 0)
		return -1;
	int64_t now = time_now_us();
	int rc = state_read(l, &st, now, err);
	if (rc < 0)
		goto close;
	state_prune(l, &st, now);
	struct state_file *f = st.file;
	if (f->hdr.count < f->hdr.calls) {
		f->stamps[f->hdr.count++] = now;
		*free_in_us = 0;
		rc = state_write(l, &st, err);
		l->taken_us = rc == 0 ? now : 0;
	} else {
		*free_in_us = f->stamps[0] + l->period_us - now;
	}
close:
	state_close(&st);
	return rc;
}

/*
 * Moves the stamp taken_us to now. Every other stamp is at most now (state_read saw to
 * that), so it goes last and the log stays in order. Another stamp with the same value
 * stands for the same instant, so taking it instead changes nothing. A stamp no longer in
 * the log (its request outlived the window, or the clock was set back) stays gone.
 */
static bool state_redate(struct state *st, int64_t taken_us, int64_t now)
{
	struct state_file *f = st->file;
	for (uint32_t i = f->hdr.count; i-- > 0; ) {
		if (f->stamps[i] != taken_us)
			continue;
		memmove(f->stamps + i, f->stamps + i + 1, (f->hdr.count - i - 1) * sizeof(int64_t));
		f->stamps[f->hdr.count - 1] = now;
		return true;
	}
	return false;
}

static int local_done(struct limiter *base, struct lerr *err)
{
	struct local_limiter *l = local_of(base);
	if (!l->taken_us)
		return 0;
	int64_t taken_us = l->taken_us;
	l->taken_us = 0;
	struct state st;
	if (state_open(l, F_WRLCK, &st, err) < 0)
		return -1;
	int64_t now = time_now_us();
	int rc = state_read(l, &st, now, err);
	if (rc == 0 && state_redate(&st, taken_us, now))
		rc = state_write(l, &st, err);
	state_close(&st);
	return rc;
}

static int local_status(struct limiter *base, struct limiter_status *out, struct lerr *err)
{
	const struct local_limiter *l = local_of(base);
	struct state st;
	if (state_open(l, F_RDLCK, &st, err) < 0)
		return -1;
	int64_t now = time_now_us();
	int rc = state_read(l, &st, now, err);
	if (rc == 0) {
		state_prune(l, &st, now);
		const struct state_file *f = st.file;
		out->backend = base->ops->name;
		out->where = l->path;
		out->calls = base->calls;
		out->period = base->period;
		out->used = (int)f->hdr.count;
		out->next_free_in = f->hdr.count < f->hdr.calls
					    ? 0
					    : (double)(f->stamps[0] + l->period_us - now) / 1e6;
	}
	state_close(&st);
	return rc;
}

static void local_free(struct limiter *base)
{
	struct local_limiter *l = local_of(base);
	free(l->path);
	free(l);
}

static const struct limiter_ops local_ops = {
	.name = "local",
	.try_acquire = local_try_acquire,
	.done = local_done,
	.status = local_status,
	.free = local_free,
};

struct limiter *limiter_local_open(const char *path, int calls, double period, double max_wait,
				   struct lerr *err)
{
	struct limiter base;
	if (limiter_init(&base, &local_ops, calls, LOCAL_MAX_CALLS, period, max_wait, err) < 0)
		return NULL;
	struct local_limiter *l = calloc(1, sizeof(*l));
	if (!l || !(l->path = strdup(path))) {
		free(l);
		lerr_set(err, "rate limit: out of memory");
		return NULL;
	}
	l->base = base;
	l->period_us = llround(period * 1e6);
	if (l->period_us < 1)
		l->period_us = 1;
	/* Opening once here reports a bad path now rather than at the first request. */
	struct state st;
	if (state_open(l, F_RDLCK, &st, err) < 0) {
		local_free(&l->base);
		return NULL;
	}
	state_close(&st);
	return &l->base;
}
