#include "io/duck.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "io/duck_internal.h"

/*
 * duck_print_query runs every statement of sql in turn and prints the result of the last one,
 * so that "SET ...; SELECT ..." works. Values are DuckDB's own text: a SELECT-like last
 * statement (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, PRAGMA) is run as
 * SELECT COLUMNS(*)::VARCHAR FROM query('...'), because the C API has no way to render a LIST
 * or a TIMESTAMPTZ. Other statements (INSERT, EXPLAIN, CALL, ...) and a last statement whose
 * text cannot be told apart (DuckDB expands PIVOT into two) run as they are; their columns
 * must then be text, booleans or integers, which is checked before the statement runs.
 */

#define CELL_WIDTH_MAX 60           /* TABLE: longer values end in an ellipsis */
#define TABLE_TEXT_MAX (64u << 20)  /* TABLE keeps every row to size the columns */
#define CELL_TEXT_MAX (16u << 20)

enum json_kind { KIND_STRING, KIND_NUMBER, KIND_BOOL };

struct column {
	char *name;
	duckdb_type type;      /* the statement's own type, not the VARCHAR it is read as */
	duckdb_type read_type; /* the type of the result vector */
	size_t width;
};

struct printer {
	enum duck_format fmt;
	FILE *out;
	idx_t ncols;
	struct column *cols;
	struct buf *cells;  /* the current row, one per column */
	bool *nulls;
	struct buf table;   /* TABLE: every cell's display text, each NUL-terminated */
	uint64_t rows;
};

