# Days are local days in Europe/Amsterdam: 23 hours when summer time starts, 25 when it ends,
# and ranges of days and multi-page answers are ingested whole.
source "$(dirname "$0")/lib.sh"
start_fake --page-size 10

hours() {
	sql_value "SELECT count(DISTINCT timestamp_measured) FROM air_quality_data WHERE date = DATE '$1' AND station_number = 'NL01485'"
}

run_lucht 0 materialize air_quality_data --from 2024-03-30 --to 2024-04-01 --station NL01485
assert_contains "$(out)" "3 succeeded, 0 failed of 3 partitions"
assert_eq "$(hours 2024-03-30)" "24" "the day before summer time"
assert_eq "$(hours 2024-03-31)" "23" "the day summer time starts"
assert_eq "$(hours 2024-04-01)" "24" "a summer day"
assert_eq "$(sql_value "SELECT strftime(min(timestamp_measured), '%H:%M') || '-' || strftime(max(timestamp_measured), '%H:%M') FROM air_quality_data WHERE date = DATE '2024-04-01'")" \
	"23:00-22:00" "a summer day runs from 22:00 to 22:00 UTC"

run_lucht 0 materialize air_quality_data --date 2024-10-27 --station NL01485
assert_eq "$(hours 2024-10-27)" "25" "the day summer time ends"

# Pages of 10 rows: every row arrives once, across many pages.
rows=$(sql_value "SELECT count(*) FROM air_quality_data WHERE date = DATE '2024-10-27'")
distinct=$(sql_value "SELECT count(*) FROM (SELECT DISTINCT formula, timestamp_measured FROM air_quality_data WHERE date = DATE '2024-10-27')")
assert_eq "$rows" "$distinct" "no row twice"
pages=$(grep -c 'measurements.*2024-10-2' "$T/requests.log")
[ "$pages" -ge $(( (rows + 9) / 10 )) ] || fail "expected at least $(( (rows + 9) / 10 )) pages, the log has $pages"
components=$(sql_value "SELECT count(DISTINCT formula) FROM air_quality_data WHERE date = DATE '2024-10-27'")
assert_eq "$rows" "$((components * 25))" "one row per component per hour"

# The newest day is the default, and it is the day before today in Amsterdam.
newest=$(TZ=Europe/Amsterdam date -d yesterday +%F)
run_lucht 0 partitions air_quality_data --station NL01485 --json
assert_eq "$(out | jq -r '.[0].partition')" "$newest|NL01485" "the newest day"
run_lucht 0 partitions air_quality_data --json
assert_eq "$(out | jq 'length')" "99" "every station of the newest day"
echo "ok"
