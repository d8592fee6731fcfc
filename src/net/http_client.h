#ifndef LUCHT_NET_HTTP_CLIENT_H
#define LUCHT_NET_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * A small HTTP client over libcurl: one easy handle per client, so that consecutive requests
 * to the same host reuse the connection; a timeout for the whole request and one for
 * connecting; a cap on the response body (the transfer is aborted past it). A client is
 * used by one thread at a time; threads that fetch in parallel each have their own.
 */
struct http_client;

struct http_client_options {
	double timeout;          /* seconds for one whole request */
	double connect_timeout;  /* seconds to connect; 0: min(timeout, 10) */
	size_t max_body;         /* bytes */
	const char *user_agent;  /* NULL: "lucht/VERSION" */
	/* Polled during a transfer (about once a second and on progress); a true return aborts
	 * it with "request aborted", so a stop request need not wait for the timeout. */
	bool (*should_abort)(void);
};

struct http_client *http_client_new(const struct http_client_options *o, struct lerr *err);
struct http_client *http_client_free(struct http_client *c);  /* accepts NULL, returns NULL */

struct http_response {
	long status;         /* HTTP status code */
	struct buf body;     /* capped at max_body */
	double retry_after;  /* seconds from a Retry-After header (delta or HTTP date), -1 if none */
	double elapsed;      /* seconds the request took */
};

void http_response_init(struct http_response *r);
void http_response_release(struct http_response *r);

/*
 * GET url. Returns 0 when a complete response arrived, whatever its status; -1 for a
 * transport failure (cannot connect, reset, timeout, body over the cap), with err->msg
 * saying which (never the URL's credentials) and err->retryable set except for the cap.
 * Extra headers (e.g. "Authorization: Bearer ...") may be NULL-terminated in headers.
 */
int http_get(struct http_client *c, const char *url, const char *const *headers,
	     struct http_response *resp, struct lerr *err);
/* Appends s to b percent-encoded for a URL query (RFC 3986 unreserved kept). */
int http_query_escape(struct buf *b, const char *s);

#endif
