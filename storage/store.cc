#include "storage/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storage/base/coding.h"
#include "storage/base/parallel_for.h"
#include "storage/base/fingerprint.h"
#include "storage/base/json_limits.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/internal/file_format.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/internal/string_arena.h"
#include "storage/internal/write_ahead_log.h"
#include "storage/string_dictionary.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"

namespace mua {
namespace {

namespace fs = std::filesystem;
using storage_internal::EncodedRow;
using storage_internal::FileInfo;
using storage_internal::FileKind;
using storage_internal::HeadSegment;
using storage_internal::PartitionState;
using storage_internal::SealedSegment;
using storage_internal::StringArena;
using storage_internal::UserBitmaps;

// Format 2 adds partitions' "sealing" heads; a manifest without any is still
// written as format 1, so a server that predates them can read it.
constexpr int kManifestFormat = 1;
constexpr int kManifestFormatWithSealing = 2;
constexpr size_t kMaxDictionaryChunks = 8;  // more: the next checkpoint writes one whole file
constexpr size_t kMaxHeadChunks = 16;
constexpr char kWalSource[] = "wal";

// The dictionaries a checkpoint persists: the user index and every low-cardinality column.
std::vector<ColumnId> DictionaryColumns() {
  std::vector<ColumnId> columns = {ColumnId::kUserId};
  for (ColumnId id : kAllColumns) {
    if (KindOf(id) == ColumnKind::kLowCardinality) columns.push_back(id);
  }
  return columns;
}

std::string ErasureFingerprint(absl::string_view user_id) {
  const Fingerprint128 fingerprint = Fingerprint(user_id);
  return absl::StrFormat("%016x%016x", fingerprint.second, fingerprint.first);
}

// --- WAL payloads: the accepted rows of one request.

std::string EncodeRows(absl::Span<const EventRow> rows) {
  std::string out;
  PutVarint64(&out, rows.size());
  for (const EventRow& row : rows) {
    PutVarint64(&out, ZigZagEncode(row.event_time_ms));
    for (ColumnId id : kAllColumns) {
      if (id == ColumnId::kEventTime) continue;
      const absl::string_view value = row.StringValue(id);
      PutVarint64(&out, value.size());
      out.append(value.data(), value.size());
    }
  }
  return out;
}

// Views point into `payload`.
absl::Status DecodeRows(absl::string_view payload, std::vector<EventRow>* rows) {
  const char* p = payload.data();
  const char* const limit = p + payload.size();
  uint64_t count = 0;
  p = GetVarint64(p, limit, &count);
  if (p == nullptr || count > payload.size()) return absl::DataLossError("WAL record: bad row count");
  rows->resize(count);
  for (EventRow& row : *rows) {
    uint64_t value = 0;
    p = GetVarint64(p, limit, &value);
    if (p == nullptr) return absl::DataLossError("WAL record: truncated");
    row.event_time_ms = ZigZagDecode(value);
    for (ColumnId id : kAllColumns) {
      if (id == ColumnId::kEventTime) continue;
      p = GetVarint64(p, limit, &value);
      if (p == nullptr || value > static_cast<uint64_t>(limit - p)) {
        return absl::DataLossError("WAL record: truncated");
      }
      *row.MutableStringValue(id) = absl::string_view(p, value);
      p += value;
    }
  }
  return absl::OkStatus();
}

// --- Bitmap and dictionary payloads.

void AppendBitmap(const UserBitmap& bitmap, std::string* out) {
  const size_t size = bitmap.getSizeInBytes(/*portable=*/true);
  PutFixed64(out, size);
  const size_t at = out->size();
  out->resize(at + size);
  bitmap.write(out->data() + at, /*portable=*/true);
}

absl::StatusOr<std::shared_ptr<const UserBitmap>> ReadBitmap(const char** p, const char* limit) {
  if (limit - *p < 8) return absl::DataLossError("bitmaps: truncated");
  const uint64_t size = LoadFixed64(*p);
  *p += 8;
  if (size > static_cast<uint64_t>(limit - *p)) return absl::DataLossError("bitmaps: truncated");
  auto bitmap = std::make_shared<UserBitmap>(UserBitmap::readSafe(*p, size));
  *p += size;
  return std::shared_ptr<const UserBitmap>(std::move(bitmap));
}

// A count, then (code, bitmap) pairs in code order.
void AppendBitmapsByCode(const storage_internal::BitmapsByCode& bitmaps, std::string* out) {
  std::vector<uint32_t> codes;
  for (const auto& [code, bitmap] : bitmaps) codes.push_back(code);
  std::sort(codes.begin(), codes.end());
  PutFixed32(out, static_cast<uint32_t>(codes.size()));
  for (uint32_t code : codes) {
    PutFixed32(out, code);
    AppendBitmap(*bitmaps.at(code), out);
  }
}

absl::Status ReadBitmapsByCode(const char** p, const char* limit, storage_internal::BitmapsByCode* bitmaps) {
  if (limit - *p < 4) return absl::DataLossError("bitmaps: truncated");
  const uint32_t count = LoadFixed32(*p);
  *p += 4;
  for (uint32_t i = 0; i < count; ++i) {
    if (limit - *p < 4) return absl::DataLossError("bitmaps: truncated");
    const uint32_t code = LoadFixed32(*p);
    *p += 4;
    MUA_ASSIGN_OR_RETURN((*bitmaps)[code], ReadBitmap(p, limit));
  }
  return absl::OkStatus();
}

std::string SerializeBitmaps(const UserBitmaps& bitmaps) {
  std::string out;
  AppendBitmap(bitmaps.all ? *bitmaps.all : UserBitmap(), &out);
  AppendBitmapsByCode(bitmaps.by_event_type, &out);
  // Segment columns (absent in files written before they existed): per column,
  // its users per value, then its multi-valued users.
  if (!bitmaps.has_segments) return out;
  for (const storage_internal::ValueBitmaps& segment : bitmaps.segments) {
    AppendBitmapsByCode(segment.by_value, &out);
    AppendBitmap(segment.multi_valued ? *segment.multi_valued : UserBitmap(), &out);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const UserBitmaps>> ParseBitmaps(absl::string_view bytes) {
  const char* p = bytes.data();
  const char* const limit = p + bytes.size();
  auto bitmaps = std::make_shared<UserBitmaps>();
  MUA_ASSIGN_OR_RETURN(bitmaps->all, ReadBitmap(&p, limit));
  MUA_RETURN_IF_ERROR(ReadBitmapsByCode(&p, limit, &bitmaps->by_event_type));
  bitmaps->has_segments = p != limit;
  if (bitmaps->has_segments) {
    for (storage_internal::ValueBitmaps& segment : bitmaps->segments) {
      MUA_RETURN_IF_ERROR(ReadBitmapsByCode(&p, limit, &segment.by_value));
      MUA_ASSIGN_OR_RETURN(segment.multi_valued, ReadBitmap(&p, limit));
    }
  }
  if (p != limit) return absl::DataLossError("bitmaps: trailing bytes");
  return std::shared_ptr<const UserBitmaps>(std::move(bitmaps));
}

// Recomputes a partition's bitmaps from its rows (after a file had to be skipped).
absl::StatusOr<std::shared_ptr<const UserBitmaps>> BitmapsFromRows(
    absl::Span<const std::shared_ptr<const SealedSegment>> segments,
    absl::Span<const EncodedRow> head_rows) {
  auto bitmaps = std::make_shared<UserBitmaps>();
  UserBitmap all;
  absl::flat_hash_map<uint32_t, UserBitmap> by_type;
  std::array<absl::flat_hash_map<uint32_t, UserBitmap>, kSegmentColumns.size()> by_value;
  std::array<absl::flat_hash_map<uint32_t, uint32_t>, kSegmentColumns.size()> value_of_user;
  std::array<UserBitmap, kSegmentColumns.size()> multi_valued;
  auto add = [&](uint32_t user, uint32_t type, const std::array<uint32_t, kSegmentColumns.size()>& values) {
    all.add(user);
    by_type[type].add(user);
    for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
      by_value[s][values[s]].add(user);
      auto [it, inserted] = value_of_user[s].try_emplace(user, values[s]);
      if (!inserted && it->second != values[s]) multi_valued[s].add(user);
    }
  };
  ColumnSet columns{ColumnId::kUserId, ColumnId::kEventType};
  for (ColumnId id : kSegmentColumns) columns.Add(id);
  std::array<uint32_t, kSegmentColumns.size()> values;
  ScanBuffers buffers;
  ScanBlock block;
  for (const auto& segment : segments) {
    for (uint32_t b = 0; b < segment->block_count(); ++b) {
      MUA_RETURN_IF_ERROR(segment->ReadBlock(b, columns, &buffers, &block));
      const auto& types = block.codes[ColumnIndex(ColumnId::kEventType)];
      for (uint32_t r = 0; r < block.row_count; ++r) {
        for (size_t s = 0; s < kSegmentColumns.size(); ++s) values[s] = block.codes[ColumnIndex(kSegmentColumns[s])][r];
        add(block.users[r], types[r], values);
      }
    }
  }
  std::array<int, kSegmentColumns.size()> slots;
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) slots[s] = storage_internal::CodeSlot(kSegmentColumns[s]);
  const int type_slot = storage_internal::CodeSlot(ColumnId::kEventType);
  for (const EncodedRow& row : head_rows) {
    for (size_t s = 0; s < kSegmentColumns.size(); ++s) values[s] = row.codes[slots[s]];
    add(row.user, row.codes[type_slot], values);
  }
  bitmaps->all = std::make_shared<UserBitmap>(std::move(all));
  for (auto& [type, bitmap] : by_type) {
    bitmaps->by_event_type[type] = std::make_shared<UserBitmap>(std::move(bitmap));
  }
  for (size_t s = 0; s < kSegmentColumns.size(); ++s) {
    for (auto& [code, bitmap] : by_value[s]) {
      bitmaps->segments[s].by_value[code] = std::make_shared<UserBitmap>(std::move(bitmap));
    }
    bitmaps->segments[s].multi_valued = std::make_shared<UserBitmap>(std::move(multi_valued[s]));
  }
  return std::shared_ptr<const UserBitmaps>(std::move(bitmaps));
}

std::string SerializeDictionary(const StringDictionary& dictionary, uint32_t begin, uint32_t end) {
  std::string out;
  PutFixed32(&out, begin);
  PutFixed32(&out, end - begin);
  for (uint32_t code = begin; code < end; ++code) {
    const absl::string_view value = dictionary.Get(code);
    PutVarint64(&out, value.size());
    out.append(value.data(), value.size());
  }
  return out;
}

// --- Manifest (JSON, framed like every file).

struct FileEntry {
  FileInfo info;
  uint64_t rows = 0;   // segments, head chunks; entries for dictionary chunks
  uint64_t first = 0;  // dictionary chunks: first code
};

struct PartitionEntry {
  int32_t day = 0;
  std::vector<FileEntry> segments;
  std::vector<std::vector<FileEntry>> sealing;  // chunks of each head waiting to be sealed
  std::vector<FileEntry> head;
  FileEntry bitmaps;

