# Entry points. `make test` and `make demo` work on a fresh Debian machine: both run the
# idempotent setup first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

PRESET ?= asan
BUILD_DIR := build/$(PRESET)
DEMO_DIR := $(CURDIR)/.styrmin/demo
CTEST_FLAGS ?= --output-on-failure --no-tests=error -j2

.PHONY: all setup setup-packages build bench bench-server tidy test test-unit test-integration fuzz-build fuzz-smoke demo demo-stop format format-check clean

all: build

setup:
	tools/setup.sh

setup-packages:
	tools/setup.sh --no-plane

build: setup-packages
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

# Every tier: a short libFuzzer smoke run of each parser, then unit tests and integration tests
# against real PostgreSQL and the local Kubernetes plane (started once for the run by a CTest
# fixture), all under ASan+UBSan.
test: setup format-check fuzz-smoke build tidy
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS)

# clang-tidy with the opt-in checks of .clang-tidy, over the compile database of the build.
tidy: build
	@find src tests/support -name '*.cc' | xargs -P2 -n4 clang-tidy -p $(BUILD_DIR) --quiet \
	  >$(BUILD_DIR)/tidy.log 2>&1 || \
	  { grep -E 'error:|warning:' $(BUILD_DIR)/tidy.log | grep -v 'warnings generated'; exit 1; }
	@echo "clang-tidy: clean"

# Benchmarks (never part of `make test`): the release build side by side with graphql-js.
bench: setup-packages
	cmake --preset release >/dev/null
	cmake --build --preset release --target graphql_bench
	bench/graphql/run.sh

# The server's dashboard benchmark on SQLite and PostgreSQL (never part of `make test`).
bench-server: setup-packages
	cmake --preset release >/dev/null
	cmake --build --preset release --target dashboard_bench styrmin-server
	build/release/bench/server/dashboard_bench

fuzz-build: setup-packages
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz

fuzz-smoke: fuzz-build
	cd build/fuzz && ctest $(CTEST_FLAGS)

test-unit: build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -L unit

test-integration: setup build
	cd $(BUILD_DIR) && ctest $(CTEST_FLAGS) -L integration

# The main job on its embedded default: styrmin-server on SQLite next to the local Kubernetes
# plane, left running until `make demo-stop`.
demo: setup
	cmake --preset release >/dev/null
	cmake --build --preset release --target styrmin-server
	tools/demo.sh up "$(DEMO_DIR)" "$(CURDIR)/build/release/apps/styrmin-server/styrmin-server"

demo-stop:
	tools/demo.sh down "$(DEMO_DIR)"

CXX_SOURCES = find $(wildcard src apps tests bench) \( -name '*.h' -o -name '*.cc' \)

format:
	$(CXX_SOURCES) | xargs -r clang-format -i

format-check:
	$(CXX_SOURCES) | xargs -r clang-format --dry-run -Werror

clean:
	rm -rf build
