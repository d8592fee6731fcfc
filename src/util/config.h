#ifndef LUCHT_UTIL_CONFIG_H
#define LUCHT_UTIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

/*
 * The effective configuration: environment variables, optionally from a .env file in the
 * working directory (a variable already in the environment wins). Every string is owned
 * (never NULL; "" when unset and without default).
 */
struct config {
	char *home;           /* LUCHT_HOME, ".lucht" */
	char *env;            /* LUCHT_ENV or ENVIRONMENT, "dev"; must be dev or prd */
	char *landing_zone;   /* LUCHT_LANDING_ZONE, ".tmp/landing_zone" */
	char *data_lake;      /* LUCHT_DATA_LAKE, ".tmp/data_lake/bronze" */
	char *api_url;        /* LUCHTMEETNET_API_URL, "https://api.luchtmeetnet.nl/open_api" (no trailing /) */
	int rate_calls;       /* LUCHT_RATE_CALLS, 100, >= 1 */
	double rate_period;   /* LUCHT_RATE_PERIOD, 300 seconds, > 0 */
	double rate_max_wait; /* LUCHT_RATE_MAX_WAIT, 900 seconds: longest wait for a slot */
	int retry_max;        /* LUCHT_RETRY_MAX, 3, >= 0 */
	double retry_delay;   /* LUCHT_RETRY_DELAY, 30 seconds, >= 0 (fractions allowed) */
	double http_timeout;  /* LUCHT_HTTP_TIMEOUT, 30 seconds, > 0: whole request */
	size_t http_max_bytes;/* LUCHT_HTTP_MAX_BYTES, 16777216: cap on one response body */
	char *redis_url;      /* LUCHT_REDIS_URL, or built from DAGSTER_SECRET_REDIS_HOST/_USERNAME/_PASSWORD + LUCHT_REDIS_PORT (6379); secret */
	char *slack_token;    /* LUCHT_SLACK_TOKEN or DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN; secret */
	char *slack_channel;  /* LUCHT_SLACK_CHANNEL, "#lucht-notifications" */
	char *slack_api_url;  /* LUCHT_SLACK_API_URL, "https://slack.com/api" */
	char *database_url;   /* LUCHT_DATABASE_URL; secret (may hold a password) */
	char *log_level;      /* LUCHT_LOG_LEVEL, "info" */
};

/*
 * Loads dotenv_path first (NULL: no file; a missing file is fine, a broken one is an error
 * naming the file and line), then reads and validates every variable. On error err says
 * which variable is wrong and what it must be, and c is left empty (config_release-safe).
 */
int config_load(struct config *c, const char *dotenv_path, struct lerr *err);
void config_release(struct config *c);

/* Prints every variable with its effective value and where it came from (environment,
 * .env, default), secrets masked, and last the rate limiter those variables make
 * ("rate limiter": "redis at HOST:PORT" or "local (one host)"): as aligned text, or as one
 * JSON object when json. */
void config_print(const struct config *c, FILE *out, bool json);

/* Where a redis:// URL points, percent-decoded. The password is a secret: never print it,
 * and wipe it with redis_target_clear. */
struct redis_target {
	char host[256];      /* an IPv6 address without its brackets */
	int port;            /* 6379 when the URL has none */
	int db;              /* 0 when the URL has none */
	char user[256];      /* "" for none */
	char password[256];  /* "" for none */
};

/*
 * Parses redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], HOST a name, an IPv4 address or an IPv6
 * one in brackets, USER and PASSWORD percent-encoded. rediss:// (TLS) is refused: the hiredis
 * of Debian 12 has no TLS. Messages never show the user information.
 */
int config_redis_target(const char *url, struct redis_target *out, struct lerr *err);
void redis_target_clear(struct redis_target *t);
/* "HOST:PORT", brackets around an IPv6 address, "/DB" after it unless DB is 0. */
void redis_target_name(const struct redis_target *t, char *out, size_t size);

/* Masks the password in a URL such as redis://user:secret@host:6379/0 ->
 * redis://user:***@host:6379/0; anything without credentials is copied. Writes at most
 * outlen bytes including the NUL. */
void config_mask_url(const char *url, char *out, size_t outlen);

#endif
