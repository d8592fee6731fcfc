#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <sqlite3.h>

#include "util/civil_time.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

/* Many run processes write at once; a writer waits this long for the others. */
#define BUSY_TIMEOUT_MS 10000
/* "LUCH": marks a database as ours, so that another program's SQLite file is never migrated. */
#define LUCHT_APPLICATION_ID 0x4c554348

/*
 * Migration i brings the schema from version i to i + 1 (PRAGMA user_version). Append new
 * ones; never edit one that has shipped.
 */
static const char *const migrations[] = {
	"CREATE TABLE runs ("
	" id TEXT PRIMARY KEY,"
	" job TEXT NOT NULL,"
	" asset TEXT NOT NULL,"
	" partition_key TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('queued', 'starting', 'started', 'succeeded', 'failed', 'canceled')),"
	" tags_json TEXT NOT NULL DEFAULT '{}',"
	" attempt INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" started_at INTEGER NOT NULL DEFAULT 0,"
	" ended_at INTEGER NOT NULL DEFAULT 0,"
	" error TEXT,"
	" pid INTEGER NOT NULL DEFAULT 0,"
	" host TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX runs_asset_partition ON runs (asset, partition_key);"
	"CREATE INDEX runs_status ON runs (status);"
	"CREATE INDEX runs_created_at ON runs (created_at);"
	"CREATE TABLE run_events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" run_id TEXT NOT NULL REFERENCES runs (id),"
	" at INTEGER NOT NULL,"
	" level TEXT NOT NULL CHECK (level IN ('debug', 'info', 'warning', 'error')),"
	" type TEXT NOT NULL,"
	" message TEXT NOT NULL);"
	"CREATE INDEX run_events_run_id ON run_events (run_id);"
	"CREATE TABLE materializations ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" asset TEXT NOT NULL,"
	" partition_key TEXT NOT NULL,"
	" run_id TEXT NOT NULL REFERENCES runs (id),"
	" rows INTEGER NOT NULL,"
	" data_version TEXT NOT NULL,"
	" code_version TEXT NOT NULL,"
	" path TEXT,"
	" at INTEGER NOT NULL);"
	"CREATE INDEX materializations_asset_partition ON materializations (asset, partition_key);"
	"CREATE TABLE asset_partitions ("
	" asset TEXT NOT NULL,"
	" partition_key TEXT NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('materialized', 'failed')),"
	" rows INTEGER NOT NULL DEFAULT 0,"
	" data_version TEXT,"
	" materialized_at INTEGER NOT NULL DEFAULT 0,"
	" run_id TEXT,"
	" path TEXT,"
	" error TEXT,"
	" updated_at INTEGER NOT NULL,"
	" PRIMARY KEY (asset, partition_key));"
	"CREATE TABLE check_results ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" asset TEXT NOT NULL,"
	" partition_key TEXT NOT NULL,"
	" run_id TEXT NOT NULL REFERENCES runs (id),"
	" name TEXT NOT NULL,"
	" passed INTEGER NOT NULL,"
	" blocking INTEGER NOT NULL,"
	" metadata_json TEXT NOT NULL DEFAULT '{}',"
	" at INTEGER NOT NULL);"
	"CREATE INDEX check_results_asset_partition ON check_results (asset, partition_key);"
	"PRAGMA application_id = " STR(LUCHT_APPLICATION_ID) ";",
};

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;
};

static struct sqlite_store *to_sqlite(struct store *s)
{
	return (struct sqlite_store *)s;
}

/* ---- errors ---- */

static int not_ours(const struct sqlite_store *s, const char *why, struct lerr *err)
{
	return lerr_set(err, "%s is not a lucht instance database: %s; move it away or set LUCHT_HOME",
			s->path, why);
}

