/*
 * fake-luchtmeetnet: a local stand-in for the Luchtmeetnet open API, for the tests.
 *
 *   fake-luchtmeetnet --port-file FILE [--port N] [--stations FILE] [--page-size N]
 *                     [--request-log FILE] [--rate CALLS/SECONDS]
 *                     [--station-mode STATION=MODE]... [--default-mode MODE]
 *
 * It listens on 127.0.0.1 only, writes the bound port to the port file once it listens
 * (atomically: readers never see a partial file) and serves until SIGTERM or SIGINT.
 * The endpoints answer as docs/luchtmeetnet-api.md describes the real ones, with
 * measurements and station details made up deterministically from the station number, so
 * that two runs give the same data. The path may start with /open_api, as the real one's.
 *
 * A MODE makes the requests concerning one station (or, as the default mode, all requests)
 * misbehave; suffixed with xN only the first N of them do, the later ones are answered
 * normally. Modes: ok, empty (no rows), nulls (some values null), huge (a ~40 MB body),
 * malformed (truncated JSON), html502 (a gateway's HTML page), reset (the connection is
 * closed without an answer), slow=SECONDS (answers late), 429 (with Retry-After: 1),
 * 429nr (without Retry-After), 429date (Retry-After as an HTTP-date a minute ahead), or any
 * other status code from 400 to 599 (a JSON error).
 * Requests refused by --rate do not count towards a mode's N.
 *
 * GET /_fake/stats tells the tests how many connections and requests were served; it is
 * not counted, rate limited or logged.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATIONS_PER_PAGE 25
#define HUGE_BODY_BYTES (40u << 20)
#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

enum mode_kind {
	MODE_OK,
	MODE_EMPTY,
	MODE_NULLS,
	MODE_HUGE,
	MODE_MALFORMED,
	MODE_HTML502,
	MODE_RESET,
	MODE_SLOW,
	MODE_STATUS,         /* a JSON error with `status`; 429 adds Retry-After: 1 */
	MODE_429_NO_RETRY,
	MODE_429_DATE,
};

struct mode {
	enum mode_kind kind;
	int status;
	double seconds;  /* MODE_SLOW */
	int times;       /* only the first `times` requests; 0: all */
};

struct station {
	char *number;
	char *location;
};

/* Requests seen per station ("" for requests about no station), for the xN modes. */
struct counter {
	char *key;
	int requests;
	const struct mode *mode;
};

static struct {
	/* Set up by main, read-only while serving. */
	struct station *stations;
	size_t n_stations;
	int page_size;
	struct mode default_mode;
	int rate_calls;
	int64_t rate_period_us;
	FILE *log;

	pthread_mutex_t lock;  /* guards everything below */
	pthread_cond_t stopped;
	bool stopping;
	struct counter *counters;
	size_t n_counters;
	int64_t *rate_log;     /* ring of the accepted requests' times */
	size_t rate_next;
	size_t rate_used;
	unsigned connections;
	unsigned requests;
} fake = {
	.page_size = 1000,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.stopped = PTHREAD_COND_INITIALIZER,
};

static const char *const formulas[] = {
	"NO", "NO2", "O3", "PM10", "PM25", "FN", "BCWB", "CO",
	"NH3", "PS", "SO2", "C6H6", "C7H8", "C8H10", "H2S",
};
#define N_FORMULAS (sizeof(formulas) / sizeof(formulas[0]))

/* ---- deterministic data ---- */

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix(h);
}

static uint64_t station_hash(const char *number)
{
	return hash_str(0xcbf29ce484222325ULL, number);
}

/* 3 to 8 distinct formulas: a stride coprime with 15 never repeats within 15 steps. */
static size_t station_components(const char *number, const char *out[8])
{
	static const unsigned strides[] = { 1, 2, 4, 7, 8, 11, 13, 14 };
	uint64_t h = station_hash(number);
	size_t n = 3 + h % 6;
	unsigned stride = strides[(h >> 8) % 8];
	unsigned first = (h >> 16) % N_FORMULAS;
	for (size_t i = 0; i < n; i++)
		out[i] = formulas[(first + i * stride) % N_FORMULAS];
	return n;
}

