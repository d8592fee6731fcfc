#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/dotenv.h"

#include "test_support.h"

/* Every variable these tests may set; each test starts and ends with none of them set. */
static const char *const names[] = {
	"DT_PLAIN", "DT_SINGLE", "DT_DOUBLE", "DT_EXPORTED", "DT_SPACED", "DT_COMMENTED",
	"DT_HASH", "DT_EMPTY", "DT_EQUALS", "DT_CRLF", "DT_EMPTY_COMMENT", "DT_QUOTED_COMMENT",
	"DT_A", "DT_B", "DT_C", "DT_export", "DT_TABBED", NULL,
};

static struct temp_file env_file;

/* Before and after each test: none of the variables set, no file. */
static int clean_slate(void **state)
{
	(void)state;
	env_unset(names);
	unlink(env_file.path);
	return 0;
}

/* dotenv_load of path must succeed and set exactly loaded variables. */
static void load_ok(const char *path, int loaded)
{
	int got = -1;
	struct lerr err;
	lerr_clear(&err);
	if (dotenv_load(path, &got, &err) != 0)
		fail_msg("dotenv_load: %s", err.msg);
	assert_int_equal(got, loaded);
}

static void assert_env(const char *name, const char *value)
{
	const char *got = getenv(name);
	if (!got)
		fail_msg("%s is not set", name);
	assert_string_equal(got, value);
}

static void test_good_file(void **state)
{
	(void)state;
	write_file(env_file.path,
		   "# a comment\n"
		   "\n"
		   "   \n"
		   "DT_PLAIN=plain value\n"
		   "DT_SINGLE='lit \\n \"x\" # not a comment'\n"
		   "DT_DOUBLE=\"line1\\nline2 \\\"q\\\" back\\\\slash \\t\"\n"
		   "export DT_EXPORTED=yes\n"
		   "  DT_SPACED = spaced out   \n"
		   "DT_COMMENTED=value # trailing comment\n"
		   "DT_HASH=a#b\n"
		   "DT_EMPTY=\n"
		   "DT_EMPTY_COMMENT= # only a comment\n"
		   "DT_QUOTED_COMMENT=\"x # y\"  # and a comment\n"
		   "DT_EQUALS=a=b=c\n"
		   "DT_CRLF=windows\r\n"
		   "DT_export=1\n"
		   "\tDT_TABBED=\ttabbed\t\n"
		   "DT_A=no newline at the end");
	load_ok(env_file.path, 15);
	assert_env("DT_PLAIN", "plain value");
	assert_env("DT_SINGLE", "lit \\n \"x\" # not a comment");
	assert_env("DT_DOUBLE", "line1\nline2 \"q\" back\\slash \\t");
	assert_env("DT_EXPORTED", "yes");
	assert_env("DT_SPACED", "spaced out");
	assert_env("DT_COMMENTED", "value");
	assert_env("DT_HASH", "a#b");
	assert_env("DT_EMPTY", "");
	assert_env("DT_EMPTY_COMMENT", "");
	assert_env("DT_QUOTED_COMMENT", "x # y");
	assert_env("DT_EQUALS", "a=b=c");
	assert_env("DT_CRLF", "windows");
	assert_env("DT_export", "1");
	assert_env("DT_TABBED", "tabbed");
	assert_env("DT_A", "no newline at the end");
	assert_true(dotenv_was_loaded("DT_PLAIN"));
	assert_true(dotenv_was_loaded("DT_EMPTY"));
	assert_false(dotenv_was_loaded("DT_B"));
	assert_false(dotenv_was_loaded("PATH"));
}

static void test_environment_wins_over_file(void **state)
{
	(void)state;
	setenv("DT_A", "from environment", 1);
	setenv("DT_C", "", 1);
	write_file(env_file.path, "DT_A=from file\nDT_B=from file\nDT_C=from file\n");
	load_ok(env_file.path, 1);
	assert_env("DT_A", "from environment");
	assert_env("DT_B", "from file");
	assert_env("DT_C", "");  /* set, though empty: still the environment's */
	assert_false(dotenv_was_loaded("DT_A"));
	assert_true(dotenv_was_loaded("DT_B"));
	assert_false(dotenv_was_loaded("DT_C"));
}

