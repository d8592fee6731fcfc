#ifndef LUCHT_IO_DUCK_H
#define LUCHT_IO_DUCK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <duckdb.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * A DuckDB session: an in-memory database with one connection, set up for lucht
 * (TimeZone UTC so that TIMESTAMPTZ values print and hash the same everywhere, a modest
 * memory limit and one thread so that a run stays small, no extension auto-loading).
 */
struct duck {
	duckdb_database db;
	duckdb_connection con;
};

int duck_open(struct duck *d, struct lerr *err);
void duck_close(struct duck *d);  /* accepts a zeroed or closed struct */

/* Runs one or more statements; the error message is DuckDB's. */
int duck_exec(struct duck *d, const char *sql, struct lerr *err);
/* First column of the first row of sql: as int64 / as text (caller frees). *is_null (may be
 * NULL) is set when the value is NULL or there is no row; the text is then NULL. Text is read
 * from VARCHAR, BOOLEAN and integer columns; cast anything else to VARCHAR in the query. */
int duck_query_int64(struct duck *d, const char *sql, int64_t *out, bool *is_null, struct lerr *err);
int duck_query_text(struct duck *d, const char *sql, char **out, struct lerr *err);

/* Appends s to b as a SQL string literal ('it''s'). 0 or -1 (buffer full). */
int duck_quote(struct buf *b, const char *s);

enum duck_format { DUCK_TABLE, DUCK_CSV, DUCK_JSON };

/*
 * Runs sql (any kind: SELECT, DESCRIBE, SHOW ...; several statements run in turn and the last
 * one's result is printed) and prints its result:
 * DUCK_TABLE as aligned columns with a header and a "(N rows)" line, DUCK_CSV as RFC 4180
 * with a header, DUCK_JSON as one array of objects (numbers as numbers, NULL as null,
 * everything else as strings). *rows (may be NULL) receives the row count.
 */
int duck_print_query(struct duck *d, const char *sql, enum duck_format fmt, FILE *out,
		     uint64_t *rows, struct lerr *err);

#endif