/* Tenths, mostly 0.0 to 99.9; now and then a slightly negative O3, as the real API has. */
static double measurement_value(const char *number, const char *formula, time_t hour)
{
	uint64_t h = mix(hash_str(station_hash(number), formula) ^ (uint64_t)hour);
	long tenths = (long)(h % 1000);
	if (strcmp(formula, "O3") == 0 && (h >> 32) % 11 == 0)
		tenths = -(long)(1 + (h >> 40) % 9);
	return (double)tenths / 10.0;
}

static bool measurement_is_null(const char *number, const char *formula, time_t hour)
{
	return mix(hash_str(station_hash(number), formula) + (uint64_t)hour) % 5 == 0;
}

static const struct station *find_station(const char *number)
{
	for (size_t i = 0; i < fake.n_stations; i++)
		if (strcmp(fake.stations[i].number, number) == 0)
			return &fake.stations[i];
	return NULL;
}

static void format_time(time_t t, char out[32])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

static int two_digits(const char *p)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1])
		? (p[0] - '0') * 10 + (p[1] - '0') : -1;
}

/* The offset after a date-time: Z, +HH:MM, +HHMM, +HH or nothing (UTC); -1 if invalid. */
static int parse_offset(const char *p, long *seconds)
{
	*seconds = 0;
	if (*p == '\0' || strcmp(p, "Z") == 0)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	int hours = two_digits(p + 1);
	if (hours < 0)
		return -1;
	const char *m = p[3] == ':' ? p + 4 : p + 3;
	int minutes = *m ? two_digits(m) : (p[3] == ':' ? -1 : 0);
	if (minutes < 0 || (*m && m[2]))
		return -1;
	*seconds = (hours * 3600L + minutes * 60L) * (*p == '-' ? -1 : 1);
	return 0;
}

static int parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	const char *p = s + n;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	long offset;
	if (parse_offset(p, &offset) < 0)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm) - offset;
	return 0;
}

/* ---- JSON documents ---- */

static json_t *pagination(int current, int last)
{
	json_t *pages = json_array();
	for (int i = 1; i <= last; i++)
		json_array_append_new(pages, json_integer(i));
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:o}", "first_page", 1, "last_page", last,
			 "prev_page", current > 2 ? current - 1 : 1, "current_page", current,
			 "next_page", current + 1 < last ? current + 1 : last, "page_list", pages);
}

/* {"pagination": ..., "data": data} for page `page` of `total` items; takes data. */
static char *page_document(json_t *data, int page, size_t total, size_t per_page)
{
	int last = (int)((total + per_page - 1) / per_page);
	json_t *doc = json_pack("{s:o, s:o}", "pagination", pagination(page, last), "data", data);
	char *s = json_dumps(doc, JSON_FLAGS);
	json_decref(doc);
	return s;
}

static char *error_document(const char *reason, const char *message)
{
	json_t *doc = json_pack("{s:s, s:s}", "reason", reason, "message", message);
	char *s = json_dumps(doc, JSON_FLAGS);
	json_decref(doc);
	return s;
}

