#include "server/internal/json_api.h"

#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "query/output_format.h"
#include "rapidjson/document.h"
#include "server/internal/result_cells.h"
#include "storage/base/json_limits.h"
#include "storage/base/time_util.h"

namespace mua::server_internal {
namespace {

// Integers up to 2^53 survive a JavaScript number exactly.
constexpr double kMaxExactInteger = 9007199254740992.0;

void WriteTime(TypeId id, int64_t value, JsonTimeStyle style, uint16_t time_zone,
               JsonWriter* writer) {
  if (style == JsonTimeStyle::kEpochMillis) {
    writer->Int64(TimeValueMillis(id, value));
    return;
  }
  std::string text;
  if (time_zone != 0 && id != TypeId::kDate) {
    text = FormatTime(DataType::Time(id, time_zone), value);  // the wall clock of its zone
  } else if (id == TypeId::kDate) {
    text = FormatDay(static_cast<int32_t>(value));
  } else {
    text = FormatMillis(TimeValueMillis(id, value));
    if (id == TypeId::kDateTime) text.resize(text.size() - 4);  // whole seconds: no ".000"
  }
  WriteString(text, writer);
}

// Element `index` of the value vectors, read as type `id` (a row, or an array element).
void WriteScalar(TypeId id, const Column& column, size_t index, JsonTimeStyle style,
                 JsonWriter* writer, uint16_t time_zone = 0) {
  switch (id) {
    case TypeId::kNothing:
    case TypeId::kArray:
    case TypeId::kInterval:
    case TypeId::kTuple:
      writer->Null();
      return;
    case TypeId::kDate:
    case TypeId::kDateTime:
    case TypeId::kDateTime64:
      WriteTime(id, column.ints[index], style, time_zone, writer);
      return;
    case TypeId::kFloat64:
      WriteNumber(column.floats[index], writer);
      return;
    case TypeId::kString:
      WriteString(column.strings[index], writer);
      return;
    case TypeId::kUInt64:
      writer->Uint64(static_cast<uint64_t>(column.ints[index]));
      return;
    default:
      writer->Int64(column.ints[index]);
      return;
  }
}

// The length of the well-formed UTF-8 sequence at text[pos] (RFC 3629: no overlong
// forms, surrogates or code points past U+10FFFF), or 0.
size_t Utf8SequenceLength(absl::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t smallest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    smallest = 0x10000;
  } else {
    return 0;
  }
  if (pos + length > text.size()) return 0;
  uint32_t code_point = lead & (0x7F >> length);
  for (size_t i = pos + 1; i < pos + length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i) & 0x3F);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  return code_point < smallest || code_point > 0x10FFFF || surrogate ? 0 : length;
}

}  // namespace

absl::Status ParseUntrustedJson(absl::string_view text, rapidjson::Document* document) {
  return ParseJsonBounded<kUntrustedJsonFlags>(text, document, kMaxJsonDepth);
}

void WriteString(absl::string_view text, JsonWriter* writer) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t length = Utf8SequenceLength(text, pos);
    if (length == 0) break;
    pos += length;
  }
  if (pos == text.size()) {
    writer->String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return;
  }
  std::string valid(text.substr(0, pos));
  while (pos < text.size()) {
    const size_t length = Utf8SequenceLength(text, pos);
    if (length == 0) {
      valid += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++pos;
    } else {
      valid.append(text.data() + pos, length);
      pos += length;
    }
  }
  writer->String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void WriteNumber(std::optional<double> value, JsonWriter* writer) {
  if (!value || !std::isfinite(*value)) {
    writer->Null();
  } else if (*value == std::floor(*value) && std::fabs(*value) <= kMaxExactInteger) {
    writer->Int64(static_cast<int64_t>(*value));
  } else {
    writer->Double(*value);
  }
}

void WriteCell(const Column& column, size_t row, JsonTimeStyle style, JsonWriter* writer) {
  if (column.is_null(row)) {
    writer->Null();
  } else if (column.type.id == TypeId::kArray) {
    writer->StartArray();
    for (uint32_t i = column.array_offsets[row]; i < column.array_offsets[row + 1]; ++i) {
      WriteScalar(column.type.element, column, i, style, writer, column.type.time_zone);
    }
    writer->EndArray();
  } else {
    WriteScalar(column.type.id, column, row, style, writer, column.type.time_zone);
  }
}

void WriteRowObjects(const ResultSet& result, JsonTimeStyle style, JsonWriter* writer) {
  writer->StartArray();
  for (size_t row = 0; row < result.row_count; ++row) {
    writer->StartObject();
    for (size_t i = 0; i < result.columns.size(); ++i) {
      WriteString(result.names[i], writer);
      WriteCell(result.columns[i], row, style, writer);
    }
    writer->EndObject();
  }
  writer->EndArray();
}

std::string JsonText(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

int HttpStatusOf(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    return absl::StartsWith(status.message(), "Memory limit") ? 500 : 400;
  }
  return HttpStatusOf(status.code());
}

int HttpStatusOf(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

}  // namespace mua::server_internal
