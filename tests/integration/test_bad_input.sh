# Bad input: exit 2 with a message that says what to do, and nothing written.
source "$(dirname "$0")/lib.sh"
start_fake

nothing_written() {
	[ ! -e "$LUCHT_HOME/lucht.db" ] || fail "$1: the instance database was created"
	[ -z "$(find "$T/landing_zone" "$T/data_lake" -type f 2>/dev/null)" ] || fail "$1: files were written"
	[ ! -s "$T/requests.log" ] || fail "$1: the API was called"
}

expect_usage() {
	local what=$1 msg=$2
	shift 2
	run_lucht 2 "$@"
	assert_contains "$(err)" "$msg" "$what"
	nothing_written "$what"
}

tomorrow=$(date -u -d '+2 day' +%F)
expect_usage "unknown asset" "unknown asset 'air_quality'" materialize air_quality
assert_contains "$(err)" "air_quality_data, daily_air_quality_data"
expect_usage "unknown station" "unknown station 'NL99999'" materialize air_quality_data --date 2024-02-01 --station NL99999
expect_usage "no such date" "invalid date '2024-02-30'" materialize air_quality_data --date 2024-02-30
expect_usage "not a date" "invalid date 'yesterday'" materialize daily_air_quality_data --date yesterday
expect_usage "before the first day" "before the first day 2024-01-24" materialize air_quality_data --date 2024-01-23
expect_usage "a day not ended" "has not ended yet" materialize air_quality_data --date "$tomorrow"
expect_usage "from after to" "is after --to" materialize air_quality_data --from 2024-02-03 --to 2024-02-01
expect_usage "from without to" "--from and --to go together" materialize air_quality_data --from 2024-02-03
expect_usage "path traversal" "invalid date '../../etc'" materialize air_quality_data --partition "../../etc|NL01485"
expect_usage "path traversal in a station" "unknown station '../x'" materialize air_quality_data --partition "2024-02-01|../x"
expect_usage "dimensions swapped" "invalid date 'NL01485'" materialize air_quality_data --partition "NL01485|2024-02-01"
expect_usage "an extra separator" "malformed partition key" materialize air_quality_data --partition "2024-02-01||NL01485"
expect_usage "a missing station" "malformed partition key" materialize air_quality_data --partition "2024-02-01"
expect_usage "a separator in a day key" "malformed partition key" materialize daily_air_quality_data --partition "2024-02-01|NL01485"
expect_usage "a station on an unpartitioned asset" "not partitioned" materialize air_quality_station_names --station NL01485
expect_usage "a date on a station asset" "not partitioned by day" materialize station_names --date 2024-02-01
expect_usage "an unknown option" "unknown option --dte" materialize air_quality_data --dte 2024-02-01
expect_usage "a missing value" "option --date needs a value" materialize air_quality_data --date
expect_usage "no asset" "which asset?" materialize
expect_usage "an unknown command" "unknown command 'materialise'" materialise air_quality_data
expect_usage "an unknown status" "unknown status 'done'" runs --status done

# A broken .env names the file and line, and nothing is set from it.
printf 'LUCHT_RETRY_MAX=2\nTHIS LINE IS BROKEN\n' >.env
expect_usage "a broken .env" ".env:2" materialize air_quality_data --date 2024-02-01 --station NL01485
rm .env

# A bad setting names the variable.
LUCHT_RATE_CALLS=0 run_lucht 2 materialize air_quality_data --date 2024-02-01 --station NL01485
assert_contains "$(err)" "LUCHT_RATE_CALLS"
nothing_written "a bad setting"
LUCHT_ENV=staging run_lucht 2 config
assert_contains "$(err)" "LUCHT_ENV"

# An unwritable data root: a regular file where a folder must be.
touch "$T/not-a-folder"
LUCHT_LANDING_ZONE="$T/not-a-folder/lz" run_lucht 2 materialize air_quality_data --date 2024-02-01 --station NL01485
assert_contains "$(err)" "LUCHT_LANDING_ZONE"
nothing_written "an unwritable data root"

# A unknown run id.
run_lucht 0 runs
run_lucht 2 logs 0123456789abcdef0123456789abcdef
assert_contains "$(err)" "no run"
echo "ok"
