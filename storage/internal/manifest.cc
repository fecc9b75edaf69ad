#include "storage/internal/manifest.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"

namespace mua::storage_internal {
namespace {

// Format 2 added partitions' "sealing" heads; format 3 adds "counters", segments and head
// chunks with the `attributes` column and the "attachments" files; format 4 (written
// since) names segments whose string blocks may hold packed hex ids (kStringHexFlag).
// Formats 1 to 3 are still read; a server that predates a format refuses it (it could not
// read the segments).
constexpr int kManifestFormat1 = 1;
constexpr int kManifestFormat2 = 2;
constexpr int kManifestFormat3 = 3;
constexpr int kManifestFormat = 4;

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// The members every file reference has: name, size, checksum (ParseFile reads them back).
void WriteFileInfo(JsonWriter& w, const FileInfo& info) {
  w.Key("name");
  w.String(info.name.c_str());
  w.Key("size");
  w.Uint64(info.size);
  w.Key("checksum");
  w.Uint64(info.checksum);
}

void WriteFile(JsonWriter& w, const FileEntry& entry, bool rows, bool first) {
  w.StartObject();
  WriteFileInfo(w, entry.info);
  if (rows) {
    w.Key(first ? "count" : "rows");
    w.Uint64(entry.rows);
  }
  if (first) {
    w.Key("first");
    w.Uint64(entry.first);
  }
  if (!entry.cold.name.empty()) {
    w.Key("cold");
    w.StartObject();
    WriteFileInfo(w, entry.cold);
    w.Key("columns");
    w.StartArray();
    for (ColumnId id : kAllColumns) {
      if (entry.cold_columns.Contains(id)) w.String(std::string(ColumnName(id)).c_str());
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
}

absl::StatusOr<FileEntry> ParseFile(const rapidjson::Value& value, bool rows, bool first) {
  auto bad = [] { return absl::DataLossError("MANIFEST: malformed file entry"); };
  if (!value.IsObject() || !value.HasMember("name") || !value["name"].IsString() ||
      !value.HasMember("size") || !value["size"].IsUint64() || !value.HasMember("checksum") ||
      !value["checksum"].IsUint64()) {
    return bad();
  }
  FileEntry entry;
  entry.info.name = value["name"].GetString();
  entry.info.size = value["size"].GetUint64();
  entry.info.checksum = value["checksum"].GetUint64();
  if (entry.info.name.find('/') != std::string::npos || entry.info.name.empty()) return bad();
  const char* rows_key = first ? "count" : "rows";
  if (rows) {
    if (!value.HasMember(rows_key) || !value[rows_key].IsUint64()) return bad();
    entry.rows = value[rows_key].GetUint64();
  }
  if (first) {
    if (!value.HasMember("first") || !value["first"].IsUint64()) return bad();
    entry.first = value["first"].GetUint64();
  }
  if (value.HasMember("cold")) {
    if (value["cold"].IsObject() && value["cold"].HasMember("cold")) return bad();
    MUA_ASSIGN_OR_RETURN(const FileEntry cold, ParseFile(value["cold"], false, false));
    entry.cold = cold.info;
    // Without a readable column list the file is never reused (a checkpoint replaces it).
    if (value["cold"].HasMember("columns") && value["cold"]["columns"].IsArray()) {
      for (const auto& name : value["cold"]["columns"].GetArray()) {
        if (!name.IsString()) return bad();
        const std::optional<ColumnId> id = FindColumn(name.GetString());
        if (!id.has_value() || KindOf(*id) != ColumnKind::kString) return bad();
        entry.cold_columns.Add(*id);
      }
    }
  }
  return entry;
}

}  // namespace

std::string SerializeManifest(const Manifest& manifest) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  w.Key("format");
  w.Int(kManifestFormat);
  w.Key("generation");
  w.Uint64(manifest.generation);
  w.Key("next_file");
  w.Uint64(manifest.next_file);
  w.Key("written_at_ms");
  w.Int64(manifest.written_at_ms);
  w.Key("positions");
  w.StartObject();
  for (const auto& [source, position] : manifest.positions) {
    w.Key(source.c_str());
    w.Int64(position);
  }
  w.EndObject();
  w.Key("counters");
  w.StartObject();
  for (const auto& [key, value] : manifest.counters) {
    w.Key(key.c_str());
    w.Int64(value);
  }
  w.EndObject();
  w.Key("erased_users");
  w.StartArray();
  for (const std::string& fingerprint : manifest.erased) w.String(fingerprint.c_str());
  w.EndArray();
  w.Key("dictionaries");
  w.StartObject();
  for (const auto& [column, files] : manifest.dictionaries) {
    w.Key(column.c_str());
    w.StartArray();
    for (const FileEntry& file : files) WriteFile(w, file, true, true);
    w.EndArray();
  }
  w.EndObject();
  w.Key("attachments");
  w.StartObject();
  for (const auto& [name, file] : manifest.attachments) {
    w.Key(name.c_str());
    WriteFile(w, file, false, false);
  }
  w.EndObject();
  w.Key("partitions");
  w.StartArray();
  for (const PartitionEntry& partition : manifest.partitions) {
    w.StartObject();
    w.Key("day");
    w.Int(partition.day);
    w.Key("date");
    w.String(FormatDay(partition.day).c_str());
    w.Key("segments");
    w.StartArray();
    for (const FileEntry& file : partition.segments) WriteFile(w, file, true, false);
    w.EndArray();
    if (!partition.sealing.empty()) {
      w.Key("sealing");
      w.StartArray();
      for (const auto& chunks : partition.sealing) {
        w.StartArray();
        for (const FileEntry& file : chunks) WriteFile(w, file, true, false);
        w.EndArray();
      }
      w.EndArray();
    }
    w.Key("head");
    w.StartArray();
    for (const FileEntry& file : partition.head) WriteFile(w, file, true, false);
    w.EndArray();
    w.Key("bitmaps");
    WriteFile(w, partition.bitmaps, false, false);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<Manifest> ParseManifest(absl::string_view text) {
  rapidjson::Document document;
  const absl::Status parsed = ParseJsonBounded(text, &document);
  auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("MANIFEST: ", what));
  };
  if (!parsed.ok() || !document.IsObject()) return bad("not a JSON object");
  if (!document.HasMember("format") || !document["format"].IsInt() ||
      (document["format"].GetInt() != kManifestFormat && document["format"].GetInt() != kManifestFormat1 &&
       document["format"].GetInt() != kManifestFormat2 &&
       document["format"].GetInt() != kManifestFormat3)) {
    return bad("unknown format version");
  }
  Manifest manifest;
  for (const char* key : {"generation", "next_file"}) {
    if (!document.HasMember(key) || !document[key].IsUint64()) return bad(absl::StrCat("no ", key));
  }
  manifest.generation = document["generation"].GetUint64();
  manifest.next_file = document["next_file"].GetUint64();
  if (document.HasMember("written_at_ms") && document["written_at_ms"].IsInt64()) {
    manifest.written_at_ms = document["written_at_ms"].GetInt64();
  }
  if (!document.HasMember("positions") || !document["positions"].IsObject()) return bad("no positions");
  for (const auto& member : document["positions"].GetObject()) {
    if (!member.value.IsInt64()) return bad("bad position");
    manifest.positions[member.name.GetString()] = member.value.GetInt64();
  }
  if (document.HasMember("counters")) {
    if (!document["counters"].IsObject()) return bad("bad counters");
    for (const auto& member : document["counters"].GetObject()) {
      if (!member.value.IsInt64()) return bad("bad counter");
      manifest.counters[member.name.GetString()] = member.value.GetInt64();
    }
  }
  if (!document.HasMember("erased_users") || !document["erased_users"].IsArray()) {
    return bad("no erased_users");
  }
  for (const auto& value : document["erased_users"].GetArray()) {
    if (!value.IsString()) return bad("bad erased user");
    manifest.erased.push_back(value.GetString());
  }
  if (!document.HasMember("dictionaries") || !document["dictionaries"].IsObject()) {
    return bad("no dictionaries");
  }
  for (const auto& member : document["dictionaries"].GetObject()) {
    if (!member.value.IsArray()) return bad("bad dictionary");
    auto& files = manifest.dictionaries[member.name.GetString()];
    for (const auto& file : member.value.GetArray()) {
      MUA_ASSIGN_OR_RETURN(files.emplace_back(), ParseFile(file, true, true));
    }
  }
  if (document.HasMember("attachments")) {
    if (!document["attachments"].IsObject()) return bad("bad attachments");
    for (const auto& member : document["attachments"].GetObject()) {
      MUA_ASSIGN_OR_RETURN(manifest.attachments[member.name.GetString()], ParseFile(member.value, false, false));
    }
  }
  if (!document.HasMember("partitions") || !document["partitions"].IsArray()) return bad("no partitions");
  for (const auto& value : document["partitions"].GetArray()) {
    if (!value.IsObject() || !value.HasMember("day") || !value["day"].IsInt() ||
        !value.HasMember("segments") || !value["segments"].IsArray() || !value.HasMember("head") ||
        !value["head"].IsArray() || !value.HasMember("bitmaps")) {
      return bad("malformed partition");
    }
    PartitionEntry& partition = manifest.partitions.emplace_back();
    partition.day = value["day"].GetInt();
    for (const auto& file : value["segments"].GetArray()) {
      MUA_ASSIGN_OR_RETURN(partition.segments.emplace_back(), ParseFile(file, true, false));
    }
    if (value.HasMember("sealing")) {
      if (!value["sealing"].IsArray()) return bad("malformed partition");
      for (const auto& chunks : value["sealing"].GetArray()) {
        if (!chunks.IsArray()) return bad("malformed partition");
        std::vector<FileEntry>& files = partition.sealing.emplace_back();
        for (const auto& file : chunks.GetArray()) {
          MUA_ASSIGN_OR_RETURN(files.emplace_back(), ParseFile(file, true, false));
        }
      }
    }
    for (const auto& file : value["head"].GetArray()) {
      MUA_ASSIGN_OR_RETURN(partition.head.emplace_back(), ParseFile(file, true, false));
    }
    MUA_ASSIGN_OR_RETURN(partition.bitmaps, ParseFile(value["bitmaps"], false, false));
  }
  return manifest;
}

}  // namespace mua::storage_internal
