#ifndef LUCHT_LUCHTMEETNET_API_H
#define LUCHT_LUCHTMEETNET_API_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "util/error.h"
#include "util/strv.h"

struct limiter;
struct http_client;

/*
 * The Luchtmeetnet open API client. Every request first acquires the rate limiter. One call
 * here is one attempt: a failure sets err->retryable (network error, 429, 502/503/504 and
 * other 5xx but 500, a body that is not the expected JSON is NOT retryable) and
 * err->retry_after from a Retry-After header; the engine's retry policy decides what then.
 * A 429 without Retry-After asks for the limiter's whole period, and each 429 is counted
 * and logged as a warning: the server refusing means our window is not the server's.
 * HTTP 500 fails at once (a station that answers 500 keeps doing so).
 */
struct lmn_client {
	struct http_client *http;
	struct limiter *limiter;
	const char *base_url;  /* no trailing slash */
	/* Called after each HTTP exchange with a one-line description (method, path and query,
	 * status, bytes, milliseconds); may be NULL. */
	void (*on_request)(void *ctx, const char *line);
	void *ctx;
	int requests;          /* requests sent, counted for the run's summary */
	int rate_limited;      /* of which the API refused with 429 */
};

struct measurement {
	char station_number[16];
	char formula[16];
	double value;
	bool value_is_null;      /* the API sent null (unconfirmed, tolerated) */
	time_t timestamp_measured;
};

/*
 * Every page of GET /measurements?station_number=S&start=..&end=..&page=N, with start and
 * end as ISO 8601 UTC with offset, following pagination until next_page <= current_page
 * (an empty result is fine). Rows outside (start, end] are dropped, so that a day is
 * exactly the hours that END in it. on_row is called per row; a non-zero return stops with
 * that error. Malformed JSON, a missing data array or pagination, a row without
 * timestamp_measured or formula: a non-retryable error saying what was wrong and on which
 * page.
 */
int lmn_measurements(struct lmn_client *c, const char *station, time_t start, time_t end,
		     int (*on_row)(void *ctx, const struct measurement *m, struct lerr *err),
		     void *ctx, struct lerr *err);

struct station_info {
	char *number;
	char *location;
	char *type;
	char *municipality;
	char *province;        /* NULL when the API says null */
	char *organisation;
	char *url;
	char *year_start;
	struct strv components;
	double longitude;
	double latitude;
	bool has_coordinates;
	char *description_nl;
	char *description_en;
};

void station_info_release(struct station_info *s);

/* GET /stations/{number}. 404: non-retryable "station NLxxxxx is unknown to the API". */
int lmn_station(struct lmn_client *c, const char *number, struct station_info *out,
		struct lerr *err);

/* Parsers for one response body, used by the calls above and by the unit tests. */
struct lmn_page {
	int current_page;
	int next_page;
	int last_page;
};
int lmn_parse_measurements_page(const char *body, size_t len, struct lmn_page *page,
				int (*on_row)(void *ctx, const struct measurement *m, struct lerr *err),
				void *ctx, struct lerr *err);
int lmn_parse_station(const char *body, size_t len, const char *number,
		      struct station_info *out, struct lerr *err);

#endif
