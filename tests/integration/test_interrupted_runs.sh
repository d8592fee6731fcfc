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
echo "ok"
