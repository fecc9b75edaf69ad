# One helper per kind of target, after absl_cc_library: every library, test,
# benchmark and fuzz target is declared with NAME, HDRS, SRCS and DEPS.

include(CMakeParseArguments)

# The sanitizer build (what CI compiles from scratch, in 30 minutes on 2 cores) precompiles
# in every library the std and Abseil headers most sources include, and the module's own
# widely included headers (PCH): the headers were ~30 % of a source's compile time
# (bind_expr.cc: 3.9 of 13.6 s). The Release build has no precompiled header, so a source
# that forgets an #include still fails to build there.
option(MUA_LIBRARY_PCH "Precompile the common headers of each library" ${MUA_SANITIZE})
set(MUA_COMMON_PCH_HEADERS
  <algorithm> <cmath> <cstdint> <cstring> <functional> <limits> <map> <memory> <optional> <string>
  <string_view> <utility> <vector>
  <absl/container/flat_hash_map.h> <absl/container/flat_hash_set.h> <absl/status/status.h>
  <absl/status/statusor.h> <absl/strings/match.h> <absl/strings/str_cat.h> <absl/strings/str_format.h>
  <absl/strings/str_join.h> <absl/strings/str_split.h> <absl/synchronization/mutex.h> <absl/time/time.h>
  <absl/types/span.h>)

# Sources that are mostly Boost.Asio/Beast templates and move bytes (HTTP server and
# clients): in the sanitizer build -O0 halves their compile time (http_server.cc: 140 to
# 67 s), and their speed does not matter to a test. No precompiled header: it is built -O1.
function(mua_io_template_sources)
  if(MUA_SANITIZE)
    set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
      PROPERTIES COMPILE_OPTIONS -O0 SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()

# mua_cc_library(NAME name [ALIAS alias] HDRS ... SRCS ... DEPS ... [PCH header...])
# Declares mua_<name>; ALIAS adds mua::<alias> (the module's public name). PCH names the
# module's headers to precompile with the common ones (MUA_LIBRARY_PCH).
function(mua_cc_library)
  cmake_parse_arguments(MUA "" "NAME;ALIAS" "HDRS;SRCS;DEPS;PCH" ${ARGN})
  set(target mua_${MUA_NAME})
  if(MUA_SRCS)
    add_library(${target} STATIC ${MUA_SRCS} ${MUA_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${MUA_DEPS})
    if(MUA_LIBRARY_PCH)
      list(TRANSFORM MUA_PCH PREPEND ${PROJECT_SOURCE_DIR}/)
      target_precompile_headers(${target} PRIVATE ${MUA_COMMON_PCH_HEADERS} ${MUA_PCH})
    endif()
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} INTERFACE ${MUA_DEPS})
  endif()
  if(MUA_ALIAS)
    add_library(mua::${MUA_ALIAS} ALIAS ${target})
  endif()
endfunction()

# mua_cc_binary(NAME name SRCS ... DEPS ...): an installed executable.
function(mua_cc_binary)
  cmake_parse_arguments(MUA "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${MUA_NAME} ${MUA_SRCS})
  target_link_libraries(${MUA_NAME} PRIVATE ${MUA_DEPS})
  set_target_properties(${MUA_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# Test sources (gtest's macro-heavy code) compile in half the time at -O0, and the code
# under test keeps -O1: the sanitizer build has to fit CI's 30 minutes on 2 cores.
# -pthread (some dependencies add it, not all) and gtest's definitions on every test target
# too: the precompiled header below is only used where they match.
function(mua_test_compile_options target)
  if(MUA_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  endif()
  target_compile_options(${target} PRIVATE -pthread)
  target_link_libraries(${target} PRIVATE GTest::gmock GTest::gtest Threads::Threads)
endfunction()

# gmock.h, gtest.h, the libraries' common headers and our status matchers, precompiled once
# for every test binary: parsing them was ~1.5 s of each test source's 2-9 s. (No header of
# the code under test: editing one would rebuild every test source.) Built by mua_test_pch
# with the test binaries' flags (-O0, -pthread, GTEST_HAS_PTHREAD): GCC refuses a precompiled
# header built with other macros (-Winvalid-pch makes that an error under -Werror, so a
# mismatch fails the build rather than slowing it).
function(mua_reuse_test_pch target)
  if(NOT TARGET mua_test_pch)
    file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/mua_test_pch.cc
         CONTENT "// Compiled only to build the precompiled header of the test binaries.\n")
    add_library(mua_test_pch OBJECT ${PROJECT_BINARY_DIR}/mua_test_pch.cc)
    mua_test_compile_options(mua_test_pch)
    target_include_directories(mua_test_pch PRIVATE ${PROJECT_SOURCE_DIR})
    target_precompile_headers(mua_test_pch PRIVATE ${MUA_COMMON_PCH_HEADERS} <gmock/gmock.h> <gtest/gtest.h>
      ${PROJECT_SOURCE_DIR}/tests/testutil/status_matchers.h)
  endif()
  target_precompile_headers(${target} REUSE_FROM mua_test_pch)
endfunction()

# mua_cc_test(NAME name SRCS ... DEPS ... [SHARDS n]): one GoogleTest binary, run by CTest
# as n entries (default 2), each a shard of its tests (GTEST_TOTAL_SHARDS, GTEST_SHARD_INDEX):
# not one process per test, as gtest_discover_tests did, because an ASan binary takes about
# 0.5 s to start; that was 750 of the suite's CPU seconds for 1184 tests, against 233 s for
# the same tests run inside their binaries. One test: tests/<binary> --gtest_filter=...
function(mua_cc_test)
  cmake_parse_arguments(MUA "" "NAME;SHARDS" "SRCS;DEPS" ${ARGN})
  if(NOT MUA_SHARDS)
    set(MUA_SHARDS 2)
  endif()
  if(NOT MUA_BUILD_TESTS)
    return()
  endif()
  add_executable(${MUA_NAME} ${MUA_SRCS})
  mua_test_compile_options(${MUA_NAME})
  mua_reuse_test_pch(${MUA_NAME})
  target_link_libraries(${MUA_NAME} PRIVATE ${MUA_DEPS} GTest::gmock GTest::gtest_main)
  set_target_properties(${MUA_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  math(EXPR last "${MUA_SHARDS} - 1")
  foreach(shard RANGE ${last})
    add_test(NAME ${MUA_NAME}/${shard} COMMAND ${MUA_NAME})
    set_tests_properties(${MUA_NAME}/${shard} PROPERTIES TIMEOUT 600
      ENVIRONMENT "GTEST_TOTAL_SHARDS=${MUA_SHARDS};GTEST_SHARD_INDEX=${shard}")
  endforeach()
endfunction()

# mua_cc_bench(NAME name SRCS ... DEPS ...): a Google Benchmark binary.
function(mua_cc_bench)
  cmake_parse_arguments(MUA "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT MUA_BUILD_BENCH)
    return()
  endif()
  add_executable(${MUA_NAME} ${MUA_SRCS})
  target_link_libraries(${MUA_NAME} PRIVATE ${MUA_DEPS} benchmark::benchmark)
  set_target_properties(${MUA_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endfunction()

# mua_cc_fuzz(NAME name SRCS ... DEPS ...): a libFuzzer target, built only with clang.
function(mua_cc_fuzz)
  cmake_parse_arguments(MUA "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT MUA_BUILD_FUZZ)
    return()
  endif()
  add_executable(${MUA_NAME} ${MUA_SRCS})
  target_compile_options(${MUA_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_options(${MUA_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${MUA_NAME} PRIVATE ${MUA_DEPS})
  set_target_properties(${MUA_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
endfunction()
