#!/usr/bin/env bash
# Benchmarks against the local fake API (not part of the tests): one air_quality_data
# partition (wall time, peak RSS), 99 stations of one day, and daily_air_quality_data for that
# day (rows per second). Prints a Markdown table for the README.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
lucht="$root/$build/lucht"
fake="$root/$build/tests/fake-luchtmeetnet"
runs=${BENCH_RUNS:-5}

T=$(mktemp -d)
trap 'kill $fake_pid 2>/dev/null || true; rm -rf "$T"' EXIT
"$fake" --port-file "$T/port" --stations "$root/data/stations.json" 2>/dev/null &
fake_pid=$!
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done

export LUCHTMEETNET_API_URL="http://127.0.0.1:$(cat "$T/port")"
export LUCHT_HOME="$T/home" LUCHT_LANDING_ZONE="$T/lz" LUCHT_DATA_LAKE="$T/lake"
export LUCHT_RATE_CALLS=100000 LUCHT_RATE_PERIOD=1
cd "$T"
day=2024-02-14

# median of the numbers on stdin
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for _ in $(seq "$runs"); do
	/usr/bin/time -f "%e %M" -o "$T/time" "$lucht" materialize air_quality_data \
		--partition "$day|NL01485" >/dev/null
	cat "$T/time" >>"$T/one"
done
one_wall=$(cut -d' ' -f1 "$T/one" | median)
one_rss=$(cut -d' ' -f2 "$T/one" | median)

/usr/bin/time -f "%e %M" -o "$T/time" "$lucht" materialize air_quality_data --date $day >/dev/null
read -r day_wall day_rss <"$T/time"

for _ in $(seq "$runs"); do
	/usr/bin/time -f "%e %M" -o "$T/time" "$lucht" materialize daily_air_quality_data --date $day >/dev/null
	cat "$T/time" >>"$T/daily"
done
daily_wall=$(cut -d' ' -f1 "$T/daily" | median)
daily_rss=$(cut -d' ' -f2 "$T/daily" | median)
rows=$("$lucht" sql --csv "SELECT count(*) FROM daily_air_quality_data" | sed -n 2p)

echo "| measurement | wall time | peak RSS |"
echo "|---|---|---|"
echo "| one \`air_quality_data\` partition (median of $runs) | ${one_wall} s | $((one_rss / 1024)) MiB |"
echo "| 99 \`air_quality_data\` partitions of a day, one process | ${day_wall} s | $((day_rss / 1024)) MiB |"
echo "| \`daily_air_quality_data\`, $rows rows from 99 files (median of $runs) | ${daily_wall} s ($(awk -v r="$rows" -v t="$daily_wall" 'BEGIN {printf "%.0f", r / t}') rows/s) | $((daily_rss / 1024)) MiB |"