static json_t *station_details(const struct station *st)
{
	static const char *const types[] = { "Traffic", "Industrial", "Regional" };
	static const char *const provinces[] = {
		"Zuid-Holland", "Noord-Holland", "Utrecht", "Gelderland", "Noord-Brabant",
		"Limburg", "Zeeland", "Groningen",
	};
	static const char *const organisations[] = {
		"RIVM", "DCMR (Rijnmond)", "GGD Amsterdam", "Provincie Limburg", "ODRA",
	};
	uint64_t h = station_hash(st->number);
	const char *comps[8];
	size_t n = station_components(st->number, comps);
	json_t *components = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(components, json_string(comps[i]));
	char municipality[128];
	snprintf(municipality, sizeof(municipality), "%.*s",
		 (int)strcspn(st->location, "-"), st->location);
	char url[96] = "";
	if ((h >> 24) % 3)
		snprintf(url, sizeof(url), "https://www.luchtmeetnet.nl/meetpunt/%s", st->number);
	char year[8] = "";
	if ((h >> 28) % 4)
		snprintf(year, sizeof(year), "%d", 1980 + (int)((h >> 32) % 44));
	double lon = 3.4 + (double)((h >> 36) % 38000) / 10000.0;
	double lat = 50.8 + (double)((h >> 12) % 27000) / 10000.0;
	json_t *province = (h >> 20) % 4 ? json_string(provinces[(h >> 44) % 8]) : json_null();
	return json_pack("{s:s, s:o, s:{s:s, s:[f, f]}, s:s, s:s, s:o, s:s, s:s, s:s, s:{s:s, s:s}}",
			 "type", types[(h >> 4) % 3], "components", components,
			 "geometry", "type", "point", "coordinates", lon, lat,
			 "municipality", municipality, "url", url, "province", province,
			 "organisation", organisations[(h >> 48) % 5], "location", st->location,
			 "year_start", year, "description", "NL", st->location, "EN", st->location);
}

/* ---- exchanges ---- */

struct reply {
	int status;
	char *body;  /* malloc'ed; NULL: no answer at all (the connection is closed) */
	const char *content_type;
	int retry_after;  /* seconds, or -1 */
	bool retry_after_date;  /* sent as an HTTP-date rather than delta-seconds */
	bool huge;
};

/* What one request is about, for the route handlers. */
struct exchange {
	struct MHD_Connection *conn;
	const char *param;  /* the path segment after a route's prefix */
	enum mode_kind mode;
	struct reply reply;
};

static void set_json(struct reply *r, int status, char *body)
{
	r->status = status;
	r->body = body;
	r->content_type = "application/json";
}

static void set_error(struct reply *r, int status, const char *reason, const char *message)
{
	set_json(r, status, error_document(reason, message));
}

static const char *arg(struct exchange *x, const char *key)
{
	return MHD_lookup_connection_value(x->conn, MHD_GET_ARGUMENT_KIND, key);
}

static int page_arg(struct exchange *x)
{
	const char *s = arg(x, "page");
	int page = s ? atoi(s) : 1;
	return page > 0 ? page : 1;
}

static void handle_station_list(struct exchange *x)
{
	int page = page_arg(x);
	size_t total = x->mode == MODE_EMPTY ? 0 : fake.n_stations;
	json_t *data = json_array();
	for (size_t i = (size_t)(page - 1) * STATIONS_PER_PAGE;
	     i < total && i < (size_t)page * STATIONS_PER_PAGE; i++)
		json_array_append_new(data, json_pack("{s:s, s:s}", "number",
						      fake.stations[i].number, "location",
						      fake.stations[i].location));
	set_json(&x->reply, 200, page_document(data, page, total, STATIONS_PER_PAGE));
}

static void handle_station(struct exchange *x)
{
	const struct station *st = find_station(x->param);
	if (!st) {
		set_error(&x->reply, 404, "not_found", "Not Found");
		return;
	}
	json_t *doc = json_pack("{s:o}", "data", station_details(st));
	set_json(&x->reply, 200, json_dumps(doc, JSON_FLAGS));
	json_decref(doc);
}

/* The (station, formula) pairs a measurements query covers, in answer order per hour. */
struct series {
	const char *station;
	const char *formula;
};

/* out has room for every component of every station. */
static size_t query_series(struct exchange *x, struct series *out)
{
	const char *number = arg(x, "station_number");
	const char *formula = arg(x, "formula");
	size_t n = 0;
	for (size_t i = 0; i < fake.n_stations; i++) {
		if (number && strcmp(number, fake.stations[i].number) != 0)
			continue;
		const char *comps[8];
		size_t k = station_components(fake.stations[i].number, comps);
		for (size_t j = 0; j < k; j++)
			if (!formula || strcmp(formula, comps[j]) == 0)
				out[n++] = (struct series){ fake.stations[i].number, comps[j] };
	}
	return n;
}

