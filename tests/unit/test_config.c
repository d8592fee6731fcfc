#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "util/config.h"

#include "test_support.h"

/* Every variable config_load reads; each test starts and ends with none of them set. */
static const char *const names[] = {
	"LUCHT_HOME", "LUCHT_ENV", "ENVIRONMENT", "LUCHT_LANDING_ZONE", "LUCHT_DATA_LAKE",
	"LUCHTMEETNET_API_URL", "LUCHT_RATE_CALLS", "LUCHT_RATE_PERIOD", "LUCHT_RATE_MAX_WAIT",
	"LUCHT_RETRY_MAX", "LUCHT_RETRY_DELAY", "LUCHT_HTTP_TIMEOUT", "LUCHT_HTTP_MAX_BYTES",
	"LUCHT_REDIS_URL", "DAGSTER_SECRET_REDIS_HOST", "DAGSTER_SECRET_REDIS_USERNAME",
	"DAGSTER_SECRET_REDIS_PASSWORD", "LUCHT_REDIS_PORT", "LUCHT_SLACK_TOKEN",
	"DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN", "LUCHT_SLACK_CHANNEL", "LUCHT_SLACK_API_URL",
	"LUCHT_DATABASE_URL", "LUCHT_LOG_LEVEL", NULL,
};

static struct temp_file env_file;

/* Before and after each test: none of the variables set, no .env file. */
static int clean_slate(void **state)
{
	(void)state;
	env_unset(names);
	unlink(env_file.path);
	return 0;
}

static void load_ok(struct config *c, const char *dotenv)
{
	struct lerr err;
	lerr_clear(&err);
	if (config_load(c, dotenv, &err) != 0)
		fail_msg("config_load: %s", err.msg);
}

