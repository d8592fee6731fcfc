# The command line's own texts: help, usage, version, and the configuration with secrets masked.
source "$(dirname "$0")/lib.sh"

run_lucht 0 help
for c in materialize partitions runs logs sql config ratelimit help version; do
	assert_contains "$(out)" "  $c" "help lists $c"
	"$LUCHT_BIN" help "$c" >"$T/help.txt"
	"$LUCHT_BIN" "$c" --help >"$T/usage.txt"
	cmp -s "$T/help.txt" "$T/usage.txt" || fail "lucht help $c and lucht $c --help differ"
	grep -q "^usage: lucht $c" "$T/help.txt" || fail "no usage line for $c"
done

# A fresh instance knows no partition yet: every one is missing.
run_lucht 0 partitions daily_air_quality_data --json
assert_eq "$(out | jq -r '.[0].status + " " + (length|tostring)')" "missing 1" "a fresh instance"
run_lucht 0 partitions air_quality_station_names
assert_contains "$(out)" "1 partitions: 0 materialized, 0 failed, 1 missing"

# A query DuckDB cannot run: its message, exit 1.
run_lucht 1 sql "SELEC 1"
assert_contains "$(err)" "Parser Error"
run_lucht 0 sql --json "SELECT 1 AS one, 'a\"b' AS s, NULL AS n"
assert_eq "$(out | jq -c '.')" '[{"one":1,"s":"a\"b","n":null}]' "sql --json"

run_lucht 0 version
assert_contains "$(out)" "lucht 0."
assert_contains "$(out)" "DuckDB v1.4.4"

# Secrets never show: not in text, not in JSON.
export DAGSTER_SECRET_REDIS_HOST=redis.example.internal
export DAGSTER_SECRET_REDIS_USERNAME=default
export DAGSTER_SECRET_REDIS_PASSWORD='s3cret-p@ss'
export DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN=xoxb-very-secret-token
export LUCHT_DATABASE_URL='postgresql://lucht:db-pass-123@db.internal/lucht'
run_lucht 0 config
for secret in 's3cret' 'p@ss' 's3cret-p%40ss' 'very-secret' 'db-pass-123'; do
	assert_not_contains "$(out)" "$secret" "config shows a secret"
done
assert_contains "$(out)" "redis.example.internal"
assert_contains "$(out)" "LUCHT_RETRY_MAX"
run_lucht 0 config --json
assert_eq "$(out | jq -r '.LUCHT_RETRY_MAX.source')" "default" "the source of a default"
for secret in 's3cret' 'very-secret' 'db-pass-123'; do
	assert_not_contains "$(out)" "$secret" "config --json shows a secret"
done
unset DAGSTER_SECRET_REDIS_HOST DAGSTER_SECRET_REDIS_USERNAME DAGSTER_SECRET_REDIS_PASSWORD \
	DAGSTER_SECRET_SLACK_BOT_OAUTH_TOKEN LUCHT_DATABASE_URL

# .env fills in what the environment does not set; the environment wins.
printf 'LUCHT_RETRY_MAX=7\nLUCHT_RETRY_DELAY=9\n' >.env
LUCHT_RETRY_DELAY=0.5 run_lucht 0 config --json
assert_eq "$(out | jq -r '(.LUCHT_RETRY_MAX.value|tostring) + " " + .LUCHT_RETRY_MAX.source')" "7 .env" "a value from .env"
assert_eq "$(out | jq -r '.LUCHT_RETRY_DELAY.source')" "environment" "the environment wins"
echo "ok"
