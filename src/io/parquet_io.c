#include "io/parquet_io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

#define SQL_MAX (64u << 10)

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_value_char(char c)
{
	return (c >= 'A' && c <= 'Z') || is_name_char(c) || c == '.' || c == '-';
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!is_name_char(*s))
			return false;
	return true;
}

/* A leading dot also rules out "." and "..". */
static bool valid_value(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!is_value_char(*s))
			return false;
	return true;
}

/* A bad key may hold anything; show it so that the message stays one readable line. */
static const char *printable(const char *s, char *out, size_t size)
{
	size_t n = 0;
	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return out;
}

int parquet_path(const char *root, const char *asset, const struct hive_part *parts,
		 size_t nparts, struct buf *out, struct lerr *err)
{
	char shown[256];
	if (!*root)
		return lerr_set(err, "empty storage root");
	if (!valid_name(asset))
		return lerr_set(err, "invalid asset name '%s'", printable(asset, shown, sizeof(shown)));
	for (size_t i = 0; i < nparts; i++) {
		if (!valid_name(parts[i].name))
			return lerr_set(err, "invalid partition name '%s'",
					printable(parts[i].name, shown, sizeof(shown)));
		if (!valid_value(parts[i].value))
			return lerr_set(err, "invalid partition value '%s' for %s",
					printable(parts[i].value, shown, sizeof(shown)), parts[i].name);
	}
	size_t rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	buf_reset(out);
	int rc = buf_printf(out, "%.*s%s%s", (int)rootlen, root,
			    root[rootlen - 1] == '/' ? "" : "/", asset);
	for (size_t i = 0; i < nparts && rc == 0; i++)
		rc = buf_printf(out, "/%s=%s", parts[i].name, parts[i].value);
	if (rc == 0)
		rc = buf_puts(out, "/data.parquet");
	if (rc < 0 || out->len >= PATH_MAX)
		return lerr_set(err, "path of %s under %s is too long", asset, root);
	return 0;
}

int parquet_path_list_sql(struct buf *sql, char *const *paths, size_t n)
{
	if (buf_puts(sql, "[") < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((i && buf_puts(sql, ", ") < 0) || duck_quote(sql, paths[i]) < 0)
			return -1;
	return buf_puts(sql, "]");
}

/* Table names are spliced into SQL, so only plain identifiers are accepted. */
static bool valid_table(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!is_name_char(*s) && !(*s >= 'A' && *s <= 'Z'))
			return false;
	return true;
}

/* A name in path's folder that no other writer uses: .BASE.tmp-PID-RANDOM */
static int temp_name(const char *path, struct buf *out)
{
	static _Atomic unsigned seq;
	unsigned r;
	/* Before the kernel's pool is ready, a per-process sequence keeps threads apart. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = seq++;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	return buf_printf(out, "%.*s.%s.tmp-%ld-%08x", (int)(base - path), path, base,
			  (long)getpid(), r);
}

/*
 * A writer that died between creating its temporary file and renaming it leaves the file
 * behind; it is never read (only data.parquet is), but it holds disk space. Files of base
 * whose process is gone are removed. The pid in the name belongs to this host: the data roots
 * are local folders.
 */
static void remove_stale_temps(const char *folder, const char *base)
{
	DIR *dir = opendir(folder);
	if (!dir)
		return;
	char prefix[NAME_MAX + 8];
	int plen = snprintf(prefix, sizeof(prefix), ".%s.tmp-", base);
	struct dirent *e;
	while (plen > 0 && (size_t)plen < sizeof(prefix) && (e = readdir(dir))) {
		if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
			continue;
		char *end;
		long pid = strtol(e->d_name + plen, &end, 10);
		if (pid <= 0 || *end != '-' || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		unlinkat(dirfd(dir), e->d_name, 0);
	}
	closedir(dir);
}

/*
 * The data version is computed inside DuckDB: each row rendered as JSON (to_json writes
 * TIMESTAMPTZ in UTC whatever the session's time zone) and hashed, then one SHA-256 over those
 * digests in sorted order. Sorting 64-character digests instead of the rows themselves keeps
 * the peak memory of a day's 16,000 rows near 10 MiB instead of 20. An empty table hashes the
 * empty string. The row is named by an alias that no lucht table uses as a column, because a
 * column of the same name would win over the alias.
 */
static int data_version(struct duck *d, const char *table, char version[65], struct lerr *err)
{
	struct buf sql;
	char *hex = NULL;
	int rc = -1;
	buf_init(&sql, SQL_MAX);
	if (buf_printf(&sql, "SELECT sha256(coalesce(string_agg(h, '' ORDER BY h), '')) FROM "
			     "(SELECT sha256(to_json(_lucht_row_)::VARCHAR) AS h FROM %s _lucht_row_)",
		       table) < 0) {
		lerr_set(err, "out of memory");
		goto out;
	}
	if (duck_query_text(d, buf_str(&sql), &hex, err) < 0)
		goto out;
	if (!hex || strlen(hex) != 64) {
		lerr_set(err, "DuckDB returned no SHA-256 for the rows");
		goto out;
	}
	memcpy(version, hex, 65);
	rc = 0;
out:
	free(hex);
	buf_release(&sql);
	return rc;
}

static int copy_to(struct duck *d, const char *table, const char *file, int64_t *rows,
		   struct lerr *err)
{
	struct buf sql;
	buf_init(&sql, SQL_MAX);
	int rc = lerr_set(err, "out of memory");
	if (buf_printf(&sql, "COPY (SELECT * FROM %s) TO ", table) == 0 &&
	    duck_quote(&sql, file) == 0 &&
	    buf_puts(&sql, " (FORMAT parquet, ROW_GROUP_SIZE 100000, COMPRESSION zstd)") == 0)
		rc = duck_query_int64(d, buf_str(&sql), rows, NULL, err);
	buf_release(&sql);
	return rc;
}

int parquet_write_table(struct duck *d, const char *table, const char *path,
			struct parquet_written *out, struct lerr *err)
{
	struct parquet_written w;
	struct buf tmp;
	char *dir = NULL;
	bool tmp_made = false;
	int rc = -1;
	buf_init(&tmp, PATH_MAX);

	if (!valid_table(table)) {
		char shown[256];
		lerr_set(err, "invalid table name '%s'", printable(table, shown, sizeof(shown)));
		goto out;
	}
	if (data_version(d, table, w.data_version, err) < 0)
		goto out;
	dir = strdup(path);
	if (!dir || temp_name(path, &tmp) < 0) {
		lerr_set(err, "out of memory or path too long");
		goto out;
	}
	char *slash = strrchr(dir, '/');
	const char *folder = !slash ? "." : slash == dir ? "/" : dir;
	if (slash && slash != dir) {
		*slash = '\0';
		if (fs_mkdir_parents(dir, true, err) < 0)
			goto out;
	}
	remove_stale_temps(folder, slash ? slash + 1 : dir);
	tmp_made = true;
	if (copy_to(d, table, buf_str(&tmp), &w.rows, err) < 0 ||
	    fs_sync_path(buf_str(&tmp), false, err) < 0)
		goto out;
	if (rename(buf_str(&tmp), path) < 0) {
		lerr_set(err, "cannot rename %s: %s", buf_str(&tmp), strerror(errno));
		goto out;
	}
	tmp_made = false;
	if (fs_sync_path(folder, true, err) < 0)
		goto out;
	*out = w;
	rc = 0;
out:
	if (tmp_made)
		unlink(buf_str(&tmp));
	if (rc < 0)
		lerr_prefix(err, "cannot write %s", path);
	free(dir);
	buf_release(&tmp);
	return rc;
}
