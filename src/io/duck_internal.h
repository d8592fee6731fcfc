#ifndef LUCHT_IO_DUCK_INTERNAL_H
#define LUCHT_IO_DUCK_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <duckdb.h>

#include "util/buf.h"
#include "util/error.h"

/* Shared by the duck layer's files; not for use outside src/io. */

/* Sets err to DuckDB's message on one line: the "LINE 1: ..." excerpt after a blank line is
 * dropped and the remaining newlines become spaces. msg may be NULL. Returns -1. */
int duck__error(struct lerr *err, const char *msg);

/*
 * Single values out of result chunks (duck_cell.c). The C API cannot render an arbitrary
 * value as text, so these cover the plain types (VARCHAR, BOOLEAN, integers up to 64 bits);
 * anything else has to be cast to VARCHAR inside DuckDB first.
 */
bool duck__cell_plain(duckdb_type t);
bool duck__cell_valid(duckdb_vector v, idx_t row);
int duck__cell_int64(duckdb_vector v, duckdb_type t, idx_t row, int64_t *out);  /* 0 or -1 */
int duck__cell_text(duckdb_vector v, duckdb_type t, idx_t row, struct buf *out);  /* appends */

#endif