  // The chunks of every head, the waiting ones first (as their rows are restored).
  std::vector<const FileEntry*> HeadChunks() const {
    std::vector<const FileEntry*> chunks;
    for (const auto& head_chunks : sealing) {
      for (const FileEntry& file : head_chunks) chunks.push_back(&file);
    }
    for (const FileEntry& file : head) chunks.push_back(&file);
    return chunks;
  }
};

struct Manifest {
  uint64_t generation = 0;
  uint64_t next_file = 1;
  int64_t written_at_ms = 0;
  std::map<std::string, int64_t> positions;
  std::vector<std::string> erased;
  std::map<std::string, std::vector<FileEntry>> dictionaries;  // by column name
  std::vector<PartitionEntry> partitions;
};

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteFile(JsonWriter& w, const FileEntry& entry, bool rows, bool first) {
  w.StartObject();
  w.Key("name");
  w.String(entry.info.name.c_str());
  w.Key("size");
  w.Uint64(entry.info.size);
  w.Key("checksum");
  w.Uint64(entry.info.checksum);
  if (rows) {
    w.Key(first ? "count" : "rows");
    w.Uint64(entry.rows);
  }
  if (first) {
    w.Key("first");
    w.Uint64(entry.first);
  }
  w.EndObject();
}

std::string SerializeManifest(const Manifest& manifest) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  const bool any_sealing = std::any_of(manifest.partitions.begin(), manifest.partitions.end(),
                                       [](const PartitionEntry& p) { return !p.sealing.empty(); });
  w.StartObject();
  w.Key("format");
  w.Int(any_sealing ? kManifestFormatWithSealing : kManifestFormat);
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
  return entry;
}

absl::StatusOr<Manifest> ParseManifest(absl::string_view text) {
  rapidjson::Document document;
  const absl::Status parsed = ParseJsonBounded(text, &document);
  auto bad = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("MANIFEST: ", what));
  };
  if (!parsed.ok() || !document.IsObject()) return bad("not a JSON object");
  if (!document.HasMember("format") || !document["format"].IsInt() ||
      (document["format"].GetInt() != kManifestFormat &&
       document["format"].GetInt() != kManifestFormatWithSealing)) {
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

absl::Status MakeDirectories(const std::string& dir) { return storage_internal::MakePrivateDirectories(dir); }

// Whether `inner` is `outer` or lies below it (both absolute and normalized).
bool IsWithin(const fs::path& inner, const fs::path& outer) {
  auto [outer_end, inner_at] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return outer_end == outer.end();
}

// realpath(3): symbolic links and `..` resolved against the file system.
absl::StatusOr<fs::path> RealPath(const fs::path& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("cannot resolve ", path.string(), ": ", std::strerror(errno)));
  }
  fs::path result(resolved);
  std::free(resolved);
  return result;
}

