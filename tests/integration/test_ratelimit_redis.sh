# The Redis rate limiter against a real redis-server with a password: processes share one
# window, whatever their clocks say; a Redis that is wrong, refuses or goes away fails the
# run clearly, and no request goes out without a slot.
source "$(dirname "$0")/lib.sh"
start_fake
start_redis
export LUCHT_RATE_CALLS=20 LUCHT_RATE_PERIOD=4 LUCHT_RATE_MAX_WAIT=60
key=luchtmeetnet_api_dev

run_lucht 0 config
assert_contains "$(out)" "redis at 127.0.0.1:$REDIS_PORT"
assert_not_contains "$(out)" "dagster"

# Five processes, 50 requests, 20 per 4 s: some configured as the original was.
day=2024-03-05
spawn_materialize 0
spawn_materialize 1
spawn_materialize 2
original=(env -u LUCHT_REDIS_URL DAGSTER_SECRET_REDIS_HOST=127.0.0.1
	DAGSTER_SECRET_REDIS_USERNAME=default DAGSTER_SECRET_REDIS_PASSWORD=dagster
	LUCHT_REDIS_PORT="$REDIS_PORT")
spawn_materialize 3 "${original[@]}"
spawn_materialize 4 "${original[@]}"
wait_spawned
assert_eq "$(wc -l <"$T/requests.log")" "50" "requests sent"
assert_window 20 4
ttl=$(redis pttl "$key")
[ "$ttl" -gt 0 ] && [ "$ttl" -le 5000 ] || fail "the window's key expires in $ttl ms, not within period + 1 s"

# Clocks that disagree: three processes run 3 s behind (libfaketime), yet the window holds,
# as Redis gives the time.
newest() { "$@" "$LUCHT_BIN" partitions air_quality_data --station NL01485 --json | jq -r '.[0].partition'; }
[ "$(newest "${FAKED_CLOCK[@]:0:2}" faketime -f -100d)" != "$(newest)" ] || fail "faketime does not reach lucht"
redis del "$key" >/dev/null
: >"$T/requests.log"
day=2024-03-06
run_with_skewed_clocks
assert_eq "$(wc -l <"$T/requests.log")" "50" "requests sent with skewed clocks"
assert_window 20 4

# lucht ratelimit: the back-end, the window, the slot taken, when the next frees.
redis del "$key" >/dev/null
LUCHT_RATE_CALLS=1 LUCHT_RATE_PERIOD=60 run_lucht 0 materialize air_quality_data --partition "$day|NL01485"
LUCHT_RATE_CALLS=1 LUCHT_RATE_PERIOD=60 run_lucht 0 ratelimit --json
assert_eq "$(out | jq -r '.backend + " " + .where')" "redis 127.0.0.1:$REDIS_PORT key $key"
assert_eq "$(out | jq -r '"\(.calls) \(.period) \(.used)"')" "1 60 1" "window and slots used"
out | jq -e '.next_free_in > 0 and .next_free_in <= 60' >/dev/null || fail "next_free_in: $(out)"
run_lucht 0 ratelimit
assert_contains "$(out)" "used now   1 of 20"
LUCHT_ENV=prd run_lucht 0 ratelimit --json
assert_eq "$(out | jq -r '.where + " " + (.used|tostring)')" "127.0.0.1:$REDIS_PORT key luchtmeetnet_api_prd 0" "one window per environment"

# The script is loaded again when Redis has forgotten it.
redis script flush >/dev/null
run_lucht 0 materialize air_quality_data --partition "$day|NL01912"

# A wrong or missing password fails before any request, naming the host, never the password.
: >"$T/requests.log"
LUCHT_REDIS_URL="redis://:not-the-pw-123@127.0.0.1:$REDIS_PORT" run_lucht 2 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(err)" "Redis at 127.0.0.1:$REDIS_PORT refused the password"
assert_not_contains "$(err)$(out)" "not-the-pw-123"
LUCHT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" run_lucht 2 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(err)" "Redis at 127.0.0.1:$REDIS_PORT asks for a password"
LUCHT_REDIS_URL="rediss://:dagster@127.0.0.1:$REDIS_PORT" run_lucht 2 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(err)" "rediss:// (TLS) is not supported"
assert_eq "$(wc -l <"$T/requests.log")" "0" "requests sent without a limiter"

# Redis stopped in the middle: the process is waiting for a slot; every partition left fails
# with the reason and none of them sends a request.
redis del "$key" >/dev/null
export LUCHT_RATE_CALLS=5 LUCHT_RATE_PERIOD=3
day=2024-03-07
spawn_materialize 0
for _ in $(seq 1 200); do
	[ "$(wc -l <"$T/requests.log")" -ge 5 ] && break
	sleep 0.02
done
assert_eq "$(wc -l <"$T/requests.log")" "5" "requests before Redis stops"
redis_server_stop
rc=0
wait "${SPAWNED[0]}" || rc=$?
SPAWNED=()
assert_eq "$rc" "1" "the exit status with Redis gone"
assert_eq "$(wc -l <"$T/requests.log")" "5" "requests after Redis stopped"
assert_contains "$(cat "$T/p0.out")" "materialize air_quality_data: 5 succeeded, 5 failed of 10 partitions"
assert_contains "$(cat "$T/p0.out")" "rate limit: cannot reach Redis at 127.0.0.1:$REDIS_PORT"
assert_not_contains "$(cat "$T/p0.out")" "dagster"

# And with Redis down from the start, nothing runs.
run_lucht 2 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(err)" "cannot reach Redis at 127.0.0.1:$REDIS_PORT"
run_lucht 1 ratelimit
assert_contains "$(err)" "cannot reach Redis at 127.0.0.1:$REDIS_PORT"
assert_eq "$(wc -l <"$T/requests.log")" "5" "requests with Redis down"
echo "ok"
