#ifndef LUCHT_IO_PARQUET_IO_H
#define LUCHT_IO_PARQUET_IO_H

#include <stdint.h>

#include "io/duck.h"
#include "util/buf.h"
#include "util/error.h"

/*
 * The Parquet I/O manager: where each asset partition lives, and how a table built in a
 * DuckDB session becomes that file. Paths are Hive-style:
 *   ROOT/ASSET/date=2024-01-24/station=NL01485/data.parquet
 *   ROOT/ASSET/data.parquet                     (unpartitioned)
 */

struct hive_part {
	const char *name;   /* "date", "station" */
	const char *value;  /* "2024-01-24", "NL01485" */
};

/*
 * Builds the path of one partition's file into out (reset first). Every component is
 * checked: the asset name and part names must match [a-z0-9_]+, values [A-Za-z0-9_.-]+
 * without "." or ".." and not starting with '.', so no key can reach outside root.
 * Fails with a message naming the bad component.
 */
int parquet_path(const char *root, const char *asset, const struct hive_part *parts,
		 size_t nparts, struct buf *out, struct lerr *err);

struct parquet_written {
	int64_t rows;
	char data_version[65];  /* SHA-256 hex of the rows in canonical order */
};

/*
 * Writes table `table` of d to path as Parquet (row groups of 100,000 rows, zstd): to a
 * temporary file in the same folder (created as needed), fsync'd, then renamed over path,
 * so the file appears whole or not at all and a re-materialization replaces it. On failure
 * nothing is left behind and an existing file is untouched. Also computes the row count and
 * the data version: SHA-256 over the sorted SHA-256s of the rows rendered as JSON, so the
 * same rows give the same version whatever order they came in.
 */
int parquet_write_table(struct duck *d, const char *table, const char *path,
			struct parquet_written *out, struct lerr *err);

/* Appends to sql a DuckDB list literal of the paths, ['a', 'b'], for read_parquet(). */
int parquet_path_list_sql(struct buf *sql, char *const *paths, size_t n);

#endif
