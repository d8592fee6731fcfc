#ifndef LUCHT_UTIL_LOG_H
#define LUCHT_UTIL_LOG_H

/* Diagnostics on stderr, one line each, with a level prefix. LUCHT_LOG_LEVEL (debug, info,
 * warning, error) sets the threshold; the default is info. Never pass secrets. */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR };

void log_set_level(enum log_level level);
int log_level_parse(const char *s, enum log_level *out);  /* 0 or -1 */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
