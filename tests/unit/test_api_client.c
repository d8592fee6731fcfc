#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "luchtmeetnet/api.h"
#include "net/http_client.h"
#include "util/buf.h"

#include "test_support.h"

/*
 * The API client against the fake server (BUILD/tests/fake-luchtmeetnet, next to this
 * test), one station per behaviour so that the stateful modes do not meet.
 */
static const char *const station_modes[] = {
	"NL10002=500", "NL10003=503x2", "NL10004=429x1", "NL10005=429nrx1",
	"NL10006=malformed", "NL10007=slow=5", "NL10008=huge", "NL10009=html502",
	"NL10010=resetx1", "NL10011=nulls", "NL10012=empty", "NL10015=429datex1",
};
#define N_STATIONS 15  /* NL10001 .. NL10015 */

#define WINDOW_START 1706050800  /* 2024-01-23T23:00:00Z: 2024-01-24 in Amsterdam */
#define WINDOW_END (WINDOW_START + 24 * 3600)
#define MAX_BODY (1u << 20)

static struct {
	pid_t pid;
	char dir[64];
	char base_url[64];
} fake;

static void path_in(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", fake.dir, name);
}

static void write_stations(void)
{
	char path[128];
	path_in(path, sizeof(path), "stations.json");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputc('[', f);
	for (int i = 1; i <= N_STATIONS; i++)
		fprintf(f, "%s{\"number\": \"NL%05d\", \"location\": \"Teststad-%d\"}",
			i > 1 ? ", " : "", 10000 + i, i);
	fputs("]\n", f);
	assert_int_equal(fclose(f), 0);
}