/* The printed configuration, text or JSON; free() it. */
static char *printed(const struct config *c, bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	config_print(c, f, json);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_defaults(void **state)
{
	(void)state;
	struct config c;
	load_ok(&c, NULL);
	assert_string_equal(c.home, ".lucht");
	assert_string_equal(c.env, "dev");
	assert_string_equal(c.landing_zone, ".tmp/landing_zone");
	assert_string_equal(c.data_lake, ".tmp/data_lake/bronze");
	assert_string_equal(c.api_url, "https://api.luchtmeetnet.nl/open_api");
	assert_int_equal(c.rate_calls, 100);
	assert_true(c.rate_period == 300);
	assert_true(c.rate_max_wait == 900);
	assert_int_equal(c.retry_max, 3);
	assert_true(c.retry_delay == 30);
	assert_true(c.http_timeout == 30);
	assert_int_equal(c.http_max_bytes, 16777216);
	assert_string_equal(c.redis_url, "");
	assert_string_equal(c.slack_token, "");
	assert_string_equal(c.slack_channel, "#lucht-notifications");
	assert_string_equal(c.slack_api_url, "https://slack.com/api");
	assert_string_equal(c.database_url, "");
	assert_string_equal(c.log_level, "info");
	config_release(&c);
	assert_null(c.home);
	config_release(&c);  /* twice is fine */
}

static void test_values_from_environment(void **state)
{
	(void)state;
	setenv("LUCHT_RATE_CALLS", "5", 1);
	setenv("LUCHT_RATE_PERIOD", "0.5", 1);
	setenv("LUCHT_RATE_MAX_WAIT", "0", 1);
	setenv("LUCHT_RETRY_MAX", "0", 1);
	setenv("LUCHT_RETRY_DELAY", "1.5e1", 1);
	setenv("LUCHT_HTTP_MAX_BYTES", "1024", 1);
	setenv("LUCHTMEETNET_API_URL", "http://127.0.0.1:8080/api//", 1);
	setenv("LUCHT_SLACK_API_URL", "http://127.0.0.1:9/", 1);
	setenv("ENVIRONMENT", "prd", 1);
	setenv("DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN", "xoxb-original", 1);
	setenv("LUCHT_LOG_LEVEL", "debug", 1);
	setenv("LUCHT_HOME", "", 1);  /* empty counts as unset */
	struct config c;
	load_ok(&c, NULL);
	assert_int_equal(c.rate_calls, 5);
	assert_true(c.rate_period == 0.5);
	assert_true(c.rate_max_wait == 0);
	assert_int_equal(c.retry_max, 0);
	assert_true(c.retry_delay == 15);
	assert_int_equal(c.http_max_bytes, 1024);
	assert_string_equal(c.api_url, "http://127.0.0.1:8080/api");
	assert_string_equal(c.slack_api_url, "http://127.0.0.1:9");
	assert_string_equal(c.env, "prd");
	assert_string_equal(c.slack_token, "xoxb-original");
	assert_string_equal(c.log_level, "debug");
	assert_string_equal(c.home, ".lucht");
	config_release(&c);

	/* The new names win over the original system's. */
	setenv("LUCHT_ENV", "dev", 1);
	setenv("LUCHT_SLACK_TOKEN", "xoxb-new", 1);
	load_ok(&c, NULL);
	assert_string_equal(c.env, "dev");
	assert_string_equal(c.slack_token, "xoxb-new");
	config_release(&c);
}

static void test_dotenv_file_and_environment_wins(void **state)
{
	(void)state;
	write_file(env_file.path,
		   "LUCHT_HOME=/srv/lucht\n"
		   "LUCHT_RATE_CALLS=7\n"
		   "export LUCHT_SLACK_CHANNEL='#from-file'\n");
	setenv("LUCHT_RATE_CALLS", "9", 1);
	struct config c;
	load_ok(&c, env_file.path);
	assert_string_equal(c.home, "/srv/lucht");
	assert_int_equal(c.rate_calls, 9);
	assert_string_equal(c.slack_channel, "#from-file");
	char *text = printed(&c, false);
	assert_non_null(strstr(text, "/srv/lucht  "));
	/* Each line ends with its source. */
	for (char *line = text; *line; ) {
		char *end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		if (strncmp(line, "LUCHT_HOME ", 11) == 0 || strncmp(line, "LUCHT_SLACK_CHANNEL ", 20) == 0)
			assert_non_null(strstr(line, "(.env)"));
		else if (strncmp(line, "LUCHT_RATE_CALLS ", 17) == 0)
			assert_non_null(strstr(line, "(environment)"));
		else
			assert_non_null(strstr(line, "(default)"));
		line = end + 1;
	}
	free(text);
	config_release(&c);
}

static void test_broken_dotenv_is_an_error(void **state)
{
	(void)state;
	write_file(env_file.path, "LUCHT_HOME=/srv/lucht\nLUCHT_RATE_CALLS\n");
	struct config c;
	struct lerr err;
	assert_int_equal(config_load(&c, env_file.path, &err), -1);
	char prefix[600];
	snprintf(prefix, sizeof(prefix), "%s:2: ", env_file.path);
	assert_memory_equal(err.msg, prefix, strlen(prefix));
	assert_null(getenv("LUCHT_HOME"));
	assert_null(c.home);
}

/* Sets name=value, expects config_load to fail with exactly message, and c left empty. */
static void check_invalid(const char *name, const char *value, const char *message)
{
	env_unset(names);
	setenv(name, value, 1);
	struct config c;
	struct lerr err;
	lerr_clear(&err);
	assert_int_equal(config_load(&c, NULL, &err), -1);
	assert_string_equal(err.msg, message);
	assert_null(c.home);
	assert_null(c.log_level);
	assert_int_equal(c.rate_calls, 0);
	unsetenv(name);
}

static void test_validation_messages(void **state)
{
	(void)state;
	check_invalid("LUCHT_RATE_CALLS", "0", "LUCHT_RATE_CALLS: '0' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", "abc", "LUCHT_RATE_CALLS: 'abc' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", "1.5", "LUCHT_RATE_CALLS: '1.5' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", "-3", "LUCHT_RATE_CALLS: '-3' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", " 5", "LUCHT_RATE_CALLS: ' 5' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", "5x", "LUCHT_RATE_CALLS: '5x' is not a whole number >= 1");
	check_invalid("LUCHT_RATE_CALLS", "99999999999",
		      "LUCHT_RATE_CALLS: '99999999999' is too large (at most 2147483647)");
	check_invalid("LUCHT_RETRY_MAX", "-1", "LUCHT_RETRY_MAX: '-1' is not a whole number >= 0");
	check_invalid("LUCHT_HTTP_MAX_BYTES", "0",
		      "LUCHT_HTTP_MAX_BYTES: '0' is not a whole number of bytes >= 1");
	check_invalid("LUCHT_RATE_PERIOD", "0", "LUCHT_RATE_PERIOD: '0' is not a number of seconds > 0");
	check_invalid("LUCHT_RATE_PERIOD", "inf",
		      "LUCHT_RATE_PERIOD: 'inf' is not a number of seconds > 0");
	check_invalid("LUCHT_RATE_PERIOD", "0x10",
		      "LUCHT_RATE_PERIOD: '0x10' is not a number of seconds > 0");
	check_invalid("LUCHT_RATE_PERIOD", "1e12",
		      "LUCHT_RATE_PERIOD: '1e12' is too large (at most 1000000000 seconds)");
	check_invalid("LUCHT_HTTP_TIMEOUT", "-1",
		      "LUCHT_HTTP_TIMEOUT: '-1' is not a number of seconds > 0");
	check_invalid("LUCHT_RETRY_DELAY", "-0.5",
		      "LUCHT_RETRY_DELAY: '-0.5' is not a number of seconds >= 0");
	check_invalid("LUCHT_RATE_MAX_WAIT", "soon",
		      "LUCHT_RATE_MAX_WAIT: 'soon' is not a number of seconds >= 0");
	check_invalid("LUCHT_ENV", "test", "LUCHT_ENV: 'test' is not dev or prd");
	check_invalid("ENVIRONMENT", "staging", "ENVIRONMENT: 'staging' is not dev or prd");
	check_invalid("LUCHT_LOG_LEVEL", "verbose",
		      "LUCHT_LOG_LEVEL: 'verbose' is not one of debug, info, warning, error");
	check_invalid("LUCHTMEETNET_API_URL", "ftp://example.org",
		      "LUCHTMEETNET_API_URL: 'ftp://example.org' is not an http:// or https:// URL");
	check_invalid("LUCHTMEETNET_API_URL", "api.luchtmeetnet.nl",
		      "LUCHTMEETNET_API_URL: 'api.luchtmeetnet.nl' is not an http:// or https:// URL");
	check_invalid("LUCHT_REDIS_URL", "http://user:pw1234@host",
		      "LUCHT_REDIS_URL: the value (secret, not shown) is not a redis:// or rediss:// "
		      "URL such as redis://user:password@host:6379/0");
	check_invalid("LUCHT_DATABASE_URL", "mysql://u:pw1234@h/db",
		      "LUCHT_DATABASE_URL: the value (secret, not shown) is not a postgresql:// URL "
		      "such as postgresql://user:password@host/db");
}

static void test_bad_redis_settings(void **state)
{
	(void)state;
	setenv("DAGSTER_SECRET_REDIS_HOST", "redis.internal", 1);
	setenv("LUCHT_REDIS_PORT", "70000", 1);
	struct config c;
	struct lerr err;
	assert_int_equal(config_load(&c, NULL, &err), -1);
	assert_string_equal(err.msg, "LUCHT_REDIS_PORT: '70000' is not a port number from 1 to 65535");
	setenv("LUCHT_REDIS_PORT", "63x", 1);
	assert_int_equal(config_load(&c, NULL, &err), -1);
	assert_string_equal(err.msg, "LUCHT_REDIS_PORT: '63x' is not a port number from 1 to 65535");
	unsetenv("LUCHT_REDIS_PORT");
	setenv("DAGSTER_SECRET_REDIS_HOST", "host/0", 1);
	assert_int_equal(config_load(&c, NULL, &err), -1);
	assert_string_equal(err.msg, "DAGSTER_SECRET_REDIS_HOST: 'host/0' is not a host name");
}

static const char *redis_url_from(const char *user, const char *password, const char *port,
				  struct config *c)
{
	env_unset(names);
	setenv("DAGSTER_SECRET_REDIS_HOST", "redis.internal", 1);
	if (user)
		setenv("DAGSTER_SECRET_REDIS_USERNAME", user, 1);
	if (password)
		setenv("DAGSTER_SECRET_REDIS_PASSWORD", password, 1);
	if (port)
		setenv("LUCHT_REDIS_PORT", port, 1);
	load_ok(c, NULL);
	return c->redis_url;
}

static void test_redis_url_from_original_settings(void **state)
{
	(void)state;
	struct config c;
	assert_string_equal(redis_url_from("lucht", "p@ss:w/rd%?# x", NULL, &c),
			    "redis://lucht:p%40ss%3Aw%2Frd%25%3F%23%20x@redis.internal:6379");
	config_release(&c);
	assert_string_equal(redis_url_from("lu cht", NULL, "6380", &c),
			    "redis://lu%20cht@redis.internal:6380");
	config_release(&c);
	assert_string_equal(redis_url_from(NULL, "pw", NULL, &c), "redis://:pw@redis.internal:6379");
	config_release(&c);
	assert_string_equal(redis_url_from(NULL, NULL, NULL, &c), "redis://redis.internal:6379");
	config_release(&c);

	setenv("DAGSTER_SECRET_REDIS_HOST", "::1", 1);
	load_ok(&c, NULL);
	assert_string_equal(c.redis_url, "redis://[::1]:6379");
	config_release(&c);

	/* LUCHT_REDIS_URL, when set, is taken as it is. */
	setenv("LUCHT_REDIS_URL", "rediss://other:6390/2", 1);
	load_ok(&c, NULL);
	assert_string_equal(c.redis_url, "rediss://other:6390/2");
	config_release(&c);
}

static void assert_no_secrets(const char *text, const char *const secrets[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(text, secrets[i]))
			fail_msg("printed configuration shows '%s':\n%s", secrets[i], text);
}

static void test_print_never_shows_secrets(void **state)
{
	(void)state;
	static const char *const secrets[] = { "hunter2pass", "xoxb-tok3n-value", "pgs3cret",
					       "dagsterpw", "dagsterpw%" };
	setenv("LUCHT_REDIS_URL", "redis://user:hunter2pass@host:6379/0", 1);
	setenv("LUCHT_SLACK_TOKEN", "xoxb-tok3n-value", 1);
	setenv("LUCHT_DATABASE_URL", "postgresql://pg:pgs3cret@db/lucht?password=pgs3cret", 1);
	struct config c;
	load_ok(&c, NULL);
	char *text = printed(&c, false);
	assert_no_secrets(text, secrets, 5);
	assert_non_null(strstr(text, "redis://user:***@host:6379/0"));
	assert_non_null(strstr(text, "postgresql://pg:***@db/lucht?password=***"));
	assert_non_null(strstr(text, "********"));
	char *json = printed(&c, true);
	assert_no_secrets(json, secrets, 5);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "LUCHT_SLACK_TOKEN"),
							      "value")),
			    "********");
	assert_string_equal(json_string_value(json_object_get(json_object_get(root, "LUCHT_REDIS_URL"),
							      "value")),
			    "redis://user:***@host:6379/0");
	json_decref(root);
	free(text);
	free(json);
	config_release(&c);

	/* The URL built from the original settings holds the password too. */
	env_unset(names);
	setenv("DAGSTER_SECRET_REDIS_HOST", "redis.internal", 1);
	setenv("DAGSTER_SECRET_REDIS_USERNAME", "lucht", 1);
	setenv("DAGSTER_SECRET_REDIS_PASSWORD", "dagsterpw%", 1);
	load_ok(&c, NULL);
	text = printed(&c, false);
	json = printed(&c, true);
	assert_no_secrets(text, secrets, 5);
	assert_no_secrets(json, secrets, 5);
	assert_null(strstr(text, "dagsterpw%25"));
	assert_non_null(strstr(text, "redis://lucht:***@redis.internal:6379"));
	free(text);
	free(json);
	config_release(&c);
}

