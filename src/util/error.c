#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lerr_clear(struct lerr *err)
{
	if (!err)
		return;
	err->msg[0] = '\0';
	err->retryable = false;
	err->retry_after = -1;
}

int lerr_set(struct lerr *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	lerr_clear(err);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int lerr_prefix(struct lerr *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	char old[sizeof(err->msg)];
	memcpy(old, err->msg, sizeof(old));
	/* A message too long for msg is cut; the prefix matters most. */
	if (snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old) < 0)
		err->msg[0] = '\0';
	return -1;
}
