#include "luchtmeetnet/api.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_client.h"
#include "ratelimit/limiter.h"
#include "util/buf.h"
#include "util/civil_time.h"
#include "util/log.h"

/* Far beyond the one page a station-day needs: only a server whose pagination never ends
 * gets here. */
#define LMN_MAX_PAGES 1000
#define LMN_PATH_MAX 4096
#define LMN_EXCERPT 200

/* The first LMN_EXCERPT bytes of an error body, on one line of printable ASCII. */
static void body_excerpt(const struct buf *body, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < body->len && i < LMN_EXCERPT && n + 4 < size; i++) {
		unsigned char ch = (unsigned char)body->data[i];
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
		} else {
			out[n++] = ch > ' ' && ch < 127 ? (char)ch : '?';
		}
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	if (n == 0) {
		snprintf(out, size, "(empty body)");
		return;
	}
	if (body->len > LMN_EXCERPT) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/*
 * The one place that maps a status onto the error flags: 429, 408 and 5xx but 500 may pass
 * on a later attempt; 500 does not (a station that answers 500 keeps doing so), nor does
 * any other status.
 */
static int check_status(const struct http_response *r, const char *where, struct lerr *err)
{
	long s = r->status;
	if (s == 200)
		return 0;
	char excerpt[LMN_EXCERPT + 8];
	body_excerpt(&r->body, excerpt, sizeof(excerpt));
	char after[64] = "";
	if (r->retry_after >= 0)
		snprintf(after, sizeof(after), " (Retry-After: %g s)", r->retry_after);
	const char *why = s == 500 ? " (not retried: a station that answers 500 keeps doing so)"
		: s == 429 ? " (rate limited)" : "";
	lerr_set(err, "%s: HTTP %ld from the API%s%s: %s", where, s, why, after, excerpt);
	err->retryable = s == 429 || s == 408 || (s > 500 && s <= 599);
	err->retry_after = err->retryable ? r->retry_after : -1;
	return -1;
}

static void report(struct lmn_client *c, const char *path, int rc,
		   const struct http_response *r, const struct lerr *err)
{
	if (!c->on_request)
		return;
	struct buf line;
	buf_init(&line, LMN_PATH_MAX + sizeof(err->msg) + 64);
	int ms = (int)(r->elapsed * 1000 + 0.5);
	if (rc == 0)
		buf_printf(&line, "GET %s -> %ld, %zu bytes, %d ms", path, r->status, r->body.len, ms);
	else
		buf_printf(&line, "GET %s -> failed: %s, %d ms", path, err->msg, ms);
	if (rc == 0 && r->status == 429)
		buf_printf(&line, "; rate limited, refusal %d in this process", c->rate_limited);
	c->on_request(c->ctx, buf_str(&line));
	buf_release(&line);
}

/* The limiter's slot is held from the answer on; a failure here leaves it held from the
 * acquisition, and the next acquisition reports what is wrong with the limiter. */
static void release_slot(struct lmn_client *c)
{
	struct lerr derr;
	if (limiter_done(c->limiter, &derr) < 0)
		log_warning("%s", derr.msg);
}

/* The server refused although the limiter let the request go: the window is shared with
 * clients we do not know of, or the server counts differently. Without a Retry-After the
 * next attempt waits a whole period, after which every slot the server saw has freed. */
static void count_refusal(struct lmn_client *c, const char *path, struct lerr *err)
{
	if (err->retry_after < 0 && c->limiter)
		err->retry_after = c->limiter->period;
	char wait[64] = "";
	if (err->retry_after >= 0)
		snprintf(wait, sizeof(wait), "; next attempt in %g s or later", err->retry_after);
	log_warning("the API refused GET %s with 429 (%d refusal%s in this process)%s", path,
		    c->rate_limited, c->rate_limited == 1 ? "" : "s", wait);
}

/*
 * One GET of base_url + path, shared by every call: the rate limiter first, then the
 * exchange, reported to on_request, then the limiter's slot dated at the answer. 0 with a
 * 200 response in r; -1 with err saying what went wrong, prefixed by where (r->status is
 * that of the failed answer, or 0).
 */
