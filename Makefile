# The README's commands: `make` builds build/lucht, `make run` runs the main job, `make test`
# runs every test. Each installs what is missing first (scripts/install-deps.sh).
BUILD     ?= build
SAN_BUILD ?= build-sanitize
JOBS      ?= $(shell nproc)

.PHONY: all deps build run test test-sanitize bench clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The main job: ingest the newest day for every station, then copy it to the data lake.
# The copy runs even when some stations failed, as the sensor of the original did.
run: build
	@$(BUILD)/lucht materialize air_quality_data; rc=$$?; \
	 $(BUILD)/lucht materialize daily_air_quality_data || exit $$?; \
	 [ $$rc -ne 2 ] || exit $$rc

# Every test, in the normal build and then under the sanitizers.
test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-sanitize

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-sanitize: deps
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLUCHT_SANITIZE=ON >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS)

bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