static json_t *measurement_row(const struct series *s, time_t hour, bool nulls)
{
	char at[32], from[32];
	format_time(hour, at);
	format_time(hour - 3600, from);
	json_t *value = nulls && measurement_is_null(s->station, s->formula, hour)
		? json_null() : json_real(measurement_value(s->station, s->formula, hour));
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "station_number", s->station,
			 "value", value, "timestamp_measured", at, "formula", s->formula,
			 "timestamp_measured_start", from, "timestamp_measured_end", at);
}

static void handle_measurements(struct exchange *x)
{
	const char *start_s = arg(x, "start");
	const char *end_s = arg(x, "end");
	time_t start, end;
	if (!start_s || !end_s || parse_time(start_s, &start) < 0 || parse_time(end_s, &end) < 0) {
		set_error(&x->reply, 400, "bad_request",
			  "start and end must be ISO 8601 date-times");
		return;
	}
	struct series *series = malloc((fake.n_stations * 8 + 1) * sizeof(*series));
	if (!series) {
		set_error(&x->reply, 500, "internal_server_error", "out of memory");
		return;
	}
	size_t n_series = query_series(x, series);
	time_t first = (start + 3599) / 3600 * 3600;
	time_t last = end / 3600 * 3600;
	size_t hours = last >= first ? (size_t)((last - first) / 3600 + 1) : 0;
	size_t total = x->mode == MODE_EMPTY ? 0 : hours * n_series;
	const char *dir = arg(x, "order_direction");
	bool asc = dir && strcmp(dir, "asc") == 0;
	int page = page_arg(x);
	size_t per_page = (size_t)fake.page_size;
	json_t *data = json_array();
	for (size_t i = (size_t)(page - 1) * per_page; i < total && i < (size_t)page * per_page; i++) {
		time_t step = (time_t)(i / n_series) * 3600;
		json_array_append_new(data, measurement_row(&series[i % n_series],
							    asc ? first + step : last - step,
							    x->mode == MODE_NULLS));
	}
	free(series);
	set_json(&x->reply, 200, page_document(data, page, total, per_page));
}

static const struct route {
	const char *path;  /* exact, or with has_param a prefix followed by one segment */
	bool has_param;
	void (*handle)(struct exchange *x);
} routes[] = {
	{ "/stations", false, handle_station_list },
	{ "/stations/", true, handle_station },
	{ "/measurements", false, handle_measurements },
};

static const struct route *find_route(const char *path, const char **param)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		size_t n = strlen(r->path);
		if (!r->has_param && strcmp(path, r->path) == 0)
			return r;
		if (r->has_param && strncmp(path, r->path, n) == 0 && path[n] &&
		    !strchr(path + n, '/')) {
			*param = path + n;
			return r;
		}
	}
	return NULL;
}

/* ---- modes, rate limit, log (shared state) ---- */

/* The station a request is about: what the xN modes count. */
static const char *request_station(struct exchange *x, const struct route *r)
{
	if (r && r->has_param)
		return x->param;
	const char *number = r && r->handle == handle_measurements ? arg(x, "station_number")
		: NULL;
	return number ? number : "";
}

static struct counter *counter_for(const char *key)
{
	for (size_t i = 0; i < fake.n_counters; i++)
		if (strcmp(fake.counters[i].key, key) == 0)
			return &fake.counters[i];
	struct counter *more = realloc(fake.counters, (fake.n_counters + 1) * sizeof(*more));
	if (!more)
		return NULL;
	fake.counters = more;
	struct counter *c = &fake.counters[fake.n_counters];
	c->key = strdup(key);
	if (!c->key)
		return NULL;
	c->requests = 0;
	c->mode = &fake.default_mode;
	fake.n_counters++;
	return c;
}

