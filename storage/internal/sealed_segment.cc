#include "storage/internal/sealed_segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/base/check.h"
#include "storage/base/status_macros.h"
#include "storage/internal/column_codec.h"
#include "storage/internal/file_format.h"
#include "storage/base/coding.h"

namespace mua::storage_internal {
namespace {

// Heap bytes of a string: short strings live inside the object (libstdc++'s 15-byte SSO).
size_t HeapBytes(const std::string& bytes) {
  return bytes.capacity() > 15 ? bytes.capacity() + 1 : 0;
}

template <typename T>
std::pair<T, T> MinMax(absl::Span<const T> values) {
  const auto [min, max] = std::minmax_element(values.begin(), values.end());
  return {*min, *max};
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ColdColumnFile>> ColdColumnFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat("open ", path, ": ", std::strerror(errno)));
  return std::shared_ptr<const ColdColumnFile>(new ColdColumnFile(fd, path));
}

ColdColumnFile::~ColdColumnFile() { ::close(fd_); }

absl::Status ColdColumnFile::Read(uint64_t offset, size_t size, std::string* out) const {
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd_, out->data() + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return absl::InternalError(absl::StrCat("read ", path_, ": ", std::strerror(errno)));
    if (got == 0) {
      return absl::DataLossError(absl::StrCat(path_, " is shorter than ", offset + size, " bytes"));
    }
    done += static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

std::shared_ptr<const SealedSegment> SealedSegment::Seal(const HeadSegment& head, uint32_t begin,
                                                        uint32_t end) {
  MUA_CHECK(begin < end && end <= head.size(), "sealing an empty or unwritten range");
  const uint32_t rows = end - begin;
  std::vector<uint32_t> order(rows);
  std::iota(order.begin(), order.end(), begin);
  // Stable: events of one user at the same millisecond keep their arrival order.
  std::stable_sort(order.begin(), order.end(), [&head](uint32_t a, uint32_t b) {
    const uint32_t user_a = head.user(a), user_b = head.user(b);
    if (user_a != user_b) return user_a < user_b;
    return head.time(a) < head.time(b);
  });

  auto segment = std::make_shared<SealedSegment>();
  segment->row_count_ = rows;
  std::vector<int64_t> times;
  std::vector<uint32_t> codes;
  std::vector<absl::string_view> strings;
  for (uint32_t first = 0; first < rows; first += kBlockRows) {
    const uint32_t last = std::min(rows, first + kBlockRows);
    const absl::Span<const uint32_t> block_rows(order.data() + first, last - first);
    Block& block = segment->blocks_.emplace_back();
    block.rows = last - first;

    times.clear();
    for (uint32_t row : block_rows) times.push_back(head.time(row));
    std::tie(block.zone.min_time, block.zone.max_time) = MinMax<int64_t>(times);
    EncodeInt64Block(times, &block.encoded[ColumnIndex(ColumnId::kEventTime)]);

    codes.clear();
    for (uint32_t row : block_rows) codes.push_back(head.user(row));
    const int user_index = ColumnIndex(ColumnId::kUserId);
    std::tie(block.zone.min_code[user_index], block.zone.max_code[user_index]) =
        MinMax<uint32_t>(codes);
    EncodeUInt32Block(codes, &block.encoded[user_index]);

    for (ColumnId id : kCodeColumns) {
      codes.clear();
      for (uint32_t row : block_rows) codes.push_back(head.code(id, row));
      const int index = ColumnIndex(id);
      std::tie(block.zone.min_code[index], block.zone.max_code[index]) = MinMax<uint32_t>(codes);
      EncodeUInt32Block(codes, &block.encoded[index]);
    }
    for (ColumnId id : kStringColumns) {
      strings.clear();
      for (uint32_t row : block_rows) strings.push_back(head.string(id, row));
      EncodeStringBlock(strings, &block.encoded[ColumnIndex(id)]);
    }
    for (std::string& bytes : block.encoded) bytes.shrink_to_fit();
  }
  segment->blocks_.shrink_to_fit();
  return segment;
}

bool SealedSegment::BlockMayMatch(uint32_t block_index, const ScanOptions& options) const {
  const ZoneMap& zone = blocks_[block_index].zone;
  if (zone.max_time < options.min_time_ms || zone.min_time > options.max_time_ms) return false;
  for (const CodeFilter& filter : options.code_filters) {
    const int index = ColumnIndex(filter.column);
    const bool any = std::any_of(filter.codes.begin(), filter.codes.end(), [&](uint32_t code) {
      return code >= zone.min_code[index] && code <= zone.max_code[index];
    });
    if (!any) return false;
  }
  return true;
}

absl::Status SealedSegment::ReadBlock(uint32_t block_index, ColumnSet columns,
                                      ScanBuffers* buffers, ScanBlock* out) const {
  const Block& block = blocks_[block_index];
  const uint32_t rows = block.rows;
  out->row_count = rows;
  out->grouped_by_user = true;
  std::string cold_bytes, cold_storage;
  auto context = [&](ColumnId id) {
    return absl::StrFormat("block %d column %s: ", block_index, ColumnName(id));
  };
  for (ColumnId id : kAllColumns) {
    if (!columns.Contains(id)) continue;
    const int index = ColumnIndex(id);
    absl::Status status;
    switch (KindOf(id)) {
      case ColumnKind::kTime:
        buffers->times.resize(rows);
        status = DecodeInt64Block(block.encoded[index], absl::MakeSpan(buffers->times));
        out->event_time = buffers->times;
        break;
      case ColumnKind::kUser:
        buffers->users.resize(rows);
        status = DecodeUInt32Block(block.encoded[index], absl::MakeSpan(buffers->users));
        out->users = buffers->users;
        break;
      case ColumnKind::kLowCardinality:
        buffers->codes[index].resize(rows);
        status = DecodeUInt32Block(block.encoded[index], absl::MakeSpan(buffers->codes[index]));
        out->codes[index] = buffers->codes[index];
        break;
      case ColumnKind::kString: {
        buffers->strings[index].resize(rows);
        const absl::Span<absl::string_view> strings = absl::MakeSpan(buffers->strings[index]);
        if (!cold_columns_.Contains(id)) {
          status = DecodeStringBlock(block.encoded[index], &buffers->string_storage[index], strings);
        } else if (auto encoded = Encoded(block, id, &cold_bytes); !encoded.ok()) {
          status = encoded.status();
        } else if (status = DecodeStringBlock(*encoded, &cold_storage, strings); status.ok()) {
          // The views may point into the read bytes: copy them to the column's storage.
          std::string& storage = buffers->string_storage[index];
          storage.clear();
          for (const absl::string_view value : strings) storage.append(value.data(), value.size());
          size_t offset = 0;
          for (absl::string_view& value : strings) {
            value = absl::string_view(storage.data() + offset, value.size());
            offset += value.size();
          }
        }
        out->strings[index] = buffers->strings[index];
        break;
      }
    }
    if (!status.ok()) {
      return absl::DataLossError(absl::StrCat(context(id), status.message()));
    }
  }
  return absl::OkStatus();
}

namespace {

// Serialized segments since the `attributes` column start with this marker (an impossible
// row count) and their column count; older ones start with the row count and hold the
// first kColumnsBeforeAttributes columns (docs/formats/segment.md).
constexpr uint32_t kColumnCountMarker = 0xFFFFFFFF;
constexpr int kColumnsBeforeAttributes = 14;
static_assert(ColumnIndex(ColumnId::kAttributes) == kColumnsBeforeAttributes);

}  // namespace

absl::Status SealedSegment::Serialize(std::string* out) const {
  std::string cold_bytes;
  PutFixed32(out, kColumnCountMarker);
  PutFixed32(out, kNumColumns);
  PutFixed32(out, row_count_);
  PutFixed32(out, static_cast<uint32_t>(blocks_.size()));
  for (const Block& block : blocks_) {
    PutFixed32(out, block.rows);
    PutFixed64(out, static_cast<uint64_t>(block.zone.min_time));
    PutFixed64(out, static_cast<uint64_t>(block.zone.max_time));
    for (int i = 0; i < kNumColumns; ++i) {
      PutFixed32(out, block.zone.min_code[i]);
      PutFixed32(out, block.zone.max_code[i]);
    }
    for (ColumnId id : kAllColumns) {
      MUA_ASSIGN_OR_RETURN(const absl::string_view bytes, Encoded(block, id, &cold_bytes));
      PutVarint64(out, bytes.size());
      out->append(bytes.data(), bytes.size());
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const SealedSegment>> SealedSegment::Parse(absl::string_view bytes) {
  const char* p = bytes.data();
  const char* const limit = bytes.data() + bytes.size();
  auto truncated = [] { return absl::DataLossError("serialized segment is truncated"); };
  if (limit - p < 8) return truncated();
  int columns = kColumnsBeforeAttributes;
  if (LoadFixed32(p) == kColumnCountMarker) {
    const uint32_t count = LoadFixed32(p + 4);
    if (count < kColumnsBeforeAttributes || count > kNumColumns) {
      return absl::DataLossError(absl::StrCat("serialized segment: ", count,
                                              " columns (this version reads ", kColumnsBeforeAttributes,
                                              " to ", kNumColumns, ")"));
    }
    columns = static_cast<int>(count);
    p += 8;
    if (limit - p < 8) return truncated();
  }
  const size_t kZoneBytes = 4 + 16 + 8 * static_cast<size_t>(columns);
  auto segment = std::make_shared<SealedSegment>();
  segment->row_count_ = LoadFixed32(p);
  const uint32_t block_count = LoadFixed32(p + 4);
  p += 8;
  if (block_count > segment->row_count_ || block_count > bytes.size() / kZoneBytes) {
    return absl::DataLossError("serialized segment: implausible block count");
  }
  segment->blocks_.resize(block_count);
  uint64_t rows = 0;
  for (Block& block : segment->blocks_) {
    if (static_cast<size_t>(limit - p) < kZoneBytes) return truncated();
    block.rows = LoadFixed32(p);
    block.zone.min_time = static_cast<int64_t>(LoadFixed64(p + 4));
    block.zone.max_time = static_cast<int64_t>(LoadFixed64(p + 12));
    p += 20;
    for (int i = 0; i < columns; ++i, p += 8) {
      block.zone.min_code[i] = LoadFixed32(p);
      block.zone.max_code[i] = LoadFixed32(p + 4);
    }
    if (block.rows == 0 || block.rows > kBlockRows) {
      return absl::DataLossError("serialized segment: block row count out of range");
    }
    rows += block.rows;
    for (int i = 0; i < columns; ++i) {
      uint64_t length = 0;
      p = GetVarint64(p, limit, &length);
      if (p == nullptr || length > static_cast<uint64_t>(limit - p)) return truncated();
      block.encoded[i].assign(p, length);
      p += length;
    }
    // Columns the file predates (attributes) hold "" in every row.
    for (int i = columns; i < kNumColumns; ++i) {
      const std::vector<absl::string_view> empty(block.rows);
      EncodeStringBlock(empty, &block.encoded[i]);
      block.encoded[i].shrink_to_fit();
    }
  }
  if (rows != segment->row_count_ || p != limit) {
    return absl::DataLossError("serialized segment: row count or length mismatch");
  }
  return std::shared_ptr<const SealedSegment>(std::move(segment));
}

absl::Status SealedSegment::ReadRows(StringArena* strings, std::vector<EncodedRow>* rows) const {
  ScanBuffers buffers;
  ScanBlock block;
  for (uint32_t b = 0; b < block_count(); ++b) {
    MUA_RETURN_IF_ERROR(ReadBlock(b, ColumnSet::All(), &buffers, &block));
    for (uint32_t r = 0; r < block.row_count; ++r) {
      EncodedRow& row = rows->emplace_back();
      row.event_time_ms = block.event_time[r];
      row.user = block.users[r];
      for (int slot = 0; slot < kNumCodeColumns; ++slot) {
        row.codes[slot] = block.codes[ColumnIndex(kCodeColumns[slot])][r];
      }
      for (int slot = 0; slot < kNumStringColumns; ++slot) {
        row.strings[slot] = strings->Add(block.strings[ColumnIndex(kStringColumns[slot])][r]);
      }
    }
  }
  return absl::OkStatus();
}

absl::string_view SealedSegment::EncodingName(uint32_t block, ColumnId column) const {
  std::string scratch;
  const absl::StatusOr<absl::string_view> encoded = Encoded(blocks_[block], column, &scratch);
  if (!encoded.ok()) return "unreadable";
  // The name is a static string: `scratch` may go.
  return storage_internal::EncodingName(*encoded);
}

absl::StatusOr<absl::string_view> SealedSegment::Encoded(const Block& block, ColumnId column,
                                                         std::string* scratch) const {
  if (!cold_columns_.Contains(column)) return absl::string_view(block.encoded[ColumnIndex(column)]);
  const ColdBlock& cold = block.cold[StringSlot(column)];
  MUA_RETURN_IF_ERROR(cold_file_->Read(cold.offset, cold.size, scratch));
  if (Checksum(*scratch) != cold.checksum) {
    return absl::DataLossError(absl::StrCat(cold_file_->path(), ": column ", ColumnName(column),
                                            " block at offset ", cold.offset,
                                            " does not match its checksum"));
  }
  return absl::string_view(*scratch);
}

std::string SealedSegment::ColdPayload(ColumnSet columns) const {
  std::string payload;
  for (const Block& block : blocks_) {
    for (ColumnId id : kStringColumns) {
      if (columns.Contains(id)) payload.append(block.encoded[ColumnIndex(id)]);
    }
  }
  return payload;
}

std::shared_ptr<const SealedSegment> SealedSegment::Cooled(ColumnSet columns,
                                                           std::shared_ptr<const ColdColumnFile> file,
                                                           uint64_t payload_offset) const {
  MUA_CHECK(cold_columns_.empty(), "segment already has cold columns");
  auto cooled = std::make_shared<SealedSegment>();
  cooled->row_count_ = row_count_;
  cooled->cold_columns_ = columns;
  cooled->cold_file_ = std::move(file);
  cooled->derived_ = derived_;
  cooled->blocks_.reserve(blocks_.size());
  uint64_t offset = payload_offset;
  for (const Block& block : blocks_) {
    Block& copy = cooled->blocks_.emplace_back();
    copy.rows = block.rows;
    copy.zone = block.zone;
    for (ColumnId id : kAllColumns) {
      const std::string& bytes = block.encoded[ColumnIndex(id)];
      if (KindOf(id) == ColumnKind::kString && columns.Contains(id)) {
        copy.cold[StringSlot(id)] = {
            .offset = offset, .checksum = Checksum(bytes), .size = static_cast<uint32_t>(bytes.size())};
        offset += bytes.size();
      } else {
        copy.encoded[ColumnIndex(id)] = bytes;
      }
    }
  }
  return cooled;
}

void SealedSegment::AddMemory(MemoryUsage* usage) const {
  const size_t per_block_overhead = sizeof(Block) / kNumColumns;
  for (const Block& block : blocks_) {
    for (int i = 0; i < kNumColumns; ++i) {
      usage->sealed_column_bytes[i] += HeapBytes(block.encoded[i]) + per_block_overhead;
    }
    for (int slot = 0; slot < kNumStringColumns; ++slot) {
      usage->cold_column_bytes[ColumnIndex(kStringColumns[slot])] += block.cold[slot].size;
    }
  }
  usage->derived_bytes += derived_->bytes();
  usage->sealed_rows += row_count_;
  usage->segments += 1;
}

}  // namespace mua::storage_internal