static void test_print_text_is_aligned(void **state)
{
	(void)state;
	setenv("LUCHT_RATE_CALLS", "12", 1);
	struct config c;
	load_ok(&c, NULL);
	char *text = printed(&c, false);
	long value_col = -1, source_col = -1;
	int lines = 0;
	for (char *line = text; *line; lines++) {
		char *end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		char *sep = strstr(line, "  ");
		assert_non_null(sep);
		while (*sep == ' ')
			sep++;
		char *source = strrchr(line, '(');
		assert_non_null(source);
		if (value_col < 0) {
			value_col = sep - line;
			source_col = source - line;
		}
		assert_int_equal(sep - line, value_col);
		assert_int_equal(source - line, source_col);
		if (strncmp(line, "LUCHT_RATE_CALLS ", 17) == 0)
			assert_memory_equal(sep, "12 ", 3);
		if (strncmp(line, "LUCHT_DATABASE_URL ", 19) == 0)
			assert_memory_equal(sep, "(unset) ", 8);
		if (strncmp(line, "LUCHT_SLACK_TOKEN ", 18) == 0)
			assert_memory_equal(sep, "(unset) ", 8);
		line = end + 1;
	}
	assert_int_equal(lines, 19);  /* the variables and the rate limiter */
	free(text);
	config_release(&c);
}

