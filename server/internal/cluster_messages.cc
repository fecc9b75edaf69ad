#include "server/internal/cluster_messages.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"

namespace mua::server_internal {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(Writer& writer, absl::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string StringOf(const rapidjson::Value& value) { return std::string(value.GetString(), value.GetStringLength()); }

}  // namespace

std::string EncodeControlStatement(const ControlStatement& statement) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("v");
  writer.Int(1);
  writer.Key("id");
  writer.Uint64(statement.id);
  writer.Key("origin");
  WriteString(writer, statement.origin);
  writer.Key("sql");
  WriteString(writer, statement.sql);
  writer.Key("params");
  writer.StartObject();
  for (const auto& [name, value] : statement.params) {
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    WriteString(writer, value);
  }
  writer.EndObject();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<ControlStatement> DecodeControlStatement(absl::string_view message) {
  rapidjson::Document document;
  MUA_RETURN_IF_ERROR(ParseJsonBounded(message, &document));
  auto bad = [] { return absl::InvalidArgumentError("not a control statement of version 1"); };
  if (!document.IsObject()) return bad();
  const auto version = document.FindMember("v");
  const auto id = document.FindMember("id");
  const auto origin = document.FindMember("origin");
  const auto sql = document.FindMember("sql");
  const auto params = document.FindMember("params");
  if (version == document.MemberEnd() || !version->value.IsInt() || version->value.GetInt() != 1 ||
      id == document.MemberEnd() || !id->value.IsUint64() || origin == document.MemberEnd() ||
      !origin->value.IsString() || sql == document.MemberEnd() || !sql->value.IsString() ||
      params == document.MemberEnd() || !params->value.IsObject()) {
    return bad();
  }
  ControlStatement statement{.id = id->value.GetUint64(), .origin = StringOf(origin->value), .sql = StringOf(sql->value)};
  for (const auto& member : params->value.GetObject()) {
    if (!member.value.IsString()) return bad();
    statement.params[StringOf(member.name)] = StringOf(member.value);
  }
  return statement;
}

bool ValidSnapshotId(absl::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) { return absl::ascii_isxdigit(c); });
}

bool ValidSnapshotFile(absl::string_view path) {
  if (path == "MANIFEST") return true;
  if (!absl::ConsumePrefix(&path, "files/")) return false;
  return !path.empty() && path != "." && path != ".." && path.find('/') == absl::string_view::npos &&
         path.find('\0') == absl::string_view::npos;
}

std::string EncodeSnapshotListing(const SnapshotListing& listing) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("id");
  WriteString(writer, listing.id);
  writer.Key("files");
  writer.StartArray();
  for (const auto& [path, bytes] : listing.files) {
    writer.StartObject();
    writer.Key("path");
    WriteString(writer, path);
    writer.Key("bytes");
    writer.Uint64(bytes);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<SnapshotListing> DecodeSnapshotListing(absl::string_view json, uint64_t max_file_bytes) {
  rapidjson::Document document;
  if (!ParseJsonBounded(json, &document).ok() || !document.IsObject() || !document.HasMember("id") ||
      !document["id"].IsString() || !ValidSnapshotId(StringOf(document["id"])) || !document.HasMember("files") ||
      !document["files"].IsArray()) {
    return absl::DataLossError("the snapshot listing is not MUA's");
  }
  SnapshotListing listing{.id = StringOf(document["id"])};
  bool manifest = false;
  for (const auto& file : document["files"].GetArray()) {
    if (!file.IsObject() || !file.HasMember("path") || !file["path"].IsString() || !file.HasMember("bytes") ||
        !file["bytes"].IsUint64() || !ValidSnapshotFile(StringOf(file["path"])) ||
        file["bytes"].GetUint64() > max_file_bytes) {
      return absl::DataLossError("the snapshot listing names a file that is not a data file");
    }
    manifest = manifest || StringOf(file["path"]) == "MANIFEST";
    listing.files.emplace_back(StringOf(file["path"]), file["bytes"].GetUint64());
  }
  if (!manifest) return absl::DataLossError("the snapshot listing has no MANIFEST");
  return listing;
}

}  // namespace mua::server_internal
