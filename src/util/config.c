#include "util/config.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/dotenv.h"
#include "util/log.h"

/* The original system's Redis settings, from which LUCHT_REDIS_URL is built when unset. */
#define REDIS_HOST_VAR "DAGSTER_SECRET_REDIS_HOST"
#define REDIS_USERNAME_VAR "DAGSTER_SECRET_REDIS_USERNAME"
#define REDIS_PASSWORD_VAR "DAGSTER_SECRET_REDIS_PASSWORD"
#define REDIS_PORT_VAR "LUCHT_REDIS_PORT"

#define MAX_SECONDS 1e9  /* about 31 years: anything longer is a typo */

/* How a field is stored, released and printed. */
enum var_kind {
	KIND_STRING,  /* char *; a secret one prints as ******** */
	KIND_URL,     /* char *; always printed through config_mask_url */
	KIND_INT,     /* int */
	KIND_SECONDS, /* double */
	KIND_SIZE,    /* size_t */
};

struct config_var;

/* Turns text (the value of the variable named used, or the default when used is NULL) into
 * the field. Messages name the variable and, unless it is secret, the value. */
typedef int (*var_parser)(const struct config_var *v, const char *used, const char *text,
			  void *field, struct lerr *err);

struct config_var {
	const char *name;
	const char *alt;   /* read when name is unset: the original system's name */
	const char *def;   /* NULL: unset */
	bool secret;
	enum var_kind kind;
	var_parser parse;
	size_t offset;     /* of the field in struct config */
	double min;        /* numbers: smallest value allowed ... */
	bool above;        /* ... or the bound values must exceed */
	double max;
};

static int parse_text(const struct config_var *v, const char *used, const char *text, void *field,
		      struct lerr *err);
static int parse_env_name(const struct config_var *v, const char *used, const char *text,
			  void *field, struct lerr *err);
static int parse_log_level(const struct config_var *v, const char *used, const char *text,
			   void *field, struct lerr *err);
static int parse_http_url(const struct config_var *v, const char *used, const char *text,
			  void *field, struct lerr *err);
static int parse_redis_url(const struct config_var *v, const char *used, const char *text,
			   void *field, struct lerr *err);
static int parse_database_url(const struct config_var *v, const char *used, const char *text,
			      void *field, struct lerr *err);
static int parse_int(const struct config_var *v, const char *used, const char *text, void *field,
		     struct lerr *err);
static int parse_seconds(const struct config_var *v, const char *used, const char *text,
			 void *field, struct lerr *err);
static int parse_size(const struct config_var *v, const char *used, const char *text, void *field,
		      struct lerr *err);

#define FIELD(f) offsetof(struct config, f)