static struct mode current_mode(const char *station)
{
	static const struct mode ok = { .kind = MODE_OK };
	pthread_mutex_lock(&fake.lock);
	struct counter *c = counter_for(station);
	struct mode m = c ? *c->mode : fake.default_mode;
	if (c && m.times > 0 && ++c->requests > m.times)
		m = ok;
	pthread_mutex_unlock(&fake.lock);
	return m;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 0 when the request fits in the window (and takes a slot), else seconds to wait. */
static int rate_check(int64_t now)
{
	if (fake.rate_calls <= 0)
		return 0;
	int wait = 0;
	pthread_mutex_lock(&fake.lock);
	if (fake.rate_used == (size_t)fake.rate_calls) {
		int64_t frees = fake.rate_log[fake.rate_next] + fake.rate_period_us;
		if (frees > now)
			wait = (int)((frees - now + 999999) / 1000000);
	}
	if (!wait) {
		fake.rate_log[fake.rate_next] = now;
		fake.rate_next = (fake.rate_next + 1) % (size_t)fake.rate_calls;
		if (fake.rate_used < (size_t)fake.rate_calls)
			fake.rate_used++;
	}
	pthread_mutex_unlock(&fake.lock);
	return wait;
}

static void log_request(int64_t at, int status, const char *uri)
{
	pthread_mutex_lock(&fake.lock);
	fake.requests++;
	if (fake.log) {
		fprintf(fake.log, "%lld %d %s\n", (long long)at, status, uri);
		fflush(fake.log);
	}
	pthread_mutex_unlock(&fake.lock);
}

/* Sleeps, but no longer than until the server is told to stop. */
static void slow_down(double seconds)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	int64_t ns = until.tv_nsec + (int64_t)(seconds * 1e9);
	until.tv_sec += (time_t)(ns / 1000000000);
	until.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&fake.lock);
	while (!fake.stopping &&
	       pthread_cond_timedwait(&fake.stopped, &fake.lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&fake.lock);
}

/* Failure modes answer instead of the route; 0 when the route should answer. */
static int misbehave(const struct mode *m, struct reply *r)
{
	static const char html[] =
		"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
		"</body>\r\n</html>\r\n";
	switch (m->kind) {
	case MODE_RESET:
		return 1;
	case MODE_HUGE:
		r->status = 200;
		r->huge = true;
		return 1;
	case MODE_MALFORMED:
		set_json(r, 200, strdup("{\"pagination\": {\"current_page\": 1, \"data\": ["));
		return 1;
	case MODE_HTML502:
		r->status = 502;
		r->body = strdup(html);
		r->content_type = "text/html";
		return 1;
	case MODE_STATUS:
	case MODE_429_NO_RETRY:
	case MODE_429_DATE:
		set_error(r, m->status, m->status == 500 ? "internal_server_error" : "error",
			  MHD_get_reason_phrase_for((unsigned)m->status));
		r->retry_after = m->kind == MODE_429_DATE ? 60
			: m->kind == MODE_STATUS && m->status == 429 ? 1 : -1;
		r->retry_after_date = m->kind == MODE_429_DATE;
		return 1;
	case MODE_SLOW:
		slow_down(m->seconds);
		return 0;
	default:
		return 0;
	}
}

/* ---- HTTP ---- */

/* A ~40 MB body of valid-looking measurements: a header, one row over and over, "]}". */
static const char huge_head[] =
	"{\"pagination\":{\"first_page\":1,\"last_page\":1,\"prev_page\":1,\"current_page\":1,"
	"\"next_page\":1,\"page_list\":[1]},\"data\":[";
static const char huge_row[] =
	"{\"station_number\":\"NL01485\",\"value\":12.3,"
	"\"timestamp_measured\":\"2024-01-24T00:00:00+00:00\",\"formula\":\"NO2\","
	"\"timestamp_measured_start\":\"2024-01-23T23:00:00+00:00\","
	"\"timestamp_measured_end\":\"2024-01-24T00:00:00+00:00\"}";
