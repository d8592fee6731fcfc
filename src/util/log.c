#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/civil_time.h"

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARNING] = "warning",
	[LOG_ERROR] = "error",
};

static enum log_level threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
	threshold = level;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < threshold)
		return;
	int saved_errno = errno;  /* callers log and then report strerror(errno) */
	char line[4096];
	char stamp[32];
	time_format_us(time_now_us(), stamp);
	int n = snprintf(line, sizeof(line), "%s %s: ", stamp, level_names[level]);
	size_t used = n < 0 ? 0 : (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	va_end(ap);
	/* An overlong message is cut: a line is still written whole, in one go, so lines from
	 * several processes sharing stderr do not interleave. */
	used = n < 0 ? used : used + (size_t)n;
	if (used > sizeof(line) - 2)
		used = sizeof(line) - 2;
	while (used > 0 && line[used - 1] == '\n')
		used--;
	line[used++] = '\n';
	line[used] = '\0';
	fputs(line, stderr);
	errno = saved_errno;
}
