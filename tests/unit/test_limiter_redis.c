#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit/limiter.h"
#include "util/config.h"

#include "limiter_test_support.h"

/*
 * The Redis URL parser, and the Redis back-end against a redis-server of the test's own
 * (on a free loopback port, password dagster, files in a temporary folder).
 */
#define PASSWORD "dagster"
#define KEY "luchtmeetnet_api_test"

static struct {
	pid_t pid;
	int port;
	char dir[64];
	redisContext *admin;  /* the test's own connection, to look at and meddle with Redis */
} redis;

/* ---- the URL ---- */

static struct redis_target parse_ok(const char *url)
{
	struct redis_target t;
	struct lerr err;
	if (config_redis_target(url, &t, &err) != 0)
		fail_msg("%s: %s", url, err.msg);
	return t;
}

static void parse_fails(const char *url, const char *message)
{
	struct redis_target t;
	struct lerr err;
	assert_int_equal(config_redis_target(url, &t, &err), -1);
	if (!strstr(err.msg, message))
		fail_msg("%s: '%s' does not say '%s'", url, err.msg, message);
	assert_null(strstr(err.msg, "s3cr"));
	assert_string_equal(t.password, "");
}

static void test_url_forms(void **state)
{
	(void)state;
	struct redis_target t = parse_ok("redis://localhost");
	assert_string_equal(t.host, "localhost");
	assert_int_equal(t.port, 6379);
	assert_int_equal(t.db, 0);
	assert_string_equal(t.user, "");
	assert_string_equal(t.password, "");
	t = parse_ok("redis://:s3cr%40t@10.0.0.7:16564/");
	assert_string_equal(t.host, "10.0.0.7");
	assert_int_equal(t.port, 16564);
	assert_string_equal(t.user, "");
	assert_string_equal(t.password, "s3cr@t");
	/* The original's settings, as config.c encodes them. */
	t = parse_ok("redis://lucht:p%40ss%3Aw%2Frd%25%3F%23%20x@redis.internal:6379");
	assert_string_equal(t.user, "lucht");
	assert_string_equal(t.password, "p@ss:w/rd%?# x");
	/* Unencoded, the last '@' ends the password and the first ':' the user. */
	t = parse_ok("redis://u:a:b@c@[::1]:6380/3");
	assert_string_equal(t.user, "u");
	assert_string_equal(t.password, "a:b@c");
	assert_string_equal(t.host, "::1");
	assert_int_equal(t.port, 6380);
	assert_int_equal(t.db, 3);
	char name[300];
	redis_target_name(&t, name, sizeof(name));
	assert_string_equal(name, "[::1]:6380/3");
	redis_target_clear(&t);
	assert_string_equal(t.password, "");
}

static void test_url_errors(void **state)
{
	(void)state;
	parse_fails("rediss://:s3cr@host:6380", "rediss:// (TLS) is not supported");
	parse_fails("http://:s3cr@host", "is not a redis:// URL");
	parse_fails("redis://:s3cr@host:0", "the port '0' of host is not a number from 1 to 65535");
	parse_fails("redis://:s3cr@host:65536", "is not a number from 1 to 65535");
	parse_fails("redis://:s3cr@host:63x9/0", "the port '63x9'");
	parse_fails("redis://:s3cr@", "no host name");
	parse_fails("redis://:s3cr@[::1:6379", "no host name");
	parse_fails("redis://:s3cr@host?password=s3cr", "no host name");
	parse_fails("redis://:s3cr@host:6379/zero", "is not /DB");
	parse_fails("redis://:s3cr@host:6379/0?password=s3cr", "is not /DB");
	parse_fails("redis://:s3cr%4@host", "bad %-escape");
	parse_fails("redis://:s3cr%00@host", "bad %-escape");
}

/* ---- a redis-server of our own ---- */

static redisReply *admin(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	redisReply *r = redisvCommand(redis.admin, fmt, ap);
	va_end(ap);
	if (!r)
		fail_msg("redis: %s", redis.admin->errstr);
	return r;
}

static long long admin_integer(const char *fmt, const char *arg)
{
	redisReply *r = admin(fmt, arg);
	if (r->type != REDIS_REPLY_INTEGER)
		fail_msg("%s: not an integer", fmt);
	long long n = r->integer;
	freeReplyObject(r);
	return n;
}

static void admin_ok(const char *command)
{
	freeReplyObject(admin(command));
}

