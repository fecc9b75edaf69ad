// Store::Load: the checkpoint's files into the table, then the WAL replayed (recovery at start).
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "storage/base/coding.h"
#include "storage/base/parallel_for.h"
#include "storage/base/status_macros.h"
#include "storage/base/time_util.h"
#include "storage/internal/file_format.h"
#include "storage/internal/manifest.h"
#include "storage/internal/partition.h"
#include "storage/internal/sealed_segment.h"
#include "storage/internal/store_payloads.h"
#include "storage/internal/store_persisted.h"
#include "storage/internal/string_arena.h"
#include "storage/internal/write_ahead_log.h"
#include "storage/store.h"
#include "storage/string_dictionary.h"
#include "storage/table.h"

namespace mua {
namespace {

namespace fs = std::filesystem;
using storage_internal::DictionaryColumns;
using storage_internal::EncodedRow;
using storage_internal::FileEntry;
using storage_internal::FileKind;
using storage_internal::kWalSource;
using storage_internal::Manifest;
using storage_internal::PartitionEntry;
using storage_internal::PartitionState;
using storage_internal::SealedSegment;
using storage_internal::StringArena;
using storage_internal::UserBitmaps;
using storage_internal::BitmapsFromRows;
using storage_internal::DecodeWalPayload;
using storage_internal::WalPayload;
using storage_internal::ParseBitmaps;
using storage_internal::ParseManifest;

bool SameColumns(ColumnSet a, ColumnSet b) {
  for (ColumnId id : kAllColumns) {
    if (a.Contains(id) != b.Contains(id)) return false;
  }
  return true;
}

// `segment` with its cold columns read from the `.cold` file the manifest names, when that
// file holds exactly `columns` and its bytes equal the segment's (so the columns never take
// memory after a restart, and the file needs no rewrite); otherwise `segment` as loaded,
// and the next checkpoint writes a new file.
std::shared_ptr<const SealedSegment> ReuseColdFile(std::shared_ptr<const SealedSegment> segment,
                                                   const FileEntry& file, ColumnSet columns,
                                                   const std::string& files_dir) {
  if (columns.empty() || file.cold.name.empty() || !SameColumns(columns, file.cold_columns)) {
    return segment;
  }
  const std::string path = absl::StrCat(files_dir, "/", file.cold.name);
  const absl::StatusOr<std::string> payload =
      storage_internal::ReadFramedFile(path, FileKind::kColdColumns, &file.cold);
  if (!payload.ok() || *payload != segment->ColdPayload(columns)) return segment;
  auto opened = storage_internal::ColdColumnFile::Open(path);
  if (!opened.ok()) return segment;
  return segment->Cooled(columns, *std::move(opened), file.cold.size - payload->size());
}

}  // namespace

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
    MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(aside));
    for (const char* name : {"MANIFEST", "files", "wal"}) {
      std::error_code error;
      fs::rename(absl::StrCat(options_.dir, "/", name), absl::StrCat(aside, "/", name), error);
      if (error && error != std::errc::no_such_file_or_directory) {
        return absl::InternalError(
            absl::StrCat("cannot move ", name, " to ", aside, ": ", error.message()));
      }
    }
    MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(FilesDir()));
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
          if (task.kind == FileKind::kSegment) {
            out.segment = ReuseColdFile(out.segment, *task.file, options_.cold_columns, FilesDir());
          }
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
      MUA_RETURN_IF_ERROR(storage_internal::MakePrivateDirectories(quarantine));
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
    counters_ = manifest.counters;
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
  for (const auto& [name, file] : manifest.attachments) referenced.insert(file.info.name);
  for (const PartitionEntry& partition : manifest.partitions) {
    for (const FileEntry& file : partition.segments) {
      referenced.insert(file.info.name);
      // Read by the segment, or kept until the next checkpoint replaces it.
      if (!file.cold.name.empty()) referenced.insert(file.cold.name);
    }
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

  MUA_RETURN_IF_ERROR(RestoreAttachments(manifest));

  // The WAL: requests acknowledged after the checkpoint.
  const absl::Time wal_start = absl::Now();
  const auto wal_position = manifest.positions.find(kWalSource);
  const uint64_t after = wal_position == manifest.positions.end() ? 0 : wal_position->second;
  WalPayload decoded;
  auto replay_record = [&](uint64_t, absl::string_view payload) -> absl::Status {
    MUA_RETURN_IF_ERROR(DecodeWalPayload(payload, &decoded));
    ++recovery_.wal_records;
    if (decoded.attachment.empty()) return replay(decoded.rows);
    auto it = options_.attachments.find(std::string(decoded.attachment));
    if (it == options_.attachments.end()) {
      ++recovery_.attachment_records_unclaimed;
      return absl::OkStatus();
    }
    ++recovery_.attachment_records;
    return it->second->Replay(decoded.record);
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
  if (recovery_.attachment_records_unclaimed > 0) {
    recovery_.notes.push_back(absl::StrCat("skipped ", recovery_.attachment_records_unclaimed,
                                           " WAL records of attachments this server does not keep"));
  }
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

absl::Status Store::RestoreAttachments(const Manifest& manifest) {
  for (const auto& [name, attachment] : options_.attachments) {
    auto it = manifest.attachments.find(name);
    if (it == manifest.attachments.end()) continue;
    const FileEntry& file = it->second;
    const std::string path = absl::StrCat(FilesDir(), "/", file.info.name);
    absl::StatusOr<std::string> payload = storage_internal::ReadFramedFile(path, FileKind::kAttachment, &file.info);
    absl::StatusOr<std::string> bytes =
        payload.ok() ? storage_internal::ZstdDecompress(*payload) : payload.status();
    absl::Status status = bytes.ok() ? attachment->Restore(*bytes) : bytes.status();
    if (!status.ok()) {
      if (options_.on_corruption == OnCorruption::kStop) {
        return absl::DataLossError(absl::StrCat(path, " (", name, "): ", status.message(),
                                                ". Restore the data directory from a backup, or start "
                                                "with --on_corruption=skip to start without it"));
      }
      recovery_.degraded = true;
      recovery_.notes.push_back(absl::StrCat("damaged ", name, " snapshot ", path, ": ", status.message(),
                                             "; started without it"));
      continue;
    }
    persisted_->attachments[name] = {.generation = attachment->generation(), .file = file};
  }
  return absl::OkStatus();
}

}  // namespace mua
