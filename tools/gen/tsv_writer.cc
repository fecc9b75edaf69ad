#include "tools/gen/tsv_writer.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/base/status_macros.h"
#include "tools/gen/internal/json_text.h"

namespace mua::gen {
namespace {

// ClickHouse's TabSeparated escape of `c`, or nullptr when it is written as it is.
const char* TsvEscape(char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\0':
      return "\\0";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    default:
      return nullptr;
  }
}

// `value` as a TSV field: itself when nothing needs escaping (generated text never does),
// else its escaped copy in *scratch.
absl::string_view Escaped(absl::string_view value, std::string* scratch) {
  size_t i = 0;
  while (i < value.size() && TsvEscape(value[i]) == nullptr) ++i;
  if (i == value.size()) return value;
  scratch->assign(value.data(), i);
  for (; i < value.size(); ++i) {
    if (const char* escape = TsvEscape(value[i])) {
      scratch->append(escape);
    } else {
      scratch->push_back(value[i]);
    }
  }
  return *scratch;
}

constexpr int kStringColumns = 13;

}  // namespace

void AppendClickHouseTsvRow(const GeneratedEvent& event, std::string* out) {
  thread_local std::string scratch[kStringColumns];
  // "2026-10-05T14:03:07.123Z" -> "2026-10-05 14:03:07": UTC, milliseconds floored.
  char iso[32];
  gen_internal::FormatIsoTimestamp(event.event_time_ms, 0, true, iso);
  iso[10] = ' ';
  // The JSON writer puts `properties` into every line, "{}" when empty.
  const absl::string_view properties =
      event.properties.empty() ? absl::string_view("{}") : absl::string_view(event.properties);
  absl::StrAppend(
      out, absl::string_view(iso, 19), "\t", event.event_time_ms, "\t",
      Escaped(event.user_id, &scratch[0]), "\t", Escaped(event.session_id, &scratch[1]), "\t",
      Escaped(event.event_id, &scratch[2]), "\t", Escaped(event.event_type, &scratch[3]), "\t",
      Escaped(event.platform, &scratch[4]), "\t", Escaped(event.os_version, &scratch[5]), "\t",
      Escaped(event.app_version, &scratch[6]), "\t", Escaped(event.device_model, &scratch[7]), "\t",
      Escaped(event.device_type, &scratch[8]), "\t", Escaped(event.country, &scratch[9]), "\t",
      Escaped(event.region, &scratch[10]), "\t", Escaped(event.city, &scratch[11]), "\t",
      Escaped(properties, &scratch[12]), "\n");
}

absl::StatusOr<JsonLinesStats> WriteClickHouseTsv(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes) {
  if (options.invalid_share > 0) {
    return absl::InvalidArgumentError(
        "TabSeparated output has no invalid rows: invalid_share must be 0");
  }
  return WriteEventChunks(options, sink, chunk_bytes,
                          [](const GeneratedEvent& event, std::string* chunk, JsonLinesStats*) {
                            AppendClickHouseTsvRow(event, chunk);
                          });
}

}  // namespace mua::gen
