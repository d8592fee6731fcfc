# The embedded rate limiter, with no Redis configured: the processes of one host share one
# window; the window check catches a limiter that trusts clocks that disagree; a 429 from the
# server is waited out, counted and logged.
source "$(dirname "$0")/lib.sh"
start_fake
export LUCHT_RATE_CALLS=20 LUCHT_RATE_PERIOD=4 LUCHT_RATE_MAX_WAIT=60

run_lucht 0 config
assert_contains "$(out)" "local (one host)"
run_lucht 0 config --json
assert_eq "$(out | jq -r '.rate_limiter.value')" "local (one host)"

# Five processes, 50 requests, 20 per 4 s.
day=2024-03-05
for i in 0 1 2 3 4; do spawn_materialize $i; done
wait_spawned
assert_eq "$(wc -l <"$T/requests.log")" "50" "requests sent"
assert_window 20 4

run_lucht 0 ratelimit --json
assert_eq "$(out | jq -r '.backend + " " + .where')" "local $LUCHT_HOME/ratelimit-dev.state"
out | jq -e '.used >= 1 and .used <= 20 and .calls == 20 and .period == 4' >/dev/null ||
	fail "lucht ratelimit: $(out)"

# The local state is dated by the host's clock, which is one clock on one host. Faked apart
# (libfaketime), the processes overrun the window, and assert_window says so: the same check
# holds the Redis limiter to its word in test_ratelimit_redis.sh.
rm -f "$LUCHT_HOME/ratelimit-dev.state"
: >"$T/requests.log"
day=2024-03-06
run_with_skewed_clocks
if (assert_window 20 4) 2>/dev/null; then
	fail "clocks 3 s apart went unnoticed by the window check"
fi

# A 429 without Retry-After: the next attempt waits the limiter's period; the refusal is
# counted and logged.
stop_fake
start_fake --default-mode 429nrx1
LUCHT_RATE_PERIOD=1 run_lucht 0 materialize air_quality_data --partition "$day|NL01485"
assert_contains "$(out)" "(2 attempts"
assert_contains "$(err)" "the API refused GET /measurements?station_number=NL01485"
assert_contains "$(err)" "with 429 (1 refusal in this process); next attempt in 1 s or later"
run_id=$("$LUCHT_BIN" runs --partition "$day|NL01485" --json | jq -r '.[0].id')
run_lucht 0 logs "$run_id" --json
assert_eq "$(out | jq -r '[.events[] | select(.type == "STEP_RETRY")][0].message')" "retry 1 of 3 in 1.0 s"
assert_contains "$(out | jq -r '[.events[] | select(.type == "STEP_FAILURE")][0].message')" "HTTP 429"
assert_contains "$(out | jq -r '[.events[] | select(.type == "HTTP")][0].message')" "-> 429, "
assert_contains "$(out | jq -r '[.events[] | select(.type == "HTTP")][0].message')" "; rate limited, refusal 1 in this process"
echo "ok"