static int connect_admin(void)
{
	struct timeval tv = { 1, 0 };
	redisContext *c = redisConnectWithTimeout("127.0.0.1", redis.port, tv);
	if (!c || c->err) {
		if (c)
			redisFree(c);
		return -1;
	}
	redisReply *r = redisCommand(c, "AUTH %s", PASSWORD);
	bool ok = r && r->type == REDIS_REPLY_STATUS;
	if (r)
		freeReplyObject(r);
	if (!ok) {
		redisFree(c);
		return -1;
	}
	redis.admin = c;
	return 0;
}

static int start_redis(void)
{
	snprintf(redis.dir, sizeof(redis.dir), "/tmp/lucht-redis-test-XXXXXX");
	if (!mkdtemp(redis.dir))
		return -1;
	redis.port = closed_port();
	char port[16];
	snprintf(port, sizeof(port), "%d", redis.port);
	redis.pid = fork();
	if (redis.pid < 0)
		return -1;
	if (redis.pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port,
		       "--requirepass", PASSWORD, "--dir", redis.dir, "--save", "", "--appendonly",
		       "no", "--logfile", "redis.log", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		if (waitpid(redis.pid, NULL, WNOHANG) == redis.pid) {
			fprintf(stderr, "redis-server did not start (is it installed?)\n");
			redis.pid = 0;
			return -1;
		}
		if (connect_admin() == 0)
			return 0;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return -1;
}

static int group_setup(void **state)
{
	(void)state;
	return start_redis();
}

static int group_teardown(void **state)
{
	(void)state;
	if (redis.admin)
		redisFree(redis.admin);
	if (redis.pid > 0) {
		kill(redis.pid, SIGTERM);
		waitpid(redis.pid, NULL, 0);
	}
	char path[128];
	snprintf(path, sizeof(path), "%s/redis.log", redis.dir);
	unlink(path);
	rmdir(redis.dir);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	admin_ok("FLUSHALL");
	return 0;
}

static struct redis_target target(const char *password, int db)
{
	struct redis_target t = { .port = redis.port, .db = db };
	snprintf(t.host, sizeof(t.host), "127.0.0.1");
	snprintf(t.password, sizeof(t.password), "%s", password);
	return t;
}

static struct limiter *open_ok(int calls, double period, double max_wait)
{
	struct redis_target t = target(PASSWORD, 0);
	struct lerr err;
	struct limiter *l = limiter_redis_open(&t, KEY, calls, period, max_wait, &err);
	if (!l)
		fail_msg("limiter_redis_open: %s", err.msg);
	return l;
}

/* One request's use of the limiter: a slot taken, then the answer in. The seconds it waited. */
static double acquire_and_done(struct limiter *l)
{
	double waited = acquire_ok(l);
	done_ok(l);
	return waited;
}

/* ---- the back-end ---- */

static void test_window_fills_and_waits(void **state)
{
	(void)state;
	struct limiter *l = open_ok(3, 0.5, 30);
	for (int i = 0; i < 3; i++)
		assert_true(acquire_and_done(l) == 0);
	struct limiter_status st = status_ok(l);
	assert_string_equal(st.backend, "redis");
	char where[128];
	snprintf(where, sizeof(where), "127.0.0.1:%d key " KEY, redis.port);
	assert_string_equal(st.where, where);
	assert_int_equal(st.calls, 3);
	assert_int_equal(st.used, 3);
	assert_true(st.next_free_in > 0 && st.next_free_in <= 0.5);
	assert_int_equal(admin_integer("ZCARD %s", KEY), 3);
	/* An idle window goes away: the key expires a second after the period. */
	long long ttl = admin_integer("PTTL %s", KEY);
	assert_true(ttl > 0 && ttl <= 1500);
	assert_true(acquire_and_done(l) > 0);
	st = status_ok(l);
	assert_true(st.used >= 1 && st.used <= 3);
	limiter_free(l);
}

static void test_limiters_share_one_window(void **state)
{
	(void)state;
	struct limiter *a = open_ok(2, 30, 30), *b = open_ok(2, 30, 0);
	acquire_and_done(a);
	acquire_and_done(b);
	assert_int_equal(status_ok(a).used, 2);
	struct lerr err;
	double waited = -1;
	assert_int_equal(limiter_acquire(b, &waited, &err), -1);
	assert_true(waited == 0);
	assert_true(err.retryable);
	assert_true(err.retry_after > 29 && err.retry_after <= 30.01);
	assert_non_null(strstr(err.msg, "rate limit: waited 0.0 s and the window (2 per 30 s) is still full"));
	limiter_free(a);
	limiter_free(b);
}

/* The slot is held from the answer on: limiter_done moves it to Redis's time then. */
static void test_done_dates_the_slot_at_the_answer(void **state)
{
	(void)state;
	struct limiter *l = open_ok(5, 30, 30);
	struct lerr err;
	assert_int_equal(limiter_acquire(l, NULL, &err), 0);
	redisReply *r = admin("ZRANGE %s 0 -1 WITHSCORES", KEY);
	assert_int_equal(r->type, REDIS_REPLY_ARRAY);
	assert_int_equal(r->elements, 2);
	char member[400];
	snprintf(member, sizeof(member), "%s", r->element[0]->str);
	long long taken = atoll(r->element[1]->str);
	freeReplyObject(r);
	/* Microseconds of the Redis clock, not rounded by Lua's number formatting. */
	redisReply *t = admin("TIME");
	long long now = atoll(t->element[0]->str) * 1000000 + atoll(t->element[1]->str);
	freeReplyObject(t);
	assert_true(taken > now - 10 * 1000000LL && taken <= now);
	nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	assert_int_equal(limiter_done(l, &err), 0);
	r = admin("ZSCORE %s %s", KEY, member);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_true(atoll(r->str) >= taken + 20000);
	freeReplyObject(r);
	/* Nothing outstanding: a second done changes nothing. */
	assert_int_equal(limiter_done(l, &err), 0);
	assert_int_equal(admin_integer("ZCARD %s", KEY), 1);
	limiter_free(l);
}

/* A limiter in use keeps working after Redis, told command, loses what the limiter set up. */
static void check_recovers_from(const char *command)
{
	struct limiter *l = open_ok(5, 30, 30);
	acquire_and_done(l);
	admin_ok(command);
	acquire_and_done(l);
	assert_int_equal(status_ok(l).used, 2);
	limiter_free(l);
}

static void test_script_is_loaded_again(void **state)
{
	(void)state;
	check_recovers_from("SCRIPT FLUSH");
}

static void test_lost_connection_is_made_again(void **state)
{
	(void)state;
	check_recovers_from("CLIENT KILL TYPE normal SKIPME yes");
}

static void test_database_is_selected(void **state)
{
	(void)state;
	struct redis_target t = target(PASSWORD, 3);
	struct lerr err;
	struct limiter *l = limiter_redis_open(&t, KEY, 5, 30, 30, &err);
	assert_non_null(l);
	acquire_and_done(l);
	assert_int_equal(admin_integer("EXISTS %s", KEY), 0);
	admin_ok("SELECT 3");
	assert_int_equal(admin_integer("EXISTS %s", KEY), 1);
	admin_ok("SELECT 0");
	limiter_free(l);
}

static void open_fails(struct redis_target t, const char *message)
{
	struct lerr err;
	assert_null(limiter_redis_open(&t, KEY, 5, 30, 30, &err));
	if (!strstr(err.msg, message))
		fail_msg("'%s' does not say '%s'", err.msg, message);
	if (t.password[0] && strstr(err.msg, t.password))
		fail_msg("the password is in '%s'", err.msg);
}

static void test_refusals_name_the_host_not_the_password(void **state)
{
	(void)state;
	char where[64];
	snprintf(where, sizeof(where), "Redis at 127.0.0.1:%d", redis.port);
	open_fails(target("wrong-pass-999", 0), where);
	open_fails(target("wrong-pass-999", 0), "refused the password: WRONGPASS");
	struct redis_target t = target("wrong-pass-999", 0);
	snprintf(t.user, sizeof(t.user), "lucht");
	open_fails(t, "refused the user name and password");
	open_fails(target("", 0), "asks for a password");
	t = target(PASSWORD, 0);
	t.port = closed_port();
	open_fails(t, "rate limit: cannot reach Redis at 127.0.0.1:");
	open_fails(t, "Connection refused");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_forms),
		cmocka_unit_test(test_url_errors),
		cmocka_unit_test_setup(test_window_fills_and_waits, setup),
		cmocka_unit_test_setup(test_limiters_share_one_window, setup),
		cmocka_unit_test_setup(test_done_dates_the_slot_at_the_answer, setup),
		cmocka_unit_test_setup(test_script_is_loaded_again, setup),
		cmocka_unit_test_setup(test_lost_connection_is_made_again, setup),
		cmocka_unit_test_setup(test_database_is_selected, setup),
		cmocka_unit_test_setup(test_refusals_name_the_host_not_the_password, setup),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