static void test_print_json(void **state)
{
	(void)state;
	setenv("LUCHT_RATE_PERIOD", "0.5", 1);
	struct config c;
	load_ok(&c, NULL);
	char *json = printed(&c, true);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s\n%s", jerr.text, json);
	assert_int_equal(json_object_size(root), 19);
	json_t *calls = json_object_get(root, "LUCHT_RATE_CALLS");
	assert_int_equal(json_integer_value(json_object_get(calls, "value")), 100);
	assert_string_equal(json_string_value(json_object_get(calls, "source")), "default");
	json_t *period = json_object_get(root, "LUCHT_RATE_PERIOD");
	assert_true(json_real_value(json_object_get(period, "value")) == 0.5);
	assert_string_equal(json_string_value(json_object_get(period, "source")), "environment");
	json_t *database = json_object_get(root, "LUCHT_DATABASE_URL");
	assert_true(json_is_null(json_object_get(database, "value")));
	json_t *home = json_object_get(root, "LUCHT_HOME");
	assert_string_equal(json_string_value(json_object_get(home, "value")), ".lucht");
	json_decref(root);
	free(json);
	config_release(&c);
}

static void check_mask(const char *url, const char *want)
{
	char out[256];
	config_mask_url(url, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_mask_url(void **state)
{
	(void)state;
	check_mask("redis://user:secret@host:6379/0", "redis://user:***@host:6379/0");
	check_mask("postgresql://user:secret@host/db", "postgresql://user:***@host/db");
	check_mask("redis://:secret@host:6379", "redis://:***@host:6379");
	check_mask("redis://user:@host", "redis://user:***@host");
	check_mask("redis://secrettoken@host", "redis://***@host");
	check_mask("redis://user:pa/ss@host:1/0", "redis://user:***@host:1/0");
	check_mask("redis://user:p@ss@host", "redis://user:***@host");
	check_mask("redis://user:pa?s#s@host", "redis://user:***@host");
	check_mask("postgresql://host/db?user=u&password=secret&sslmode=require",
		   "postgresql://host/db?user=u&password=***&sslmode=require");
	check_mask("postgresql://host/db?sslpassword=secret", "postgresql://host/db?sslpassword=***");
	check_mask("redis://host:6379", "redis://host:6379");
	check_mask("https://api.luchtmeetnet.nl/open_api", "https://api.luchtmeetnet.nl/open_api");
	check_mask("not a url", "not a url");
	check_mask("", "");

	/* A short buffer cuts the text but never shows more of the password. */
	char out[13];
	config_mask_url("redis://u:secretpassword@h", out, sizeof(out));
	assert_string_equal(out, "redis://u:**");
	config_mask_url("redis://u:secretpassword@h", out, 1);
	assert_string_equal(out, "");
	static const char full[] = "redis://user:***@h/0?password=***";
	for (size_t n = 1; n <= sizeof(out); n++) {
		config_mask_url("redis://user:s@h/0?password=s", out, n);
		assert_int_equal(strlen(out), n - 1);
		assert_memory_equal(out, full, n - 1);
	}
}

static int group_setup(void **state)
{
	(void)state;
	return temp_file_make(&env_file, "/tmp/lucht-test-config-XXXXXX", "test.env");
}

static int group_teardown(void **state)
{
	(void)state;
	return temp_file_remove(&env_file);
}

#define T(name) cmocka_unit_test_setup_teardown(name, clean_slate, clean_slate)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_values_from_environment),
		T(test_dotenv_file_and_environment_wins),
		T(test_broken_dotenv_is_an_error),
		T(test_validation_messages),
		T(test_bad_redis_settings),
		T(test_redis_url_from_original_settings),
		T(test_print_never_shows_secrets),
		T(test_print_text_is_aligned),
		T(test_print_json),
		T(test_mask_url),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
