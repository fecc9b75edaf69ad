#include "server/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace mua {
namespace {

constexpr absl::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxKindBytes = 32;                            // longer words are not keywords
// A rotation also deletes path.<k> this far past the oldest kept file: leftovers of a run
// with a larger --audit_log_files.
constexpr int kStaleFileSweep = 64;
// What a ring entry costs besides its strings' heap buffers: the record itself, the
// shared_ptr control block, the deque slot and allocator headers.
constexpr size_t kRecordOverheadBytes = sizeof(AuditRecord) + 64;

// The length of the well-formed UTF-8 sequence at value[i] (Unicode Table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when the byte there starts none.
size_t Utf8SequenceLength(absl::string_view value, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(value[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > value.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xBF) return 0;
  }
  return length;
}

bool IsValidUtf8(absl::string_view value) {
  for (size_t i = 0; i < value.size();) {
    const size_t length = Utf8SequenceLength(value, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Heap bytes a string owns (0 while it is stored inline).
size_t HeapBytes(const std::string& value) {
  const char* data = value.data();
  const char* self = reinterpret_cast<const char*>(&value);
  if (data >= self && data < self + sizeof(value)) return 0;
  return value.capacity() + 1;
}

size_t RecordBytes(const AuditRecord& record) {
  return kRecordOverheadBytes + HeapBytes(record.principal) + HeapBytes(record.role) +
         HeapBytes(record.endpoint) + HeapBytes(record.statement) + HeapBytes(record.query_id) +
         HeapBytes(record.error) + HeapBytes(record.statement_kind);
}

std::string ToJsonLine(const AuditRecord& record) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto string_field = [&writer](const char* name, absl::string_view value) {
    writer.Key(name);
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  string_field("time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", record.time, absl::UTCTimeZone()));
  string_field("principal", record.principal);
  string_field("role", record.role);
  string_field("endpoint", record.endpoint);
  string_field("statement_kind", record.statement_kind);
  string_field("statement_hash", record.statement.empty()
                                     ? std::string()
                                     : absl::StrFormat("%016x", record.statement_hash));
  string_field("statement", record.statement);
  string_field("query_id", record.query_id);
  writer.Key("status");
  writer.Int(record.status);
  writer.Key("rows");
  writer.Int64(record.rows);
  writer.Key("duration_ms");
  const double duration_ms = absl::ToDoubleMilliseconds(record.duration);
  writer.Double(std::isfinite(duration_ms) ? duration_ms : 0);  // rapidjson writes nothing for inf
  string_field("error", record.error);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string RotatedName(const std::string& path, int index) {
  return index == 0 ? path : absl::StrCat(path, ".", index);
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat("audit log: cannot ", what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

std::string AuditCut(absl::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes && IsValidUtf8(value)) return std::string(value);
  const std::string marker = absl::StrCat("\xE2\x80\xA6[cut, ", value.size(), " bytes]");
  const size_t cut_budget = max_bytes > marker.size() ? max_bytes - marker.size() : 0;
  std::string out;
  out.reserve(std::min(max_bytes, value.size() * kReplacementChar.size()));
  size_t cut_at = 0;  // the longest whole-character prefix that leaves room for the marker
  size_t i = 0;
  while (i < value.size()) {
    const size_t length = Utf8SequenceLength(value, i);
    const absl::string_view piece = length == 0 ? kReplacementChar : value.substr(i, length);
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece.data(), piece.size());
    if (out.size() <= cut_budget) cut_at = out.size();
    i += length == 0 ? 1 : length;
  }
  if (i == value.size()) return out;  // only replacements were needed, and they fit
  out.resize(cut_at);
  out += marker;
  return out;
}

std::string AuditStatementKind(absl::string_view statement) {
  const size_t size = statement.size();
  size_t i = 0;
  while (i < size) {
    const char c = statement[i];
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == '(') {
      ++i;
    } else if (c == '-' && i + 1 < size && statement[i + 1] == '-') {
      while (i < size && statement[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < size && statement[i + 1] == '*') {
      i += 2;
      size_t depth = 1;  // nested, as the SQL lexer reads them
      while (depth > 0) {
        if (i + 1 >= size) return "";  // unterminated: no statement to name
        if (statement[i] == '*' && statement[i + 1] == '/') {
          --depth;
          i += 2;
        } else if (statement[i] == '/' && statement[i + 1] == '*') {
          ++depth;
          i += 2;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  const size_t start = i;
  if (i >= size ||
      !(absl::ascii_isalpha(static_cast<unsigned char>(statement[i])) || statement[i] == '_')) {
    return "";
  }
  while (i < size &&
         (absl::ascii_isalnum(static_cast<unsigned char>(statement[i])) || statement[i] == '_')) {
    if (i - start == kMaxKindBytes) return "";
    ++i;
  }
  return absl::AsciiStrToUpper(statement.substr(start, i - start));
}

AuditLog::AuditLog(AuditLogOptions options) : options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options) {
  if (options.max_files < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit log: max_files is ", options.max_files, ", not >= 1"));
  }
  if (options.max_file_bytes == 0)
    return absl::InvalidArgumentError("audit log: max_file_bytes must be > 0");
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  if (!log->options_.path.empty()) {
    absl::MutexLock lock(&log->file_mu_);
    if (absl::Status status = log->OpenFileLocked(); !status.ok()) return status;
  }
  return log;
}

AuditLog::~AuditLog() {
  absl::MutexLock lock(&file_mu_);
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AuditLog::OpenFileLocked() {
  const std::string& path = options_.path;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("append to", path);
  // A file left by an older version may be world-readable; audit lines name principals.
  (void)::fchmod(fd, 0600);
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    const absl::Status status = Errno("stat", path);
    ::close(fd);
    return status;
  }
  fd_ = fd;
  file_bytes_ = static_cast<uint64_t>(info.st_size);
  return absl::OkStatus();
}

absl::Status AuditLog::RotateLocked() {
  const std::string& path = options_.path;
  const int kept = options_.max_files - 1;  // rotated files kept: path.1 … path.<kept>
  for (int index = std::max(kept, 1); index < std::max(kept, 1) + kStaleFileSweep; ++index) {
    if (::unlink(RotatedName(path, index).c_str()) != 0 && errno != ENOENT) {
      return Errno("delete", RotatedName(path, index));
    }
  }
  for (int index = kept - 1; index >= 1; --index) {
    if (::rename(RotatedName(path, index).c_str(), RotatedName(path, index + 1).c_str()) != 0 &&
        errno != ENOENT) {
      return Errno("rename", RotatedName(path, index));
    }
  }
  if (kept >= 1 ? ::rename(path.c_str(), RotatedName(path, 1).c_str()) != 0
                : ::unlink(path.c_str()) != 0) {
    return Errno("rotate", path);
  }
  ::close(fd_);
  fd_ = -1;
  return OpenFileLocked();
}

void AuditLog::WriteLine(const std::string& line) {
  absl::MutexLock lock(&file_mu_);
  absl::Status status = fd_ < 0 ? OpenFileLocked() : absl::OkStatus();
  if (status.ok() && file_bytes_ > 0 && file_bytes_ + line.size() > options_.max_file_bytes) {
    status = RotateLocked();
  }
  // One write per line and no fsync: the page cache keeps lines of a crashed process, and a
  // per-request fsync would put the disk's latency into every request.
  for (size_t written = 0; status.ok() && written < line.size();) {
    const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      status =
          n < 0 ? Errno("write", options_.path)
                : absl::UnavailableError(absl::StrCat("audit log: cannot write ", options_.path));
      // Drop the torn line so the next one starts on a line of its own.
      (void)::ftruncate(fd_, static_cast<off_t>(file_bytes_));
    }
  }
  if (status.ok()) {
    file_bytes_ += line.size();
    file_failing_ = false;
    return;
  }
  file_errors_.fetch_add(1, std::memory_order_relaxed);
  if (!file_failing_)
    std::fprintf(stderr, "mua-server: %s\n", std::string(status.message()).c_str());
  file_failing_ = true;
}

void AuditLog::Record(AuditRecord record) {
  // The kind and hash come from the whole statement: two long statements that share the
  // kept prefix still differ in the log.
  record.statement_kind = AuditStatementKind(record.statement);
  record.statement_hash =
      record.statement.empty() ? 0 : XXH3_64bits(record.statement.data(), record.statement.size());
  record.principal = AuditCut(record.principal, kAuditMaxNameBytes);
  record.role = AuditCut(record.role, kAuditMaxNameBytes);
  record.endpoint = AuditCut(record.endpoint, kAuditMaxEndpointBytes);
  record.statement = AuditCut(record.statement, kAuditMaxStatementBytes);
  record.query_id = AuditCut(record.query_id, kAuditMaxNameBytes);
  record.error = AuditCut(record.error, kAuditMaxErrorBytes);
  auto shared = std::make_shared<const AuditRecord>(std::move(record));
  if (!options_.path.empty()) WriteLine(ToJsonLine(*shared) + "\n");
  const size_t bytes = RecordBytes(*shared);
  absl::MutexLock lock(&mu_);
  records_.push_back(std::move(shared));
  memory_bytes_ += bytes;
  while (!records_.empty() &&
         (records_.size() > options_.max_records || memory_bytes_ > options_.max_memory_bytes)) {
    memory_bytes_ -= RecordBytes(*records_.front());
    records_.pop_front();
  }
}

std::vector<AuditRecord> AuditLog::Records() const {
  std::vector<std::shared_ptr<const AuditRecord>> snapshot;
  {
    absl::MutexLock lock(&mu_);
    snapshot.assign(records_.begin(), records_.end());
  }
  // The deep copy happens outside the lock, so Record never waits for it.
  std::vector<AuditRecord> records;
  records.reserve(snapshot.size());
  for (const auto& record : snapshot) records.push_back(*record);
  return records;
}

size_t AuditLog::memory_bytes() const {
  absl::MutexLock lock(&mu_);
  return memory_bytes_;
}

}  // namespace mua
