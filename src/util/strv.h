#ifndef LUCHT_UTIL_STRV_H
#define LUCHT_UTIL_STRV_H

#include <stddef.h>

/* A growable array of owned C strings. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

#define STRV_INIT { NULL, 0, 0 }

int strv_push(struct strv *s, const char *str);  /* copies str; 0 or -1 (out of memory) */
int strv_contains(const struct strv *s, const char *str);
void strv_clear(struct strv *s);                 /* frees every string and the array */

#endif
