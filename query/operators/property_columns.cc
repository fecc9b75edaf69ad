#include "query/operators/property_columns.h"

#include <string.h>

#include <algorithm>

#include "query/executor.h"
#include "storage/base/status_macros.h"

namespace mua {
namespace {

static_assert(kBlockRows <= 65536, "kept row numbers are 16 bits");

// One block's values of one property column: rows (ascending) whose value differs from
// the not-found value, their values, and that value last.
class PropertyValues : public DerivedBlock {
 public:
  std::vector<uint16_t> rows;
  Vector values;
  StringPool pool;
  size_t bytes = 0;

  size_t memory_bytes() const override { return bytes; }
};

// The rows of a block's JSON texts that may hold `needle`: those whose bytes contain it,
// or any backslash (a key written with escapes). A sealed block's texts lie in one
// buffer (decoded, or the encoded block itself), searched once; a head's are apart.
void CandidateRows(absl::Span<const absl::string_view> texts, bool one_buffer, const std::string& needle,
                   std::vector<uint32_t>* out) {
  out->clear();
  const auto contains = [](absl::string_view text, absl::string_view what) {
    return !text.empty() && memmem(text.data(), text.size(), what.data(), what.size()) != nullptr;
  };
  const char* low = nullptr;
  const char* high = nullptr;
  size_t total = 0;
  bool in_row_order = true;  // plain blocks lay texts out in row order; dictionaries do not
  if (one_buffer) {
    for (absl::string_view text : texts) {
      if (text.empty()) continue;
      in_row_order = in_row_order && (high == nullptr || text.data() >= high);
      if (low == nullptr || text.data() < low) low = text.data();
      if (high == nullptr || text.data() + text.size() > high) high = text.data() + text.size();
      total += text.size();
    }
  }
  // Rows share dictionary entries, so the span may be far smaller than the total.
  if (low == nullptr || static_cast<size_t>(high - low) > 2 * total + 4096) {
    for (uint32_t row = 0; row < texts.size(); ++row) {
      if (contains(texts[row], needle) || contains(texts[row], "\\")) out->push_back(row);
    }
    return;
  }
  const absl::string_view region(low, static_cast<size_t>(high - low));
  if (region.find('\\') != absl::string_view::npos) {
    for (uint32_t row = 0; row < texts.size(); ++row) out->push_back(row);
    return;
  }
  std::vector<size_t> hits;
  for (const char* at = low;;) {
    const void* hit = memmem(at, static_cast<size_t>(high - at), needle.data(), needle.size());
    if (hit == nullptr) break;
    hits.push_back(static_cast<size_t>(static_cast<const char*>(hit) - low));
    at = static_cast<const char*>(hit) + 1;
  }
  if (hits.empty()) return;
  if (in_row_order) {
    auto it = hits.begin();
    for (uint32_t row = 0; row < texts.size(); ++row) {
      const absl::string_view text = texts[row];
      if (text.size() < needle.size()) continue;
      const size_t begin = static_cast<size_t>(text.data() - low);
      while (it != hits.end() && *it < begin) ++it;
      if (it != hits.end() && *it + needle.size() <= begin + text.size()) out->push_back(row);
    }
    return;
  }
  // Dictionary entries in any order: a bit per byte of the entries where a hit starts.
  std::vector<uint64_t> starts(region.size() / 64 + 1);
  for (size_t hit : hits) starts[hit / 64] |= uint64_t{1} << (hit % 64);
  for (uint32_t row = 0; row < texts.size(); ++row) {
    const absl::string_view text = texts[row];
    if (text.size() < needle.size()) continue;
    const size_t begin = static_cast<size_t>(text.data() - low);
    const size_t end = begin + text.size() - needle.size() + 1;  // hits may start in [begin, end)
    bool found = false;
    for (size_t word = begin / 64; word * 64 < end && !found; ++word) {
      uint64_t bits = starts[word];
      if (word == begin / 64) bits &= ~uint64_t{0} << (begin % 64);
      if ((word + 1) * 64 > end) bits &= (uint64_t{1} << (end % 64)) - 1;
      found = bits != 0;
    }
    if (found) out->push_back(row);
  }
}

absl::StatusOr<std::shared_ptr<const PropertyValues>> Compute(const PropertyColumn& column,
                                                             absl::Span<const absl::string_view> texts,
                                                             bool one_buffer) {
  auto values = std::make_shared<PropertyValues>();
  std::vector<uint32_t> candidates;
  CandidateRows(texts, one_buffer, column.needle, &candidates);
  // The candidates' texts and '{}', whose value is every other row's.
  Batch batch;
  batch.rows = candidates.size() + 1;
  batch.pool = &values->pool;
  Vector& json = batch.columns.emplace_back();
  json.type = column.expr->args[0]->type;
  json.size = batch.rows;
  json.strings.reserve(batch.rows);
  for (uint32_t row : candidates) json.strings.push_back(texts[row]);
  json.strings.push_back("{}");
  Vector result;
  MUA_RETURN_IF_ERROR(Evaluate(*column.expr, batch, &result));
  result.Flatten();
  std::string not_found, key;
  AppendValueKey(result, candidates.size(), &not_found);
  std::vector<uint32_t> kept;
  for (size_t i = 0; i < candidates.size(); ++i) {
    key.clear();
    AppendValueKey(result, i, &key);
    if (key == not_found) continue;
    kept.push_back(static_cast<uint32_t>(i));
    values->rows.push_back(static_cast<uint16_t>(candidates[i]));
  }
  kept.push_back(static_cast<uint32_t>(candidates.size()));
  Gather(result, kept, &values->values);
  // Owned by the kept value, not by the block's decoded text.
  StringPool owned;
  OwnStrings(&owned, &values->values);
  values->pool = std::move(owned);
  values->rows.shrink_to_fit();
  values->bytes = sizeof(PropertyValues) + values->rows.capacity() * 2 + VectorHeapBytes(values->values);
  return values;
}

}  // namespace

PropertyColumnFiller::PropertyColumnFiller(const SourcePlan& source, const TableSnapshot& snapshot)
    : source_(source), snapshot_(snapshot), values_(source.property_columns.size()) {}

ColumnSet PropertyColumnFiller::Prepare(const BlockRef& ref) {
  ColumnSet needed;
  for (size_t i = 0; i < source_.property_columns.size(); ++i) {
    const PropertyColumn& column = source_.property_columns[i];
    values_[i] = snapshot_.FindDerived(ref, column.key);
    if (values_[i] == nullptr) needed.Add(source_.columns[column.json_column]);
  }
  return needed;
}

absl::Status PropertyColumnFiller::Fill(const BlockRef& ref, const ScanBlock& block,
                                       const std::vector<uint32_t>* rows, Batch* batch, bool only_rows) {
  const size_t count = rows != nullptr ? rows->size() : block.row_count;
  for (size_t i = 0; i < source_.property_columns.size(); ++i) {
    const PropertyColumn& column = source_.property_columns[i];
    if (values_[i] == nullptr && only_rows && rows != nullptr) {
      // The rows' texts, parsed as the extraction over the text would (no block value kept).
      const absl::Span<const absl::string_view> texts = block.strings[ColumnIndex(source_.columns[column.json_column])];
      Batch selected;
      selected.rows = count;
      selected.pool = batch->pool;
      Vector& json = selected.columns.emplace_back();
      json.type = column.expr->args[0]->type;
      json.size = count;
      json.strings.reserve(count);
      for (uint32_t row : *rows) json.strings.push_back(texts[row]);
      MUA_RETURN_IF_ERROR(Evaluate(*column.expr, selected, &batch->columns.emplace_back()));
      continue;
    }
    if (values_[i] == nullptr) {
      const ColumnId json = source_.columns[column.json_column];
      MUA_ASSIGN_OR_RETURN(std::shared_ptr<const PropertyValues> computed,
                           Compute(column, block.strings[ColumnIndex(json)], ref.segment >= 0));
      snapshot_.KeepDerived(ref, column.key, computed);
      values_[i] = std::move(computed);
    }
    const auto& values = static_cast<const PropertyValues&>(*values_[i]);
    // Per row of the batch: its position among the kept rows, or `last` (the not-found value).
    const uint32_t last = static_cast<uint32_t>(values.rows.size());
    positions_.assign(count, last);
    if (rows == nullptr) {
      for (uint32_t k = 0; k < last; ++k) positions_[values.rows[k]] = k;
    } else {
      uint32_t k = 0;
      for (size_t r = 0; r < count && k < last; ++r) {
        while (k < last && values.rows[k] < (*rows)[r]) ++k;
        if (k < last && values.rows[k] == (*rows)[r]) positions_[r] = k;
      }
    }
    const Vector& kept = values.values;
    Vector& out = batch->columns.emplace_back();
    if (kept.strings.empty() && kept.codes.empty() && kept.offsets.empty() && kept.nulls.empty() &&
        kept.children.empty() && !kept.constant) {
      // A plain number per row: no general gather.
      out.type = kept.type;
      out.size = count;
      if (!kept.floats.empty()) {
        out.floats.resize(count);
        for (size_t r = 0; r < count; ++r) out.floats[r] = kept.floats[positions_[r]];
      } else {
        out.ints.resize(count);
        for (size_t r = 0; r < count; ++r) out.ints[r] = kept.ints[positions_[r]];
      }
      continue;
    }
    Gather(kept, positions_, &out);
  }
  return absl::OkStatus();
}

ColumnSet JsonColumnsOnlyExtracted(const SourcePlan& source, const std::vector<bool>& read_directly) {
  ColumnSet only;
  for (const PropertyColumn& column : source.property_columns) {
    const size_t c = static_cast<size_t>(column.json_column);
    if (c >= read_directly.size() || !read_directly[c]) only.Add(source.columns[c]);
  }
  return only;
}

}  // namespace mua
