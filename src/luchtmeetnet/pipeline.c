#include "luchtmeetnet/pipeline.h"

#include "luchtmeetnet/stations.h"

/*
 * The pipeline declared as data, as the original declared it in a few decorated
 * definitions. Adding an asset means a row here and its compute function.
 */

const struct partitions_def lmn_daily = {
	.kind = PARTITIONS_DAILY,
	.name = "daily",
	.hive_name = "date",
	.what = "date",
	.start_date = "2024-01-24",
	.timezone = "Europe/Amsterdam",
};

const struct partitions_def lmn_station_partitions = {
	.kind = PARTITIONS_STATIC,
	.name = "stations",
	.hive_name = "station",
	.what = "station",
	.values = lmn_stations,
	.nvalues = LMN_NSTATIONS,
};

static const struct partitions_def *const daily_stations_dims[] = {&lmn_daily,
								    &lmn_station_partitions};

const struct partitions_def lmn_daily_stations = {
	.kind = PARTITIONS_MULTI,
	.name = "daily|stations",
	.dims = daily_stations_dims,
	.ndims = 2,
};

#define MEASUREMENT_COLUMNS                                                                  \
	"station_number VARCHAR, formula VARCHAR, value DOUBLE, "                             \
	"timestamp_measured TIMESTAMPTZ, start TIMESTAMPTZ, \"end\" TIMESTAMPTZ"

#define STATION_COLUMNS                                                                      \
	"number VARCHAR, location VARCHAR, type VARCHAR, municipality VARCHAR, "              \
	"province VARCHAR, organisation VARCHAR, url VARCHAR, year_start VARCHAR, "           \
	"components VARCHAR[], longitude DOUBLE, latitude DOUBLE, description_nl VARCHAR, "   \
	"description_en VARCHAR"

static const struct check_def air_quality_checks[] = {
	{
		.name = "values_above_zero",
		.blocking = false,
		.run = lmn_check_values_above_zero,
		.description = "every measured value is >= 0 (real data has small negative "
			       "values, so a failure is a warning)",
	},
};

static const struct asset_def assets[] = {
	{
		.name = "air_quality_data",
		.group = "measurements",
		.description = "hourly measurements of one station on one day, from /measurements",
		.partitions = &lmn_daily_stations,
		.storage = STORAGE_LANDING_ZONE,
		.columns_sql = MEASUREMENT_COLUMNS,
		.compute = lmn_compute_air_quality_data,
		.retry = {.enabled = true, .backoff = true, .jitter = true},
		.checks = air_quality_checks,
		.nchecks = sizeof(air_quality_checks) / sizeof(air_quality_checks[0]),
		.code_version = "v1",
	},
	{
		.name = "daily_air_quality_data",
		.group = "measurements",
		.description = "every station's measurements of one day, in the data lake",
		.partitions = &lmn_daily,
		.storage = STORAGE_DATA_LAKE,
		.columns_sql = MEASUREMENT_COLUMNS,
		.input = "air_quality_data",
		.input_mapping = INPUT_SAME_DAY,
		.compute = lmn_compute_daily_air_quality_data,
		.code_version = "v1",
	},
	{
		.name = "station_names",
		.group = "stations",
		.description = "one station's details, from /stations/{number}",
		.partitions = &lmn_station_partitions,
		.storage = STORAGE_LANDING_ZONE,
		.columns_sql = STATION_COLUMNS,
		.compute = lmn_compute_station_names,
		.retry = {.enabled = true, .backoff = true, .jitter = true},
		.code_version = "v1",
	},
	{
		.name = "air_quality_station_names",
		.group = "stations",
		.description = "every station's details, in the data lake",
		.storage = STORAGE_DATA_LAKE,
		.columns_sql = STATION_COLUMNS,
		.input = "station_names",
		.input_mapping = INPUT_ALL,
		.compute = lmn_compute_air_quality_station_names,
		.code_version = "v1",
	},
};

static const struct job_def jobs[] = {
	{"ingestion", "air_quality_data", "ingest one station-day of measurements"},
	{"copy_to_data_lake", "daily_air_quality_data", "copy one day of measurements to the lake"},
	{"ingest_stations", "station_names", "ingest one station's details"},
	{"copy_stations_to_data_lake", "air_quality_station_names",
	 "copy every station's details to the lake"},
};

const struct pipeline lmn_pipeline = {
	.name = "luchtmeetnet_ingestion",
	.assets = assets,
	.nassets = sizeof(assets) / sizeof(assets[0]),
	.jobs = jobs,
	.njobs = sizeof(jobs) / sizeof(jobs[0]),
	.resources_open = lmn_resources_open,
	.resources_close = lmn_resources_close,
};
