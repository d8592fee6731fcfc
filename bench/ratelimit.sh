#!/usr/bin/env bash
# Benchmarks the rate limiter (not part of the tests), for both back-ends:
#  - budget: 5 processes ingest 300 partitions (one request each) against the fake API that
#    enforces 30 requests per 10 s and answers 429 beyond; the limiter has the same window.
#    Reported: requests served, 429 answers, and the share of the budget used, that is the
#    requests served divided by what the window allowed from the first request to the last,
#    30 x (span / 10 s + 1).
#  - cost: one acquisition (limiter_acquire + limiter_done) in a window of 100, microseconds,
#    and the Redis round trips it takes.
# Prints a Markdown table for the README. Needs redis-server. Takes about 3.5 minutes.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/redis_server.sh"
lucht="$root/$build/lucht"
fake="$root/$build/tests/fake-luchtmeetnet"
procs=5 per_proc=60 calls=30 period=10

T=$(mktemp -d)
fake_pid=""
trap 'kill $fake_pid 2>/dev/null || true; redis_server_stop; wait 2>/dev/null || true; rm -rf "$T"' EXIT
"$fake" --port-file "$T/port" --stations "$root/data/stations.json" --rate "$calls/$period" \
	--request-log "$T/requests.log" 2>/dev/null &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done

redis_server_start "$T/redis" || { echo "redis-server did not start" >&2; exit 1; }
port=$REDIS_PORT
rcli() { redis-cli -p "$port" -a dagster --no-auth-warning "$@"; }
evalsha_calls() { rcli info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p' | grep . || echo 0; }
redis_url="redis://:dagster@127.0.0.1:$port"

export LUCHTMEETNET_API_URL="http://127.0.0.1:$(cat "$T/port")"
export LUCHT_LANDING_ZONE="$T/lz" LUCHT_DATA_LAKE="$T/lake"
export LUCHT_RATE_CALLS=$calls LUCHT_RATE_PERIOD=$period LUCHT_RATE_MAX_WAIT=600
export LUCHT_RETRY_DELAY=1
cd "$T"
stations=$(jq -r '.[0:20][].number' "$root/data/stations.json")

# budget BACKEND: the workload; prints "served 429s utilization seconds round-trips/request".
budget() {
	local backend=$1 i d s args before
	export LUCHT_HOME="$T/home-$backend"
	if [ "$backend" = redis ]; then export LUCHT_REDIS_URL=$redis_url; else unset LUCHT_REDIS_URL; fi
	# The fake's window must be empty too: the run before may have filled it.
	sleep $((period + 1))
	: >"$T/requests.log"
	before=$(evalsha_calls)
	for i in $(seq 0 $((procs - 1))); do
		args=()
		# Days of its own for each process: 3 days x 20 stations.
		d=$((1 + 3 * i))
		for s in $stations; do args+=(--station "$s"); done
		"$lucht" materialize air_quality_data --from "$(printf '2024-02-%02d' $d)" \
			--to "$(printf '2024-02-%02d' $((d + 2)))" "${args[@]}" >"$T/p$i.out" 2>&1 &
	done
	wait
	awk -v c="$calls" -v p="$period" -v rt=$(($(evalsha_calls) - before)) -v b="$backend" '
		$2 == 200 { served++ } $2 == 429 { refused++ }
		NR == 1 || $1 < first { first = $1 } $1 > last { last = $1 }
		END {
			span = (last - first) / 1e6
			allowed = c * (span / p + 1)
			printf "%d %d %.2f %.1f %s\n", served, refused, 100 * served / allowed, span,
				b == "redis" ? sprintf("%.2f", rt / NR) : "-"
		}' "$T/requests.log"
}

# The cost of one acquisition, in a program of its own against the library.
cat >"$T/cost.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ratelimit/limiter.h"
#include "util/config.h"

/* cost local PATH | cost redis URL: microseconds per acquire + done, in rounds of a window of
 * 100 filled from empty (the state removed between rounds, outside the timing). */
int main(int argc, char **argv)
{
	enum { ROUNDS = 100, CALLS = 100 };
	struct lerr err;
	struct redis_target t;
	int redis = strcmp(argv[1], "redis") == 0;
	if (argc != 3 || (redis && config_redis_target(argv[2], &t, &err) < 0))
		return 2;
	double total = 0;
	for (int r = 0; r < ROUNDS; r++) {
		struct limiter *l = redis ? limiter_redis_open(&t, "bench_ratelimit", CALLS, 3600, 0, &err)
					  : limiter_local_open(argv[2], CALLS, 3600, 0, &err);
		if (!l) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < CALLS; i++)
			if (limiter_acquire(l, NULL, &err) < 0 || limiter_done(l, &err) < 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
		clock_gettime(CLOCK_MONOTONIC, &b);
		total += (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3;
		limiter_free(l);
		if (!redis)
			unlink(argv[2]);
		else if (system("redis-cli -p \"$BENCH_REDIS_PORT\" -a dagster --no-auth-warning "
				"del bench_ratelimit >/dev/null") != 0)
			return 1;
	}
	printf("%.1f\n", total / (ROUNDS * CALLS));
	return 0;
}
EOF
# shellcheck disable=SC2046
cc -std=c17 -O2 -D_GNU_SOURCE -I "$root/src" "$T/cost.c" "$root/$build/liblucht_core.a" \
	$(pkg-config --libs libcurl jansson sqlite3 libmicrohttpd hiredis) \
	"$root/third_party/duckdb/lib/libduckdb.so" -Wl,-rpath,"$root/third_party/duckdb/lib" -lm \
	-o "$T/cost"
before=$(evalsha_calls)
redis_us=$(BENCH_REDIS_PORT=$port "$T/cost" redis "$redis_url")
redis_rt=$(awk -v n=$(($(evalsha_calls) - before)) 'BEGIN { printf "%.2f", n / 10000 }')
local_us=$("$T/cost" local "$T/cost.state")

read -r r_served r_refused r_used r_span r_rt < <(budget redis)
read -r l_served l_refused l_used l_span _ < <(budget local)

echo "| back-end | one acquisition (window of 100) | Redis round trips | $((procs * per_proc)) requests, $procs processes, $calls per $period s: served | 429 answers | budget used | span |"
echo "|---|---|---|---|---|---|---|"
echo "| redis | ${redis_us} µs | ${redis_rt} per acquisition (${r_rt} per request in the workload) | $r_served | $r_refused | ${r_used} % | ${r_span} s |"
echo "| local | ${local_us} µs | - | $l_served | $l_refused | ${l_used} % | ${l_span} s |"
