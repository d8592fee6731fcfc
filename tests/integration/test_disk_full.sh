# A full disk under the landing zone fails the partition with the reason, leaves no partial
# or temporary file and keeps the file already there; with room again, the next run succeeds.
source "$(dirname "$0")/lib.sh"
full="$T/full"
mkdir -p "$full"
mount -t tmpfs -o size=512k tmpfs "$full" 2>/dev/null || { echo "cannot mount a tmpfs here"; exit 77; }
trap 'umount "$full" 2>/dev/null || true; cleanup' EXIT
export LUCHT_LANDING_ZONE="$full/landing_zone"
start_fake

day=2024-02-14
run_lucht 0 materialize air_quality_data --partition "$day|NL01485"
file="$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=NL01485/data.parquet"
before=$(sha256sum "$file")

# Fill the disk to the last byte.
dd if=/dev/zero of="$full/filler" bs=4k 2>/dev/null || true
run_lucht 1 materialize air_quality_data --partition "$day|NL01485" --partition "$day|NL01912"
assert_contains "$(out)" "No space left on device"
assert_contains "$(out)" "cannot write $LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=NL01485/data.parquet"
assert_contains "$(out)" "0 succeeded, 2 failed of 2 partitions"
assert_eq "$(sha256sum "$file")" "$before" "the file already there"
[ ! -e "$LUCHT_LANDING_ZONE/air_quality_data/date=$day/station=NL01912/data.parquet" ] ||
	fail "a file for the partition that could not be written"
left=$(find "$LUCHT_LANDING_ZONE" -name '.*tmp*' -type f)
[ -z "$left" ] || fail "temporary files left on the full disk: $left"
run_lucht 0 partitions air_quality_data --partition "$day|NL01485" --partition "$day|NL01912" --json
assert_eq "$(out | jq -r '[.[].status] | join(",")')" "failed,failed" "statuses on a full disk"
assert_eq "$(out | jq -r '.[0].rows > 0')" "true" "the earlier materialization is kept"

rm "$full/filler"
run_lucht 0 materialize air_quality_data --partition "$day|NL01485" --partition "$day|NL01912"
assert_eq "$(sql_value "SELECT count(DISTINCT station) FROM air_quality_data")" "2" "stations once there is room"
echo "ok"
