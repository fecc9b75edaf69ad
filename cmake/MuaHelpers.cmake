# One helper per kind of target, after absl_cc_library: every library, test,
# benchmark and fuzz target is declared with NAME, HDRS, SRCS and DEPS.

include(CMakeParseArguments)

# mua_cc_library(NAME name [ALIAS alias] HDRS ... SRCS ... DEPS ...)
# Declares mua_<name>; ALIAS adds mua::<alias> (the module's public name).
function(mua_cc_library)
  cmake_parse_arguments(MUA "" "NAME;ALIAS" "HDRS;SRCS;DEPS" ${ARGN})
  set(target mua_${MUA_NAME})
  if(MUA_SRCS)
    add_library(${target} STATIC ${MUA_SRCS} ${MUA_HDRS})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${target} PUBLIC ${MUA_DEPS})
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

# gmock.h, gtest.h, common std and Abseil headers and our status matchers, precompiled once
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
    target_precompile_headers(mua_test_pch PRIVATE
      <algorithm> <map> <memory> <string> <vector> <gmock/gmock.h> <gtest/gtest.h>
      <absl/container/flat_hash_map.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
      <absl/strings/str_join.h> <absl/strings/str_split.h>
      ${PROJECT_SOURCE_DIR}/tests/testutil/status_matchers.h)
  endif()
  target_precompile_headers(${target} REUSE_FROM mua_test_pch)
endfunction()

# mua_cc_test(NAME name SRCS ... DEPS ...): one GoogleTest binary, discovered by CTest.
function(mua_cc_test)
  cmake_parse_arguments(MUA "" "NAME" "SRCS;DEPS" ${ARGN})
  if(NOT MUA_BUILD_TESTS)
    return()
  endif()
  add_executable(${MUA_NAME} ${MUA_SRCS})
  mua_test_compile_options(${MUA_NAME})
  mua_reuse_test_pch(${MUA_NAME})
  target_link_libraries(${MUA_NAME} PRIVATE ${MUA_DEPS} GTest::gmock GTest::gtest_main)
  set_target_properties(${MUA_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  gtest_discover_tests(${MUA_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
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
