#ifndef LUCHT_UTIL_ERROR_H
#define LUCHT_UTIL_ERROR_H

#include <stdbool.h>

/*
 * One error convention for library code: a function returns 0 on success and -1 on failure,
 * filling a struct lerr that the caller owns. Only the command and daemon layers print.
 * The flags let the engine decide about retries without parsing messages.
 */
struct lerr {
	char msg[1024];
	bool retryable;      /* a later attempt may succeed (network error, 429, 503, ...) */
	double retry_after;  /* seconds the server asked us to wait, or < 0 when it did not say */
};

void lerr_clear(struct lerr *err);

/* Sets the message (printf-style), clears the flags, returns -1 so that
 * `return lerr_set(err, "...")` reads naturally. err may be NULL. */
int lerr_set(struct lerr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Puts "prefix: " in front of the message already in err; keeps the flags. Returns -1. */
int lerr_prefix(struct lerr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