// The directory a backup to `target` writes: under `root`, never overlapping `data_dir`.
// The existing part of the path is resolved with realpath, so neither `..` nor a
// symbolic link leads out; the rest must not exist yet and is taken as written.
absl::StatusOr<fs::path> ResolveBackupTarget(const std::string& target, const std::string& root,
                                             const std::string& data_dir) {
  if (root.empty()) {
    return absl::PermissionDeniedError(
        "SYSTEM BACKUP is disabled: start mua-server with --backup_root DIR (a directory outside "
        "--data_dir) to allow SYSTEM BACKUP TO 'DIR/name'");
  }
  const fs::path path(target);
  if (target.empty() || !path.is_absolute() || target.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SYSTEM BACKUP TO takes an absolute directory path under ", root, ", not '", target, "'"));
  }
  for (const fs::path& component : path) {
    if (component == "..") {
      return absl::InvalidArgumentError(absl::StrCat("backup target ", target, ": '..' is not allowed"));
    }
  }
  MUA_ASSIGN_OR_RETURN(const fs::path real_root, RealPath(root));
  MUA_ASSIGN_OR_RETURN(const fs::path real_data, RealPath(data_dir));
  // The longest existing prefix, resolved; the missing components after it.
  fs::path existing = path.lexically_normal();
  if (!existing.has_filename()) existing = existing.parent_path();  // a trailing '/'
  std::vector<fs::path> missing;
  std::error_code error;
  while (!fs::exists(fs::symlink_status(existing, error)) && existing.has_relative_path()) {
    missing.push_back(existing.filename());
    existing = existing.parent_path();
  }
  MUA_ASSIGN_OR_RETURN(fs::path resolved, RealPath(existing));
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) resolved /= *it;
  if (resolved == real_root || !IsWithin(resolved, real_root)) {
    return absl::PermissionDeniedError(absl::StrCat("backup target ", target, " (", resolved.string(),
                                                    ") is not inside --backup_root ", real_root.string()));
  }
  if (IsWithin(resolved, real_data) || IsWithin(real_data, resolved)) {
    return absl::PermissionDeniedError(absl::StrCat("backup target ", target, " (", resolved.string(),
                                                    ") overlaps the data directory ", real_data.string()));
  }
  return resolved;
}

}  // namespace

// What the last checkpoint wrote, keyed by the in-memory objects it came from, so the
// next one writes only what is new. Entries hold weak references: a sealed head or a
// rewritten segment is freed at once, and an entry whose object died is a miss (its
// address may belong to a new object by then).
struct Store::Persisted {
  uint64_t generation = 0;
  uint64_t next_file = 1;
  struct SegmentFile {
    std::weak_ptr<const SealedSegment> segment;
    FileEntry file;
  };
  absl::flat_hash_map<const SealedSegment*, SegmentFile> segments;
  struct HeadFiles {
    std::weak_ptr<const HeadSegment> head;
    std::vector<FileEntry> chunks;
    uint32_t rows = 0;
  };
  absl::flat_hash_map<const HeadSegment*, HeadFiles> heads;
  struct BitmapsFile {
    std::weak_ptr<const UserBitmaps> bitmaps;
    FileEntry file;
  };
  absl::flat_hash_map<const UserBitmaps*, BitmapsFile> bitmaps;
  std::map<std::string, std::vector<FileEntry>> dictionaries;  // by column name
  std::map<std::string, uint32_t> dictionary_sizes;

  std::string NewName(absl::string_view extension) {
    return absl::StrFormat("%08d.%s", next_file++, extension);
  }
};

struct Store::Wal {
  std::unique_ptr<storage_internal::WriteAheadLog> log;
};

Store::Store(const StoreOptions& options, Table* table)
    : options_(options), table_(table), persisted_(std::make_unique<Persisted>()),
      wal_(std::make_unique<Wal>()) {}

Store::~Store() {
  stop_.Notify();
  if (background_.joinable()) background_.join();
  wal_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Store::Log(const std::string& message) const {
  if (options_.log) {
    options_.log(message);
  } else {
    std::fprintf(stderr, "mua: %s\n", message.c_str());
  }
}

std::string Store::FilesDir() const { return options_.dir + "/files"; }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, Table* table,
                                                   const ReplayFn& replay) {
  if (options.dir.empty()) return absl::InvalidArgumentError("Store: no data directory given");
  if (table->row_count() != 0) return absl::FailedPreconditionError("Store: the table is not empty");
  std::unique_ptr<Store> store(new Store(options, table));
  MUA_RETURN_IF_ERROR(MakeDirectories(store->FilesDir()));
  const std::string lock_path = options.dir + "/LOCK";
  store->lock_fd_ = storage_internal::OpenPrivateFile(lock_path, O_RDWR);
  if (store->lock_fd_ < 0) {
    return absl::InternalError(absl::StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  }
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", options.dir, " is in use by another process (", lock_path, " is locked)"));
  }
  if (!options.backup_root.empty()) {
    // A root inside the data directory would refuse every backup: say so at start.
    absl::StatusOr<fs::path> root = RealPath(options.backup_root);
    absl::StatusOr<fs::path> data = RealPath(options.dir);
    if (root.ok() && data.ok() && IsWithin(*root, *data)) {
      return absl::InvalidArgumentError(absl::StrCat("--backup_root ", options.backup_root,
                                                     " lies inside the data directory ", options.dir));
    }
  }
  MUA_RETURN_IF_ERROR(store->Load(replay));
  return store;
}

