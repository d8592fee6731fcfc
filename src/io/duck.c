#include "io/duck.h"

#include <stdlib.h>
#include <string.h>

#include "io/duck_internal.h"

/*
 * Settings for a small, predictable session. A run process writes tables of a few thousand
 * rows, so DuckDB's buffer pool never comes near the limit; the limit is there so that a
 * query over the whole lake fails cleanly instead of growing the process without bound.
 * Nothing spills to disk (an in-memory database would otherwise create ./.tmp wherever the
 * process happens to run). The external file cache is off because it keeps Parquet data in
 * memory after a read, and a file we rewrite could be served stale from it.
 */
static const char *const duck_settings[][2] = {
	{ "threads", "1" },
	{ "memory_limit", "128MiB" },
	{ "temp_directory", "" },
	{ "enable_external_file_cache", "false" },
	{ "allocator_flush_threshold", "8MB" },
	{ "autoinstall_known_extensions", "false" },
	{ "autoload_known_extensions", "false" },
};

int duck__error(struct lerr *err, const char *msg)
{
	if (!msg || !*msg)
		return lerr_set(err, "DuckDB failed without a message");
	const char *end = strstr(msg, "\n\n");
	size_t len = end ? (size_t)(end - msg) : strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	lerr_set(err, "%.*s", (int)len, msg);
	if (err)
		for (char *p = err->msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
	return -1;
}

int duck_open(struct duck *d, struct lerr *err)
{
	d->db = NULL;
	d->con = NULL;
	duckdb_config config = NULL;
	if (duckdb_create_config(&config) == DuckDBError)
		return lerr_set(err, "cannot create DuckDB configuration");
	for (size_t i = 0; i < sizeof(duck_settings) / sizeof(duck_settings[0]); i++) {
		const char *name = duck_settings[i][0], *value = duck_settings[i][1];
		if (duckdb_set_config(config, name, value) == DuckDBError) {
			duckdb_destroy_config(&config);
			return lerr_set(err, "cannot set DuckDB option %s=%s", name, value);
		}
	}
	char *open_err = NULL;
	duckdb_state st = duckdb_open_ext(NULL, &d->db, config, &open_err);
	duckdb_destroy_config(&config);
	if (st == DuckDBError) {
		duck__error(err, open_err);
		duckdb_free(open_err);
		d->db = NULL;
		return lerr_prefix(err, "cannot open DuckDB");
	}
	if (duckdb_connect(d->db, &d->con) == DuckDBError) {
		duck_close(d);
		return lerr_set(err, "cannot connect to DuckDB");
	}
	/* ICU is built into the library, so the time zone setting works without loading anything. */
	if (duck_exec(d, "SET TimeZone = 'UTC'", err) < 0) {
		duck_close(d);
		return lerr_prefix(err, "cannot set up DuckDB");
	}
	return 0;
}

void duck_close(struct duck *d)
{
	if (d->con)
		duckdb_disconnect(&d->con);
	if (d->db)
		duckdb_close(&d->db);
	d->con = NULL;
	d->db = NULL;
}

int duck_exec(struct duck *d, const char *sql, struct lerr *err)
{
	duckdb_result res;
	int rc = 0;
	if (duckdb_query(d->con, sql, &res) == DuckDBError)
		rc = duck__error(err, duckdb_result_error(&res));
	duckdb_destroy_result(&res);
	return rc;
}

/*
 * Runs sql and hands the first column of its first row to take(), or reports that there was
 * no value. The two public helpers differ only in how they read the cell.
 */
typedef int (*cell_taker)(duckdb_vector v, duckdb_type t, void *arg, struct lerr *err);

static int query_first(struct duck *d, const char *sql, cell_taker take, void *arg, bool *found,
		       struct lerr *err)
{
	duckdb_result res;
	duckdb_data_chunk chunk = NULL;
	int rc = -1;
	*found = false;
	if (duckdb_query(d->con, sql, &res) == DuckDBError) {
		duck__error(err, duckdb_result_error(&res));
		goto out_result;
	}
	if (duckdb_column_count(&res) == 0) {
		lerr_set(err, "query returned no columns");
		goto out_result;
	}
	chunk = duckdb_fetch_chunk(res);
	if (!chunk || duckdb_data_chunk_get_size(chunk) == 0) {
		rc = 0;
		goto out_chunk;
	}
	duckdb_vector v = duckdb_data_chunk_get_vector(chunk, 0);
	if (!duck__cell_valid(v, 0)) {
		rc = 0;
		goto out_chunk;
	}
	rc = take(v, duckdb_column_type(&res, 0), arg, err);
	*found = rc == 0;
out_chunk:
	if (chunk)
		duckdb_destroy_data_chunk(&chunk);
out_result:
	duckdb_destroy_result(&res);
	return rc;
}

static int take_int64(duckdb_vector v, duckdb_type t, void *arg, struct lerr *err)
{
	if (duck__cell_int64(v, t, 0, arg) < 0)
		return lerr_set(err, "query result is not a 64-bit integer");
	return 0;
}

/* A cap for one value read as text; far above anything lucht stores in a cell. */
#define DUCK_TEXT_MAX (16u << 20)

static int take_text(duckdb_vector v, duckdb_type t, void *arg, struct lerr *err)
{
	if (!duck__cell_plain(t))
		return lerr_set(err, "query result is not text; cast it to VARCHAR in the query");
	struct buf b;
	buf_init(&b, DUCK_TEXT_MAX);
	if (duck__cell_text(v, t, 0, &b) < 0) {
		buf_release(&b);
		return lerr_set(err, "query result is too long or memory ran out");
	}
	*(char **)arg = buf_detach(&b);
	return 0;
}

int duck_query_int64(struct duck *d, const char *sql, int64_t *out, bool *is_null, struct lerr *err)
{
	int64_t v = 0;
	bool found;
	if (query_first(d, sql, take_int64, &v, &found, err) < 0)
		return -1;
	*out = v;
	if (is_null)
		*is_null = !found;
	return 0;
}

int duck_query_text(struct duck *d, const char *sql, char **out, struct lerr *err)
{
	char *s = NULL;
	bool found;
	if (query_first(d, sql, take_text, &s, &found, err) < 0)
		return -1;
	*out = s;
	return 0;
}

int duck_quote(struct buf *b, const char *s)
{
	size_t start = b->len;
	if (buf_puts(b, "'") < 0)
		goto fail;
	for (const char *q; (q = strchr(s, '\'')); s = q + 1)
		if (buf_append(b, s, (size_t)(q - s) + 1) < 0 || buf_puts(b, "'") < 0)
			goto fail;
	if (buf_puts(b, s) < 0 || buf_puts(b, "'") < 0)
		goto fail;
	return 0;
fail:
	/* Leave no half-quoted literal behind. */
	b->len = start;
	if (b->data)
		b->data[start] = '\0';
	return -1;
}