static int lmn_get(struct lmn_client *c, const char *path, const char *where,
		   struct http_response *r, struct lerr *err)
{
	struct buf url;
	buf_init(&url, LMN_PATH_MAX * 2);
	if (buf_printf(&url, "%s%s", c->base_url, path) < 0) {
		buf_release(&url);
		return lerr_set(err, "%s: URL too long", where);
	}
	if (c->limiter && limiter_acquire(c->limiter, NULL, err) < 0) {
		buf_release(&url);
		return lerr_prefix(err, "%s", where);
	}
	c->requests++;
	int rc = http_get(c->http, buf_str(&url), NULL, r, err);
	buf_release(&url);
	if (c->limiter)
		release_slot(c);
	if (rc == 0 && r->status == 429)
		c->rate_limited++;
	report(c, path, rc, r, err);
	if (rc < 0)
		return lerr_prefix(err, "%s", where);
	rc = check_status(r, where, err);
	if (rc < 0 && r->status == 429)
		count_refusal(c, path, err);
	return rc;
}

static json_t *load_object(const char *body, size_t len, struct lerr *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	if (!root) {
		lerr_set(err, "malformed JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			 jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		lerr_set(err, "the response is not a JSON object");
		return NULL;
	}
	return root;
}

static int get_int(const json_t *obj, const char *key, int *out, struct lerr *err)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v))
		return lerr_set(err, "pagination.%s is missing or not an integer", key);
	*out = (int)json_integer_value(v);
	return 0;
}

static int parse_pagination(const json_t *root, struct lmn_page *pg, struct lerr *err)
{
	const json_t *p = json_object_get(root, "pagination");
	if (!json_is_object(p))
		return lerr_set(err, "the response has no pagination object");
	if (get_int(p, "current_page", &pg->current_page, err) < 0 ||
	    get_int(p, "next_page", &pg->next_page, err) < 0 ||
	    get_int(p, "last_page", &pg->last_page, err) < 0)
		return -1;
	return 0;
}

