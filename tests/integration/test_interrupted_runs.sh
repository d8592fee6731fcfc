# No run is left "started": a stopped command cancels the run in progress, and a run whose
# process was killed outright is marked failed by the next command.
source "$(dirname "$0")/lib.sh"
start_fake --default-mode slow=2

"$LUCHT_BIN" materialize air_quality_data --date 2024-02-01 --station NL01485 --station NL01912 \
	--station NL01497 >"$T/out" 2>"$T/err" &
pid=$!
wait_for_started_run() {
	for _ in $(seq 1 100); do
		[ "$("$LUCHT_BIN" runs --status started --json 2>/dev/null | jq length)" = 1 ] && return
		sleep 0.05
	done
	fail "no run started"
}
wait_for_started_run
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" "1" "the exit status of a stopped command"
run_lucht 0 runs --json
assert_eq "$(out | jq '[.[] | select(.partition == "2024-02-01|NL01497")] | length')" "0" "the last partition never started"
assert_eq "$(out | jq -r '.[0].status')" "canceled" "the stopped run"
assert_eq "$(out | jq -r '[.[].status] | unique - ["succeeded", "canceled"] | length')" "0" "no run left started"
assert_contains "$(out | jq -r '.[0].error')" "SIGTERM"

"$LUCHT_BIN" materialize air_quality_data --date 2024-02-02 --station NL01485 >/dev/null 2>&1 &
pid=$!
wait_for_started_run
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
run_lucht 0 runs --json
assert_eq "$(out | jq -r '.[0].status')" "failed" "a killed run"
assert_contains "$(out | jq -r '.[0].error')" "ended before the run finished"
# A stop also ends a wait for the rate limiter: the second request has to wait a minute
# (in prd, whose window is its own and empty).
stop_fake
start_fake
LUCHT_ENV=prd LUCHT_RATE_CALLS=1 LUCHT_RATE_PERIOD=60 "$LUCHT_BIN" materialize air_quality_data --date 2024-02-03 \
	--station NL01485 --station NL01912 >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 1 100); do
	[ "$("$LUCHT_BIN" runs --partition '2024-02-03|NL01912' --status started --json | jq length)" = 1 ] && break
	sleep 0.05
done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" "1" "the exit status of a command stopped in a wait"
run_lucht 0 runs --partition '2024-02-03|NL01912' --json
assert_eq "$(out | jq -r '.[0].status')" "canceled" "a run stopped while it waited for a slot"
assert_contains "$(out | jq -r '.[0].error')" "interrupted after waiting"
echo "ok"
