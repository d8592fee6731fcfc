# A broken API fails only the partitions it breaks, each with its reason in the event log,
# no file and no half-row; transient failures are retried; the other partitions go on, and
# the day still reaches the lake without the failed stations.
source "$(dirname "$0")/lib.sh"
export LUCHT_RETRY_MAX=3
start_fake --station-mode NL01912=500 --station-mode NL01497=503x2 --station-mode NL01496=429x1 \
	--station-mode NL49557=malformed --station-mode NL01491=html502 --station-mode NL10248=empty

day=2024-03-05
stations=(NL01485 NL01912 NL01497 NL01496 NL49557 NL01491 NL10248)
args=()
for s in "${stations[@]}"; do args+=(--station "$s"); done
run_lucht 1 materialize air_quality_data --date $day "${args[@]}"
assert_contains "$(out)" "materialize air_quality_data: 4 succeeded, 3 failed of 7 partitions"

status_of() { "$LUCHT_BIN" runs --partition "$day|$1" --json | jq -r '.[0].status + " " + (.[0].attempt|tostring)'; }
assert_eq "$(status_of NL01485)" "succeeded 1" "a healthy station"
assert_eq "$(status_of NL01912)" "failed 1" "HTTP 500 is not retried"
assert_eq "$(status_of NL01497)" "succeeded 3" "503 twice, then success on the third attempt"
assert_eq "$(status_of NL01496)" "succeeded 2" "429 once, then success"
assert_eq "$(status_of NL49557)" "failed 1" "malformed JSON is not retried"
assert_eq "$(status_of NL01491)" "failed 4" "502 retried LUCHT_RETRY_MAX times"
assert_eq "$(status_of NL10248)" "succeeded 1" "an empty answer is no failure"

# The reason is in the run's event log and in partitions.
run_id=$("$LUCHT_BIN" runs --partition "$day|NL01912" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id"
assert_contains "$(out)" "HTTP 500"
assert_contains "$(out)" "RUN_FAILURE"
run_id=$("$LUCHT_BIN" runs --partition "$day|NL49557" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id" --json
assert_contains "$(out | jq -r '.error')" "malformed JSON"
run_id=$("$LUCHT_BIN" runs --partition "$day|NL01497" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id" --json
assert_eq "$(out | jq '[.events[] | select(.type == "STEP_RETRY")] | length')" "2" "retries logged"
assert_eq "$(out | jq -r '[.events[] | select(.type == "HTTP") | .message | capture("-> (?<s>[0-9]+)").s] | join(",")')" \
	"503,503,200" "every request in the log, with its status"

run_lucht 0 partitions air_quality_data --date $day "${args[@]}" --json
assert_eq "$(out | jq -r '[.[].status] | join(",")')" \
	"materialized,failed,materialized,materialized,failed,failed,materialized" "partition statuses"
assert_contains "$(out | jq -r '.[1].error')" "500"
assert_eq "$(out | jq -r '.[1].rows')" "null" "a failed partition has no rows"
assert_eq "$(out | jq -r '.[6].rows')" "0" "an empty partition has 0 rows"

# No file for a failed partition, no temporary file anywhere.
for s in NL01912 NL49557 NL01491; do
	[ ! -e "$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=$s" ] ||
		[ -z "$(ls -A "$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=$s")" ] ||
		fail "a file was left for the failed station $s"
done
assert_no_temp_files

# The day reaches the lake with the four stations that succeeded.
run_lucht 0 materialize daily_air_quality_data --date $day
assert_eq "$(sql_value "SELECT count(DISTINCT station_number) FROM daily_air_quality_data")" "3" "stations with rows in the lake"
assert_eq "$(sql_value "SELECT count(*) FROM daily_air_quality_data WHERE station_number IN ('NL01912', 'NL49557', 'NL01491')")" "0" "failed stations"

# A day with no materialized station fails clearly.
run_lucht 1 materialize daily_air_quality_data --date 2024-03-06
assert_contains "$(out)" "no materialized air_quality_data partition for 2024-03-06"
[ ! -e "$LUCHT_DATA_LAKE/daily_air_quality_data/date=2024-03-06" ] || fail "a lake file for an empty day"

# A slow server: the request times out, is retried, and the partition fails with the reason.
stop_fake
start_fake --default-mode slow=3
LUCHT_HTTP_TIMEOUT=1 LUCHT_RETRY_MAX=1 run_lucht 1 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(out)" "2 attempts"
assert_contains "$(out)" "timed out"
echo "ok"
