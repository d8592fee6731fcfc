#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/retry.h"

static void test_exponential_backoff_as_the_original(void **state)
{
	(void)state;
	struct retry_policy p = {.enabled = true, .backoff = true, .jitter = false};
	assert_float_equal(retry_delay(&p, 1, 30, 0.3), 30, 1e-9);
	assert_float_equal(retry_delay(&p, 2, 30, 0.3), 90, 1e-9);
	assert_float_equal(retry_delay(&p, 3, 30, 0.3), 210, 1e-9);
}

static void test_jitter_is_plus_or_minus_the_base_delay(void **state)
{
	(void)state;
	struct retry_policy p = {.enabled = true, .backoff = true, .jitter = true};
	assert_float_equal(retry_delay(&p, 2, 30, 0.0), 60, 1e-9);
	assert_float_equal(retry_delay(&p, 2, 30, 0.5), 90, 1e-9);
	assert_float_equal(retry_delay(&p, 2, 30, 0.999999), 120, 1e-3);
	/* The first retry can come at once, never before. */
	assert_float_equal(retry_delay(&p, 1, 30, 0.0), 0, 1e-9);
}

static void test_constant_delay_without_backoff(void **state)
{
	(void)state;
	struct retry_policy p = {.enabled = true};
	assert_float_equal(retry_delay(&p, 1, 5, 0.9), 5, 1e-9);
	assert_float_equal(retry_delay(&p, 4, 5, 0.1), 5, 1e-9);
}

static void test_random_is_in_the_unit_interval(void **state)
{
	(void)state;
	double lo = 1, hi = 0;
	for (int i = 0; i < 1000; i++) {
		double u = retry_random();
		assert_true(u >= 0 && u < 1);
		lo = u < lo ? u : lo;
		hi = u > hi ? u : hi;
	}
	/* A generator stuck on one value would make every retry wait the same. */
	assert_true(hi - lo > 0.5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exponential_backoff_as_the_original),
		cmocka_unit_test(test_jitter_is_plus_or_minus_the_base_delay),
		cmocka_unit_test(test_constant_delay_without_backoff),
		cmocka_unit_test(test_random_is_in_the_unit_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
