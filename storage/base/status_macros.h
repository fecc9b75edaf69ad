// Status propagation macros that Abseil 20220623 does not ship yet.
//
//   MUA_RETURN_IF_ERROR(file->Sync());
//   MUA_ASSIGN_OR_RETURN(auto segment, Segment::Open(path));
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MUA_STATUS_CONCAT_INNER_(a, b) a##b
#define MUA_STATUS_CONCAT_(a, b) MUA_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the caller when not OK.
#define MUA_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status mua_status_ = (expr);           \
    if (!mua_status_.ok()) return mua_status_;     \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status when not OK,
// otherwise moves its value into `lhs` (which may be a declaration).
#define MUA_ASSIGN_OR_RETURN(lhs, rexpr) \
  MUA_ASSIGN_OR_RETURN_IMPL_(MUA_STATUS_CONCAT_(mua_statusor_, __LINE__), lhs, rexpr)

#define MUA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
