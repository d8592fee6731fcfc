#ifndef LUCHT_STORE_STORE_H
#define LUCHT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct config;

/*
 * The instance store: runs, their event logs, materializations, partition statuses and
 * asset check results. An interface (struct store_ops) with one file per back-end:
 * store_sqlite.c now, store_postgres.c later. Many run processes use one store at once, so
 * every write is its own transaction (or one transaction where the comment says so).
 * Timestamps are microseconds since the epoch (0 = not yet). Strings in the structs below
 * that are char arrays are truncated safely; char * members are owned by the struct.
 */

#define STORE_ID_LEN 33       /* 32 hex characters + NUL */
#define STORE_NAME_LEN 64
#define STORE_KEY_LEN 64      /* partition keys: "2024-01-24|NL01485" */
#define STORE_HASH_LEN 65     /* SHA-256 in hex + NUL */

enum run_status {
	RUN_QUEUED,
	RUN_STARTING,
	RUN_STARTED,
	RUN_SUCCEEDED,
	RUN_FAILED,
	RUN_CANCELED,
};

const char *run_status_name(enum run_status s);               /* "queued", ... */
int run_status_parse(const char *s, enum run_status *out);    /* 0 or -1 */
bool run_status_finished(enum run_status s);                  /* succeeded, failed, canceled */

struct run {
	char id[STORE_ID_LEN];        /* set by run_create */
	char job[STORE_NAME_LEN];
	char asset[STORE_NAME_LEN];
	char partition[STORE_KEY_LEN];  /* "" for an unpartitioned asset */
	enum run_status status;
	char *tags_json;              /* a JSON object as text; NULL means {} */
	int attempt;                  /* 1 for the first attempt */
	int64_t created_at;           /* set by run_create */
	int64_t started_at;
	int64_t ended_at;
	char *error;                  /* NULL unless failed */
	int pid;                      /* process running it, 0 when none */
	char host[STORE_NAME_LEN];    /* host of that process */
};

void run_release(struct run *r);  /* frees tags_json and error */

struct run_list {
	struct run *v;
	size_t n;
};

void run_list_release(struct run_list *l);

struct run_filter {
	const char *asset;       /* NULL: any */
	const char *job;         /* NULL: any */
	const char *partition;   /* NULL: any */
	const char *id_prefix;   /* NULL: any; else runs whose id starts with it */
	int status;              /* an enum run_status, or -1 for any */
	size_t limit;            /* 0: no limit */
};

enum event_level { EVENT_DEBUG, EVENT_INFO, EVENT_WARNING, EVENT_ERROR };

const char *event_level_name(enum event_level l);  /* "debug", "info", "warning", "error" */
int event_level_parse(const char *s, enum event_level *out);  /* 0 or -1 */

struct run_event {
	int64_t id;                 /* increasing in the order events were appended */
	char run_id[STORE_ID_LEN];
	int64_t at;
	enum event_level level;
	char type[STORE_NAME_LEN];  /* RUN_START, RUN_SUCCESS, RUN_FAILURE, STEP_RETRY, HTTP, ASSET_MATERIALIZATION, ASSET_CHECK, LOG, ... */
	char *message;
};

struct event_list {
	struct run_event *v;
	size_t n;
};

void event_list_release(struct event_list *l);

struct check_result {
	char name[STORE_NAME_LEN];   /* "values_above_zero" */
	bool passed;
	bool blocking;               /* false: a failure is a warning */
	char *metadata_json;         /* JSON object text, NULL means {} */
};

struct materialization {
	char asset[STORE_NAME_LEN];
	char partition[STORE_KEY_LEN];
	char run_id[STORE_ID_LEN];
	int64_t rows;
	char data_version[STORE_HASH_LEN];
	char code_version[STORE_NAME_LEN];
	char *path;                  /* the file written */
	int64_t at;                  /* 0: now */
};

enum partition_state { PARTITION_MISSING, PARTITION_MATERIALIZED, PARTITION_FAILED };

const char *partition_state_name(enum partition_state s);  /* "missing", "materialized", "failed" */
int partition_state_parse(const char *s, enum partition_state *out);  /* 0 or -1 */

/*
 * What is known of one partition of an asset. A partition whose last attempt failed is
 * FAILED with that error, but keeps the rows, data version and time of its last successful
 * materialization (its file is still there): materialized_at != 0 says whether it has data.
 */
struct partition_status {
	char partition[STORE_KEY_LEN];
	enum partition_state state;
	int64_t rows;
	char data_version[STORE_HASH_LEN];
	int64_t materialized_at;     /* 0: never materialized */
	char run_id[STORE_ID_LEN];   /* the run of the last attempt */
	char *path;                  /* of the last materialization, NULL when none */
	char *error;                 /* of the last attempt, NULL unless failed */
	int64_t updated_at;
};

