#include "store/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/config.h"
#include "util/fs.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const run_status_names[] = {
	[RUN_QUEUED] = "queued",
	[RUN_STARTING] = "starting",
	[RUN_STARTED] = "started",
	[RUN_SUCCEEDED] = "succeeded",
	[RUN_FAILED] = "failed",
	[RUN_CANCELED] = "canceled",
};

static const char *const event_level_names[] = {
	[EVENT_DEBUG] = "debug",
	[EVENT_INFO] = "info",
	[EVENT_WARNING] = "warning",
	[EVENT_ERROR] = "error",
};

static const char *const partition_state_names[] = {
	[PARTITION_MISSING] = "missing",
	[PARTITION_MATERIALIZED] = "materialized",
	[PARTITION_FAILED] = "failed",
};

static const char *name_of(const char *const *names, size_t n, int i)
{
	return i >= 0 && (size_t)i < n ? names[i] : "unknown";
}

/* The index of s in names, or -1. */
static int index_of(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const char *run_status_name(enum run_status s)
{
	return name_of(run_status_names, COUNT(run_status_names), (int)s);
}

int run_status_parse(const char *s, enum run_status *out)
{
	int i = index_of(run_status_names, COUNT(run_status_names), s);
	if (i < 0)
		return -1;
	*out = (enum run_status)i;
	return 0;
}

bool run_status_finished(enum run_status s)
{
	return s == RUN_SUCCEEDED || s == RUN_FAILED || s == RUN_CANCELED;
}

const char *event_level_name(enum event_level l)
{
	return name_of(event_level_names, COUNT(event_level_names), (int)l);
}

int event_level_parse(const char *s, enum event_level *out)
{
	int i = index_of(event_level_names, COUNT(event_level_names), s);
	if (i < 0)
		return -1;
	*out = (enum event_level)i;
	return 0;
}

const char *partition_state_name(enum partition_state s)
{
	return name_of(partition_state_names, COUNT(partition_state_names), (int)s);
}

int partition_state_parse(const char *s, enum partition_state *out)
{
	int i = index_of(partition_state_names, COUNT(partition_state_names), s);
	if (i < 0)
		return -1;
	*out = (enum partition_state)i;
	return 0;
}

static int compare_partition(const void *key, const void *status)
{
	return strcmp(key, ((const struct partition_status *)status)->partition);
}

const struct partition_status *partition_status_find(const struct partition_status_list *l,
						     const char *partition)
{
	/* bsearch must not be handed the NULL of an empty list. */
	if (l->n == 0)
		return NULL;
	return bsearch(partition, l->v, l->n, sizeof(*l->v), compare_partition);
}

void run_release(struct run *r)
{
	if (!r)
		return;
	free(r->tags_json);
	free(r->error);
	r->tags_json = NULL;
	r->error = NULL;
}

void run_list_release(struct run_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		run_release(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void event_list_release(struct event_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].message);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void partition_status_list_release(struct partition_status_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].error);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void stored_checks_free(struct stored_check *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i].result.metadata_json);
	free(v);
}

struct store *store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
	return NULL;
}

struct store *store_open(const struct config *c, struct lerr *err)
{
	if (c->database_url && c->database_url[0]) {
		lerr_set(err, "LUCHT_DATABASE_URL is set but this build has no PostgreSQL back-end yet");
		return NULL;
	}
	if (!c->home || !c->home[0]) {
		lerr_set(err, "LUCHT_HOME is empty: it must name the instance folder");
		return NULL;
	}
	char path[PATH_MAX];
	int len = snprintf(path, sizeof(path), "%s/lucht.db", c->home);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		lerr_set(err, "instance folder %.100s...: the path is too long", c->home);
		return NULL;
	}
	if (fs_mkdir_parents(c->home, false, err) < 0) {
		lerr_prefix(err, "cannot create instance folder %s (LUCHT_HOME)", c->home);
		return NULL;
	}
	return store_sqlite_open(path, err);
}