absl::Status Store::Load(const ReplayFn& replay) {
  const absl::Time start = absl::Now();
  const std::string manifest_path = options_.dir + "/MANIFEST";
  Manifest manifest;
  absl::StatusOr<std::string> manifest_bytes = storage_internal::ReadFramedFile(manifest_path, FileKind::kManifest);
  absl::Status manifest_status = manifest_bytes.status();
  if (manifest_bytes.ok()) {
    absl::StatusOr<Manifest> parsed = ParseManifest(*manifest_bytes);
    if (parsed.ok()) {
      manifest = *std::move(parsed);
    } else {
      manifest_status = absl::DataLossError(absl::StrCat(manifest_path, ": ", parsed.status().message()));
    }
  }
  const bool fresh = absl::IsNotFound(manifest_status);
  auto discard = [&](const std::string& why) -> absl::Status {
    // A fresh name: renaming into an earlier discard's folder would fail, and
    // the files left behind would then be swept as orphans.
    const std::string base =
        absl::StrCat(options_.dir, "/discarded-", absl::ToUnixSeconds(absl::Now()));
    std::string aside = base;
    std::error_code exists_error;
    for (int n = 1; fs::exists(aside, exists_error); ++n) aside = absl::StrCat(base, "-", n);
    MUA_RETURN_IF_ERROR(MakeDirectories(aside));
    for (const char* name : {"MANIFEST", "files", "wal"}) {
      std::error_code error;
      fs::rename(absl::StrCat(options_.dir, "/", name), absl::StrCat(aside, "/", name), error);
      if (error && error != std::errc::no_such_file_or_directory) {
        return absl::InternalError(
            absl::StrCat("cannot move ", name, " to ", aside, ": ", error.message()));
      }
    }
    MUA_RETURN_IF_ERROR(MakeDirectories(FilesDir()));
    recovery_.degraded = true;
    recovery_.notes.push_back(absl::StrCat(why, ": moved the checkpoint and WAL to ", aside,
                                           " and started empty; Kafka is re-read from the "
                                           "earliest offset the broker holds"));
    // Erasures outlive the data: Kafka is re-read, and those users' events must stay out.
    std::vector<std::string> erased = std::move(manifest.erased);
    manifest = Manifest();
    manifest.erased = std::move(erased);
    return absl::OkStatus();
  };
  if (!manifest_status.ok() && !fresh) {
    if (options_.on_corruption != OnCorruption::kDiscard) {
      return absl::DataLossError(absl::StrCat(
          manifest_status.message(), ". Restore the data directory from a backup, or start with "
          "--on_corruption=discard to set it aside and re-read Kafka"));
    }
    MUA_RETURN_IF_ERROR(discard(std::string(manifest_status.message())));
  }

  // Load every data file in parallel: decompress, verify, parse.
  struct Loaded {
    std::shared_ptr<const SealedSegment> segment;
    std::shared_ptr<const UserBitmaps> bitmaps;
    std::string dictionary;
    absl::Status status;
    uint64_t bytes = 0;
  };
  struct Task {
    const FileEntry* file;
    FileKind kind;
    int partition;  // index in manifest.partitions, or -1 for dictionaries
  };
  const int32_t first_kept_day =
      options_.retention_days > 0
          ? DayOfMillis(absl::ToUnixMillis(options_.now.value_or(absl::Now()))) - options_.retention_days
          : INT32_MIN;
  std::vector<Task> tasks;
  for (const auto& [column, files] : manifest.dictionaries) {
    for (const FileEntry& file : files) tasks.push_back({&file, FileKind::kDictionary, -1});
  }
  for (size_t p = 0; p < manifest.partitions.size(); ++p) {
    const PartitionEntry& partition = manifest.partitions[p];
    if (partition.day < first_kept_day) continue;  // expired while down: dropped at the checkpoint
    for (const FileEntry& file : partition.segments) tasks.push_back({&file, FileKind::kSegment, int(p)});
    for (const FileEntry* file : partition.HeadChunks()) tasks.push_back({file, FileKind::kHeadChunk, int(p)});
    tasks.push_back({&partition.bitmaps, FileKind::kBitmaps, int(p)});
  }
  std::vector<Loaded> loaded(tasks.size());
  const int threads = options_.load_threads > 0 ? options_.load_threads : DefaultThreads();
  ParallelFor(tasks.size(), threads, [&](int, size_t i) {
    const Task& task = tasks[i];
    Loaded& out = loaded[i];
    const std::string path = absl::StrCat(FilesDir(), "/", task.file->info.name);
    absl::StatusOr<std::string> payload = storage_internal::ReadFramedFile(path, task.kind, &task.file->info);
    if (!payload.ok()) {
      out.status = payload.status();
      return;
    }
    out.bytes = task.file->info.size;
    absl::StatusOr<std::string> bytes = storage_internal::ZstdDecompress(*payload);
    if (!bytes.ok()) {
      out.status = absl::DataLossError(absl::StrCat(path, ": ", bytes.status().message()));
      return;
    }
    switch (task.kind) {
      case FileKind::kSegment:
      case FileKind::kHeadChunk: {
        absl::StatusOr<std::shared_ptr<const SealedSegment>> segment = SealedSegment::Parse(*bytes);
        if (segment.ok() && (*segment)->row_count() != task.file->rows) {
          segment = absl::DataLossError("row count differs from the manifest's");
        }
        if (segment.ok()) {
          out.segment = *std::move(segment);
        } else {
          out.status = absl::DataLossError(absl::StrCat(path, ": ", segment.status().message()));
        }
        break;
      }
      case FileKind::kBitmaps: {
        absl::StatusOr<std::shared_ptr<const UserBitmaps>> bitmaps = ParseBitmaps(*bytes);
        if (bitmaps.ok()) {
          out.bitmaps = *std::move(bitmaps);
        } else {
          out.status = absl::DataLossError(absl::StrCat(path, ": ", bitmaps.status().message()));
        }
        break;
      }
      default:
        out.dictionary = *std::move(bytes);
        break;
    }
  });

  // Damaged files: stop, skip (quarantine) or discard everything, as configured.
  std::vector<std::string> damaged;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (loaded[i].status.ok()) continue;
    const Task& task = tasks[i];
    damaged.push_back(absl::StrCat(
        loaded[i].status.message(),
        task.partition >= 0
            ? absl::StrFormat(" (partition %s, %d rows)", FormatDay(manifest.partitions[task.partition].day),
                              task.file->rows)
            : std::string(" (a dictionary: every partition depends on it)")));
  }
  bool dictionary_damaged = false;
  for (size_t i = 0; i < tasks.size(); ++i) {
    dictionary_damaged |= !loaded[i].status.ok() && tasks[i].kind == FileKind::kDictionary;
  }
  if (!damaged.empty()) {
    const std::string list = absl::StrJoin(damaged, "; ");
    if (options_.on_corruption == OnCorruption::kStop ||
        (options_.on_corruption == OnCorruption::kSkip && dictionary_damaged)) {
      return absl::DataLossError(absl::StrCat(
          "damaged data files: ", list, ". Restore the data directory from a backup, or start with ",
          dictionary_damaged ? "" : "--on_corruption=skip to serve the rest, or ",
          "--on_corruption=discard to set the checkpoint aside and re-read Kafka"));
    }
    if (options_.on_corruption == OnCorruption::kDiscard) {
      MUA_RETURN_IF_ERROR(discard(absl::StrCat("damaged data files: ", list)));
      tasks.clear();
      loaded.clear();
    } else {
      const std::string quarantine = options_.dir + "/quarantine";
      MUA_RETURN_IF_ERROR(MakeDirectories(quarantine));
      for (size_t i = 0; i < tasks.size(); ++i) {
        if (loaded[i].status.ok()) continue;
        std::error_code error;
        fs::rename(absl::StrCat(FilesDir(), "/", tasks[i].file->info.name),
                   absl::StrCat(quarantine, "/", tasks[i].file->info.name), error);
      }
      recovery_.degraded = true;
      recovery_.notes.push_back(absl::StrCat("skipped damaged files, moved to ", quarantine, ": ",
                                             list, "; their rows are missing"));
    }
  }

  // Dictionaries first, in code order: segments refer to their codes.
  Persisted& persisted = *persisted_;
  persisted.generation = manifest.generation;
  persisted.next_file = manifest.next_file;
  absl::flat_hash_map<const FileEntry*, size_t> task_of;
  for (size_t i = 0; i < tasks.size(); ++i) task_of[tasks[i].file] = i;
  for (ColumnId column : DictionaryColumns()) {
    const std::string name(ColumnName(column));
    auto it = manifest.dictionaries.find(name);
    if (it == manifest.dictionaries.end() || tasks.empty()) continue;
    StringDictionary& dictionary = table_->mutable_dictionary(column);
    for (const FileEntry& file : it->second) {
      const std::string& bytes = loaded[task_of.at(&file)].dictionary;
      const char* p = bytes.data();
      const char* const limit = p + bytes.size();
      auto bad = [&] {
        return absl::DataLossError(absl::StrCat(FilesDir(), "/", file.info.name, ": malformed dictionary"));
      };
      if (limit - p < 8 || LoadFixed32(p) != dictionary.size() || LoadFixed32(p + 4) != file.rows ||
          file.first != dictionary.size()) {
        return bad();
      }
      p += 8;
      for (uint64_t i = 0; i < file.rows; ++i) {
        uint64_t length = 0;
        p = GetVarint64(p, limit, &length);
        if (p == nullptr || length > static_cast<uint64_t>(limit - p)) return bad();
        const uint32_t expected = dictionary.size();
        if (dictionary.GetOrAdd(absl::string_view(p, length)) != expected) return bad();
        p += length;
      }
    }
    persisted.dictionaries[name] = it->second;
    persisted.dictionary_sizes[name] = table_->mutable_dictionary(column).size();
  }

  // Partitions.
  for (const PartitionEntry& partition : manifest.partitions) {
    if (partition.day < first_kept_day || tasks.empty()) continue;
    std::vector<std::shared_ptr<const SealedSegment>> segments;
    std::vector<const FileEntry*> segment_files;
    bool skipped = false;
    for (const FileEntry& file : partition.segments) {
      const Loaded& result = loaded[task_of.at(&file)];
      if (!result.status.ok()) {
        skipped = true;
        continue;
      }
      segments.push_back(result.segment);
      segment_files.push_back(&file);
      recovery_.bytes += result.bytes;
    }
    // Heads (waiting ones first) become head rows again, in order.
    StringArena strings;
    std::vector<EncodedRow> head_rows;
    struct LoadedHead {
      std::vector<FileEntry> chunks;
      size_t rows = 0;
    };
    std::vector<LoadedHead> heads;
    auto load_head = [&](const std::vector<FileEntry>& chunks) -> absl::Status {
      LoadedHead head;
      const size_t before = head_rows.size();
      for (const FileEntry& file : chunks) {
        const Loaded& result = loaded[task_of.at(&file)];
        if (!result.status.ok()) {
          skipped = true;
          continue;
        }
        MUA_RETURN_IF_ERROR(result.segment->ReadRows(&strings, &head_rows));
        head.chunks.push_back(file);
        recovery_.bytes += result.bytes;
        ++recovery_.files;
      }
      head.rows = head_rows.size() - before;
      if (head.rows > 0) heads.push_back(std::move(head));
      return absl::OkStatus();
    };
    for (const auto& chunks : partition.sealing) MUA_RETURN_IF_ERROR(load_head(chunks));
    MUA_RETURN_IF_ERROR(load_head(partition.head));
    const Loaded& bitmaps_result = loaded[task_of.at(&partition.bitmaps)];
    std::shared_ptr<const UserBitmaps> bitmaps = bitmaps_result.bitmaps;
    if (skipped || !bitmaps_result.status.ok()) {
      MUA_ASSIGN_OR_RETURN(bitmaps, BitmapsFromRows(segments, head_rows));
    } else {
      recovery_.bytes += bitmaps_result.bytes;
    }
    recovery_.files += static_cast<int>(segments.size() + 1);
    const std::shared_ptr<const PartitionState> restored =
        table_->RestorePartition(partition.day, segments, bitmaps, head_rows);
    ++recovery_.partitions;
    recovery_.rows += head_rows.size();
    for (size_t s = 0; s < segments.size(); ++s) {
      recovery_.rows += segments[s]->row_count();
      persisted.segments[segments[s].get()] = {segments[s], *segment_files[s]};
    }
    // Register what is already on disk, when the restored state matches it exactly.
    const PartitionState& state = *restored;
    if (!skipped && bitmaps_result.status.ok() && state.bitmaps == bitmaps) {
      persisted.bitmaps[bitmaps.get()] = {bitmaps, partition.bitmaps};
    }
    // Heads match when none was sealed and they split the rows at the same places.
    std::vector<storage_internal::RetiredHead> restored_heads = state.sealing;
    if (state.head_rows > 0) restored_heads.push_back({state.head, state.head_rows});
    bool same_heads = state.segments.size() == segments.size() && restored_heads.size() == heads.size();
    for (size_t h = 0; same_heads && h < heads.size(); ++h) {
      same_heads = restored_heads[h].rows == heads[h].rows;
    }
    for (size_t h = 0; same_heads && h < heads.size(); ++h) {
      const auto& head = restored_heads[h].head;
      persisted.heads[head.get()] = {head, std::move(heads[h].chunks), restored_heads[h].rows};
    }
  }
  {
    absl::MutexLock lock(&state_mu_);
    positions_ = manifest.positions;
    for (const std::string& fingerprint : manifest.erased) erased_.insert(fingerprint);
    any_erased_.store(!erased_.empty());
    stats_.erased_users = static_cast<int64_t>(erased_.size());
    stats_.degraded = recovery_.degraded;
  }
  recovery_.load_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // Files no manifest names are leftovers of a checkpoint a crash interrupted.
  // Partitions past retention were not loaded, but MANIFEST still names their
  // files: they go with the next checkpoint, not before.
  absl::flat_hash_set<std::string> referenced;
  for (const auto& [column, files] : manifest.dictionaries) {
    for (const FileEntry& file : files) referenced.insert(file.info.name);
  }
  for (const PartitionEntry& partition : manifest.partitions) {
    for (const FileEntry& file : partition.segments) referenced.insert(file.info.name);
    for (const FileEntry* file : partition.HeadChunks()) referenced.insert(file->info.name);
    referenced.insert(partition.bitmaps.info.name);
  }
  std::error_code error;
  int orphans = 0;
  for (const auto& entry : fs::directory_iterator(FilesDir(), error)) {
    if (!referenced.contains(entry.path().filename().string())) {
      fs::remove(entry.path(), error);
      ++orphans;
    }
  }
  if (orphans > 0) {
    recovery_.notes.push_back(absl::StrCat("removed ", orphans,
                                           " files of an unfinished checkpoint (never in a manifest)"));
  }

  // The WAL: requests acknowledged after the checkpoint.
  const absl::Time wal_start = absl::Now();
  const auto wal_position = manifest.positions.find(kWalSource);
  const uint64_t after = wal_position == manifest.positions.end() ? 0 : wal_position->second;
  std::vector<EventRow> rows;
  auto replay_record = [&](uint64_t, absl::string_view payload) -> absl::Status {
    MUA_RETURN_IF_ERROR(DecodeRows(payload, &rows));
    ++recovery_.wal_records;
    return replay(rows);
  };
  storage_internal::WalOpenOptions wal_options{.after_seq = after,
                                               .quarantine_dir = options_.dir + "/quarantine"};
  switch (options_.on_corruption) {
    case OnCorruption::kStop: wal_options.on_damage = storage_internal::WalDamagePolicy::kStop; break;
    case OnCorruption::kSkip: wal_options.on_damage = storage_internal::WalDamagePolicy::kSkip; break;
    case OnCorruption::kDiscard: wal_options.on_damage = storage_internal::WalDamagePolicy::kDiscard; break;
  }
  storage_internal::WalRecovery wal_recovery;
  absl::StatusOr<std::unique_ptr<storage_internal::WriteAheadLog>> log =
      storage_internal::WriteAheadLog::Open(options_.dir + "/wal", wal_options, replay_record, &wal_recovery);
  for (std::string& note : wal_recovery.notes) recovery_.notes.push_back(std::move(note));
  if (!log.ok()) return log.status();
  wal_->log = *std::move(log);
  recovery_.degraded |= wal_recovery.degraded;
  recovery_.wal_records_lost = wal_recovery.records_lost;
  recovery_.wal_seconds = absl::ToDoubleSeconds(absl::Now() - wal_start);
  if (!fresh || recovery_.wal_records > 0) {
    recovery_.notes.insert(recovery_.notes.begin(),
        absl::StrFormat("loaded %d rows in %d partitions (%d files, %.1f MB) from %s in %.2f s; "
                        "replayed %d WAL records in %.2f s",
                        recovery_.rows, recovery_.partitions, recovery_.files,
                        static_cast<double>(recovery_.bytes) / 1e6, options_.dir,
                        recovery_.load_seconds, recovery_.wal_records, recovery_.wal_seconds));
  }
  for (const std::string& note : recovery_.notes) Log(note);
  {
    absl::MutexLock lock(&state_mu_);
    stats_.degraded = recovery_.degraded;
    stats_.persisted_rows = recovery_.rows;
    stats_.persisted_bytes = recovery_.bytes;
    stats_.files = recovery_.files;
  }
  return absl::OkStatus();
}