static const struct config_var vars[] = {
	{ "LUCHT_HOME", NULL, ".lucht", false, KIND_STRING, parse_text, FIELD(home), 0, false, 0 },
	{ "LUCHT_ENV", "ENVIRONMENT", "dev", false, KIND_STRING, parse_env_name, FIELD(env), 0, false, 0 },
	{ "LUCHT_LANDING_ZONE", NULL, ".tmp/landing_zone", false, KIND_STRING, parse_text,
	  FIELD(landing_zone), 0, false, 0 },
	{ "LUCHT_DATA_LAKE", NULL, ".tmp/data_lake/bronze", false, KIND_STRING, parse_text,
	  FIELD(data_lake), 0, false, 0 },
	{ "LUCHTMEETNET_API_URL", NULL, "https://api.luchtmeetnet.nl/open_api", false, KIND_URL,
	  parse_http_url, FIELD(api_url), 0, false, 0 },
	{ "LUCHT_RATE_CALLS", NULL, "100", false, KIND_INT, parse_int, FIELD(rate_calls), 1, false,
	  INT_MAX },
	{ "LUCHT_RATE_PERIOD", NULL, "300", false, KIND_SECONDS, parse_seconds, FIELD(rate_period), 0,
	  true, MAX_SECONDS },
	{ "LUCHT_RATE_MAX_WAIT", NULL, "900", false, KIND_SECONDS, parse_seconds,
	  FIELD(rate_max_wait), 0, false, MAX_SECONDS },
	{ "LUCHT_RETRY_MAX", NULL, "3", false, KIND_INT, parse_int, FIELD(retry_max), 0, false, INT_MAX },
	{ "LUCHT_RETRY_DELAY", NULL, "30", false, KIND_SECONDS, parse_seconds, FIELD(retry_delay), 0,
	  false, MAX_SECONDS },
	{ "LUCHT_HTTP_TIMEOUT", NULL, "30", false, KIND_SECONDS, parse_seconds, FIELD(http_timeout), 0,
	  true, MAX_SECONDS },
	{ "LUCHT_HTTP_MAX_BYTES", NULL, "16777216", false, KIND_SIZE, parse_size,
	  FIELD(http_max_bytes), 1, false, 1099511627776.0 },
	{ "LUCHT_REDIS_URL", REDIS_HOST_VAR, NULL, true, KIND_URL, parse_redis_url, FIELD(redis_url),
	  0, false, 0 },
	{ "LUCHT_SLACK_TOKEN", "DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN", NULL, true, KIND_STRING,
	  parse_text, FIELD(slack_token), 0, false, 0 },
	{ "LUCHT_SLACK_CHANNEL", NULL, "#lucht-notifications", false, KIND_STRING, parse_text,
	  FIELD(slack_channel), 0, false, 0 },
	{ "LUCHT_SLACK_API_URL", NULL, "https://slack.com/api", false, KIND_URL, parse_http_url,
	  FIELD(slack_api_url), 0, false, 0 },
	{ "LUCHT_DATABASE_URL", NULL, NULL, true, KIND_URL, parse_database_url, FIELD(database_url),
	  0, false, 0 },
	{ "LUCHT_LOG_LEVEL", NULL, "info", false, KIND_STRING, parse_log_level, FIELD(log_level), 0,
	  false, 0 },
};

#define NVARS (sizeof(vars) / sizeof(vars[0]))

static void *field_of(struct config *c, const struct config_var *v)
{
	return (char *)c + v->offset;
}

static const void *const_field_of(const struct config *c, const struct config_var *v)
{
	return (const char *)c + v->offset;
}

static bool is_string_kind(enum var_kind kind)
{
	return kind == KIND_STRING || kind == KIND_URL;
}

/* The text a variable takes and the name it was read from (NULL: the default). An empty
 * variable counts as unset, as .env files and container settings often leave them. */
static const char *lookup(const struct config_var *v, const char **used)
{
	const char *names[2] = { v->name, v->alt };
	for (size_t i = 0; i < 2; i++) {
		const char *s = names[i] ? getenv(names[i]) : NULL;
		if (s && *s) {
			*used = names[i];
			return s;
		}
	}
	*used = NULL;
	return v->def ? v->def : "";
}

static const char *shown_name(const struct config_var *v, const char *used)
{
	return used ? used : v->name;
}

static int store_string(const struct config_var *v, const char *text, size_t len, void *field,
			struct lerr *err)
{
	char *copy = strndup(text, len);
	if (!copy)
		return lerr_set(err, "%s: out of memory", v->name);
	*(char **)field = copy;
	return 0;
}

static int parse_text(const struct config_var *v, const char *used, const char *text, void *field,
		      struct lerr *err)
{
	(void)used;
	return store_string(v, text, strlen(text), field, err);
}

static int parse_env_name(const struct config_var *v, const char *used, const char *text,
			  void *field, struct lerr *err)
{
	if (strcmp(text, "dev") != 0 && strcmp(text, "prd") != 0)
		return lerr_set(err, "%s: '%s' is not dev or prd", shown_name(v, used), text);
	return parse_text(v, used, text, field, err);
}

