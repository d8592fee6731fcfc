#include "util/dotenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/strv.h"

#define DOTENV_MAX_BYTES (1u << 20)
#define LINE_SHAPE "lines look like KEY=value, KEY=\"value\" or KEY='value'"

/* What the last dotenv_load set, as names and values side by side: a name counts as loaded
 * only while the environment still holds the value from the file. */
static struct strv loaded_names = STRV_INIT;
static struct strv loaded_values = STRV_INIT;

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

/* After a closing quote only blanks and an optional comment may follow. */
static int rest_is_empty(const char *p)
{
	p = skip_blanks(p);
	return *p == '\0' || *p == '#';
}

static int parse_single_quoted(const char *p, struct buf *value, const char **problem)
{
	const char *end = strchr(p, '\'');
	if (!end) {
		*problem = "unterminated single quote (a quoted value must end on the same line)";
		return -1;
	}
	if (!rest_is_empty(end + 1)) {
		*problem = "unexpected text after the closing quote";
		return -1;
	}
	return buf_append(value, p, (size_t)(end - p));
}

static int parse_double_quoted(const char *p, struct buf *value, const char **problem)
{
	for (; *p && *p != '"'; p++) {
		char c = *p;
		if (c == '\\' && (p[1] == 'n' || p[1] == '"' || p[1] == '\\')) {
			p++;
			c = *p == 'n' ? '\n' : *p;
		}
		if (buf_append(value, &c, 1) < 0) {
			*problem = "value too long";
			return -1;
		}
	}
	if (*p != '"') {
		*problem = "unterminated double quote (a quoted value must end on the same line)";
		return -1;
	}
	if (!rest_is_empty(p + 1)) {
		*problem = "unexpected text after the closing quote";
		return -1;
	}
	return 0;
}

static int parse_unquoted(const char *p, struct buf *value)
{
	/* p is just past the '='. A comment starts at a '#' after a blank, so KEY=a#b keeps its '#'
 * and KEY= # note is empty. */
	const char *end = p;
	for (const char *q = p; *q; q++) {
		if (*q == '#' && q > p && is_blank(q[-1]))
			break;
		end = q + 1;
	}
	while (end > p && (is_blank(end[-1])))
		end--;
	p = skip_blanks(p);
	return buf_append(value, p, end > p ? (size_t)(end - p) : 0);
}

/*
 * One line (NUL-terminated, without its newline). 0 with *key empty for a blank or comment
 * line, 0 with key and value filled for an assignment, -1 with *problem for a broken line.
 */
static int parse_line(const char *line, struct buf *key, struct buf *value, const char **problem)
{
	const char *p = skip_blanks(line);
	if (*p == '\0' || *p == '#')
		return 0;
	if (strncmp(p, "export", 6) == 0 && is_blank(p[6]))
		p = skip_blanks(p + 6);
	const char *name = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	size_t name_len = (size_t)(p - name);
	p = skip_blanks(p);
	if (*p != '=') {
		*problem = strchr(p, '=') ? "bad variable name (letters, digits and '_', not starting "
					    "with a digit)"
					  : "no '=' in the line";
		return -1;
	}
	if (name_len == 0 || isdigit((unsigned char)name[0])) {
		*problem = "bad variable name (letters, digits and '_', not starting with a digit)";
		return -1;
	}
	if (buf_append(key, name, name_len) < 0) {
		*problem = "variable name too long";
		return -1;
	}
	const char *v = skip_blanks(p + 1);
	if (*v == '\'')
		return parse_single_quoted(v + 1, value, problem);
	if (*v == '"')
		return parse_double_quoted(v + 1, value, problem);
	if (parse_unquoted(p + 1, value) < 0) {
		*problem = "value too long";
		return -1;
	}
	return 0;
}

static int read_file(const char *path, struct buf *content, int *missing, struct lerr *err)
{
	*missing = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT) {
			*missing = 1;
			return 0;
		}
		return lerr_set(err, "%s: %s", path, strerror(errno));
	}
	int rc = 0;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(content, chunk, n) < 0) {
			rc = lerr_set(err, "%s: larger than %u bytes; is it really a .env file?", path,
				      DOTENV_MAX_BYTES);
			goto close_file;
		}
	}
	if (ferror(f))
		rc = lerr_set(err, "%s: %s", path, strerror(errno));
close_file:
	fclose(f);
	return rc;
}

/* First pass: every assignment of the file, or an error naming the first broken line. */
static int parse_file(const char *path, char *text, size_t len, struct strv *keys,
		      struct strv *values, struct lerr *err)
{
	if (memchr(text, '\0', len))
		return lerr_set(err, "%s: contains a NUL byte; is it really a .env file?", path);
	struct buf key, value;
	buf_init(&key, DOTENV_MAX_BYTES);
	buf_init(&value, DOTENV_MAX_BYTES);
	int rc = 0;
	int lineno = 0;
	for (char *line = text; line; ) {
		lineno++;
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		const char *problem = "out of memory";
		buf_reset(&key);
		buf_reset(&value);
		if (parse_line(line, &key, &value, &problem) < 0) {
			rc = lerr_set(err, "%s:%d: %s; %s", path, lineno, problem, LINE_SHAPE);
			goto release;
		}
		if (key.len > 0 && (strv_push(keys, buf_str(&key)) < 0 ||
				    strv_push(values, buf_str(&value)) < 0)) {
			rc = lerr_set(err, "%s:%d: out of memory", path, lineno);
			goto release;
		}
		line = next;
	}
release:
	buf_release(&key);
	buf_release(&value);
	return rc;
}

/* A later line for the same name wins, as when the file is sourced by a shell. */
static int assigned_again(const struct strv *keys, size_t i)
{
	for (size_t j = i + 1; j < keys->n; j++)
		if (strcmp(keys->v[i], keys->v[j]) == 0)
			return 1;
	return 0;
}

int dotenv_load(const char *path, int *loaded, struct lerr *err)
{
	strv_clear(&loaded_names);
	strv_clear(&loaded_values);
	if (loaded)
		*loaded = 0;
	struct buf content;
	buf_init(&content, DOTENV_MAX_BYTES);
	struct strv keys = STRV_INIT, values = STRV_INIT;
	int missing;
	int rc = read_file(path, &content, &missing, err);
	if (rc < 0 || missing || content.len == 0)
		goto release;
	rc = parse_file(path, content.data, content.len, &keys, &values, err);
	if (rc < 0)
		goto release;
	/* Second pass, only once the whole file has parsed. */
	for (size_t i = 0; i < keys.n; i++) {
		if (assigned_again(&keys, i) || getenv(keys.v[i]))
			continue;
		if (setenv(keys.v[i], values.v[i], 0) < 0 || strv_push(&loaded_names, keys.v[i]) < 0 ||
		    strv_push(&loaded_values, values.v[i]) < 0) {
			rc = lerr_set(err, "%s: setting %s: %s", path, keys.v[i], strerror(errno));
			goto release;
		}
	}
	if (loaded)
		*loaded = (int)loaded_names.n;
release:
	strv_clear(&keys);
	strv_clear(&values);
	buf_release(&content);
	return rc;
}

int dotenv_was_loaded(const char *name)
{
	for (size_t i = 0; i < loaded_names.n; i++) {
		if (strcmp(loaded_names.v[i], name) == 0) {
			const char *now = getenv(name);
			return now && strcmp(now, loaded_values.v[i]) == 0;
		}
	}
	return 0;
}