#define HUGE_HEAD_LEN (sizeof(huge_head) - 1)
#define HUGE_UNIT (sizeof(huge_row))  /* the row and a ',' (the last one a ']') */
#define HUGE_ROWS (HUGE_BODY_BYTES / HUGE_UNIT)
#define HUGE_TOTAL (HUGE_HEAD_LEN + HUGE_ROWS * HUGE_UNIT + 1)

static char huge_byte(uint64_t pos)
{
	if (pos < HUGE_HEAD_LEN)
		return huge_head[pos];
	pos -= HUGE_HEAD_LEN;
	uint64_t unit = pos / HUGE_UNIT, k = pos % HUGE_UNIT;
	if (unit == HUGE_ROWS)
		return '}';
	if (k < HUGE_UNIT - 1)
		return huge_row[k];
	return unit + 1 == HUGE_ROWS ? ']' : ',';
}

static ssize_t huge_read(void *cls, uint64_t pos, char *out, size_t max)
{
	(void)cls;
	size_t n = 0;
	for (; n < max && pos + n < HUGE_TOTAL; n++)
		out[n] = huge_byte(pos + n);
	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, const struct reply *r)
{
	struct MHD_Response *resp;
	if (r->huge)  /* chunked: the client learns the size only by reading */
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, huge_read,
							 NULL, NULL);
	else
		resp = MHD_create_response_from_buffer(strlen(r->body), r->body,
						       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type : "application/json");
	if (r->retry_after >= 0) {
		char s[64];
		time_t at = time(NULL) + r->retry_after;
		struct tm tm;
		if (r->retry_after_date)
			strftime(s, sizeof(s), "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&at, &tm));
		else
			snprintf(s, sizeof(s), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s);
	}
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_stats(struct MHD_Connection *conn)
{
	pthread_mutex_lock(&fake.lock);
	json_t *doc = json_pack("{s:i, s:i}", "connections", (int)fake.connections, "requests",
				(int)fake.requests);
	pthread_mutex_unlock(&fake.lock);
	struct reply r = { .retry_after = -1 };
	set_json(&r, 200, json_dumps(doc, JSON_FLAGS));
	json_decref(doc);
	enum MHD_Result ret = r.body ? send_reply(conn, &r) : MHD_NO;
	free(r.body);
	return ret;
}

/* Fills x->reply for a request that passed the rate limit. */
static void answer(struct exchange *x, const char *path)
{
	const struct route *route = find_route(path, &x->param);
	struct mode m = current_mode(request_station(x, route));
	x->mode = m.kind;
	if (misbehave(&m, &x->reply))
		return;
	if (route)
		route->handle(x);
	else
		set_error(&x->reply, 404, "not_found", "Not Found");
}

/* Per request: the URI as sent (with its query), for the log. */
struct request {
	char *uri;
	bool seen;
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	struct request *req = *req_cls;
	if (!req || !req->seen || *upload_size) {
		if (req)
			req->seen = true;
		*upload_size = 0;
		return req ? MHD_YES : MHD_NO;
	}
	const char *path = strncmp(url, "/open_api/", 10) == 0 ? url + 9 : url;
	if (strcmp(path, "/_fake/stats") == 0)
		return send_stats(conn);
	int64_t at = now_us();
	struct exchange x = { .conn = conn, .reply = { .retry_after = -1 } };
	int wait = rate_check(at);
	if (strcmp(method, "GET") != 0)
		set_error(&x.reply, 405, "method_not_allowed", "Method Not Allowed");
	else if (wait) {
		set_error(&x.reply, 429, "too_many_requests", "Too Many Requests");
		x.reply.retry_after = wait;
	} else
		answer(&x, path);
	/* No body (reset, or out of memory): the connection is closed without an answer. */
	bool respond = x.reply.body || x.reply.huge;
	log_request(at, respond ? x.reply.status : 0, req->uri);
	enum MHD_Result ret = respond ? send_reply(conn, &x.reply) : MHD_NO;
	free(x.reply.body);
	return ret;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	struct request *req = calloc(1, sizeof(*req));
	if (req && !(req->uri = strdup(uri))) {
		free(req);
		return NULL;
	}
	return req;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *req = *req_cls;
	if (req)
		free(req->uri);
	free(req);
	*req_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	(void)conn;
	(void)socket_ctx;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	pthread_mutex_lock(&fake.lock);
	fake.connections++;
	pthread_mutex_unlock(&fake.lock);
}

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
}