/* Copies the string at key into out[size]; absent or null leaves "". */
static int copy_field(const json_t *row, const char *key, bool required, char *out, size_t size,
		      struct lerr *err)
{
	const json_t *v = json_object_get(row, key);
	out[0] = '\0';
	if (!v || json_is_null(v))
		return required ? lerr_set(err, "no %s", key) : 0;
	if (!json_is_string(v))
		return lerr_set(err, "%s is not a string", key);
	const char *s = json_string_value(v);
	if (strlen(s) >= size)
		return lerr_set(err, "%s \"%.40s\" is too long", key, s);
	if (required && !s[0])
		return lerr_set(err, "empty %s", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int parse_row(const json_t *row, struct measurement *m, struct lerr *err)
{
	if (!json_is_object(row))
		return lerr_set(err, "not an object");
	char ts[64];
	if (copy_field(row, "station_number", false, m->station_number,
		       sizeof(m->station_number), err) < 0 ||
	    copy_field(row, "formula", true, m->formula, sizeof(m->formula), err) < 0 ||
	    copy_field(row, "timestamp_measured", true, ts, sizeof(ts), err) < 0)
		return -1;
	if (time_parse_iso8601(ts, &m->timestamp_measured) < 0)
		return lerr_set(err, "timestamp_measured \"%s\" is not an ISO 8601 time", ts);
	const json_t *v = json_object_get(row, "value");
	m->value = 0;
	m->value_is_null = !v || json_is_null(v);
	if (json_is_number(v))
		m->value = json_number_value(v);
	else if (!m->value_is_null)
		return lerr_set(err, "value is not a number");
	return 0;
}

int lmn_parse_measurements_page(const char *body, size_t len, struct lmn_page *page,
				int (*on_row)(void *ctx, const struct measurement *m, struct lerr *err),
				void *ctx, struct lerr *err)
{
	json_t *root = load_object(body, len, err);
	if (!root)
		return -1;
	int rc = -1;
	struct lmn_page pg;
	if (parse_pagination(root, &pg, err) < 0)
		goto out;
	const json_t *data = json_object_get(root, "data");
	if (!json_is_array(data)) {
		lerr_set(err, "the response has no data array");
		goto out;
	}
	size_t i;
	const json_t *row;
	json_array_foreach(data, i, row) {
		struct measurement m;
		if (parse_row(row, &m, err) < 0) {
			lerr_prefix(err, "row %zu", i + 1);
			goto out;
		}
		if (on_row(ctx, &m, err) != 0)
			goto out;
	}
	*page = pg;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Between the parser and the caller's on_row: keeps the rows of (start, end] and says
 * whose they are. */
struct row_filter {
	const char *station;
	time_t start;
	time_t end;
	int (*on_row)(void *ctx, const struct measurement *m, struct lerr *err);
	void *ctx;
	bool caller_failed;  /* the error is the caller's own: no prefix */
};

static int filter_row(void *ctx, const struct measurement *m, struct lerr *err)
{
	struct row_filter *f = ctx;
	if (m->timestamp_measured <= f->start || m->timestamp_measured > f->end)
		return 0;
	struct measurement row = *m;
	if (!row.station_number[0])
		snprintf(row.station_number, sizeof(row.station_number), "%s", f->station);
	else if (strcmp(row.station_number, f->station) != 0)
		return lerr_set(err, "a row of station %s in the answer for %s",
				row.station_number, f->station);
	int rc = f->on_row(f->ctx, &row, err);
	f->caller_failed = rc != 0;
	return rc;
}

static int measurements_path(struct buf *b, const char *station, const char *start,
			     const char *end, int page)
{
	buf_reset(b);
	if (buf_puts(b, "/measurements?station_number=") < 0 || http_query_escape(b, station) < 0 ||
	    buf_puts(b, "&start=") < 0 || http_query_escape(b, start) < 0 ||
	    buf_puts(b, "&end=") < 0 || http_query_escape(b, end) < 0)
		return -1;
	return buf_printf(b, "&page=%d&order_by=timestamp_measured&order_direction=asc", page);
}

struct page_request {
	struct lmn_client *c;
	struct row_filter *filter;
	char start[26];
	char end[26];
	struct buf path;
	struct http_response resp;
};

static int fetch_page(struct page_request *q, int page, struct lmn_page *pg, struct lerr *err)
{
	char where[64];
	snprintf(where, sizeof(where), "page %d of /measurements for %s", page, q->filter->station);
	if (measurements_path(&q->path, q->filter->station, q->start, q->end, page) < 0)
		return lerr_set(err, "%s: URL too long", where);
	if (lmn_get(q->c, buf_str(&q->path), where, &q->resp, err) < 0)
		return -1;
	if (lmn_parse_measurements_page(buf_str(&q->resp.body), q->resp.body.len, pg, filter_row,
					q->filter, err) < 0)
		return q->filter->caller_failed ? -1 : lerr_prefix(err, "%s", where);
	/* A server that ignores page would otherwise hand out page 1 over and over. */
	if (pg->last_page > 0 && pg->current_page != page)
		return lerr_set(err, "%s: the API answered with page %d", where, pg->current_page);
	return 0;
}

int lmn_measurements(struct lmn_client *c, const char *station, time_t start, time_t end,
		     int (*on_row)(void *ctx, const struct measurement *m, struct lerr *err),
		     void *ctx, struct lerr *err)
{
	if (strlen(station) >= sizeof(((struct measurement *)0)->station_number))
		return lerr_set(err, "station number \"%.40s\" is too long", station);
	struct row_filter f = {
		.station = station, .start = start, .end = end, .on_row = on_row, .ctx = ctx,
	};
	struct page_request q = { .c = c, .filter = &f };
	time_format_utc(start, q.start);
	time_format_utc(end, q.end);
	buf_init(&q.path, LMN_PATH_MAX);
	http_response_init(&q.resp);
	int rc = -1;
	struct lmn_page pg;
	int page = 1;
	for (int fetched = 0;; fetched++) {
		if (fetched == LMN_MAX_PAGES) {
			lerr_set(err, "/measurements for %s: no last page after %d pages", station,
				 LMN_MAX_PAGES);
			goto out;
		}
		if (fetch_page(&q, page, &pg, err) < 0)
			goto out;
		if (pg.next_page <= pg.current_page)
			break;
		page = pg.next_page;
	}
	rc = 0;
out:
	http_response_release(&q.resp);
	buf_release(&q.path);
	return rc;
}

void station_info_release(struct station_info *s)
{
	free(s->number);
	free(s->location);
	free(s->type);
	free(s->municipality);
	free(s->province);
	free(s->organisation);
	free(s->url);
	free(s->year_start);
	strv_clear(&s->components);
	free(s->description_nl);
	free(s->description_en);
	memset(s, 0, sizeof(*s));
}

/* The string at key, or "" when absent or null (NULL then if nullable). */
static int dup_field(const json_t *obj, const char *key, bool nullable, char **out,
		     struct lerr *err)
{
	const json_t *v = json_object_get(obj, key);
	if (v && !json_is_null(v) && !json_is_string(v))
		return lerr_set(err, "%s is not a string", key);
	if (nullable && (!v || json_is_null(v))) {
		*out = NULL;
		return 0;
	}
	*out = strdup(json_is_string(v) ? json_string_value(v) : "");
	return *out ? 0 : lerr_set(err, "out of memory");
}

static const struct {
	const char *key;
	size_t offset;
	bool nullable;
} station_fields[] = {
	{ "location", offsetof(struct station_info, location), false },
	{ "type", offsetof(struct station_info, type), false },
	{ "municipality", offsetof(struct station_info, municipality), false },
	{ "province", offsetof(struct station_info, province), true },
	{ "organisation", offsetof(struct station_info, organisation), false },
	{ "url", offsetof(struct station_info, url), false },
	{ "year_start", offsetof(struct station_info, year_start), false },
};

static int parse_components(const json_t *data, struct strv *out, struct lerr *err)
{
	const json_t *list = json_object_get(data, "components");
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return lerr_set(err, "components is not an array");
	size_t i;
	const json_t *v;
	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			return lerr_set(err, "components[%zu] is not a string", i);
		if (strv_push(out, json_string_value(v)) < 0)
			return lerr_set(err, "out of memory");
	}
	return 0;
}

/* geometry.coordinates is [longitude, latitude]; no geometry is not an error. */
static int parse_geometry(const json_t *data, struct station_info *s, struct lerr *err)
{
	const json_t *g = json_object_get(data, "geometry");
	const json_t *c = json_object_get(g, "coordinates");
	if (!c || json_is_null(c))
		return 0;
	const json_t *lon = json_array_get(c, 0);
	const json_t *lat = json_array_get(c, 1);
	if (!json_is_number(lon) || !json_is_number(lat))
		return lerr_set(err, "geometry.coordinates is not [longitude, latitude]");
	s->longitude = json_number_value(lon);
	s->latitude = json_number_value(lat);
	s->has_coordinates = true;
	return 0;
}

static int parse_description(const json_t *data, struct station_info *s, struct lerr *err)
{
	const json_t *d = json_object_get(data, "description");
	if (d && !json_is_null(d) && !json_is_object(d))
		return lerr_set(err, "description is not an object");
	if (dup_field(d, "NL", false, &s->description_nl, err) < 0 ||
	    dup_field(d, "EN", false, &s->description_en, err) < 0)
		return lerr_prefix(err, "description");
	return 0;
}

int lmn_parse_station(const char *body, size_t len, const char *number,
		      struct station_info *out, struct lerr *err)
{
	json_t *root = load_object(body, len, err);
	if (!root)
		return -1;
	struct station_info s = { 0 };
	const json_t *data = json_object_get(root, "data");
	if (!json_is_object(data)) {
		lerr_set(err, "the response has no data object");
		goto fail;
	}
	s.number = strdup(number);
	if (!s.number) {
		lerr_set(err, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(station_fields) / sizeof(station_fields[0]); i++) {
		char **field = (char **)((char *)&s + station_fields[i].offset);
		if (dup_field(data, station_fields[i].key, station_fields[i].nullable, field,
			      err) < 0)
			goto fail;
	}
	if (parse_components(data, &s.components, err) < 0 ||
	    parse_geometry(data, &s, err) < 0 || parse_description(data, &s, err) < 0)
		goto fail;
	json_decref(root);
	*out = s;
	return 0;
fail:
	station_info_release(&s);
	json_decref(root);
	return -1;
}

int lmn_station(struct lmn_client *c, const char *number, struct station_info *out,
		struct lerr *err)
{
	struct buf path;
	buf_init(&path, LMN_PATH_MAX);
	struct http_response resp;
	http_response_init(&resp);
	int rc = -1;
	if (buf_puts(&path, "/stations/") < 0 || http_query_escape(&path, number) < 0) {
		lerr_set(err, "station number \"%.40s\" is too long", number);
		goto out;
	}
	if (lmn_get(c, buf_str(&path), buf_str(&path), &resp, err) < 0) {
		if (resp.status == 404)
			lerr_set(err, "station %s is unknown to the API (HTTP 404)", number);
		goto out;
	}
	if (lmn_parse_station(buf_str(&resp.body), resp.body.len, number, out, err) < 0) {
		lerr_prefix(err, "%s", buf_str(&path));
		goto out;
	}
	rc = 0;
out:
	http_response_release(&resp);
	buf_release(&path);
	return rc;
}
