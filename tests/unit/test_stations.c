#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luchtmeetnet/stations.h"

/* The built-in list is data/stations.json, station for station, in its order. */
static void test_built_in_stations_match_the_station_list(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/../../data/stations.json", getenv("LUCHT_TEST_DATA"));
	json_error_t jerr;
	json_t *list = json_load_file(path, 0, &jerr);
	if (!list)
		fail_msg("%s: %s", path, jerr.text);
	assert_int_equal(json_array_size(list), LMN_NSTATIONS);
	for (size_t i = 0; i < LMN_NSTATIONS; i++) {
		const char *number = json_string_value(json_object_get(json_array_get(list, i), "number"));
		assert_non_null(lmn_stations[i]);
		assert_string_equal(lmn_stations[i], number);
	}
	json_decref(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_in_stations_match_the_station_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
