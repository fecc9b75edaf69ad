// AuditLog: one record per HTTP request (SPEC §6) — time, principal, role, endpoint,
// statement, status, rows, duration — kept for system.audit_log and appended as JSON lines to
// a file when one is given. Nothing a client sends can make it grow without bound: Record cuts
// every field (UTF-8-safe, marked "…[cut, N bytes]"), the ring holds at most max_records and
// max_memory_bytes, and the file rotates at max_file_bytes keeping at most max_files files.
//
//   AuditLog audit({.path = "mua-audit.jsonl"});
//   audit.Record({.principal = "ana", .role = "analyst", .endpoint = "POST /", ...});
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mua {

struct AuditRecord {
  absl::Time time;
  std::string principal;  // at most kAuditMaxNameBytes
  std::string role;       // at most kAuditMaxNameBytes
  std::string endpoint;   // "POST /api/v1/query"; at most kAuditMaxEndpointBytes
  std::string statement;  // the SQL, or what the request asked for; at most kAuditMaxStatementBytes
  std::string query_id;   // SQL endpoint only; at most kAuditMaxNameBytes
  int status = 0;         // HTTP status
  int64_t rows = 0;       // rows returned or ingested
  absl::Duration duration;
  std::string error;  // the message of a failed request; at most kAuditMaxErrorBytes
  // Set by AuditLog::Record from the whole statement, before it is cut (callers leave them).
  std::string statement_kind;   // first keyword upper-cased ("SELECT", "INSERT"…); "" if none
  uint64_t statement_hash = 0;  // XXH3-64 of the whole statement; 0 when it is empty
  // For system.query_log (SQL requests): what the statement read, the answer's size and
  // ClickHouse's error code (0 on success). Kept in memory only, not in the file.
  int64_t read_rows = 0;
  int64_t read_bytes = 0;
  int64_t memory_usage = 0;  // the statement's peak, bytes
  int64_t result_bytes = 0;
  int exception_code = 0;
};

// Field bounds in bytes, the cut marker included.
inline constexpr size_t kAuditMaxNameBytes = 128;  // principal, role, query_id
inline constexpr size_t kAuditMaxEndpointBytes = 256;
inline constexpr size_t kAuditMaxStatementBytes = 4096;
inline constexpr size_t kAuditMaxErrorBytes = 1024;

struct AuditLogOptions {
  std::string path;  // JSON-lines file; empty: memory only
  size_t max_records = 100'000;
  size_t max_memory_bytes = size_t{32} << 20;     // the ring's strings plus a per-record overhead
  uint64_t max_file_bytes = uint64_t{100} << 20;  // REQUIRES: > 0
  int max_files = 5;  // the live file plus path.1 … path.<max_files-1>; REQUIRES: >= 1
};

class AuditLog {
 public:
  // Errors: InvalidArgument for bad options; Unavailable when the file cannot be opened for
  // appending. The file (and every rotated one) is created with mode 0600.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(AuditLogOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Bounds every field, sets statement_kind and statement_hash, appends the JSON line (no
  // fsync) and keeps the record in the ring. A line that cannot be written is counted in
  // file_errors(), never returned: a request must not fail because its audit line did.
  void Record(AuditRecord record);
  std::vector<AuditRecord> Records() const;  // oldest first
  size_t memory_bytes() const;               // what the ring holds, as counted against the bound
  int64_t file_errors() const { return file_errors_.load(std::memory_order_relaxed); }

 private:
  explicit AuditLog(AuditLogOptions options);
  absl::Status OpenFileLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(file_mu_);
  absl::Status RotateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(file_mu_);
  void WriteLine(const std::string& line) ABSL_LOCKS_EXCLUDED(file_mu_);

  const AuditLogOptions options_;
  std::atomic<int64_t> file_errors_{0};

  // Two mutexes so that a slow disk never holds up Records() (system.audit_log).
  absl::Mutex file_mu_;
  int fd_ ABSL_GUARDED_BY(file_mu_) = -1;
  uint64_t file_bytes_ ABSL_GUARDED_BY(file_mu_) = 0;
  bool file_failing_ ABSL_GUARDED_BY(file_mu_) = false;  // reported once per failing spell

  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<const AuditRecord>> records_ ABSL_GUARDED_BY(mu_);
  size_t memory_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

// `value` as valid UTF-8 (each invalid byte becomes U+FFFD) of at most max_bytes; when it does
// not fit, cut at a character boundary and end with "…[cut, <value.size()> bytes]".
// REQUIRES: max_bytes >= 32 (room for the marker).
std::string AuditCut(absl::string_view value, size_t max_bytes);

// The statement's first keyword, upper-cased, after whitespace, `--` and (nested) `/* */`
// comments and opening parentheses; "" when it does not start with a keyword.
std::string AuditStatementKind(absl::string_view statement);

}  // namespace mua
