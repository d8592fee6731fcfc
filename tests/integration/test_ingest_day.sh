# A day ingested end to end: air_quality_data for three stations, then the day in the lake,
# read back through lucht sql; a second materialization replaces the files.
source "$(dirname "$0")/lib.sh"
start_fake

day=2024-02-14
run_lucht 0 materialize air_quality_data --date $day --station NL01485 --station NL01912 --station NL49002
assert_contains "$(out)" "[1/3] air_quality_data $day|NL01485: succeeded"
assert_contains "$(out)" "materialize air_quality_data: 3 succeeded, 0 failed of 3 partitions"

for s in NL01485 NL01912 NL49002; do
	[ -f "$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=$s/data.parquet" ] ||
		fail "no file for $s"
done

run_lucht 0 partitions air_quality_data --date $day --station NL01485 --station NL01912 --station NL49002 --station NL10404 --json
statuses=$(out | jq -r '[.[].status] | join(",")')
assert_eq "$statuses" "materialized,materialized,materialized,missing" "partition statuses"
rows=$(out | jq '[.[] | select(.status == "materialized") | .rows] | add')
[ "$rows" -gt 0 ] || fail "no rows recorded"
version=$(out | jq -r '.[0].data_version')
[ "${#version}" -eq 64 ] || fail "data version is not a SHA-256: $version"

# Every row belongs to the day: timestamp_measured in (local midnight, next local midnight].
assert_eq "$(sql_value "SELECT count(*) FROM air_quality_data WHERE date = DATE '$day'")" "$rows" "rows in the landing zone"
first=$(sql_value "SELECT strftime(min(timestamp_measured), '%Y-%m-%dT%H:%M') FROM air_quality_data")
last=$(sql_value "SELECT strftime(max(timestamp_measured), '%Y-%m-%dT%H:%M') FROM air_quality_data")
assert_eq "$first" "2024-02-14T00:00" "the first hour ends at 01:00 local (00:00 UTC)"
assert_eq "$last" "2024-02-14T23:00" "the last hour ends at local midnight (23:00 UTC)"
assert_eq "$(sql_value "SELECT count(DISTINCT timestamp_measured) FROM air_quality_data WHERE station_number = 'NL01485'")" "24" "hours in a winter day"
assert_eq "$(sql_value "SELECT DISTINCT start::VARCHAR || ' ' || \"end\"::VARCHAR FROM air_quality_data")" "2024-02-13 23:00:00+00 2024-02-14 23:00:00+00" "the partition window"
assert_eq "$(sql_value "SELECT typeof(value) || '/' || typeof(timestamp_measured) FROM air_quality_data LIMIT 1")" "DOUBLE/TIMESTAMP WITH TIME ZONE" "column types"

# The day in the lake: the union of the three stations.
run_lucht 0 materialize daily_air_quality_data --date $day
assert_contains "$(out)" "succeeded, $rows rows"
[ -f "$LUCHT_DATA_LAKE/daily_air_quality_data/date=$day/data.parquet" ] || fail "no lake file"
assert_eq "$(sql_value "SELECT count(*) FROM daily_air_quality_data WHERE date = DATE '$day'")" "$rows" "rows in the lake"
assert_eq "$(sql_value "SELECT count(DISTINCT station_number) FROM daily_air_quality_data")" "3" "stations in the lake"
# The 96 stations not ingested are named as skipped in the run's log.
run_id=$("$LUCHT_BIN" runs --asset daily_air_quality_data --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id"
assert_contains "$(out)" "skipped 96 of 99 air_quality_data partitions for $day"
# The start of an id is enough.
run_lucht 0 logs "${run_id:0:8}"
assert_contains "$(out)" "run $run_id: copy_to_data_lake of daily_air_quality_data $day"
prefix=$(printf '%x' $(( (0x${run_id:0:1} + 1) % 16 )))${run_id:1:7}
if ! "$LUCHT_BIN" runs --limit 0 --json | jq -r '.[].id' | grep "^$prefix" >/dev/null; then
	run_lucht 2 logs "$prefix"
	assert_contains "$(err)" "no run ids start with '$prefix'"
fi

# Re-materializing replaces: same rows, same data version, one file.
run_lucht 0 materialize air_quality_data --partition "$day|NL01485"
run_lucht 0 partitions air_quality_data --partition "$day|NL01485" --json
assert_eq "$(out | jq -r '.[0].data_version')" "$version" "the data version of the same rows"
assert_eq "$(find "$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=NL01485" -type f | wc -l)" "1" "files after a re-run"
assert_eq "$(sql_value "SELECT count(*) FROM air_quality_data")" "$rows" "rows after a re-run"
assert_no_temp_files

# The check values_above_zero is recorded on every partition, a failure as a warning only.
run_lucht 0 materialize air_quality_data --partition "$day|NL10641"
assert_contains "$(out)" "succeeded"
assert_contains "$(out)" "1 check warning"
run_id=$("$LUCHT_BIN" runs --partition "$day|NL10641" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id"
assert_contains "$(out)" "check values_above_zero failed (a warning, not a failure)"
assert_contains "$(out)" '"below_zero"'
run_id=$("$LUCHT_BIN" runs --partition "$day|NL01912" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id"
assert_contains "$(out)" "check values_above_zero passed"
"$LUCHT_BIN" sql --csv "SELECT count(*) FROM air_quality_data WHERE station = 'NL10641' AND value < 0" >"$T/neg"
[ "$(sed -n 2p "$T/neg")" -gt 0 ] || fail "the warned partition has no negative value"

# Runs were recorded with their job, partition and status.
run_lucht 0 runs --asset air_quality_data --json
assert_eq "$(out | jq 'length')" "5" "runs of air_quality_data"
assert_eq "$(out | jq -r '[.[].status] | unique | join(",")')" "succeeded" "run statuses"
assert_eq "$(out | jq -r '.[0].job + " " + .[0].partition + " " + (.[0].attempt|tostring) + " " + .[0].tags.trigger')" "ingestion $day|NL10641 1 manual" "the newest run"
echo "ok"
