#include "tools/shell/result_table.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "storage/base/json_limits.h"

namespace mua::shell {
namespace {

// A JSON number as its shortest text (RapidJSON's own printing).
std::string NumberText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Appends `value` as ClickHouse writes it in text formats; strings are quoted
// only inside arrays and tuples, as ClickHouse does.
void AppendCellText(const rapidjson::Value& value, bool nested, std::string* out) {
  if (value.IsString()) {
    const absl::string_view text(value.GetString(), value.GetStringLength());
    if (!nested) {
      out->append(text.data(), text.size());
      return;
    }
    out->push_back('\'');
    for (const char c : text) {
      if (c == '\'' || c == '\\') out->push_back('\\');
      out->push_back(c);
    }
    out->push_back('\'');
  } else if (value.IsNumber()) {
    out->append(NumberText(value));
  } else if (value.IsBool()) {
    out->append(value.GetBool() ? "true" : "false");
  } else if (value.IsNull()) {
    out->append("NULL");
  } else if (value.IsArray()) {
    out->push_back('[');
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendCellText(value[i], /*nested=*/true, out);
    }
    out->push_back(']');
  } else {  // an object (a named tuple or a map)
    out->push_back('{');
    bool first = true;
    for (const auto& member : value.GetObject()) {
      if (!first) out->push_back(',');
      first = false;
      AppendCellText(member.name, /*nested=*/true, out);
      out->push_back(':');
      AppendCellText(member.value, /*nested=*/true, out);
    }
    out->push_back('}');
  }
}

// A count from "statistics": a JSON number, or a quoted one (64-bit integers
// are quoted by ClickHouse by default).
std::optional<uint64_t> CountField(const rapidjson::Value& statistics, const char* name) {
  // HasMember and [] rather than FindMember: comparing RapidJSON's member
  // iterators is ambiguous under C++20 (clang -Wambiguous-reversed-operator).
  if (!statistics.HasMember(name)) return std::nullopt;
  const rapidjson::Value& value = statistics[name];
  if (value.IsUint64()) return value.GetUint64();
  uint64_t parsed = 0;
  if (value.IsString() && absl::SimpleAtoi(value.GetString(), &parsed)) return parsed;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<ResultTable> ParseJsonCompact(absl::string_view body) {
  rapidjson::Document document;
  // Bounded depth: cells are printed by the recursive AppendCellText.
  if (absl::Status parsed = ParseJsonBounded(body, &document); !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("malformed JSONCompact result (", parsed.message(), ")"));
  }
  if (!document.IsObject()) {
    return absl::InvalidArgumentError("JSONCompact result is not an object");
  }
  if (!document.HasMember("meta") || !document["meta"].IsArray() || !document.HasMember("data") ||
      !document["data"].IsArray()) {
    return absl::InvalidArgumentError("JSONCompact result lacks \"meta\" or \"data\" arrays");
  }
  const rapidjson::Value& meta = document["meta"];
  const rapidjson::Value& data = document["data"];
  ResultTable table;
  for (const rapidjson::Value& column : meta.GetArray()) {
    if (!column.IsObject() || !column.HasMember("name") || !column["name"].IsString() ||
        !column.HasMember("type") || !column["type"].IsString()) {
      return absl::InvalidArgumentError("JSONCompact \"meta\" entry lacks a string name or type");
    }
    table.columns.push_back({column["name"].GetString(), column["type"].GetString()});
  }
  for (const rapidjson::Value& row : data.GetArray()) {
    if (!row.IsArray() || row.Size() != table.columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat("JSONCompact row ", table.rows.size() + 1,
                                                     " does not have ", table.columns.size(),
                                                     " values"));
    }
    std::vector<std::string>& cells = table.rows.emplace_back();
    cells.reserve(row.Size());
    for (const rapidjson::Value& value : row.GetArray()) {
      AppendCellText(value, /*nested=*/false, &cells.emplace_back());
    }
  }
  if (document.HasMember("totals")) {
    const rapidjson::Value& totals = document["totals"];
    if (!totals.IsArray() || totals.Size() != table.columns.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JSONCompact \"totals\" does not have ", table.columns.size(), " values"));
    }
    std::vector<std::string>& cells = table.totals.emplace();
    cells.reserve(totals.Size());
    for (const rapidjson::Value& value : totals.GetArray()) {
      AppendCellText(value, /*nested=*/false, &cells.emplace_back());
    }
  }
  if (document.HasMember("statistics") && document["statistics"].IsObject()) {
    const rapidjson::Value& stats = document["statistics"];
    if (stats.HasMember("elapsed") && stats["elapsed"].IsNumber()) {
      table.server_elapsed_seconds = stats["elapsed"].GetDouble();
    }
    table.rows_read = CountField(stats, "rows_read");
    table.bytes_read = CountField(stats, "bytes_read");
  }
  return table;
}

}  // namespace mua::shell