static void start_fake(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	char bin[PATH_MAX + 32], stations[128], port_file[128], log[128];
	snprintf(bin, sizeof(bin), "%s/fake-luchtmeetnet", dirname(exe));
	path_in(stations, sizeof(stations), "stations.json");
	path_in(port_file, sizeof(port_file), "port");
	path_in(log, sizeof(log), "requests.log");
	const char *argv[64] = { bin, "--port-file", port_file, "--stations", stations,
				 "--page-size", "10", "--request-log", log };
	size_t argc = 9;
	for (size_t i = 0; i < sizeof(station_modes) / sizeof(station_modes[0]); i++) {
		argv[argc++] = "--station-mode";
		argv[argc++] = station_modes[i];
	}
	fake.pid = fork();
	assert_true(fake.pid >= 0);
	if (fake.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
}

static unsigned wait_for_port(void)
{
	char path[128];
	path_in(path, sizeof(path), "port");
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");
		unsigned port = 0;
		if (f) {
			int ok = fscanf(f, "%u", &port);
			fclose(f);
			if (ok == 1)
				return port;
		}
		if (waitpid(fake.pid, NULL, WNOHANG) == fake.pid)
			fail_msg("fake-luchtmeetnet exited before listening");
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	fail_msg("fake-luchtmeetnet wrote no port file");
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(fake.dir, sizeof(fake.dir), "/tmp/lucht-api-test-XXXXXX");
	if (!mkdtemp(fake.dir))
		return -1;
	write_stations();
	start_fake();
	snprintf(fake.base_url, sizeof(fake.base_url), "http://127.0.0.1:%u", wait_for_port());
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	int status = -1;
	kill(fake.pid, SIGTERM);
	waitpid(fake.pid, &status, 0);
	static const char *const files[] = { "stations.json", "port", "requests.log" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128];
		path_in(path, sizeof(path), files[i]);
		unlink(path);
	}
	rmdir(fake.dir);
	/* The fake stops cleanly on SIGTERM, even with a slow answer pending. */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

struct client {
	struct http_client *http;
	struct lmn_client api;
	char last_line[1024];
};

static void remember_line(void *ctx, const char *line)
{
	struct client *c = ctx;
	snprintf(c->last_line, sizeof(c->last_line), "%s", line);
}

static void client_open(struct client *c, double timeout)
{
	struct http_client_options o = { .timeout = timeout, .max_body = MAX_BODY };
	struct lerr err;
	c->http = http_client_new(&o, &err);
	assert_non_null(c->http);
	c->api = (struct lmn_client){
		.http = c->http, .base_url = fake.base_url, .on_request = remember_line, .ctx = c,
	};
	c->last_line[0] = '\0';
}

static void client_close(struct client *c)
{
	c->http = http_client_free(c->http);
}

struct rows {
	struct measurement m[1024];
	size_t n;
	bool refuse;
};

static int collect(void *ctx, const struct measurement *m, struct lerr *err)
{
	struct rows *r = ctx;
	if (r->refuse)
		return lerr_set(err, "the store is full");
	if (r->n == sizeof(r->m) / sizeof(r->m[0]))
		return lerr_set(err, "too many rows");
	r->m[r->n++] = *m;
	return 0;
}

static int fetch_day(struct client *c, const char *station, struct rows *rows, struct lerr *err)
{
	rows->n = 0;
	return lmn_measurements(&c->api, station, WINDOW_START, WINDOW_END, collect, rows, err);
}

/* The error of fetching station's day, which must fail. */
static struct lerr fetch_fails(struct client *c, const char *station)
{
	static struct rows rows;
	struct lerr err;
	assert_int_equal(fetch_day(c, station, &rows, &err), -1);
	return err;
}

static size_t component_count(struct client *c, const char *station)
{
	struct station_info s;
	struct lerr err;
	if (lmn_station(&c->api, station, &s, &err) < 0)
		fail_msg("%s", err.msg);
	size_t n = s.components.n;
	station_info_release(&s);
	assert_in_range(n, 3, 8);
	return n;
}

static void test_pagination_gives_every_row_of_the_day_once(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	size_t comps = component_count(&c, "NL10001");
	static struct rows rows;
	struct lerr err;
	assert_int_equal(fetch_day(&c, "NL10001", &rows, &err), 0);
	/* The fake answers start..end inclusive (25 hours); the hour ending at start belongs
	 * to the day before. */
	assert_int_equal(rows.n, 24 * comps);
	bool seen[24][8] = { { false } };
	char formulas[8][16] = { "" };
	for (size_t i = 0; i < rows.n; i++) {
		const struct measurement *m = &rows.m[i];
		assert_string_equal(m->station_number, "NL10001");
		assert_true(m->timestamp_measured > WINDOW_START);
		assert_true(m->timestamp_measured <= WINDOW_END);
		assert_int_equal(m->timestamp_measured % 3600, 0);
		if (i > 0)  /* asked for ascending order */
			assert_true(m->timestamp_measured >= rows.m[i - 1].timestamp_measured);
		size_t k = 0;
		while (k < comps && formulas[k][0] && strcmp(formulas[k], m->formula) != 0)
			k++;
		assert_true(k < comps);
		snprintf(formulas[k], sizeof(formulas[k]), "%s", m->formula);
		size_t hour = (size_t)(m->timestamp_measured - WINDOW_START) / 3600 - 1;
		assert_false(seen[hour][k]);
		seen[hour][k] = true;
	}
	/* 25 * comps rows at 10 a page, after the one request for the station. */
	assert_int_equal(c.api.requests, 1 + (25 * comps + 9) / 10);
	assert_non_null(strstr(c.last_line, "GET /measurements?station_number=NL10001"
			       "&start=2024-01-23T23%3A00%3A00%2B00%3A00"
			       "&end=2024-01-24T23%3A00%3A00%2B00%3A00&page="));
	assert_non_null(strstr(c.last_line, " -> 200, "));
	client_close(&c);
}

static void test_empty_result_and_unknown_station_give_no_rows(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	static struct rows rows;
	struct lerr err;
	assert_int_equal(fetch_day(&c, "NL10012", &rows, &err), 0);
	assert_int_equal(rows.n, 0);
	assert_int_equal(fetch_day(&c, "NL99999", &rows, &err), 0);
	assert_int_equal(rows.n, 0);
	assert_int_equal(c.api.requests, 2);
	client_close(&c);
}

static void test_unknown_station_is_a_404(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct station_info s;
	struct lerr err;
	assert_int_equal(lmn_station(&c.api, "NL99999", &s, &err), -1);
	assert_string_equal(err.msg, "station NL99999 is unknown to the API (HTTP 404)");
	assert_false(err.retryable);
	client_close(&c);
}

static void test_http_500_is_not_retried(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct lerr err = fetch_fails(&c, "NL10002");
	assert_false(err.retryable);
	assert_string_equal(err.msg, "page 1 of /measurements for NL10002: HTTP 500 from the API"
			    " (not retried: a station that answers 500 keeps doing so):"
			    " {\"reason\":\"internal_server_error\","
			    "\"message\":\"Internal Server Error\"}");
	client_close(&c);
}

static void test_http_503_is_retryable_until_it_passes(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	static struct rows rows;
	struct lerr err;
	for (int attempt = 0; attempt < 2; attempt++) {
		err = fetch_fails(&c, "NL10003");
		assert_true(err.retryable);
		assert_true(err.retry_after < 0);
		assert_non_null(strstr(err.msg, "HTTP 503 from the API"));
	}
	assert_int_equal(fetch_day(&c, "NL10003", &rows, &err), 0);
	assert_true(rows.n >= 24 * 3);
	client_close(&c);
}

static void test_http_429_carries_retry_after(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct lerr err = fetch_fails(&c, "NL10004");
	assert_true(err.retryable);
	assert_true(err.retry_after == 1);
	assert_non_null(strstr(err.msg, "HTTP 429 from the API (rate limited) (Retry-After: 1 s)"));
	err = fetch_fails(&c, "NL10005");
	assert_true(err.retryable);
	assert_true(err.retry_after < 0);
	assert_non_null(strstr(err.msg, "HTTP 429 from the API (rate limited): "));
	/* Retry-After as an HTTP-date a minute ahead: whole seconds, so 59 or 60 from now. */
	err = fetch_fails(&c, "NL10015");
	assert_true(err.retryable);
	assert_in_range((unsigned)err.retry_after, 50, 60);
	client_close(&c);
}

static void test_malformed_json_is_not_retried(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct lerr err = fetch_fails(&c, "NL10006");
	assert_false(err.retryable);
	assert_non_null(strstr(err.msg, "page 1 of /measurements for NL10006: malformed JSON: "));
	struct station_info s;
	assert_int_equal(lmn_station(&c.api, "NL10006", &s, &err), -1);
	assert_non_null(strstr(err.msg, "/stations/NL10006: "));
	assert_false(err.retryable);
	client_close(&c);
}

static void test_gateway_html_is_retryable_with_an_excerpt(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct lerr err = fetch_fails(&c, "NL10009");
	assert_true(err.retryable);
	assert_non_null(strstr(err.msg, "HTTP 502 from the API: <html> <head><title>502 Bad "
			       "Gateway</title></head> <body>"));
	client_close(&c);
}

static void test_slow_server_times_out_retryably(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 0.5);
	struct lerr err = fetch_fails(&c, "NL10007");
	assert_true(err.retryable);
	assert_non_null(strstr(err.msg, "page 1 of /measurements for NL10007: no complete answer "
			       "from 127.0.0.1:"));
	assert_non_null(strstr(err.msg, ": timed out after 0.5 s"));
	assert_non_null(strstr(c.last_line, " -> failed: "));
	client_close(&c);
}

