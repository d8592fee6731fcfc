# Station details: station_names per station from /stations/{number}, then every station in
# the lake as air_quality_station_names, with typed columns.
source "$(dirname "$0")/lib.sh"
start_fake --station-mode NL49003=500 --station-mode NL49007=404

run_lucht 1 materialize station_names --station NL01485 --station NL01912 --station NL49003 --station NL49007
assert_contains "$(out)" "2 succeeded, 2 failed of 4 partitions"
assert_contains "$(out)" "station NL49007 is unknown to the API (HTTP 404)"
[ -f "$LUCHT_LANDING_ZONE/station_names/station=NL01485/data.parquet" ] || fail "no station file"

run_lucht 0 materialize air_quality_station_names
assert_contains "$(out)" "air_quality_station_names: succeeded, 2 rows"
[ -f "$LUCHT_DATA_LAKE/air_quality_station_names/data.parquet" ] || fail "no lake file"
assert_eq "$(sql_value "SELECT string_agg(number, '+' ORDER BY number) FROM air_quality_station_names")" "NL01485+NL01912" "stations in the lake"
assert_eq "$(sql_value "SELECT typeof(components) || '/' || typeof(longitude) FROM air_quality_station_names LIMIT 1")" "VARCHAR[]/DOUBLE" "column types"
n=$(sql_value "SELECT len(components) FROM air_quality_station_names WHERE number = 'NL01485'")
[ "$n" -ge 3 ] || fail "too few components: $n"
run_lucht 0 partitions air_quality_station_names --json
assert_eq "$(out | jq -r '.[0].status + " " + (.[0].rows|tostring)')" "materialized 2" "the unpartitioned asset"

# The log names the stations it skipped.
run_id=$("$LUCHT_BIN" runs --asset air_quality_station_names --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id"
assert_contains "$(out)" "skipped 97 of 99 station_names partitions"
assert_contains "$(out)" "2 failed: NL49003, NL49007; 95 missing: NL01497"

# An empty table with the same columns stands in for an asset with no files yet.
assert_eq "$(sql_value "SELECT count(*) FROM daily_air_quality_data")" "0" "an asset with no files"
echo "ok"