/* Form-style decoding, as the real API's framework does: '+' is a space, so a client that
 * sends a bare '+' in an offset gets a 400 here too. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	char *w = s;
	for (const char *p = s; *p; p++) {
		if (*p == '+') {
			*w++ = ' ';
		} else if (*p == '%' && isxdigit((unsigned char)p[1]) &&
			   isxdigit((unsigned char)p[2])) {
			*w++ = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* ---- set-up ---- */

static int parse_mode(const char *s, struct mode *m)
{
	static const struct {
		const char *name;
		enum mode_kind kind;
	} names[] = {
		{ "ok", MODE_OK }, { "empty", MODE_EMPTY }, { "nulls", MODE_NULLS },
		{ "huge", MODE_HUGE }, { "malformed", MODE_MALFORMED },
		{ "html502", MODE_HTML502 }, { "reset", MODE_RESET }, { "429nr", MODE_429_NO_RETRY },
		{ "429date", MODE_429_DATE },
	};
	*m = (struct mode){ .kind = MODE_OK };
	size_t len = strlen(s);
	const char *x = strrchr(s, 'x');
	if (x && x[1] && strspn(x + 1, "0123456789") == strlen(x + 1)) {
		m->times = atoi(x + 1);
		len = (size_t)(x - s);
		if (m->times <= 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len && strncmp(s, names[i].name, len) == 0) {
			m->kind = names[i].kind;
			bool is_429 = m->kind == MODE_429_NO_RETRY || m->kind == MODE_429_DATE;
			m->status = is_429 ? 429 : 0;
			return 0;
		}
	if (len > 5 && strncmp(s, "slow=", 5) == 0) {
		char *end;
		m->kind = MODE_SLOW;
		m->seconds = strtod(s + 5, &end);
		return end == s + len && m->seconds >= 0 ? 0 : -1;
	}
	if (len == 3 && strspn(s, "0123456789") == 3) {
		m->kind = MODE_STATUS;
		m->status = atoi(s);
		return m->status >= 400 && m->status <= 599 ? 0 : -1;
	}
	return -1;
}

/* --station-mode STATION=MODE: a counter that starts with its own mode. */
static int add_station_mode(const char *spec)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec)
		return -1;
	struct mode *m = malloc(sizeof(*m));
	char *station = strndup(spec, (size_t)(eq - spec));
	struct counter *c = station && m && parse_mode(eq + 1, m) == 0 ? counter_for(station)
		: NULL;
	free(station);
	if (!c) {
		free(m);
		return -1;
	}
	c->mode = m;
	return 0;
}