static void test_body_over_the_cap_is_refused(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 30);
	struct lerr err = fetch_fails(&c, "NL10008");
	assert_false(err.retryable);
	assert_string_equal(err.msg, "page 1 of /measurements for NL10008: "
			    "response body larger than 1048576 bytes");
	client_close(&c);
}

static void test_connection_reset_is_retryable(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	struct lerr err = fetch_fails(&c, "NL10010");
	assert_true(err.retryable);
	assert_non_null(strstr(err.msg, "connection reset by 127.0.0.1:"));
	static struct rows rows;
	assert_int_equal(fetch_day(&c, "NL10010", &rows, &err), 0);
	client_close(&c);
}

static void test_null_values_are_kept_as_null(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	size_t comps = component_count(&c, "NL10011");
	static struct rows rows;
	struct lerr err;
	assert_int_equal(fetch_day(&c, "NL10011", &rows, &err), 0);
	assert_int_equal(rows.n, 24 * comps);
	size_t nulls = 0;
	for (size_t i = 0; i < rows.n; i++)
		nulls += rows.m[i].value_is_null;
	assert_in_range(nulls, 1, rows.n - 1);
	client_close(&c);
}

static void test_row_callback_error_is_passed_on_unchanged(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	static struct rows rows;
	rows.refuse = true;
	struct lerr err;
	assert_int_equal(fetch_day(&c, "NL10013", &rows, &err), -1);
	assert_string_equal(err.msg, "the store is full");
	rows.refuse = false;
	client_close(&c);
}

