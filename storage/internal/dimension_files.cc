#include "storage/internal/dimension_files.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/coding.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"

namespace mua::storage_internal {
namespace {

constexpr int kManifestFormat = 1;
constexpr int kZstdLevel = 3;

absl::Status Malformed(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("dimension table manifest: ", what));
}

std::string StringMember(const rapidjson::Value& object, const char* key) {
  if (!object.HasMember(key) || !object[key].IsString()) return "";
  return std::string(object[key].GetString(), object[key].GetStringLength());
}

// Reads varint-framed values from a part payload; any overrun marks it failed.
class PartReader {
 public:
  explicit PartReader(absl::string_view bytes) : p_(bytes.data()), limit_(bytes.data() + bytes.size()) {}
  uint64_t Varint() {
    uint64_t value = 0;
    const char* next = failed_ ? nullptr : GetVarint64(p_, limit_, &value);
    if (next == nullptr) {
      failed_ = true;
      return 0;
    }
    p_ = next;
    return value;
  }
  uint64_t Fixed64() {
    if (failed_ || limit_ - p_ < 8) {
      failed_ = true;
      return 0;
    }
    const uint64_t value = LoadFixed64(p_);
    p_ += 8;
    return value;
  }
  absl::string_view Bytes(uint64_t size) {
    if (failed_ || static_cast<uint64_t>(limit_ - p_) < size) {
      failed_ = true;
      return {};
    }
    absl::string_view out(p_, size);
    p_ += size;
    return out;
  }
  // Guards reserve() against counts a damaged file could claim.
  bool Plausible(uint64_t count) const { return !failed_ && count <= static_cast<uint64_t>(limit_ - p_) + 1; }
  bool failed() const { return failed_; }
  bool at_end() const { return p_ == limit_; }

 private:
  const char* p_;
  const char* limit_;
  bool failed_ = false;
};

}  // namespace

std::string DimensionPartName(uint64_t number) { return absl::StrFormat("%08d.part", number); }