static int load_stations(const char *path)
{
	json_error_t jerr;
	json_t *list = json_load_file(path, 0, &jerr);
	if (!json_is_array(list)) {
		fprintf(stderr, "fake-luchtmeetnet: %s: %s\n", path,
			list ? "not a JSON array" : jerr.text);
		json_decref(list);
		return -1;
	}
	fake.stations = calloc(json_array_size(list) + 1, sizeof(*fake.stations));
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *number = json_string_value(json_object_get(item, "number"));
		const char *location = json_string_value(json_object_get(item, "location"));
		if (!fake.stations || !number || !location || strlen(number) > 15) {
			fprintf(stderr, "fake-luchtmeetnet: %s: item %zu is not a station\n", path, i);
			json_decref(list);
			return -1;
		}
		fake.stations[i].number = strdup(number);
		fake.stations[i].location = strdup(location);
		fake.n_stations++;
	}
	json_decref(list);
	return 0;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	int rc = fprintf(f, "%u\n", port) < 0 ? -1 : 0;
	if (fclose(f) != 0 || rc < 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct options {
	const char *port_file;
	unsigned port;
	const char *stations;
	const char *request_log;
};

static int usage(const char *msg)
{
	fprintf(stderr, "fake-luchtmeetnet: %s\n"
		"usage: fake-luchtmeetnet --port-file FILE [--port N] [--stations FILE]\n"
		"       [--page-size N] [--request-log FILE] [--rate CALLS/SECONDS]\n"
		"       [--station-mode STATION=MODE]... [--default-mode MODE]\n", msg);
	return 2;
}

static int parse_rate(const char *s)
{
	double seconds;
	int n;
	if (sscanf(s, "%d/%lf%n", &fake.rate_calls, &seconds, &n) != 2 || s[n] ||
	    fake.rate_calls <= 0 || !(seconds > 0))
		return -1;
	fake.rate_period_us = (int64_t)(seconds * 1e6);
	fake.rate_log = calloc((size_t)fake.rate_calls, sizeof(*fake.rate_log));
	return fake.rate_log ? 0 : -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "port-file", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' },
		{ "stations", required_argument, NULL, 's' },
		{ "page-size", required_argument, NULL, 'n' },
		{ "request-log", required_argument, NULL, 'l' },
		{ "rate", required_argument, NULL, 'r' },
		{ "station-mode", required_argument, NULL, 'm' },
		{ "default-mode", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'f':
			o->port_file = optarg;
			break;
		case 'p':
			o->port = (unsigned)atoi(optarg);
			bad = o->port > 65535;
			break;
		case 's':
			o->stations = optarg;
			break;
		case 'n':
			fake.page_size = atoi(optarg);
			bad = fake.page_size <= 0;
			break;
		case 'l':
			o->request_log = optarg;
			break;
		case 'r':
			bad = parse_rate(optarg);
			break;
		case 'm':
			bad = add_station_mode(optarg);
			break;
		case 'd':
			bad = parse_mode(optarg, &fake.default_mode);
			break;
		default:
			return usage("unknown option");
		}
		if (bad)
			return usage("invalid option value");
	}
	if (optind < argc || !o->port_file)
		return usage(optind < argc ? "unexpected argument" : "--port-file is required");
	return 0;
}

static const char *default_stations(char *buf, size_t size)
{
	const char *dir = getenv("LUCHT_SOURCE_DIR");
	if (!dir || snprintf(buf, size, "%s/data/stations.json", dir) >= (int)size)
		return "data/stations.json";
	return buf;
}

static struct MHD_Daemon *start(unsigned port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	/* No MHD_USE_ERROR_LOG: the modes make it complain about every reset and cut body. */
	return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				(uint16_t)port, NULL, NULL, handle, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				MHD_OPTION_CONNECTION_TIMEOUT, 120u,
				MHD_OPTION_END);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	int rc = parse_options(argc, argv, &o);
	if (rc)
		return rc;
	char path[4096];
	if (load_stations(o.stations ? o.stations : default_stations(path, sizeof(path))) < 0)
		return 2;
	if (o.request_log && !(fake.log = fopen(o.request_log, "a"))) {
		fprintf(stderr, "fake-luchtmeetnet: %s: %s\n", o.request_log, strerror(errno));
		return 2;
	}
	/* Blocked before MHD starts its threads, so that only sigwait below sees them. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct MHD_Daemon *d = start(o.port);
	const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)
		: NULL;
	if (!info || write_port_file(o.port_file, info->port) < 0) {
		fprintf(stderr, "fake-luchtmeetnet: cannot listen on 127.0.0.1:%u or write %s\n",
			o.port, o.port_file);
		return 1;
	}
	int sig;
	sigwait(&stop, &sig);
	pthread_mutex_lock(&fake.lock);
	fake.stopping = true;
	pthread_cond_broadcast(&fake.stopped);
	pthread_mutex_unlock(&fake.lock);
	MHD_stop_daemon(d);
	if (fake.log)
		fclose(fake.log);
	return 0;
}