static enum json_kind json_kind_of(duckdb_type t)
{
	switch (t) {
	case DUCKDB_TYPE_BOOLEAN:
		return KIND_BOOL;
	case DUCKDB_TYPE_TINYINT:
	case DUCKDB_TYPE_SMALLINT:
	case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_BIGINT:
	case DUCKDB_TYPE_UTINYINT:
	case DUCKDB_TYPE_USMALLINT:
	case DUCKDB_TYPE_UINTEGER:
	case DUCKDB_TYPE_UBIGINT:
	case DUCKDB_TYPE_HUGEINT:
	case DUCKDB_TYPE_UHUGEINT:
	case DUCKDB_TYPE_FLOAT:
	case DUCKDB_TYPE_DOUBLE:
	case DUCKDB_TYPE_DECIMAL:
	case DUCKDB_TYPE_BIGNUM:
		return KIND_NUMBER;
	default:
		return KIND_STRING;
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* DuckDB prints inf and nan for such doubles; those must not go out as bare JSON. */
static bool is_json_number(const char *s, size_t len)
{
	const char *end = s + len;
	if (s < end && *s == '-')
		s++;
	if (s < end && *s == '0')
		s++;
	else if (s < end && is_digit(*s))
		while (s < end && is_digit(*s))
			s++;
	else
		return false;
	if (s < end && *s == '.') {
		if (++s == end || !is_digit(*s))
			return false;
		while (s < end && is_digit(*s))
			s++;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		if (++s < end && (*s == '+' || *s == '-'))
			s++;
		if (s == end || !is_digit(*s))
			return false;
		while (s < end && is_digit(*s))
			s++;
	}
	return s == end;
}

static void print_json_string(FILE *out, const char *s, size_t len)
{
	/* DuckDB's VARCHAR is UTF-8 already, so jansson need not check it again. */
	json_t *j = json_stringn_nocheck(s, len);
	if (!j || json_dumpf(j, out, JSON_ENCODE_ANY) < 0)
		fputs("null", out);
	json_decref(j);
}

/* RFC 4180; an empty string is quoted so that it differs from NULL, which is an empty field. */
static void csv_field(FILE *out, const char *s, size_t len)
{
	if (len > 0 && !memchr(s, '"', len) && !memchr(s, ',', len) && !memchr(s, '\n', len) &&
	    !memchr(s, '\r', len)) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

static size_t utf8_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * Appends the TABLE form of a value to b, NUL-terminated: control characters escaped so that
 * a row stays on one line, at most CELL_WIDTH_MAX characters. Returns the width, or -1 when b
 * is full.
 */
static long table_text(struct buf *b, const char *s, size_t len)
{
	size_t width = 0;
	size_t cut = b->len, cut_width = 0;  /* where an ellipsis would go */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
		if ((c & 0xC0) != 0x80) {  /* the first byte of a character */
			if (width <= CELL_WIDTH_MAX - 1) {
				cut = b->len;
				cut_width = width;
			}
			width += esc ? 2 : 1;
			if (width > CELL_WIDTH_MAX) {
				b->len = cut;
				width = cut_width + 1;
				if (buf_puts(b, "\u2026") < 0)
					return -1;
				break;
			}
		}
		int rc;
		if (esc)
			rc = buf_puts(b, esc);
		else if (c < 0x20 || c == 0x7f)
			rc = buf_puts(b, "?");
		else
			rc = buf_append(b, &s[i], 1);
		if (rc < 0)
			return -1;
	}
	if (buf_append(b, "", 1) < 0)
		return -1;
	return (long)width;
}

static bool right_aligned(const struct column *c)
{
	return json_kind_of(c->type) == KIND_NUMBER;
}

static void table_cell(FILE *out, const struct column *c, const char *text, bool last)
{
	size_t pad = c->width - utf8_width(text);
	if (right_aligned(c))
		fprintf(out, "%*s%s", (int)pad, "", text);
	else if (last)
		fputs(text, out);
	else
		fprintf(out, "%s%*s", text, (int)pad, "");
	fputs(last ? "\n" : " | ", out);
}

static int emit_header(struct printer *p, struct lerr *err)
{
	switch (p->fmt) {
	case DUCK_TABLE:
		/* Header names join the stored text first so that they size the columns too. */
		for (idx_t c = 0; c < p->ncols; c++) {
			long w = table_text(&p->table, p->cols[c].name, strlen(p->cols[c].name));
			if (w < 0)
				return lerr_set(err, "out of memory");
			p->cols[c].width = (size_t)w;
		}
		break;
	case DUCK_CSV:
		for (idx_t c = 0; c < p->ncols; c++) {
			if (c)
				fputc(',', p->out);
			csv_field(p->out, p->cols[c].name, strlen(p->cols[c].name));
		}
		fputc('\n', p->out);
		break;
	case DUCK_JSON:
		fputc('[', p->out);
		break;
	}
	return 0;
}

static int emit_row(struct printer *p, struct lerr *err)
{
	switch (p->fmt) {
	case DUCK_TABLE:
		for (idx_t c = 0; c < p->ncols; c++) {
			const struct buf *cell = &p->cells[c];
			long w = p->nulls[c] ? table_text(&p->table, "NULL", 4)
					     : table_text(&p->table, buf_str(cell), cell->len);
			if (w < 0)
				return lerr_set(err, "result too large to print as a table; "
						     "use CSV or JSON, or LIMIT");
			if ((size_t)w > p->cols[c].width)
				p->cols[c].width = (size_t)w;
		}
		break;
	case DUCK_CSV:
		for (idx_t c = 0; c < p->ncols; c++) {
			if (c)
				fputc(',', p->out);
			if (!p->nulls[c])
				csv_field(p->out, buf_str(&p->cells[c]), p->cells[c].len);
		}
		fputc('\n', p->out);
		break;
	case DUCK_JSON:
		fputs(p->rows ? ",\n{" : "\n{", p->out);
		for (idx_t c = 0; c < p->ncols; c++) {
			const struct buf *cell = &p->cells[c];
			if (c)
				fputs(", ", p->out);
			print_json_string(p->out, p->cols[c].name, strlen(p->cols[c].name));
			fputs(": ", p->out);
			enum json_kind kind = json_kind_of(p->cols[c].type);
			if (p->nulls[c])
				fputs("null", p->out);
			else if ((kind == KIND_NUMBER && is_json_number(buf_str(cell), cell->len)) ||
				 kind == KIND_BOOL)
				fwrite(buf_str(cell), 1, cell->len, p->out);
			else
				print_json_string(p->out, buf_str(cell), cell->len);
		}
		fputc('}', p->out);
		break;
	}
	p->rows++;
	return 0;
}

static void emit_table(struct printer *p)
{
	const char *text = buf_str(&p->table);
	for (uint64_t r = 0; r <= p->rows; r++) {
		for (idx_t c = 0; c < p->ncols; c++) {
			table_cell(p->out, &p->cols[c], text, c + 1 == p->ncols);
			text += strlen(text) + 1;
		}
		if (r == 0 && p->ncols) {
			for (idx_t c = 0; c < p->ncols; c++) {
				for (size_t i = 0; i < p->cols[c].width; i++)
					fputc('-', p->out);
				fputs(c + 1 == p->ncols ? "\n" : "-+-", p->out);
			}
		}
	}
	fprintf(p->out, "(%llu row%s)\n", (unsigned long long)p->rows, p->rows == 1 ? "" : "s");
}

static void emit_footer(struct printer *p)
{
	switch (p->fmt) {
	case DUCK_TABLE:
		emit_table(p);
		break;
	case DUCK_CSV:
		break;
	case DUCK_JSON:
		fputs(p->rows ? "\n]\n" : "]\n", p->out);
		break;
	}
}

/* Reads row r of chunk into p's current row. */
static int read_row(struct printer *p, duckdb_data_chunk chunk, idx_t r, struct lerr *err)
{
	for (idx_t c = 0; c < p->ncols; c++) {
		duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
		struct buf *cell = &p->cells[c];
		buf_reset(cell);
		p->nulls[c] = !duck__cell_valid(v, r);
		if (!p->nulls[c] && duck__cell_text(v, p->cols[c].read_type, r, cell) < 0)
			return lerr_set(err, "cannot read column '%s' (too long?)", p->cols[c].name);
	}
	return 0;
}

static int print_result(struct printer *p, duckdb_result *res, struct lerr *err)
{
	if (duckdb_column_count(res) != p->ncols)
		return lerr_set(err, "DuckDB returned %llu columns where %llu were expected",
				(unsigned long long)duckdb_column_count(res),
				(unsigned long long)p->ncols);
	for (idx_t c = 0; c < p->ncols; c++)
		p->cols[c].read_type = duckdb_column_type(res, c);
	if (emit_header(p, err) < 0)
		return -1;
	duckdb_data_chunk chunk;
	while ((chunk = duckdb_fetch_chunk(*res))) {
		idx_t n = duckdb_data_chunk_get_size(chunk);
		int rc = 0;
		for (idx_t r = 0; r < n && rc == 0; r++)
			rc = read_row(p, chunk, r, err) < 0 ? -1 : emit_row(p, err);
		duckdb_destroy_data_chunk(&chunk);
		if (rc < 0)
			return -1;
		if (n == 0)
			break;
	}
	emit_footer(p);
	return 0;
}

static int printer_init(struct printer *p, duckdb_prepared_statement stmt, enum duck_format fmt,
			FILE *out, struct lerr *err)
{
	p->fmt = fmt;
	p->out = out;
	p->rows = 0;
	p->ncols = duckdb_prepared_statement_column_count(stmt);
	buf_init(&p->table, TABLE_TEXT_MAX);
	p->cols = calloc(p->ncols ? p->ncols : 1, sizeof(*p->cols));
	p->cells = calloc(p->ncols ? p->ncols : 1, sizeof(*p->cells));
	p->nulls = calloc(p->ncols ? p->ncols : 1, sizeof(*p->nulls));
	if (!p->cols || !p->cells || !p->nulls)
		return lerr_set(err, "out of memory");
	for (idx_t c = 0; c < p->ncols; c++) {
		const char *name = duckdb_prepared_statement_column_name(stmt, c);
		p->cols[c].name = strdup(name ? name : "");
		duckdb_free((void *)name);
		if (!p->cols[c].name)
			return lerr_set(err, "out of memory");
		p->cols[c].type = duckdb_prepared_statement_column_type(stmt, c);
		buf_init(&p->cells[c], CELL_TEXT_MAX);
	}
	return 0;
}

static void printer_release(struct printer *p)
{
	for (idx_t c = 0; p->cols && c < p->ncols; c++)
		free(p->cols[c].name);
	for (idx_t c = 0; p->cells && c < p->ncols; c++)
		buf_release(&p->cells[c]);
	free(p->cols);
	free(p->cells);
	free(p->nulls);
	buf_release(&p->table);
}

static int run_extracted(struct duck *d, duckdb_extracted_statements ex, idx_t i, struct lerr *err)
{
	duckdb_prepared_statement stmt;
	duckdb_result res;
	int rc = 0;
	if (duckdb_prepare_extracted_statement(d->con, ex, i, &stmt) == DuckDBError) {
		rc = duck__error(err, duckdb_prepare_error(stmt));
		duckdb_destroy_prepare(&stmt);
		return rc;
	}
	if (duckdb_execute_prepared(stmt, &res) == DuckDBError)
		rc = duck__error(err, duckdb_result_error(&res));
	duckdb_destroy_result(&res);
	duckdb_destroy_prepare(&stmt);
	return rc;
}

static idx_t count_statements(struct duck *d, const char *sql)
{
	duckdb_extracted_statements ex = NULL;
	idx_t n = duckdb_extract_statements(d->con, sql, &ex);
	duckdb_destroy_extracted(&ex);
	return n;
}

/*
 * The text of the last of the n statements of sql: after the ';' that splits sql into n - 1
 * statements and one. Letting DuckDB count both sides keeps semicolons in strings and
 * comments from fooling the split. NULL when there is no such ';'.
 */
static const char *last_statement(struct duck *d, const char *sql, idx_t n)
{
	if (n == 1)
		return sql;
	size_t len = strlen(sql);
	struct buf prefix;
	const char *found = NULL;
	buf_init(&prefix, len);
	for (size_t k = len; k-- > 0 && !found;) {
		if (sql[k] != ';' || count_statements(d, sql + k + 1) != 1)
			continue;
		buf_reset(&prefix);
		if (buf_append(&prefix, sql, k + 1) == 0 &&
		    count_statements(d, buf_str(&prefix)) == n - 1)
			found = sql + k + 1;
	}
	buf_release(&prefix);
	return found;
}

/* Runs the last statement in the form that lets every value be read as text (see the top). */
static int run_last(struct duck *d, const char *text, duckdb_prepared_statement stmt,
		    const struct printer *p, duckdb_result *res, struct lerr *err)
{
	if (text && duckdb_prepared_statement_type(stmt) == DUCKDB_STATEMENT_TYPE_SELECT) {
		struct buf q;
		buf_init(&q, 2 * strlen(text) + 64);
		if (buf_puts(&q, "SELECT COLUMNS(*)::VARCHAR FROM query(") < 0 ||
		    duck_quote(&q, text) < 0 || buf_puts(&q, ")") < 0) {
			buf_release(&q);
			return lerr_set(err, "out of memory");
		}
		int rc = 0;
		if (duckdb_query(d->con, buf_str(&q), res) == DuckDBError)
			rc = duck__error(err, duckdb_result_error(res));
		buf_release(&q);
		return rc;
	}
	for (idx_t c = 0; c < p->ncols; c++)
		if (!duck__cell_plain(p->cols[c].type))
			return lerr_set(err, "cannot print column '%s': only a SELECT can show values "
					     "other than text, booleans and integers", p->cols[c].name);
	if (duckdb_execute_prepared(stmt, res) == DuckDBError)
		return duck__error(err, duckdb_result_error(res));
	return 0;
}

int duck_print_query(struct duck *d, const char *sql, enum duck_format fmt, FILE *out,
		     uint64_t *rows, struct lerr *err)
{
	duckdb_extracted_statements ex = NULL;
	duckdb_prepared_statement stmt = NULL;
	duckdb_result res = { 0 };  /* destroying a zeroed result is a no-op */
	struct printer p = { 0 };
	buf_init(&p.table, 0);
	int rc = -1;

	idx_t n = duckdb_extract_statements(d->con, sql, &ex);
	if (n == 0) {
		const char *msg = duckdb_extract_statements_error(ex);
		if (msg)
			duck__error(err, msg);
		else
			lerr_set(err, "no SQL statement to run");
		goto out;
	}
	const char *last = last_statement(d, sql, n);
	for (idx_t i = 0; i + 1 < n; i++)
		if (run_extracted(d, ex, i, err) < 0)
			goto out;
	if (duckdb_prepare_extracted_statement(d->con, ex, n - 1, &stmt) == DuckDBError) {
		duck__error(err, duckdb_prepare_error(stmt));
		goto out;
	}
	if (printer_init(&p, stmt, fmt, out, err) < 0)
		goto out;
	if (run_last(d, last, stmt, &p, &res, err) < 0)
		goto out;
	if (print_result(&p, &res, err) < 0)
		goto out;
	if (fflush(out) == EOF || ferror(out)) {
		lerr_set(err, "cannot write the result: %s", strerror(errno));
		goto out;
	}
	if (rows)
		*rows = p.rows;
	rc = 0;
out:
	duckdb_destroy_result(&res);
	printer_release(&p);
	duckdb_destroy_prepare(&stmt);
	duckdb_destroy_extracted(&ex);
	return rc;
}
