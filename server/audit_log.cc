#include "server/audit_log.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mua {
namespace {

constexpr size_t kMaxStatementBytes = 4096;

std::string ToJsonLine(const AuditRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto string_field = [&writer](const char* name, const std::string& value) {
    writer.Key(name);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  string_field("time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", record.time, absl::UTCTimeZone()));
  string_field("principal", record.principal);
  string_field("role", record.role);
  string_field("endpoint", record.endpoint);
  string_field("statement", record.statement);
  string_field("query_id", record.query_id);
  writer.Key("status");
  writer.Int(record.status);
  writer.Key("rows");
  writer.Int64(record.rows);
  writer.Key("duration_ms");
  writer.Double(absl::ToDoubleMilliseconds(record.duration));
  string_field("error", record.error);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  if (!log->options_.path.empty()) {
    std::FILE* file = std::fopen(log->options_.path.c_str(), "a");
    if (file == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot append to the audit log ", log->options_.path, ": ", std::strerror(errno)));
    }
    absl::MutexLock lock(&log->mu_);
    log->file_ = file;
  }
  return log;
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

void AuditLog::Record(AuditRecord record) {
  if (record.statement.size() > kMaxStatementBytes) record.statement.resize(kMaxStatementBytes);
  const std::string line = options_.path.empty() ? std::string() : ToJsonLine(record) + "\n";
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);  // an audit line must not wait in a buffer
  }
  records_.push_back(std::move(record));
  while (records_.size() > options_.max_records) records_.pop_front();
}

std::vector<AuditRecord> AuditLog::Records() const {
  absl::MutexLock lock(&mu_);
  return std::vector<AuditRecord>(records_.begin(), records_.end());
}

}  // namespace mua
