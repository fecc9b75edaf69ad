// Store::Checkpoint: capture the table in an instant no batch straddles, write what is new
// since the last checkpoint, swap the MANIFEST in, delete what it no longer names.
#include <algorithm>
#include <filesystem>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "storage/base/status_macros.h"
#include "storage/internal/file_format.h"
#include "storage/internal/manifest.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/internal/store_payloads.h"
#include "storage/internal/store_persisted.h"
#include "storage/internal/write_ahead_log.h"
#include "storage/store.h"
#include "storage/string_dictionary.h"
#include "storage/table.h"
#include "storage/table_snapshot.h"

namespace mua {
namespace {

namespace fs = std::filesystem;
using storage_internal::DictionaryColumns;
using storage_internal::FileEntry;
using storage_internal::FileInfo;
using storage_internal::FileKind;
using storage_internal::HeadSegment;
using storage_internal::kWalSource;
using storage_internal::Manifest;
using storage_internal::PartitionEntry;
using storage_internal::PartitionState;
using storage_internal::SealedSegment;
using storage_internal::SerializeBitmaps;
using storage_internal::SerializeDictionary;
using storage_internal::SerializeManifest;

constexpr size_t kMaxDictionaryChunks = 8;  // more: the next checkpoint writes one whole file
constexpr size_t kMaxHeadChunks = 16;

}  // namespace

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
  struct CapturedAttachment {
    uint64_t generation = 0;
    std::function<std::string()> serialize;  // null: unchanged since persisted
  };
  std::map<std::string, CapturedAttachment> attachments;
  {
    absl::WriterMutexLock apply_lock(&apply_mu_);
    snapshot = table_->Snapshot();
    for (const auto& [name, attachment] : options_.attachments) {
      CapturedAttachment& captured = attachments[name];
      captured.generation = attachment->generation();
      auto it = persisted.attachments.find(name);
      if (it == persisted.attachments.end() || it->second.generation != captured.generation) {
        captured.serialize = attachment->Capture();
      }
    }
    for (ColumnId column : DictionaryColumns()) {
      dictionary_sizes[std::string(ColumnName(column))] = table_->mutable_dictionary(column).size();
    }
    absl::MutexLock lock(&state_mu_);
    manifest.positions = positions_;
    manifest.positions[kWalSource] = static_cast<int64_t>(wal_->log->last_seq());
    manifest.counters = counters_;
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
      MUA_RETURN_IF_ERROR(chunk->Serialize(&bytes));
      MUA_ASSIGN_OR_RETURN(FileEntry file, write(FileKind::kHeadChunk, "head", bytes, chunk->row_count()));
      files.chunks.push_back(std::move(file));
      files.rows = head_rows;
    }
    std::vector<FileEntry> chunks = files.chunks;
    next.heads[head.get()] = std::move(files);
    rows += head_rows;
    return chunks;
  };
  // Segments whose cold columns this checkpoint writes out; once the manifest names the
  // files, each is replaced in the table by a copy that reads them from there.
  struct ToCool {
    int32_t day = 0;
    std::shared_ptr<const SealedSegment> segment;
    uint64_t payload_offset = 0;
  };
  std::vector<ToCool> to_cool;
  for (size_t p = 0; p < snapshot.partitions_.size(); ++p) {
    const PartitionState& state = *snapshot.partitions_[p];
    PartitionEntry& entry = manifest.partitions.emplace_back();
    entry.day = state.day;
    for (const auto& segment : state.segments) {
      auto it = persisted.segments.find(segment.get());
      if (it == persisted.segments.end() || it->second.segment.expired()) {
        std::string bytes;
        MUA_RETURN_IF_ERROR(segment->Serialize(&bytes));
        MUA_ASSIGN_OR_RETURN(FileEntry file, write(FileKind::kSegment, "seg", bytes, segment->row_count()));
        it = persisted.segments.insert_or_assign(segment.get(), Persisted::SegmentFile{segment, file}).first;
      }
      if (!options_.cold_columns.empty() && !segment->has_cold_columns()) {
        // Uncompressed (the blocks are): a read is one pread of a block's bytes.
        const std::string payload = segment->ColdPayload(options_.cold_columns);
        MUA_ASSIGN_OR_RETURN(it->second.file.cold,
                             storage_internal::WriteFramedFile(files_dir, persisted.NewName("cold"),
                                                               FileKind::kColdColumns, payload));
        it->second.file.cold_columns = options_.cold_columns;
        to_cool.push_back({state.day, segment, it->second.file.cold.size - payload.size()});
      }
      if (options_.cold_columns.empty() && !segment->has_cold_columns()) {
        it->second.file.cold = {};  // a previous run's file, unused now: the sweep deletes it
        it->second.file.cold_columns = {};
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
  for (auto& [name, captured] : attachments) {
    Persisted::AttachmentFile& file = next.attachments[name];
    file.generation = captured.generation;
    if (captured.serialize == nullptr) {
      file.file = persisted.attachments.at(name).file;
    } else {
      MUA_ASSIGN_OR_RETURN(file.file, write(FileKind::kAttachment, name, captured.serialize(), 0));
    }
    manifest.attachments[name] = file.file;
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

  // Committed. Cold columns now live on disk: swap in segments that read them from there.
  for (const ToCool& cool : to_cool) {
    const FileInfo& cold = next.segments.at(cool.segment.get()).file.cold;
    absl::StatusOr<std::shared_ptr<const storage_internal::ColdColumnFile>> file =
        storage_internal::ColdColumnFile::Open(FilesDir() + "/" + cold.name);
    if (!file.ok()) {
      Log(absl::StrCat("cold columns stay resident: ", file.status().message()));
      continue;
    }
    auto cooled = cool.segment->Cooled(options_.cold_columns, *std::move(file), cool.payload_offset);
    if (table_->ReplaceSegment(cool.day, cool.segment.get(), cooled)) {
      Persisted::SegmentFile entry = next.segments.at(cool.segment.get());
      entry.segment = cooled;
      next.segments.erase(cool.segment.get());
      next.segments[cooled.get()] = std::move(entry);
    }
  }

  // Forget (and delete) what the new manifest no longer names.
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
  for (const auto& [name, file] : manifest.attachments) reference(file);
  for (const PartitionEntry& partition : manifest.partitions) {
    for (const FileEntry& file : partition.segments) {
      reference(file);
      if (!file.cold.name.empty()) reference(FileEntry{.info = file.cold});
    }
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

}  // namespace mua