static void test_later_line_wins(void **state)
{
	(void)state;
	write_file(env_file.path, "DT_A=first\nDT_A=second\n");
	load_ok(env_file.path, 1);
	assert_env("DT_A", "second");
}

static void test_was_loaded_follows_the_environment(void **state)
{
	(void)state;
	write_file(env_file.path, "DT_A=from file\nDT_B=from file\n");
	struct lerr err;
	assert_int_equal(dotenv_load(env_file.path, NULL, &err), 0);
	assert_true(dotenv_was_loaded("DT_A"));
	/* Changed or removed since: no longer what the file said. */
	setenv("DT_A", "changed", 1);
	unsetenv("DT_B");
	assert_false(dotenv_was_loaded("DT_A"));
	assert_false(dotenv_was_loaded("DT_B"));
}

static void test_missing_file_is_fine(void **state)
{
	(void)state;
	char missing[600];
	snprintf(missing, sizeof(missing), "%s/no-such.env", env_file.dir);
	load_ok(missing, 0);
}

static void test_unreadable_path_fails(void **state)
{
	(void)state;
	struct lerr err;
	assert_int_equal(dotenv_load(env_file.dir, NULL, &err), -1);  /* a directory */
	assert_non_null(strstr(err.msg, env_file.dir));
}

/* A broken line: nothing is set, not even the good lines before it, and the error names the
 * file and line, says what is wrong and what a line looks like, without the value. */
static void check_broken(const char *text, int line, const char *problem)
{
	env_unset(names);
	write_file(env_file.path, text);
	int loaded = -1;
	struct lerr err;
	lerr_clear(&err);
	assert_int_equal(dotenv_load(env_file.path, &loaded, &err), -1);
	assert_int_equal(loaded, 0);
	char prefix[600];
	snprintf(prefix, sizeof(prefix), "%s:%d: ", env_file.path, line);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
		fail_msg("'%s' does not start with '%s'", err.msg, prefix);
	if (!strstr(err.msg, problem))
		fail_msg("'%s' does not say '%s'", err.msg, problem);
	assert_non_null(strstr(err.msg, "KEY=value"));
	assert_null(strstr(err.msg, "s3cr3t"));
	assert_null(getenv("DT_A"));
	assert_null(getenv("DT_B"));
	assert_false(dotenv_was_loaded("DT_A"));
}

static void test_broken_line_sets_nothing(void **state)
{
	(void)state;
	check_broken("DT_A=1\n# fine\nDT_B s3cr3t\n", 3, "no '='");
	check_broken("DT_A=1\n1DT=s3cr3t\n", 2, "bad variable name");
	check_broken("DT_A=1\nDT-B=s3cr3t\n", 2, "bad variable name");
	check_broken("DT_A=1\n=s3cr3t\n", 2, "bad variable name");
	check_broken("DT_A=1\nDT_B=\"s3cr3t\n", 2, "unterminated double quote");
	check_broken("DT_A=1\nDT_B='s3cr3t\n", 2, "unterminated single quote");
	check_broken("DT_A=1\nDT_B=\"s3cr3t\\\"\n", 2, "unterminated double quote");
	check_broken("DT_A=1\nDT_B=\"s3cr3t\" more\n", 2, "after the closing quote");
	check_broken("DT_A=1\n\n\nexport\n", 4, "no '='");
	check_broken("DT_A=1\r\nDT_B\r\n", 2, "no '='");
}

static void test_nul_byte_is_rejected(void **state)
{
	(void)state;
	write_bytes(env_file.path, "DT_A=1\nDT_B=x\0y\n", 16);
	struct lerr err;
	assert_int_equal(dotenv_load(env_file.path, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "NUL"));
	assert_null(getenv("DT_A"));
}

static int group_setup(void **state)
{
	(void)state;
	return temp_file_make(&env_file, "/tmp/lucht-test-dotenv-XXXXXX", "test.env");
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
		T(test_good_file),
		T(test_environment_wins_over_file),
		T(test_later_line_wins),
		T(test_was_loaded_follows_the_environment),
		T(test_missing_file_is_fine),
		T(test_unreadable_path_fails),
		T(test_broken_line_sets_nothing),
		T(test_nul_byte_is_rejected),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