struct partition_status_list {
	struct partition_status *v;
	size_t n;
};

void partition_status_list_release(struct partition_status_list *l);
/* The status of one partition in a list from partition_status_list (sorted by key), or NULL. */
const struct partition_status *partition_status_find(const struct partition_status_list *l,
						     const char *partition);

struct stored_check {
	char run_id[STORE_ID_LEN];
	char partition[STORE_KEY_LEN];
	struct check_result result;
	int64_t at;
};

struct store;

struct store_ops {
	const char *name;  /* "sqlite", "postgres" */
	/* Inserts run with a new id and created_at (written back into run). */
	int (*run_create)(struct store *s, struct run *run, struct lerr *err);
	/* Writes status, attempt, started_at, ended_at, error, pid and host of run->id. */
	int (*run_update)(struct store *s, const struct run *run, struct lerr *err);
	/* Fails with "no run with id ..." when there is none. */
	int (*run_get)(struct store *s, const char *id, struct run *out, struct lerr *err);
	/* Newest first. */
	int (*run_list)(struct store *s, const struct run_filter *f, struct run_list *out,
			struct lerr *err);
	int (*event_append)(struct store *s, const char *run_id, enum event_level level,
			    const char *type, const char *message, struct lerr *err);
	/* Oldest first. */
	int (*event_list)(struct store *s, const char *run_id, struct event_list *out,
			  struct lerr *err);
	/* One transaction: the materialization row, its check results, the partition status
	 * (MATERIALIZED, error cleared) and an ASSET_MATERIALIZATION event on the run. */
	int (*materialization_commit)(struct store *s, const struct materialization *m,
				      const struct check_result *checks, size_t nchecks,
				      struct lerr *err);
	/* The partition's last attempt failed: state FAILED, error and run id recorded, the
	 * last materialization (if any) kept. */
	int (*partition_fail)(struct store *s, const char *asset, const char *partition,
			      const char *run_id, const char *error, struct lerr *err);
	/* Every partition of asset that the store knows of, sorted by partition key. */
	int (*partition_status_list)(struct store *s, const char *asset,
				     struct partition_status_list *out, struct lerr *err);
	/* Check results of one partition, newest first (for `partitions` and the UI). */
	int (*check_list)(struct store *s, const char *asset, const char *partition,
			  struct stored_check **out, size_t *n, struct lerr *err);
	void (*close)(struct store *s);
};

struct store {
	const struct store_ops *ops;
};

/* The back-end the configuration asks for: SQLite in $LUCHT_HOME/lucht.db unless
 * LUCHT_DATABASE_URL is set. Creates the folder and migrates the schema as needed. */
struct store *store_open(const struct config *c, struct lerr *err);
/* SQLite at path: WAL, foreign keys, busy timeout, schema version and migrations. */
struct store *store_sqlite_open(const char *path, struct lerr *err);

/* Accepts NULL, returns NULL. */
struct store *store_close(struct store *s);

static inline int store_run_create(struct store *s, struct run *r, struct lerr *e) { return s->ops->run_create(s, r, e); }
static inline int store_run_update(struct store *s, const struct run *r, struct lerr *e) { return s->ops->run_update(s, r, e); }
static inline int store_run_get(struct store *s, const char *id, struct run *o, struct lerr *e) { return s->ops->run_get(s, id, o, e); }
static inline int store_run_list(struct store *s, const struct run_filter *f, struct run_list *o, struct lerr *e) { return s->ops->run_list(s, f, o, e); }
static inline int store_event_append(struct store *s, const char *id, enum event_level l, const char *t, const char *m, struct lerr *e) { return s->ops->event_append(s, id, l, t, m, e); }
static inline int store_event_list(struct store *s, const char *id, struct event_list *o, struct lerr *e) { return s->ops->event_list(s, id, o, e); }
static inline int store_materialization_commit(struct store *s, const struct materialization *m, const struct check_result *c, size_t n, struct lerr *e) { return s->ops->materialization_commit(s, m, c, n, e); }
static inline int store_partition_fail(struct store *s, const char *a, const char *p, const char *id, const char *msg, struct lerr *e) { return s->ops->partition_fail(s, a, p, id, msg, e); }
static inline int store_partition_status_list(struct store *s, const char *a, struct partition_status_list *o, struct lerr *e) { return s->ops->partition_status_list(s, a, o, e); }
static inline int store_check_list(struct store *s, const char *a, const char *p, struct stored_check **o, size_t *n, struct lerr *e) { return s->ops->check_list(s, a, p, o, n, e); }

void stored_checks_free(struct stored_check *v, size_t n);

#endif