/* rc is the result of the call that failed; the message is the connection's. */
static int db_error(const struct sqlite_store *s, int rc, struct lerr *err)
{
	const char *msg = sqlite3_errmsg(s->db);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		lerr_set(err, "instance database %s: another process holds it locked (gave up after %d s): %s",
			 s->path, BUSY_TIMEOUT_MS / 1000, msg);
		if (err)
			err->retryable = true;
		return -1;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return not_ours(s, msg, err);
	default:
		return lerr_set(err, "instance database %s: %s", s->path, msg);
	}
}

static int no_such_run(const char *id, struct lerr *err)
{
	return lerr_set(err, "no run with id %s", id);
}

/* Every foreign key of the schema points at a run, so a broken one means an unknown run id. */
static bool run_missing(const struct sqlite_store *s)
{
	return sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
}

/* ---- statements ---- */

/* SQL without values: pragmas, transactions, migrations. */
static int exec(struct sqlite_store *s, const char *sql, struct lerr *err)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_error(s, rc, err);
}

static int prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **st, struct lerr *err)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
	return rc == SQLITE_OK ? 0 : db_error(s, rc, err);
}

/*
 * Binds the parameters in order, one letter of types each: 's' text (NULL binds NULL),
 * 'i' int (bools too), 'I' int64_t. The strings must outlive the statement's steps.
 */
