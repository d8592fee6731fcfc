# The main paths run clean under valgrind: no invalid access, no definite leak.
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
# A sanitizer build carries its own runtime, which valgrind cannot run.
if ldd "$LUCHT_BIN" | grep libasan >/dev/null; then echo "skipped in the sanitizer build"; exit 77; fi
start_fake --station-mode NL01912=500 --station-mode NL01497=503x1

vg() {
	local want=$1
	shift
	local got=0
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		"$LUCHT_BIN" "$@" >"$T/out" 2>"$T/err" || got=$?
	[ "$got" -ne 99 ] || fail "valgrind found errors in lucht $*: $(grep '==' "$T/err" | head -20)"
	[ "$got" -eq "$want" ] || fail "lucht $* exited $got under valgrind, expected $want"
}

day=2024-02-14
vg 1 materialize air_quality_data --date $day --station NL01485 --station NL01912 --station NL01497
vg 0 materialize daily_air_quality_data --date $day
vg 0 partitions air_quality_data --date $day --json
vg 0 logs "$("$LUCHT_BIN" runs --json | jq -r '.[0].id')"
vg 0 sql "SELECT formula, count(*) FROM daily_air_quality_data GROUP BY ALL"
vg 2 materialize air_quality_data --partition "../x|NL01485"
echo "ok"
