# Shared by the integration tests: a temporary instance, the fake Luchtmeetnet API of
# tests/fake_api, and assertions. Each test sources this file and runs the real binary.
set -euo pipefail

: "${LUCHT_BIN:?run through ctest (make test)}"
: "${FAKE_API_BIN:?run through ctest (make test)}"
: "${LUCHT_SOURCE_DIR:?run through ctest (make test)}"

T=$(mktemp -d "${TMPDIR:-/tmp}/lucht-test.XXXXXX")
FAKE_PID=""

cleanup() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# A clean environment: nothing from the developer's shell or a .env may leak in.
for v in $(env | sed -n 's/^\(LUCHT_[A-Z_]*\|DAGSTER_SECRET_[A-Z_]*\|ENVIRONMENT\|LUCHTMEETNET_API_URL\)=.*/\1/p'); do
	case "$v" in LUCHT_BIN | LUCHT_SOURCE_DIR) ;; *) unset "$v" ;; esac
done
export LUCHT_HOME="$T/home"
export LUCHT_LANDING_ZONE="$T/landing_zone"
export LUCHT_DATA_LAKE="$T/data_lake/bronze"
export LUCHT_RETRY_DELAY=0.05
export LUCHT_HTTP_TIMEOUT=5
cd "$T"

fail() {
	echo "FAIL: $*" >&2
	[ -f "$T/out" ] && { echo "--- stdout" >&2; tail -n 40 "$T/out" >&2; }
	[ -f "$T/err" ] && { echo "--- stderr" >&2; tail -n 40 "$T/err" >&2; }
	exit 1
}

# start_fake [fake-luchtmeetnet options]: starts the fake API and points lucht at it.
start_fake() {
	rm -f "$T/port"
	"$FAKE_API_BIN" --port-file "$T/port" --stations "$LUCHT_SOURCE_DIR/data/stations.json" \
		--request-log "$T/requests.log" "$@" 2>"$T/fake.err" &
	FAKE_PID=$!
	for _ in $(seq 1 100); do
		[ -s "$T/port" ] && break
		kill -0 "$FAKE_PID" 2>/dev/null || fail "the fake API did not start: $(cat "$T/fake.err")"
		sleep 0.05
	done
	[ -s "$T/port" ] || fail "the fake API wrote no port"
	export LUCHTMEETNET_API_URL="http://127.0.0.1:$(cat "$T/port")"
}

stop_fake() {
	kill "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=""
}

# run_lucht EXPECTED_EXIT ARGS...: runs lucht, keeps its output in $T/out and $T/err.
run_lucht() {
	local want=$1 got=0
	shift
	"$LUCHT_BIN" "$@" >"$T/out" 2>"$T/err" || got=$?
	[ "$got" -eq "$want" ] || fail "lucht $* exited $got, expected $want"
}

out() { cat "$T/out"; }
err() { cat "$T/err"; }

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"
}

assert_contains() {
	grep -qF -- "$2" <<<"$1" || fail "${3:-missing text}: '$2' not in: $1"
}

assert_not_contains() {
	if grep -qF -- "$2" <<<"$1"; then fail "${3:-unexpected text}: '$2' in: $1"; fi
}

# sql_value QUERY: the single value a query returns.
sql_value() {
	"$LUCHT_BIN" sql --csv "$1" >"$T/sql.out" 2>"$T/sql.err" || fail "lucht sql '$1': $(cat "$T/sql.err")"
	sed -n 2p "$T/sql.out"
}

# The newest day: the last that has fully ended in Europe/Amsterdam.
newest_day() {
	"$LUCHT_BIN" partitions daily_air_quality_data --json | jq -r '.[0].partition'
}

# No temporary or partial Parquet files anywhere in the data roots.
assert_no_temp_files() {
	local left
	left=$(find "$T/landing_zone" "$T/data_lake" -name '.*' -type f 2>/dev/null || true)
	[ -z "$left" ] || fail "temporary files left behind: $left"
}

source "$LUCHT_SOURCE_DIR/tests/redis_server.sh"

# start_redis: a redis-server of the test's own (tests/redis_server.sh), its files in
# $T/redis, stopped when the test ends. Sets REDIS_PORT and points lucht at it with
# LUCHT_REDIS_URL.
start_redis() {
	command -v redis-server >/dev/null || fail "redis-server is missing: run scripts/install-deps.sh"
	trap 'redis_server_stop; cleanup' EXIT
	redis_server_start "$T/redis" ||
		fail "redis-server did not start: $(tail -n 5 "$T/redis/redis.log" 2>/dev/null)"
	export LUCHT_REDIS_URL="redis://:dagster@127.0.0.1:$REDIS_PORT"
}

# redis ARGS...: redis-cli against the test's Redis.
redis() {
	redis-cli -p "$REDIS_PORT" -a dagster --no-auth-warning "$@"
}

# assert_window CALLS SECONDS [LOG]: no CALLS + 1 requests of the fake's log (the times they
# reached it) fall within SECONDS. The limiter holds a slot from the answer on, so that a
# correct one keeps the server's window whatever the delay on the way; the 20 ms margin is for
# the clocks' microsecond rounding only. A limiter that lets one request too many through
# (no lock, or a host's own clock) misses by a whole burst or by the clocks' difference.
assert_window() {
	local calls=$1 seconds=$2 log=${3:-$T/requests.log} shortest
	[ "$(wc -l <"$log")" -gt "$calls" ] || fail "too few requests ($(wc -l <"$log")) to test a window of $calls"
	shortest=$(awk '{print $1}' "$log" | sort -n | awk -v n="$calls" '
		{ t[NR] = $1 }
		NR > n { d = t[NR] - t[NR - n]; if (min == "" || d < min) min = d }
		END { print min }')
	awk -v d="$shortest" -v s="$seconds" 'BEGIN { exit !(d >= s * 1e6 - 20000) }' ||
		fail "$((calls + 1)) requests within $(awk -v d="$shortest" 'BEGIN { printf "%.3f", d / 1e6 }') s; the window is $calls per $seconds s"
}

# spawn_materialize I [PREFIX...]: in the background, process I materializes air_quality_data
# for $day and ten stations of its own (the I-th ten), run through PREFIX (env, faketime).
# Output in $T/pI.out.
SPAWNED=()
spawn_materialize() {
	local i=$1 args=() s
	shift
	for s in $(jq -r --argjson i "$i" '.[$i * 10:$i * 10 + 10][].number' \
		"$LUCHT_SOURCE_DIR/data/stations.json"); do
		args+=(--station "$s")
	done
	"$@" "$LUCHT_BIN" materialize air_quality_data --date "$day" "${args[@]}" >"$T/p$i.out" 2>&1 &
	SPAWNED[i]=$!
}

# wait_spawned: every spawned process must succeed.
wait_spawned() {
	local i
	for i in "${!SPAWNED[@]}"; do
		wait "${SPAWNED[$i]}" || fail "process $i failed: $(tail -n 5 "$T/p$i.out")"
	done
	SPAWNED=()
}

# A clock 3 s behind for the command that follows (libfaketime; the sanitizer build's runtime
# must then not insist on coming first).
FAKED_CLOCK=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime -f -3s)

# run_with_skewed_clocks: five materialize processes at once, the last three with FAKED_CLOCK.
run_with_skewed_clocks() {
	spawn_materialize 0
	spawn_materialize 1
	spawn_materialize 2 "${FAKED_CLOCK[@]}"
	spawn_materialize 3 "${FAKED_CLOCK[@]}"
	spawn_materialize 4 "${FAKED_CLOCK[@]}"
	wait_spawned
}