int64_t Store::position(absl::string_view source) const {
  absl::MutexLock lock(&state_mu_);
  auto it = positions_.find(std::string(source));
  return it == positions_.end() ? -1 : it->second;
}

std::map<std::string, int64_t> Store::positions() const {
  absl::MutexLock lock(&state_mu_);
  return positions_;
}

Store::ApplyScope Store::BeginApply() {
  apply_mu_.ReaderLock();
  return ApplyScope(this);
}

Store::ApplyScope::~ApplyScope() {
  if (store_ != nullptr) store_->apply_mu_.ReaderUnlock();
}

void Store::ApplyScope::SetPosition(const std::string& source, int64_t position) {
  absl::MutexLock lock(&store_->state_mu_);
  store_->positions_[source] = position;
}

uint64_t Store::ApplyScope::LogRows(absl::Span<const EventRow> rows) {
  return store_->wal_->log->Append(EncodeRows(rows));
}

absl::Status Store::WaitDurable(uint64_t seq) { return wal_->log->WaitDurable(seq); }

bool Store::IsErased(absl::string_view user_id) const {
  if (!any_erased_.load(std::memory_order_relaxed)) return false;
  const std::string fingerprint = ErasureFingerprint(user_id);
  absl::MutexLock lock(&state_mu_);
  return erased_.contains(fingerprint);
}

