# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
ASAN_DIR := build/asan

.PHONY: all deps build build-asan run test bench fuzz clean

all: build

deps:
	@scripts/install-deps.sh

$(RELEASE_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DMUA_BUILD_TESTS=OFF

build: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

# -g1 keeps file:line in sanitizer reports at two thirds of -g's compile time
# (the whole test build must fit CI's 30 minutes on 2 cores).
$(ASAN_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
	  -DMUA_SANITIZE=ON -DMUA_BUILD_BENCH=OFF

build-asan: deps $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Builds Release and starts MUA on its embedded default.
run: build
	scripts/run-demo.sh $(RELEASE_DIR)

# Installs, builds with ASan + UBSan, and runs every test.
test: build-asan
	scripts/check-includes.sh
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

bench: build
	scripts/run-bench.sh $(RELEASE_DIR)

clean:
	rm -rf build
