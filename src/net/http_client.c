#include "net/http_client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HTTP_MAX_REDIRECTS 3L

struct http_client {
	CURL *curl;
	double timeout;
	double connect_timeout;
	size_t max_body;
	bool (*should_abort)(void);
	char errbuf[CURL_ERROR_SIZE];
};

/* What the callbacks of one transfer write into. */
struct transfer {
	struct http_response *resp;
	bool over_cap;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static double now_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nmemb;
	struct buf *b = &t->resp->body;
	if (buf_append(b, data, n) == 0)
		return n;
	t->over_cap = n > b->max || b->len > b->max - n;
	return 0;  /* anything but n aborts the transfer */
}

/* Delta-seconds or an HTTP-date; -1 for anything else. */
static double parse_retry_after(const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && strchr(" \t\r\n", v[len - 1]))
		len--;
	char s[128];
	if (len == 0 || len >= sizeof(s))
		return -1;
	memcpy(s, v, len);
	s[len] = '\0';
	if (strspn(s, "0123456789") == len)
		return strtod(s, NULL);
	time_t when = curl_getdate(s, NULL);
	if (when == -1)
		return -1;
	double delta = difftime(when, time(NULL));
	return delta > 0 ? delta : 0;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
	struct transfer *t = userdata;
	size_t n = size * nitems;
	static const char name[] = "Retry-After:";
	/* A status line starts a new response (after a redirect or a 100 Continue): only the
	 * last one's headers and body count. */
	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		t->resp->retry_after = -1;
		buf_reset(&t->resp->body);
	} else if (n > sizeof(name) - 1 && strncasecmp(line, name, sizeof(name) - 1) == 0) {
		t->resp->retry_after = parse_retry_after(line + sizeof(name) - 1,
							 n - (sizeof(name) - 1));
	}
	return n;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	const struct http_client *c = userdata;
	return c->should_abort() ? 1 : 0;
}

static int setup_handle(struct http_client *c, const char *user_agent)
{
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;
#define SET(opt, val) \
	do { \
		if (rc == CURLE_OK) \
			rc = curl_easy_setopt(h, opt, val); \
	} while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(c->connect_timeout * 1000));
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, HTTP_MAX_REDIRECTS);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, user_agent);
	SET(CURLOPT_ERRORBUFFER, c->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	/* Refuses a declared Content-Length over the cap before reading it. */
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
	if (c->should_abort) {
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, c);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
#undef SET
	if (rc != CURLE_OK)
		return -1;
	/* Without zlib curl cannot decompress; plain bodies are fine then. */
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	return 0;
}

struct http_client *http_client_new(const struct http_client_options *o, struct lerr *err)
{
	if (!(o->timeout > 0) || o->connect_timeout < 0 || o->max_body == 0) {
		lerr_set(err, "HTTP client: timeout and body cap must be positive");
		return NULL;
	}
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK) {
		lerr_set(err, "cannot initialise libcurl: %s", curl_easy_strerror(global_rc));
		return NULL;
	}
	struct http_client *c = calloc(1, sizeof(*c));
	if (!c) {
		lerr_set(err, "out of memory");
		return NULL;
	}
	c->timeout = o->timeout;
	c->connect_timeout = o->connect_timeout > 0 ? o->connect_timeout
			     : (o->timeout < 10 ? o->timeout : 10);
	c->max_body = o->max_body;
	c->should_abort = o->should_abort;
	c->curl = curl_easy_init();
	if (!c->curl || setup_handle(c, o->user_agent ? o->user_agent
				     : "lucht/" LUCHT_VERSION) < 0) {
		lerr_set(err, "cannot set up a libcurl handle");
		return http_client_free(c);
	}
	return c;
}

struct http_client *http_client_free(struct http_client *c)
{
	if (!c)
		return NULL;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c);
	return NULL;
}

void http_response_init(struct http_response *r)
{
	r->status = 0;
	buf_init(&r->body, 0);
	r->retry_after = -1;
	r->elapsed = 0;
}

void http_response_release(struct http_response *r)
{
	buf_release(&r->body);
}

/* "host" or "host:port" of url for messages: never the user name or password. */
static void url_host(const char *url, char *out, size_t size)
{
	snprintf(out, size, "the server");
	CURLU *u = curl_url();
	char *host = NULL;
	char *port = NULL;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) == CURLUE_OK)
		snprintf(out, size, "%s:%s", host, port);
	else
		snprintf(out, size, "%s", host);
out:
	curl_free(port);
	curl_free(host);
	curl_url_cleanup(u);
}

static bool transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static int transport_error(struct http_client *c, const char *url, CURLcode rc,
			   const struct transfer *t, struct lerr *err)
{
	if (t->over_cap || rc == CURLE_FILESIZE_EXCEEDED)
		return lerr_set(err, "response body larger than %zu bytes", c->max_body);
	char host[512];
	url_host(url, host, sizeof(host));
	const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	curl_off_t connect_us = 0;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		lerr_set(err, "cannot resolve %s: %s", host, detail);
		break;
	case CURLE_COULDNT_CONNECT:
		lerr_set(err, "cannot connect to %s: %s", host, detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(c->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0)
			lerr_set(err, "cannot connect to %s: timed out after %g s", host,
				 c->connect_timeout);
		else
			lerr_set(err, "no complete answer from %s: timed out after %g s", host,
				 c->timeout);
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
		lerr_set(err, "connection reset by %s: %s", host, detail);
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		lerr_set(err, "request to %s aborted", host);
		break;
	default:
		lerr_set(err, "request to %s failed: %s", host, detail);
		break;
	}
	err->retryable = transport_retryable(rc);
	return -1;
}

static int build_headers(const char *const *headers, struct curl_slist **out)
{
	struct curl_slist *list = NULL;
	for (size_t i = 0; headers && headers[i]; i++) {
		struct curl_slist *next = curl_slist_append(list, headers[i]);
		if (!next) {
			curl_slist_free_all(list);
			return -1;
		}
		list = next;
	}
	*out = list;
	return 0;
}

int http_get(struct http_client *c, const char *url, const char *const *headers,
	     struct http_response *resp, struct lerr *err)
{
	struct curl_slist *list = NULL;
	if (build_headers(headers, &list) < 0)
		return lerr_set(err, "out of memory");
	struct transfer t = { .resp = resp, .over_cap = false };
	resp->status = 0;
	resp->retry_after = -1;
	resp->elapsed = 0;
	buf_reset(&resp->body);
	resp->body.max = c->max_body;
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &t);
	double started = now_monotonic();
	CURLcode rc = curl_easy_perform(c->curl);
	resp->elapsed = now_monotonic() - started;
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(list);
	if (rc != CURLE_OK)
		return transport_error(c, url, rc, &t, err);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	return 0;
}

int http_query_escape(struct buf *b, const char *s)
{
	/* curl escapes all but RFC 3986's unreserved characters, as a query value needs. */
	char *e = curl_easy_escape(NULL, s, 0);
	if (!e)
		return -1;
	int rc = buf_puts(b, e);
	curl_free(e);
	return rc;
}