static int fake_connections(struct client *c)
{
	char url[128];
	snprintf(url, sizeof(url), "%s/_fake/stats", fake.base_url);
	struct http_response r;
	http_response_init(&r);
	struct lerr err;
	if (http_get(c->http, url, NULL, &r, &err) < 0)
		fail_msg("%s", err.msg);
	json_t *doc = json_loadb(buf_str(&r.body), r.body.len, 0, NULL);
	int n = (int)json_integer_value(json_object_get(doc, "connections"));
	json_decref(doc);
	http_response_release(&r);
	assert_true(n > 0);
	return n;
}

static void test_requests_reuse_one_connection(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 10);
	int before = fake_connections(&c);
	for (int i = 0; i < 3; i++)
		component_count(&c, "NL10014");
	assert_int_equal(fake_connections(&c), before);
	client_close(&c);
}

static void test_transport_errors_hide_credentials(void **state)
{
	(void)state;
	struct client c;
	client_open(&c, 5);
	struct http_response r;
	http_response_init(&r);
	struct lerr err;
	int port = closed_port();
	char url[128], where[64];
	snprintf(url, sizeof(url), "http://user:secret@127.0.0.1:%d/x?token=abc", port);
	snprintf(where, sizeof(where), "cannot connect to 127.0.0.1:%d: ", port);
	assert_int_equal(http_get(c.http, url, NULL, &r, &err), -1);
	assert_true(err.retryable);
	assert_non_null(strstr(err.msg, where));
	assert_null(strstr(err.msg, "secret"));
	assert_null(strstr(err.msg, "token"));
	http_response_release(&r);
	client_close(&c);
}

static void test_query_escape_keeps_only_unreserved(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 256);
	assert_int_equal(http_query_escape(&b, "2024-01-23T23:00:00+00:00"), 0);
	assert_int_equal(http_query_escape(&b, " a~b_c.d/é"), 0);
	assert_string_equal(buf_str(&b), "2024-01-23T23%3A00%3A00%2B00%3A00"
			    "%20a~b_c.d%2F%C3%A9");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pagination_gives_every_row_of_the_day_once),
		cmocka_unit_test(test_empty_result_and_unknown_station_give_no_rows),
		cmocka_unit_test(test_unknown_station_is_a_404),
		cmocka_unit_test(test_http_500_is_not_retried),
		cmocka_unit_test(test_http_503_is_retryable_until_it_passes),
		cmocka_unit_test(test_http_429_carries_retry_after),
		cmocka_unit_test(test_malformed_json_is_not_retried),
		cmocka_unit_test(test_gateway_html_is_retryable_with_an_excerpt),
		cmocka_unit_test(test_slow_server_times_out_retryably),
		cmocka_unit_test(test_body_over_the_cap_is_refused),
		cmocka_unit_test(test_connection_reset_is_retryable),
		cmocka_unit_test(test_null_values_are_kept_as_null),
		cmocka_unit_test(test_row_callback_error_is_passed_on_unchanged),
		cmocka_unit_test(test_requests_reuse_one_connection),
		cmocka_unit_test(test_transport_errors_hide_credentials),
		cmocka_unit_test(test_query_escape_keeps_only_unreserved),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
