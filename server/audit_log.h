// AuditLog: one record per HTTP request (SPEC §6) — time, principal, role, endpoint,
// statement, status, rows, duration — kept for system.audit_log (the newest
// max_records) and appended as JSON lines to a file when one is given.
//
//   AuditLog audit({.path = "mua-audit.jsonl"});
//   audit.Record({.principal = "ana", .role = "analyst", .endpoint = "POST /", ...});
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mua {

struct AuditRecord {
  absl::Time time;
  std::string principal;
  std::string role;
  std::string endpoint;   // "POST /api/v1/query"
  std::string statement;  // the SQL, or what the request asked for; at most 4 KiB
  std::string query_id;   // SQL endpoint only
  int status = 0;         // HTTP status
  int64_t rows = 0;       // rows returned or ingested
  absl::Duration duration;
  std::string error;      // the message of a failed request
};

struct AuditLogOptions {
  std::string path;  // JSON-lines file; empty: memory only
  size_t max_records = 100'000;
};

class AuditLog {
 public:
  // Errors: Unavailable when the file cannot be opened for appending.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(AuditLogOptions options);
  ~AuditLog();

  void Record(AuditRecord record);
  std::vector<AuditRecord> Records() const;  // oldest first

 private:
  explicit AuditLog(AuditLogOptions options) : options_(std::move(options)) {}

  const AuditLogOptions options_;
  mutable absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::deque<AuditRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mua
