#include "util/config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/*
 * The URLs of the configuration that carry credentials: reading a Redis URL into its parts,
 * and masking the password of any URL before it is shown.
 */

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Decodes the len bytes at s into out[size]; -1 for a bad escape, an escaped NUL or too much. */
static int percent_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '%') {
			if (i + 2 >= len || hex_digit(s[i + 1]) < 0 || hex_digit(s[i + 2]) < 0)
				return -1;
			ch = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			if (ch == '\0')
				return -1;
			i += 2;
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = ch;
	}
	out[n] = '\0';
	return 0;
}

/* The digits of [s, end) as a number from min to max, or -1. */
static long parse_bounded(const char *s, const char *end, long min, long max)
{
	long n = 0;
	if (s == end || end - s > 10)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n >= min && n <= max ? n : -1;
}

void redis_target_clear(struct redis_target *t)
{
	explicit_bzero(t, sizeof(*t));
}

int config_redis_target(const char *url, struct redis_target *t, struct lerr *err)
{
	static const char var[] = "LUCHT_REDIS_URL";
	memset(t, 0, sizeof(*t));
	t->port = 6379;
	if (has_prefix(url, "rediss://"))
		return lerr_set(err, "%s: rediss:// (TLS) is not supported, as the hiredis of this "
				"build has no TLS: use redis://", var);
	if (!has_prefix(url, "redis://"))
		return lerr_set(err, "%s: the value (secret, not shown) is not a redis:// URL", var);
	const char *p = url + strlen("redis://");
	/* The last '@', as in config_mask_url: a password may hold an unencoded one. */
	const char *at = strrchr(p, '@');
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		const char *user_end = colon ? colon : at;
		if (percent_decode(p, (size_t)(user_end - p), t->user, sizeof(t->user)) < 0 ||
		    (colon && percent_decode(colon + 1, (size_t)(at - colon - 1), t->password,
					     sizeof(t->password)) < 0)) {
			redis_target_clear(t);
			return lerr_set(err, "%s: the user name or password (secret, not shown) is too "
					"long or holds a bad %%-escape", var);
		}
		p = at + 1;
	}
	const char *host = p, *host_end;
	if (*p == '[') {
		host++;
		host_end = strchr(host, ']');
		p = host_end ? host_end + 1 : host;
	} else {
		host_end = p + strcspn(p, ":/");
		p = host_end;
	}
	size_t host_len = host_end ? (size_t)(host_end - host) : 0;
	if (!host_end || host_len == 0 || host_len >= sizeof(t->host) ||
	    memchr(host, '?', host_len) || memchr(host, '#', host_len) ||
	    memchr(host, ' ', host_len)) {
		redis_target_clear(t);
		return lerr_set(err, "%s: no host name, IPv4 address or [IPv6 address] after "
				"redis://", var);
	}
	memcpy(t->host, host, host_len);
	if (*p == ':') {
		const char *end = p + 1 + strcspn(p + 1, "/");
		long port = parse_bounded(p + 1, end, 1, 65535);
		if (port < 0) {
			lerr_set(err, "%s: the port '%.*s' of %s is not a number from 1 to 65535", var,
				 (int)(end - p - 1 < 32 ? end - p - 1 : 32), p + 1, t->host);
			redis_target_clear(t);
			return -1;
		}
		t->port = (int)port;
		p = end;
	}
	if (*p == '/' && p[1]) {
		long db = parse_bounded(p + 1, p + strlen(p), 0, INT_MAX);
		if (db < 0) {
			redis_target_clear(t);
			return lerr_set(err, "%s: what follows the host and port is not /DB, a database "
					"number", var);
		}
		t->db = (int)db;
	} else if (*p && strcmp(p, "/") != 0) {
		redis_target_clear(t);
		return lerr_set(err, "%s: what follows the host and port is not /DB, a database "
				"number", var);
	}
	return 0;
}

void redis_target_name(const struct redis_target *t, char *out, size_t size)
{
	bool ipv6 = strchr(t->host, ':') != NULL;
	int n = snprintf(out, size, "%s%s%s:%d", ipv6 ? "[" : "", t->host, ipv6 ? "]" : "", t->port);
	if (t->db && n >= 0 && (size_t)n < size)
		snprintf(out + n, size - (size_t)n, "/%d", t->db);
}


/* A sink that writes at most its size, always NUL-terminated. */
struct sink {
	char *p;
	size_t left;  /* including the NUL */
};

static void sink_put(struct sink *o, const char *s, size_t n)
{
	if (n > o->left - 1)
		n = o->left - 1;
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
	*o->p = '\0';
}

static void sink_puts(struct sink *o, const char *s)
{
	sink_put(o, s, strlen(s));
}

/* libpq also takes a password as ?password=...: such values are masked too. */
static void mask_query(struct sink *o, const char *s)
{
	const char *q = strchr(s, '?');
	if (!q) {
		sink_puts(o, s);
		return;
	}
	sink_put(o, s, (size_t)(q + 1 - s));
	for (const char *p = q + 1; *p; ) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t key_len = eq ? (size_t)(eq - p) : len;
		char key[64];
		snprintf(key, sizeof(key), "%.*s", (int)(key_len < 63 ? key_len : 63), p);
		if (eq && strcasestr(key, "pass")) {
			sink_put(o, p, key_len);
			sink_puts(o, "=***");
		} else {
			sink_put(o, p, len);
		}
		p += len;
		if (*p == '&')
			sink_put(o, p++, 1);
	}
}

void config_mask_url(const char *url, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	struct sink o = { out, outlen };
	*out = '\0';
	const char *scheme_end = strstr(url, "://");
	if (!scheme_end) {
		sink_puts(&o, url);
		return;
	}
	const char *authority = scheme_end + 3;
	sink_put(&o, url, (size_t)(authority - url));
	/* The last '@' of the whole URL ends the user information: a password may hold an
	 * unencoded '/', '?' or '#', and stopping at those would show the rest of it. A user
	 * name without a password may itself be the secret (redis://token@host), so it goes too. */
	const char *at = strrchr(authority, '@');
	const char *rest = authority;
	if (at) {
		const char *colon = memchr(authority, ':', (size_t)(at - authority));
		if (colon) {
			sink_put(&o, authority, (size_t)(colon - authority));
			sink_puts(&o, ":***@");
		} else {
			sink_puts(&o, "***@");
		}
		rest = at + 1;
	}
	mask_query(&o, rest);
}