std::string EncodeDimensionManifest(const DimensionManifest& manifest) {
  const DimensionTableDef& def = manifest.def;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto string = [&w](absl::string_view value) { w.String(value.data(), static_cast<rapidjson::SizeType>(value.size())); };
  w.StartObject();
  w.Key("format");
  w.Int(kManifestFormat);
  w.Key("name");
  string(def.name);
  w.Key("engine");
  string(DimensionEngineName(def.engine));
  w.Key("created_ms");
  w.Int64(def.created_ms);
  w.Key("columns");
  w.StartArray();
  for (const DimensionColumnDef& column : def.columns) {
    w.StartObject();
    w.Key("name");
    string(column.name);
    w.Key("type");
    string(column.type.Name());
    w.Key("default");
    string(column.default_expression);
    w.Key("comment");
    string(column.comment);
    w.EndObject();
  }
  w.EndArray();
  w.Key("order_by");
  string(def.order_by);
  w.Key("order_by_columns");
  w.StartArray();
  for (int column : def.order_by_columns) w.Int(column);
  w.EndArray();
  w.Key("partition_by");
  string(def.partition_by);
  w.Key("primary_key");
  string(def.primary_key);
  w.Key("settings");
  w.StartArray();
  for (const auto& [name, value] : def.settings) {
    w.StartArray();
    string(name);
    string(value);
    w.EndArray();
  }
  w.EndArray();
  w.Key("comment");
  string(def.comment);
  w.Key("next_part");
  w.Uint64(manifest.next_part);
  w.Key("parts");
  w.StartArray();
  for (const DimensionPartEntry& part : manifest.parts) {
    w.StartObject();
    w.Key("name");
    string(part.info.name);
    w.Key("rows");
    w.Uint64(part.rows);
    w.Key("size");
    w.Uint64(part.info.size);
    w.Key("checksum");
    w.Uint64(part.info.checksum);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

absl::StatusOr<DimensionManifest> ParseDimensionManifest(absl::string_view text) {
  rapidjson::Document document;
  if (!ParseJsonBounded(text, &document).ok() || !document.IsObject()) return Malformed("not a JSON object");
  if (!document.HasMember("format") || !document["format"].IsInt() ||
      document["format"].GetInt() != kManifestFormat) {
    return Malformed("unknown format version");
  }
  DimensionManifest manifest;
  DimensionTableDef& def = manifest.def;
  def.name = StringMember(document, "name");
  if (!ValidDimensionTableName(def.name)) return Malformed("bad table name");
  absl::StatusOr<DimensionEngine> engine = ParseDimensionEngine(StringMember(document, "engine"));
  if (!engine.ok()) return Malformed("unknown engine");
  def.engine = *engine;
  if (document.HasMember("created_ms") && document["created_ms"].IsInt64()) {
    def.created_ms = document["created_ms"].GetInt64();
  }
  if (!document.HasMember("columns") || !document["columns"].IsArray()) return Malformed("no columns");
  for (const rapidjson::Value& value : document["columns"].GetArray()) {
    if (!value.IsObject()) return Malformed("bad column");
    DimensionColumnDef column;
    column.name = StringMember(value, "name");
    absl::StatusOr<DimensionType> type = DimensionType::Parse(StringMember(value, "type"));
    if (column.name.empty() || !type.ok()) return Malformed("bad column");
    column.type = *type;
    column.default_expression = StringMember(value, "default");
    column.comment = StringMember(value, "comment");
    def.columns.push_back(std::move(column));
  }
  if (def.columns.empty()) return Malformed("no columns");
  def.order_by = StringMember(document, "order_by");
  if (document.HasMember("order_by_columns") && document["order_by_columns"].IsArray()) {
    for (const rapidjson::Value& value : document["order_by_columns"].GetArray()) {
      if (!value.IsInt() || value.GetInt() < 0 || value.GetInt() >= static_cast<int>(def.columns.size())) {
        return Malformed("bad order_by_columns");
      }
      def.order_by_columns.push_back(value.GetInt());
    }
  }
  def.partition_by = StringMember(document, "partition_by");
  def.primary_key = StringMember(document, "primary_key");
  if (document.HasMember("settings") && document["settings"].IsArray()) {
    for (const rapidjson::Value& value : document["settings"].GetArray()) {
      if (!value.IsArray() || value.Size() != 2 || !value[0].IsString() || !value[1].IsString()) {
        return Malformed("bad settings");
      }
      def.settings.emplace_back(value[0].GetString(), value[1].GetString());
    }
  }
  def.comment = StringMember(document, "comment");
  if (!document.HasMember("next_part") || !document["next_part"].IsUint64()) return Malformed("no next_part");
  manifest.next_part = document["next_part"].GetUint64();
  if (!document.HasMember("parts") || !document["parts"].IsArray()) return Malformed("no parts");
  for (const rapidjson::Value& value : document["parts"].GetArray()) {
    if (!value.IsObject() || !value.HasMember("rows") || !value["rows"].IsUint64() || !value.HasMember("size") ||
        !value["size"].IsUint64() || !value.HasMember("checksum") || !value["checksum"].IsUint64()) {
      return Malformed("bad part entry");
    }
    DimensionPartEntry part;
    part.info.name = StringMember(value, "name");
    if (part.info.name.empty() || part.info.name.find('/') != std::string::npos || part.info.name[0] == '.') {
      return Malformed("bad part name");
    }
    part.rows = value["rows"].GetUint64();
    part.info.size = value["size"].GetUint64();
    part.info.checksum = value["checksum"].GetUint64();
    manifest.parts.push_back(std::move(part));
  }
  return manifest;
}

std::string EncodeDimensionPart(const DimensionTableDef& def, const DimensionBlock& block) {
  std::string raw;
  PutVarint64(&raw, block.rows);
  PutVarint64(&raw, def.columns.size());
  for (size_t c = 0; c < def.columns.size(); ++c) {
    const DimensionType& type = def.columns[c].type;
    const DimensionColumnData& data = block.columns[c];
    if (type.array) {
      for (uint64_t row = 0; row < block.rows; ++row) PutVarint64(&raw, data.offsets[row + 1] - data.offsets[row]);
    }
    const uint64_t values = type.array ? data.offsets.back() : block.rows;
    if (type.nullable) raw.append(reinterpret_cast<const char*>(data.nulls.data()), values);
    for (uint64_t i = 0; i < values; ++i) {
      if (type.is_string()) {
        PutVarint64(&raw, data.strings[i].size());
        raw.append(data.strings[i]);
      } else if (type.is_float()) {
        uint64_t bits;
        std::memcpy(&bits, &data.floats[i], 8);
        PutFixed64(&raw, bits);
      } else {
        PutVarint64(&raw, ZigZagEncode(data.ints[i]));
      }
    }
  }
  return ZstdCompress(raw, kZstdLevel);
}

absl::StatusOr<DimensionBlock> DecodeDimensionPart(const DimensionTableDef& def, absl::string_view payload) {
  MUA_ASSIGN_OR_RETURN(const std::string raw, ZstdDecompress(payload));
  PartReader in(raw);
  auto bad = [](absl::string_view what) { return absl::DataLossError(absl::StrCat("dimension part: ", what)); };
  DimensionBlock block = DimensionBlock::Empty(def);
  block.rows = in.Varint();
  if (in.Varint() != def.columns.size() || !in.Plausible(block.rows)) return bad("does not match the table");
  for (size_t c = 0; c < def.columns.size(); ++c) {
    const DimensionType& type = def.columns[c].type;
    DimensionColumnData& data = block.columns[c];
    uint64_t values = block.rows;
    if (type.array) {
      data.offsets.reserve(block.rows + 1);
      for (uint64_t row = 0; row < block.rows && !in.failed(); ++row) {
        const uint64_t length = in.Varint();
        if (!in.Plausible(length) || data.offsets.back() + length > UINT32_MAX) return bad("bad array length");
        data.offsets.push_back(static_cast<uint32_t>(data.offsets.back() + length));
      }
      values = data.offsets.back();
    }
    if (!in.Plausible(values)) return bad("truncated");
    if (type.nullable) {
      const absl::string_view nulls = in.Bytes(values);
      data.nulls.assign(nulls.begin(), nulls.end());
    }
    for (uint64_t i = 0; i < values && !in.failed(); ++i) {
      if (type.is_string()) {
        const uint64_t size = in.Varint();
        data.strings.emplace_back(in.Bytes(size));
      } else if (type.is_float()) {
        const uint64_t bits = in.Fixed64();
        double value;
        std::memcpy(&value, &bits, 8);
        data.floats.push_back(value);
      } else {
        data.ints.push_back(ZigZagDecode(in.Varint()));
      }
    }
  }
  if (in.failed() || !in.at_end()) return bad("truncated or with trailing bytes");
  MUA_RETURN_IF_ERROR(block.Validate(def));
  return block;
}

}  // namespace mua::storage_internal
