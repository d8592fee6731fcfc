#ifndef LUCHT_UTIL_BUF_H
#define LUCHT_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable byte buffer with a maximum size, in the manner of curl's dynbuf: every response
 * body, JSON document and query text goes through one, so that a broken or hostile peer
 * cannot exhaust memory. The contents are always NUL-terminated.
 */
struct buf {
	char *data;  /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;  /* appends that would pass this fail */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);  /* frees the contents; b can be reused after buf_init */
void buf_reset(struct buf *b);    /* empties, keeps the memory */

/* 0, or -1 when the buffer would exceed its maximum or memory runs out (contents kept). */
int buf_append(struct buf *b, const void *data, size_t len);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* The contents as a C string; "" for an empty buffer, never NULL. */
const char *buf_str(const struct buf *b);

/* Hands the contents to the caller (free() them) and empties b. Never NULL. */
char *buf_detach(struct buf *b);

#endif