absl::StatusOr<uint64_t> Store::EraseUser(absl::string_view user_id) {
  uint64_t erased = 0;
  {
    // Exclusive: a batch that checked the erasure list before this cannot append after it.
    absl::WriterMutexLock apply_lock(&apply_mu_);
    {
      absl::MutexLock lock(&state_mu_);
      erased_.insert(ErasureFingerprint(user_id));
      any_erased_.store(true);
      stats_.erased_users = static_cast<int64_t>(erased_.size());
    }
    MUA_ASSIGN_OR_RETURN(erased, table_->EraseUser(user_id));
  }
  MUA_RETURN_IF_ERROR(Checkpoint());
  return erased;
}

std::vector<int32_t> Store::ApplyRetention() {
  if (options_.retention_days <= 0) return {};
  const int32_t today = DayOfMillis(absl::ToUnixMillis(options_.now.value_or(absl::Now())));
  std::vector<int32_t> dropped = table_->DropPartitionsBefore(today - options_.retention_days);
  if (!dropped.empty()) {
    Log(absl::StrFormat("retention (%d days): dropped %d partitions, %s .. %s", options_.retention_days,
                        dropped.size(), FormatDay(dropped.front()), FormatDay(dropped.back())));
    absl::MutexLock lock(&state_mu_);
    stats_.partitions_dropped += static_cast<int64_t>(dropped.size());
  }
  return dropped;
}

