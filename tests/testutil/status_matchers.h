// GoogleTest helpers for absl::Status, which Abseil 20220623 does not ship.
//
//   ASSERT_OK(table.Append(rows));
//   ASSERT_OK_AND_ASSIGN(auto day, ParseDay("2026-10-05"));
//   EXPECT_THAT(Decode(bytes), StatusIs(absl::StatusCode::kDataLoss));
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mua::test {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER_P(StatusIs, code, "") { return GetStatus(arg).code() == code; }

}  // namespace mua::test

#define ASSERT_OK(expr) ASSERT_TRUE(::mua::test::GetStatus(expr).ok()) << ::mua::test::GetStatus(expr)
#define EXPECT_OK(expr) EXPECT_TRUE(::mua::test::GetStatus(expr).ok()) << ::mua::test::GetStatus(expr)

#define MUA_TEST_CONCAT_INNER_(a, b) a##b
#define MUA_TEST_CONCAT_(a, b) MUA_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(MUA_TEST_CONCAT_(mua_test_statusor_, __LINE__), lhs, rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();       \
  lhs = std::move(statusor).value()