static int parse_log_level(const struct config_var *v, const char *used, const char *text,
			   void *field, struct lerr *err)
{
	enum log_level level;
	if (log_level_parse(text, &level) < 0)
		return lerr_set(err, "%s: '%s' is not one of debug, info, warning, error",
				shown_name(v, used), text);
	return parse_text(v, used, text, field, err);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int parse_http_url(const struct config_var *v, const char *used, const char *text,
			  void *field, struct lerr *err)
{
	if (!has_prefix(text, "http://") && !has_prefix(text, "https://")) {
		char masked[512];
		config_mask_url(text, masked, sizeof(masked));
		return lerr_set(err, "%s: '%s' is not an http:// or https:// URL", shown_name(v, used),
				masked);
	}
	/* Paths are appended with a '/' of their own. */
	size_t len = strlen(text);
	while (len > 0 && text[len - 1] == '/')
		len--;
	return store_string(v, text, len, field, err);
}

static void percent_encode(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", c);
	}
}


static const char *getenv_nonempty(const char *name)
{
	const char *s = getenv(name);
	return s && *s ? s : NULL;
}

/* redis://[USERNAME[:PASSWORD]@]HOST:PORT from the original system's variables. */
static int build_redis_url(const struct config_var *v, const char *host, void *field,
			   struct lerr *err)
{
	if (strpbrk(host, "/@?# \t\r\n[]"))
		return lerr_set(err, "%s: '%s' is not a host name", REDIS_HOST_VAR, host);
	const char *port_text = getenv_nonempty(REDIS_PORT_VAR);
	if (!port_text)
		port_text = "6379";
	char *end;
	long port = strtol(port_text, &end, 10);
	if (!isdigit((unsigned char)port_text[0]) || *end != '\0' || port < 1 || port > 65535)
		return lerr_set(err, "%s: '%s' is not a port number from 1 to 65535", REDIS_PORT_VAR,
				port_text);
	const char *user = getenv_nonempty(REDIS_USERNAME_VAR);
	const char *password = getenv_nonempty(REDIS_PASSWORD_VAR);
	struct buf b;
	buf_init(&b, 64 * 1024);
	buf_puts(&b, "redis://");
	if (user || password) {
		/* A password without a user name is Redis's classic requirepass: redis://:pw@host */
		percent_encode(&b, user ? user : "");
		if (password) {
			buf_puts(&b, ":");
			percent_encode(&b, password);
		}
		buf_puts(&b, "@");
	}
	bool ipv6 = strchr(host, ':') != NULL;
	int rc = buf_printf(&b, "%s%s%s:%ld", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
	if (rc == 0)
		rc = store_string(v, buf_str(&b), b.len, field, err);
	else
		lerr_set(err, "%s: the Redis settings are too long", v->name);
	buf_release(&b);
	return rc;
}

static int parse_redis_url(const struct config_var *v, const char *used, const char *text,
			   void *field, struct lerr *err)
{
	if (used && strcmp(used, REDIS_HOST_VAR) == 0)
		return build_redis_url(v, text, field, err);
	if (*text && !has_prefix(text, "redis://") && !has_prefix(text, "rediss://"))
		return lerr_set(err, "%s: the value (secret, not shown) is not a redis:// or rediss:// "
				"URL such as redis://user:password@host:6379/0", v->name);
	return parse_text(v, used, text, field, err);
}

static int parse_database_url(const struct config_var *v, const char *used, const char *text,
			      void *field, struct lerr *err)
{
	if (*text && !has_prefix(text, "postgresql://") && !has_prefix(text, "postgres://"))
		return lerr_set(err, "%s: the value (secret, not shown) is not a postgresql:// URL "
				"such as postgresql://user:password@host/db", v->name);
	return parse_text(v, used, text, field, err);
}

/* A non-negative whole number written in plain decimal digits; -1 for anything else or for
 * more than max. *too_large tells which. */
static int parse_whole(const char *text, double max, unsigned long long *out, bool *too_large)
{
	*too_large = false;
	if (!isdigit((unsigned char)*text))
		return -1;
	unsigned long long n = 0;
	for (const char *p = text; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		n = n * 10 + (unsigned long long)(*p - '0');
		if ((double)n > max) {
			*too_large = true;
			return -1;
		}
	}
	*out = n;
	return 0;
}

static int check_whole(const struct config_var *v, const char *used, const char *text,
		       const char *what, unsigned long long *out, struct lerr *err)
{
	bool too_large;
	if (parse_whole(text, v->max, out, &too_large) < 0 || (double)*out < v->min) {
		if (too_large)
			return lerr_set(err, "%s: '%s' is too large (at most %.0f)", shown_name(v, used),
					text, v->max);
		return lerr_set(err, "%s: '%s' is not a whole number%s >= %.0f", shown_name(v, used),
				text, what, v->min);
	}
	return 0;
}

static int parse_int(const struct config_var *v, const char *used, const char *text, void *field,
		     struct lerr *err)
{
	unsigned long long n;
	if (check_whole(v, used, text, "", &n, err) < 0)
		return -1;
	*(int *)field = (int)n;
	return 0;
}

static int parse_size(const struct config_var *v, const char *used, const char *text, void *field,
		      struct lerr *err)
{
	unsigned long long n;
	if (check_whole(v, used, text, " of bytes", &n, err) < 0)
		return -1;
	*(size_t *)field = (size_t)n;
	return 0;
}

static int parse_seconds(const struct config_var *v, const char *used, const char *text,
			 void *field, struct lerr *err)
{
	/* Plain decimal only: strtod alone would also take "inf", "nan" and hexadecimal. */
	char *end = NULL;
	double d = 0;
	bool ok = *text && strspn(text, "0123456789.eE+-") == strlen(text);
	if (ok) {
		d = strtod(text, &end);
		ok = *end == '\0' && isfinite(d) && (v->above ? d > v->min : d >= v->min);
	}
	if (!ok)
		return lerr_set(err, "%s: '%s' is not a number of seconds %s %g", shown_name(v, used),
				text, v->above ? ">" : ">=", v->min);
	if (d > v->max)
		return lerr_set(err, "%s: '%s' is too large (at most %.0f seconds)", shown_name(v, used),
				text, v->max);
	*(double *)field = d;
	return 0;
}

int config_load(struct config *c, const char *dotenv_path, struct lerr *err)
{
	memset(c, 0, sizeof(*c));
	if (dotenv_path && dotenv_load(dotenv_path, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < NVARS; i++) {
		const char *used;
		const char *text = lookup(&vars[i], &used);
		if (vars[i].parse(&vars[i], used, text, field_of(c, &vars[i]), err) < 0) {
			config_release(c);
			return -1;
		}
	}
	return 0;
}

void config_release(struct config *c)
{
	for (size_t i = 0; i < NVARS; i++)
		if (is_string_kind(vars[i].kind))
			free(*(char **)field_of(c, &vars[i]));
	memset(c, 0, sizeof(*c));
}

/* What config_print shows for one variable: text, or NULL when unset. Owned by the caller. */
static char *shown_value(const struct config *c, const struct config_var *v)
{
	const void *field = const_field_of(c, v);
	struct buf b;
	buf_init(&b, 1 << 20);
	switch (v->kind) {
	case KIND_STRING: {
		const char *s = *(char *const *)field;
		if (!s || !*s)
			return NULL;
		buf_puts(&b, v->secret ? "********" : s);
		break;
	}
	case KIND_URL: {
		const char *s = *(char *const *)field;
		if (!s || !*s)
			return NULL;
		/* Masking can make a URL longer by a few "***" only. */
		size_t size = 4 * strlen(s) + 16;
		char *masked = malloc(size);
		if (!masked)
			return NULL;
		config_mask_url(s, masked, size);
		return masked;
	}
	case KIND_INT:
		buf_printf(&b, "%d", *(const int *)field);
		break;
	case KIND_SECONDS:
		buf_printf(&b, "%g", *(const double *)field);
		break;
	case KIND_SIZE:
		buf_printf(&b, "%zu", *(const size_t *)field);
		break;
	}
	return buf_detach(&b);
}

/* Worked out again from the environment, into which config_load merged the .env file: a
 * name still holding what the file set came from the file. */
static const char *source_of(const struct config_var *v)
{
	const char *used;
	lookup(v, &used);
	if (!used)
		return "default";
	return dotenv_was_loaded(used) ? ".env" : "environment";
}

static json_t *json_value(const struct config *c, const struct config_var *v, const char *shown)
{
	const void *field = const_field_of(c, v);
	switch (v->kind) {
	case KIND_INT:
		return json_integer(*(const int *)field);
	case KIND_SECONDS:
		return json_real(*(const double *)field);
	case KIND_SIZE:
		return json_integer((json_int_t)*(const size_t *)field);
	case KIND_STRING:
	case KIND_URL:
		break;
	}
	if (!shown)
		return json_null();
	json_t *s = json_string(shown);
	return s ? s : json_string("(not valid UTF-8)");
}

/* The rate limiter the Redis settings make, as the row config_print adds after the
 * variables; its source is that of LUCHT_REDIS_URL. */
#define LIMITER_ROW "rate limiter"
#define LIMITER_KEY "rate_limiter"

static void limiter_shown(const struct config *c, char *out, size_t size)
{
	if (!c->redis_url || !c->redis_url[0]) {
		snprintf(out, size, "local (one host)");
		return;
	}
	struct redis_target t;
	struct lerr err;
	if (config_redis_target(c->redis_url, &t, &err) == 0) {
		char name[300];
		redis_target_name(&t, name, sizeof(name));
		snprintf(out, size, "redis at %s", name);
	} else {
		snprintf(out, size, "redis, but %s", err.msg);
	}
	redis_target_clear(&t);
}

static const struct config_var *redis_var(void)
{
	for (size_t i = 0; i < NVARS; i++)
		if (vars[i].offset == FIELD(redis_url))
			return &vars[i];
	return NULL;
}

static void print_json(const struct config *c, char *shown[], const char *limiter, FILE *out)
{
	json_t *root = json_object();
	for (size_t i = 0; i < NVARS; i++)
		json_object_set_new(root, vars[i].name,
				    json_pack("{s:o, s:s}", "value", json_value(c, &vars[i], shown[i]),
					      "source", source_of(&vars[i])));
	json_object_set_new(root, LIMITER_KEY,
			    json_pack("{s:s, s:s}", "value", limiter, "source",
				      source_of(redis_var())));
	json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', out);
	json_decref(root);
}

static void print_text(char *shown[], const char *limiter, FILE *out)
{
	int name_width = (int)strlen(LIMITER_ROW), value_width = (int)strlen(limiter);
	for (size_t i = 0; i < NVARS; i++) {
		int n = (int)strlen(vars[i].name);
		int w = (int)strlen(shown[i] ? shown[i] : "(unset)");
		name_width = n > name_width ? n : name_width;
		value_width = w > value_width ? w : value_width;
	}
	for (size_t i = 0; i < NVARS; i++)
		fprintf(out, "%-*s  %-*s  (%s)\n", name_width, vars[i].name, value_width,
			shown[i] ? shown[i] : "(unset)", source_of(&vars[i]));
	fprintf(out, "%-*s  %-*s  (%s)\n", name_width, LIMITER_ROW, value_width, limiter,
		source_of(redis_var()));
}

void config_print(const struct config *c, FILE *out, bool json)
{
	char *shown[NVARS];
	char limiter[1400];
	for (size_t i = 0; i < NVARS; i++)
		shown[i] = shown_value(c, &vars[i]);
	limiter_shown(c, limiter, sizeof(limiter));
	if (json)
		print_json(c, shown, limiter, out);
	else
		print_text(shown, limiter, out);
	for (size_t i = 0; i < NVARS; i++)
		free(shown[i]);
}