absl::Status Store::Checkpoint() {
  absl::MutexLock lock(&checkpoint_mu_);
  const absl::Time start = absl::Now();
  absl::Status status = CheckpointLocked();
  absl::MutexLock state_lock(&state_mu_);
  if (status.ok()) {
    ++stats_.checkpoints;
    stats_.last_error.clear();
    stats_.last_checkpoint_at_ms = absl::ToUnixMillis(absl::Now());
    stats_.last_checkpoint_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  } else {
    ++stats_.checkpoint_errors;
    stats_.last_error = std::string(status.message());
  }
  return status;
}

absl::Status Store::CheckpointLocked() {
  Persisted& persisted = *persisted_;
  // Capture: no batch is half-applied while the exclusive lock is held.
  TableSnapshot snapshot;
  Manifest manifest;
  uint64_t next_wal_file = 0;
  std::map<std::string, uint32_t> dictionary_sizes;
  {
    absl::WriterMutexLock apply_lock(&apply_mu_);
    snapshot = table_->Snapshot();
    for (ColumnId column : DictionaryColumns()) {
      dictionary_sizes[std::string(ColumnName(column))] = table_->mutable_dictionary(column).size();
    }
    absl::MutexLock lock(&state_mu_);
    manifest.positions = positions_;
    manifest.positions[kWalSource] = static_cast<int64_t>(wal_->log->last_seq());
    next_wal_file = wal_->log->Rotate();
    manifest.erased.assign(erased_.begin(), erased_.end());
    std::sort(manifest.erased.begin(), manifest.erased.end());
  }

  const std::string files_dir = FilesDir();
  const int level = options_.zstd_level;
  auto write = [&](FileKind kind, absl::string_view extension, const std::string& payload,
                   uint64_t rows) -> absl::StatusOr<FileEntry> {
    const std::string compressed = storage_internal::ZstdCompress(payload, level);
    MUA_ASSIGN_OR_RETURN(FileInfo info, storage_internal::WriteFramedFile(
                                            files_dir, persisted.NewName(extension), kind, compressed));
    return FileEntry{.info = std::move(info), .rows = rows};
  };

  // Dictionaries: new entries as a new chunk; too many chunks become one file.
  decltype(persisted.dictionaries) dictionaries = persisted.dictionaries;
  for (ColumnId column : DictionaryColumns()) {
    const std::string name(ColumnName(column));
    const StringDictionary& dictionary = table_->mutable_dictionary(column);
    std::vector<FileEntry>& chunks = dictionaries[name];
    const uint32_t size = dictionary_sizes[name];
    uint32_t done = persisted.dictionary_sizes[name];
    if (size == done) continue;
    if (chunks.size() >= kMaxDictionaryChunks) {
      chunks.clear();
      done = 0;
    }
    MUA_ASSIGN_OR_RETURN(FileEntry entry, write(FileKind::kDictionary, "dict",
                                                SerializeDictionary(dictionary, done, size), size - done));
    entry.first = done;
    chunks.push_back(std::move(entry));
  }

  // Partitions: reuse what is on disk, write what is new.
  Persisted next;
  uint64_t rows = 0;
  // A head's chunks: those on disk, plus one for the rows it gained since. A
  // retired head keeps its address, so moving from `head` to `sealing` costs nothing.
  auto persist_head = [&](const std::shared_ptr<const HeadSegment>& head,
                          uint32_t head_rows) -> absl::StatusOr<std::vector<FileEntry>> {
    Persisted::HeadFiles files;
    if (auto it = persisted.heads.find(head.get());
        it != persisted.heads.end() && !it->second.head.expired()) {
      files = it->second;
    }
    files.head = head;
    if (files.chunks.size() >= kMaxHeadChunks) {  // many small chunks: one file instead
      files.chunks.clear();
      files.rows = 0;
    }
    if (head_rows > files.rows) {
      const auto chunk = SealedSegment::Seal(*head, files.rows, head_rows);
      std::string bytes;
      chunk->Serialize(&bytes);
      MUA_ASSIGN_OR_RETURN(FileEntry file, write(FileKind::kHeadChunk, "head", bytes, chunk->row_count()));
      files.chunks.push_back(std::move(file));
      files.rows = head_rows;
    }
    std::vector<FileEntry> chunks = files.chunks;
    next.heads[head.get()] = std::move(files);
    rows += head_rows;
    return chunks;
  };
  for (size_t p = 0; p < snapshot.partitions_.size(); ++p) {
    const PartitionState& state = *snapshot.partitions_[p];
    PartitionEntry& entry = manifest.partitions.emplace_back();
    entry.day = state.day;
    for (const auto& segment : state.segments) {
      auto it = persisted.segments.find(segment.get());
      if (it == persisted.segments.end() || it->second.segment.expired()) {
        std::string bytes;
        segment->Serialize(&bytes);
        MUA_ASSIGN_OR_RETURN(FileEntry file, write(FileKind::kSegment, "seg", bytes, segment->row_count()));
        it = persisted.segments.insert_or_assign(segment.get(), Persisted::SegmentFile{segment, file}).first;
      }
      entry.segments.push_back(it->second.file);
      next.segments.insert(*it);
      rows += segment->row_count();
    }
    for (const storage_internal::RetiredHead& retired : state.sealing) {
      MUA_ASSIGN_OR_RETURN(entry.sealing.emplace_back(), persist_head(retired.head, retired.rows));
    }
    if (state.head_rows > 0) {
      MUA_ASSIGN_OR_RETURN(entry.head, persist_head(state.head, state.head_rows));
    }
    auto bitmaps_it = persisted.bitmaps.find(state.bitmaps.get());
    if (bitmaps_it == persisted.bitmaps.end() || bitmaps_it->second.bitmaps.expired()) {
      MUA_ASSIGN_OR_RETURN(FileEntry file, write(FileKind::kBitmaps, "bitmaps",
                                                 SerializeBitmaps(*state.bitmaps), 0));
      bitmaps_it = persisted.bitmaps.insert_or_assign(state.bitmaps.get(),
                                                      Persisted::BitmapsFile{state.bitmaps, file}).first;
    }
    entry.bitmaps = bitmaps_it->second.file;
    next.bitmaps.insert(*bitmaps_it);
  }
  manifest.dictionaries = dictionaries;
  manifest.generation = persisted.generation + 1;
  manifest.next_file = persisted.next_file;
  manifest.written_at_ms = absl::ToUnixMillis(absl::Now());

  // Data files are synced; make their names durable, then swap the manifest in.
  MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(files_dir));
  const std::string manifest_text = SerializeManifest(manifest);
  const std::string tmp_name = "MANIFEST.tmp";
  MUA_ASSIGN_OR_RETURN(const FileInfo manifest_info,
                       storage_internal::WriteFramedFile(options_.dir, tmp_name, FileKind::kManifest,
                                                         manifest_text));
  MUA_RETURN_IF_ERROR(storage_internal::RenameDurably(options_.dir + "/" + tmp_name,
                                                     options_.dir + "/MANIFEST", options_.dir));

  // Committed. Forget (and delete) what the new manifest no longer names.
  next.generation = manifest.generation;
  next.next_file = persisted.next_file;
  next.dictionaries = std::move(dictionaries);
  next.dictionary_sizes = dictionary_sizes;
  absl::flat_hash_set<std::string> referenced;
  uint64_t total_bytes = manifest_info.size;
  int64_t files = 0;
  auto reference = [&](const FileEntry& file) {
    referenced.insert(file.info.name);
    total_bytes += file.info.size;
    ++files;
  };
  for (const auto& [column, chunks] : next.dictionaries) {
    for (const FileEntry& file : chunks) reference(file);
  }
  for (const PartitionEntry& partition : manifest.partitions) {
    for (const FileEntry& file : partition.segments) reference(file);
    for (const FileEntry* file : partition.HeadChunks()) reference(*file);
    reference(partition.bitmaps);
  }
  *persisted_ = std::move(next);
  std::error_code error;
  for (const auto& dir_entry : fs::directory_iterator(files_dir, error)) {
    if (!referenced.contains(dir_entry.path().filename().string())) fs::remove(dir_entry.path(), error);
  }
  wal_->log->DeleteFilesBefore(next_wal_file);
  absl::MutexLock lock(&state_mu_);
  stats_.persisted_rows = rows;
  stats_.persisted_bytes = total_bytes;
  stats_.files = files;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Store::Backup(const std::string& requested) {
  MUA_ASSIGN_OR_RETURN(const fs::path resolved,
                       ResolveBackupTarget(requested, options_.backup_root, options_.dir));
  const std::string target = resolved.string();
  std::error_code error;
  if (fs::exists(target, error) && !fs::is_empty(target, error)) {
    return absl::FailedPreconditionError(absl::StrCat("backup target ", target, " exists and is not empty"));
  }
  MUA_RETURN_IF_ERROR(MakeDirectories(target + "/files"));
  MUA_RETURN_IF_ERROR(Checkpoint());
  // No checkpoint runs (and deletes files) while the copy is made.
  absl::MutexLock lock(&checkpoint_mu_);
  MUA_ASSIGN_OR_RETURN(const std::string manifest_bytes, storage_internal::ReadWholeFile(options_.dir + "/MANIFEST"));
  uint64_t bytes = manifest_bytes.size();
  for (const auto& entry : fs::directory_iterator(FilesDir(), error)) {
    const fs::path to = fs::path(target) / "files" / entry.path().filename();
    fs::create_hard_link(entry.path(), to, error);
    if (error) {
      error.clear();
      fs::copy_file(entry.path(), to, error);
      if (error) return absl::InternalError(absl::StrCat("cannot copy to ", to.string(), ": ", error.message()));
    }
    // Files written before modes were private, and copies, get 0600 too (a link shares the mode).
    fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, error);
    error.clear();
    bytes += fs::file_size(entry.path(), error);
  }
  MUA_RETURN_IF_ERROR(storage_internal::SyncDirectory(target + "/files"));
  MUA_RETURN_IF_ERROR(storage_internal::WriteFileAndSync(target + "/MANIFEST.tmp", manifest_bytes));
  MUA_RETURN_IF_ERROR(storage_internal::RenameDurably(target + "/MANIFEST.tmp", target + "/MANIFEST", target));
  return bytes;
}

void Store::StartBackground() {
  background_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.checkpoint_interval)) {
      ApplyRetention();
      if (absl::Status status = Checkpoint(); !status.ok()) Log(absl::StrCat("checkpoint failed: ", status.message()));
    }
  });
}

StoreStats Store::stats() const {
  StoreStats stats;
  {
    absl::MutexLock lock(&state_mu_);
    stats = stats_;
  }
  stats.wal_bytes_written = wal_->log->bytes_written();
  stats.wal_syncs = wal_->log->syncs();
  return stats;
}

}  // namespace mua