static int bind_va(struct sqlite_store *s, sqlite3_stmt *st, struct lerr *err, const char *types,
		   va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		const char *text;
		switch (types[i]) {
		case 's':
			text = va_arg(ap, const char *);
			rc = text ? sqlite3_bind_text(st, i + 1, text, -1, SQLITE_STATIC)
				  : sqlite3_bind_null(st, i + 1);
			break;
		case 'i':
			rc = sqlite3_bind_int(st, i + 1, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc == SQLITE_OK ? 0 : db_error(s, rc, err);
}

/* A statement prepared with its parameters bound (see bind_va); nothing to finalize on
 * failure. */
static int prepare_bound(struct sqlite_store *s, sqlite3_stmt **st, struct lerr *err,
			 const char *sql, const char *types, va_list ap)
{
	if (prepare(s, sql, st, err) < 0)
		return -1;
	if (bind_va(s, *st, err, types, ap) == 0)
		return 0;
	sqlite3_finalize(*st);
	return -1;
}

/* One statement that returns no rows, with its parameters. */
static int run_sql(struct sqlite_store *s, struct lerr *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	int rc = prepare_bound(s, &st, err, sql, types, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	int step = sqlite3_step(st);
	if (step != SQLITE_DONE)
		rc = db_error(s, step, err);
	sqlite3_finalize(st);
	return rc;
}

/* The first n columns of the one row that sql returns: one statement, so one snapshot. */
static int query_ints(struct sqlite_store *s, const char *sql, int64_t *out, int n,
		      struct lerr *err)
{
	sqlite3_stmt *st;
	if (prepare(s, sql, &st, err) < 0)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		for (int i = 0; i < n; i++)
			out[i] = sqlite3_column_int64(st, i);
	else
		db_error(s, rc, err);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* ---- transactions ---- */

static void rollback(struct sqlite_store *s)
{
	/* Some errors end the transaction by themselves; ROLLBACK would then fail. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* IMMEDIATE takes the write lock up front, waiting for it under the busy timeout, rather
 * than failing at the first write when another process wrote since our first read. */
static int begin(struct sqlite_store *s, struct lerr *err)
{
	return exec(s, "BEGIN IMMEDIATE", err);
}

static int commit(struct sqlite_store *s, struct lerr *err)
{
	if (exec(s, "COMMIT", err) == 0)
		return 0;
	rollback(s);
	return -1;
}

/* ---- reading rows ---- */

static void copy_text(sqlite3_stmt *st, int col, char *dst, size_t size)
{
	const char *v = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, size, "%s", v ? v : "");
}

/* NULL stays NULL. */
static int dup_text(sqlite3_stmt *st, int col, char **dst, struct lerr *err)
{
	*dst = NULL;
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return 0;
	const char *v = (const char *)sqlite3_column_text(st, col);
	if (v)
		*dst = strdup(v);
	return *dst ? 0 : lerr_set(err, "out of memory");
}

/* How to read one kind of row; release frees what read allocated, also after a failed read. */
struct row_type {
	size_t size;
	int (*read)(sqlite3_stmt *st, void *row, struct lerr *err);
	void (*release)(void *row);
};

#define RUN_COLUMNS \
	"id, job, asset, partition_key, status, tags_json, attempt, created_at, started_at, " \
	"ended_at, error, pid, host"

static int read_run(sqlite3_stmt *st, void *row, struct lerr *err)
{
	struct run *r = row;
	memset(r, 0, sizeof(*r));
	copy_text(st, 0, r->id, sizeof(r->id));
	copy_text(st, 1, r->job, sizeof(r->job));
	copy_text(st, 2, r->asset, sizeof(r->asset));
	copy_text(st, 3, r->partition, sizeof(r->partition));
	const char *status = (const char *)sqlite3_column_text(st, 4);
	if (run_status_parse(status, &r->status) < 0)
		return lerr_set(err, "run %s has an unknown status \"%s\"", r->id, status ? status : "");
	r->attempt = sqlite3_column_int(st, 6);
	r->created_at = sqlite3_column_int64(st, 7);
	r->started_at = sqlite3_column_int64(st, 8);
	r->ended_at = sqlite3_column_int64(st, 9);
	r->pid = sqlite3_column_int(st, 11);
	copy_text(st, 12, r->host, sizeof(r->host));
	if (dup_text(st, 5, &r->tags_json, err) < 0 || dup_text(st, 10, &r->error, err) < 0)
		return -1;
	return 0;
}

static void release_run(void *row)
{
	run_release(row);
}

static const struct row_type run_rows = { sizeof(struct run), read_run, release_run };

#define EVENT_COLUMNS "id, run_id, at, level, type, message"

static int read_event(sqlite3_stmt *st, void *row, struct lerr *err)
{
	struct run_event *e = row;
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	copy_text(st, 1, e->run_id, sizeof(e->run_id));
	e->at = sqlite3_column_int64(st, 2);
	const char *level = (const char *)sqlite3_column_text(st, 3);
	if (event_level_parse(level, &e->level) < 0)
		return lerr_set(err, "event %" PRId64 " has an unknown level \"%s\"", e->id,
				level ? level : "");
	copy_text(st, 4, e->type, sizeof(e->type));
	return dup_text(st, 5, &e->message, err);
}

static void release_event(void *row)
{
	free(((struct run_event *)row)->message);
}

static const struct row_type event_rows = { sizeof(struct run_event), read_event, release_event };

#define PARTITION_COLUMNS \
	"partition_key, state, rows, data_version, materialized_at, run_id, path, error, updated_at"

static int read_partition(sqlite3_stmt *st, void *row, struct lerr *err)
{
	struct partition_status *p = row;
	memset(p, 0, sizeof(*p));
	copy_text(st, 0, p->partition, sizeof(p->partition));
	const char *state = (const char *)sqlite3_column_text(st, 1);
	if (partition_state_parse(state, &p->state) < 0)
		return lerr_set(err, "partition %s has an unknown state \"%s\"", p->partition,
				state ? state : "");
	p->rows = sqlite3_column_int64(st, 2);
	copy_text(st, 3, p->data_version, sizeof(p->data_version));
	p->materialized_at = sqlite3_column_int64(st, 4);
	copy_text(st, 5, p->run_id, sizeof(p->run_id));
	p->updated_at = sqlite3_column_int64(st, 8);
	if (dup_text(st, 6, &p->path, err) < 0 || dup_text(st, 7, &p->error, err) < 0)
		return -1;
	return 0;
}

static void release_partition(void *row)
{
	struct partition_status *p = row;
	free(p->path);
	free(p->error);
}

static const struct row_type partition_rows = {
	sizeof(struct partition_status), read_partition, release_partition
};

#define CHECK_COLUMNS "run_id, partition_key, name, passed, blocking, metadata_json, at"

static int read_check(sqlite3_stmt *st, void *row, struct lerr *err)
{
	struct stored_check *c = row;
	memset(c, 0, sizeof(*c));
	copy_text(st, 0, c->run_id, sizeof(c->run_id));
	copy_text(st, 1, c->partition, sizeof(c->partition));
	copy_text(st, 2, c->result.name, sizeof(c->result.name));
	c->result.passed = sqlite3_column_int(st, 3) != 0;
	c->result.blocking = sqlite3_column_int(st, 4) != 0;
	c->at = sqlite3_column_int64(st, 6);
	return dup_text(st, 5, &c->result.metadata_json, err);
}

static void release_check(void *row)
{
	free(((struct stored_check *)row)->result.metadata_json);
}

static const struct row_type check_rows = { sizeof(struct stored_check), read_check, release_check };

static void release_rows(const struct row_type *type, void *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		type->release((char *)v + i * type->size);
	free(v);
}

static int step_rows(struct sqlite_store *s, sqlite3_stmt *st, const struct row_type *type,
		     void **out, size_t *nout, struct lerr *err)
{
	char *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char *nv = realloc(v, ncap * type->size);
			if (!nv) {
				lerr_set(err, "out of memory");
				goto fail;
			}
			v = nv;
			cap = ncap;
		}
		/* counted before it is read: a failed read leaves allocations to release */
		if (type->read(st, v + n++ * type->size, err) < 0) {
			lerr_prefix(err, "instance database %s", s->path);
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		db_error(s, rc, err);
		goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	release_rows(type, v, n);
	return -1;
}

/* Every row of a query with parameters (see bind_va); out is left alone on failure. */
static int query_rows(struct sqlite_store *s, const struct row_type *type, void **out, size_t *n,
		      struct lerr *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	va_start(ap, types);
	int rc = prepare_bound(s, &st, err, sql, types, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = step_rows(s, st, type, out, n, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- runs ---- */

static int new_run_id(char out[STORE_ID_LEN], struct lerr *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[(STORE_ID_LEN - 1) / 2];
	size_t got = 0;
	while (got < sizeof(bytes)) {
		ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
		if (n < 0 && errno != EINTR)
			return lerr_set(err, "cannot make a run id: getrandom: %s", strerror(errno));
		if (n > 0)
			got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(bytes); i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	out[STORE_ID_LEN - 1] = '\0';
	return 0;
}

static int sqlite_run_create(struct store *base, struct run *run, struct lerr *err)
{
	struct sqlite_store *s = to_sqlite(base);
	char id[STORE_ID_LEN];
	if (new_run_id(id, err) < 0)
		return -1;
	int64_t now = time_now_us();
	if (run_sql(s, err,
		    "INSERT INTO runs (" RUN_COLUMNS ")"
		    " VALUES (?, ?, ?, ?, ?, coalesce(?, '{}'), ?, ?, ?, ?, ?, ?, ?)",
		    "ssssssiIIIsis", id, run->job, run->asset, run->partition,
		    run_status_name(run->status), run->tags_json, run->attempt, now, run->started_at,
		    run->ended_at, run->error, run->pid, run->host) < 0)
		return -1;
	memcpy(run->id, id, sizeof(id));
	run->created_at = now;
	return 0;
}

static int sqlite_run_update(struct store *base, const struct run *run, struct lerr *err)
{
	struct sqlite_store *s = to_sqlite(base);
	if (run_sql(s, err,
		    "UPDATE runs SET status = ?, attempt = ?, started_at = ?, ended_at = ?, error = ?,"
		    " pid = ?, host = ? WHERE id = ?",
		    "siIIsiss", run_status_name(run->status), run->attempt, run->started_at,
		    run->ended_at, run->error, run->pid, run->host, run->id) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : no_such_run(run->id, err);
}

static int sqlite_run_get(struct store *base, const char *id, struct run *out, struct lerr *err)
{
	void *v;
	size_t n;
	if (query_rows(to_sqlite(base), &run_rows, &v, &n, err,
		       "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?", "s", id) < 0)
		return -1;
	int rc = n ? 0 : no_such_run(id, err);
	if (n)
		*out = *(struct run *)v;
	free(v);
	return rc;
}

static int sqlite_run_list(struct store *base, const struct run_filter *f, struct run_list *out,
			   struct lerr *err)
{
	static const struct run_filter any = { .status = -1 };
	if (!f)
		f = &any;
	/* One fixed statement: a NULL parameter switches its condition off. */
	void *v;
	size_t n;
	if (query_rows(to_sqlite(base), &run_rows, &v, &n, err,
		       "SELECT " RUN_COLUMNS " FROM runs"
		       " WHERE (?1 IS NULL OR asset = ?1) AND (?2 IS NULL OR job = ?2)"
		       " AND (?3 IS NULL OR partition_key = ?3) AND (?4 IS NULL OR status = ?4)"
		       " AND (?6 IS NULL OR substr(id, 1, length(?6)) = ?6)"
		       " ORDER BY created_at DESC, rowid DESC LIMIT ?5",
		       "ssssIs", f->asset, f->job, f->partition,
		       f->status >= 0 ? run_status_name((enum run_status)f->status) : NULL,
		       f->limit ? (int64_t)f->limit : (int64_t)-1, f->id_prefix) < 0)
		return -1;
	out->v = v;
	out->n = n;
	return 0;
}

/* ---- events ---- */

static int append_event(struct sqlite_store *s, const char *run_id, enum event_level level,
			const char *type, const char *message, struct lerr *err)
{
	return run_sql(s, err,
		       "INSERT INTO run_events (run_id, at, level, type, message) VALUES (?, ?, ?, ?, ?)",
		       "sIsss", run_id, time_now_us(), event_level_name(level), type,
		       message ? message : "");
}

static int sqlite_event_append(struct store *base, const char *run_id, enum event_level level,
			       const char *type, const char *message, struct lerr *err)
{
	struct sqlite_store *s = to_sqlite(base);
	if (append_event(s, run_id, level, type, message, err) == 0)
		return 0;
	return run_missing(s) ? no_such_run(run_id, err) : -1;
}

static int sqlite_event_list(struct store *base, const char *run_id, struct event_list *out,
			     struct lerr *err)
{
	void *v;
	size_t n;
	if (query_rows(to_sqlite(base), &event_rows, &v, &n, err,
		       "SELECT " EVENT_COLUMNS " FROM run_events WHERE run_id = ? ORDER BY id",
		       "s", run_id) < 0)
		return -1;
	out->v = v;
	out->n = n;
	return 0;
}

/* ---- materializations, partitions, checks ---- */

static int insert_check(struct sqlite_store *s, const struct materialization *m,
			const struct check_result *c, int64_t at, struct lerr *err)
{
	return run_sql(s, err,
		       "INSERT INTO check_results (asset, partition_key, run_id, name, passed, blocking,"
		       " metadata_json, at) VALUES (?, ?, ?, ?, ?, ?, coalesce(?, '{}'), ?)",
		       "ssssiisI", m->asset, m->partition, m->run_id, c->name, c->passed, c->blocking,
		       c->metadata_json, at);
}

/* The statements of materialization_commit, inside its transaction. */
static int write_materialization(struct sqlite_store *s, const struct materialization *m,
				 const struct check_result *checks, size_t nchecks, struct lerr *err)
{
	int64_t now = time_now_us();
	int64_t at = m->at ? m->at : now;
	if (run_sql(s, err,
		    "INSERT INTO materializations (asset, partition_key, run_id, rows, data_version,"
		    " code_version, path, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    "sssIsssI", m->asset, m->partition, m->run_id, m->rows, m->data_version,
		    m->code_version, m->path, at) < 0)
		return -1;
	for (size_t i = 0; i < nchecks; i++)
		if (insert_check(s, m, &checks[i], at, err) < 0)
			return -1;
	if (run_sql(s, err,
		    "INSERT INTO asset_partitions (asset, partition_key, state, rows, data_version,"
		    " materialized_at, run_id, path, error, updated_at)"
		    " VALUES (?, ?, 'materialized', ?, ?, ?, ?, ?, NULL, ?)"
		    " ON CONFLICT (asset, partition_key) DO UPDATE SET state = excluded.state,"
		    " rows = excluded.rows, data_version = excluded.data_version,"
		    " materialized_at = excluded.materialized_at, run_id = excluded.run_id,"
		    " path = excluded.path, error = NULL, updated_at = excluded.updated_at",
		    "ssIsIssI", m->asset, m->partition, m->rows, m->data_version, at, m->run_id,
		    m->path, now) < 0)
		return -1;
	char msg[256];
	snprintf(msg, sizeof(msg), "materialized %s: %" PRId64 " rows, data version %.8s%s",
		 m->partition[0] ? m->partition : m->asset, m->rows, m->data_version,
		 strlen(m->data_version) > 8 ? "..." : "");
	return append_event(s, m->run_id, EVENT_INFO, "ASSET_MATERIALIZATION", msg, err);
}

static int sqlite_materialization_commit(struct store *base, const struct materialization *m,
					 const struct check_result *checks, size_t nchecks,
					 struct lerr *err)
{
	struct sqlite_store *s = to_sqlite(base);
	if (begin(s, err) < 0)
		return -1;
	if (write_materialization(s, m, checks, nchecks, err) < 0) {
		if (run_missing(s))
			no_such_run(m->run_id, err);
		rollback(s);
		return -1;
	}
	return commit(s, err);
}

static int sqlite_partition_fail(struct store *base, const char *asset, const char *partition,
				 const char *run_id, const char *error, struct lerr *err)
{
	return run_sql(to_sqlite(base), err,
		       "INSERT INTO asset_partitions (asset, partition_key, state, run_id, error,"
		       " updated_at) VALUES (?, ?, 'failed', ?, ?, ?)"
		       " ON CONFLICT (asset, partition_key) DO UPDATE SET state = excluded.state,"
		       " run_id = excluded.run_id, error = excluded.error,"
		       " updated_at = excluded.updated_at",
		       "ssssI", asset, partition, run_id, error, time_now_us());
}

static int sqlite_partition_status_list(struct store *base, const char *asset,
					struct partition_status_list *out, struct lerr *err)
{
	void *v;
	size_t n;
	if (query_rows(to_sqlite(base), &partition_rows, &v, &n, err,
		       "SELECT " PARTITION_COLUMNS " FROM asset_partitions WHERE asset = ?"
		       " ORDER BY partition_key",
		       "s", asset) < 0)
		return -1;
	out->v = v;
	out->n = n;
	return 0;
}

static int sqlite_check_list(struct store *base, const char *asset, const char *partition,
			     struct stored_check **out, size_t *nout, struct lerr *err)
{
	/* Newest materialization first; its checks in the order they were declared. */
	void *v;
	size_t n;
	if (query_rows(to_sqlite(base), &check_rows, &v, &n, err,
		       "SELECT " CHECK_COLUMNS " FROM check_results"
		       " WHERE asset = ? AND partition_key = ? ORDER BY at DESC, id",
		       "ss", asset, partition) < 0)
		return -1;
	*out = v;
	*nout = n;
	return 0;
}

/* ---- opening ---- */

static void sqlite_close(struct store *base)
{
	struct sqlite_store *s = to_sqlite(base);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

/* Ours (our application id), or a new empty file; anything else is left untouched. */
static int check_ours(struct sqlite_store *s, struct lerr *err)
{
	int64_t v[3];
	if (query_ints(s,
		       "SELECT (SELECT application_id FROM pragma_application_id),"
		       " (SELECT user_version FROM pragma_user_version),"
		       " (SELECT count(*) FROM sqlite_master)",
		       v, 3, err) < 0)
		return -1;
	int64_t app_id = v[0], version = v[1], objects = v[2];
	if (app_id == LUCHT_APPLICATION_ID || (app_id == 0 && version == 0 && objects == 0))
		return 0;
	return not_ours(s, "it is the SQLite database of another program", err);
}

static int newer_schema(const struct sqlite_store *s, int64_t version, struct lerr *err)
{
	return lerr_set(err,
			"instance database %s has schema version %" PRId64 ", newer than this lucht"
			" knows (%zu): use a newer lucht",
			s->path, version, COUNT(migrations));
}

/* Inside the transaction: another process may have migrated since we looked. */
static int apply_migrations(struct sqlite_store *s, struct lerr *err)
{
	int64_t version;
	if (query_ints(s, "PRAGMA user_version", &version, 1, err) < 0)
		return -1;
	if (version > (int64_t)COUNT(migrations))
		return newer_schema(s, version, err);
	for (size_t i = (size_t)version; i < COUNT(migrations); i++)
		if (exec(s, migrations[i], err) < 0)
			return lerr_prefix(err, "schema migration %zu", i + 1);
	/* PRAGMA takes no parameters; the number is ours. */
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %zu", COUNT(migrations));
	return exec(s, sql, err);
}

static int migrate(struct sqlite_store *s, struct lerr *err)
{
	int64_t version;
	if (query_ints(s, "PRAGMA user_version", &version, 1, err) < 0)
		return -1;
	if (version == (int64_t)COUNT(migrations))
		return 0;
	if (version > (int64_t)COUNT(migrations))
		return newer_schema(s, version, err);
	if (begin(s, err) < 0)
		return -1;
	if (apply_migrations(s, err) < 0) {
		rollback(s);
		return -1;
	}
	return commit(s, err);
}

/*
 * Turning a new database into WAL needs an exclusive lock, and SQLite gives up at once with
 * SQLITE_BUSY, without the busy handler, while another process opening it does the same;
 * so wait here as the busy handler would. Where WAL is impossible (some network file
 * systems) SQLite keeps its rollback journal, slower but as safe, so its answer is not checked.
 */
static int use_wal(struct sqlite_store *s, struct lerr *err)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	for (int waited_ms = 0;; waited_ms += 10) {
		int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= BUSY_TIMEOUT_MS)
			return db_error(s, rc, err);
		nanosleep(&pause, NULL);
	}
}

static int configure(struct sqlite_store *s, struct lerr *err)
{
	if (use_wal(s, err) < 0)
		return -1;
	return exec(s, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", err);
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.run_create = sqlite_run_create,
	.run_update = sqlite_run_update,
	.run_get = sqlite_run_get,
	.run_list = sqlite_run_list,
	.event_append = sqlite_event_append,
	.event_list = sqlite_event_list,
	.materialization_commit = sqlite_materialization_commit,
	.partition_fail = sqlite_partition_fail,
	.partition_status_list = sqlite_partition_status_list,
	.check_list = sqlite_check_list,
	.close = sqlite_close,
};

struct store *store_sqlite_open(const char *path, struct lerr *err)
{
	struct sqlite_store *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		lerr_set(err, "out of memory");
		return NULL;
	}
	s->base.ops = &sqlite_ops;
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		db_error(s, rc, err);
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	/* Checked before anything is written, so that a file that is not ours stays as it is. */
	if (check_ours(s, err) < 0 || configure(s, err) < 0 || migrate(s, err) < 0)
		goto fail;
	return &s->base;
fail:
	sqlite_close(&s->base);
	return NULL;
}
