#include "ingest/internal/body_rows.h"

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/base/hex_digit.h"
#include "storage/base/status_macros.h"

namespace mua::ingest_internal {
namespace {

absl::string_view WithoutCr(absl::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

}  // namespace

size_t RowSplitter::FindRowEnd(absl::string_view chunk, size_t from) {
  if (!csv_) {
    const void* found = std::memchr(chunk.data() + from, '\n', chunk.size() - from);
    return found == nullptr ? absl::string_view::npos : static_cast<const char*>(found) - chunk.data();
  }
  for (size_t i = from; i < chunk.size(); ++i) {
    const char c = chunk[i];
    if (c == '"') {
      in_quotes_ = !in_quotes_;  // "" inside a quoted field toggles twice
    } else if (c == '\n' && !in_quotes_) {
      return i;
    }
  }
  return absl::string_view::npos;
}

absl::Status RowSplitter::Emit(absl::string_view text, const OnRow& on_row) {
  return on_row(BodyRow{.text = WithoutCr(text)});
}

absl::Status RowSplitter::Feed(absl::string_view chunk, const OnRow& on_row) {
  size_t pos = 0;
  while (pos < chunk.size()) {
    const size_t end = FindRowEnd(chunk, pos);
    if (end == absl::string_view::npos) {
      const absl::string_view rest = chunk.substr(pos);
      if (skipping_) {
        skipped_bytes_ += rest.size();
      } else if (pending_.size() + rest.size() > max_row_bytes_) {
        skipping_ = true;
        skipped_bytes_ = pending_.size() + rest.size();
        std::string().swap(pending_);
      } else {
        pending_.append(rest.data(), rest.size());
      }
      return absl::OkStatus();
    }
    const absl::string_view piece = chunk.substr(pos, end - pos);
    pos = end + 1;
    if (skipping_) {
      const size_t bytes = skipped_bytes_ + piece.size();
      skipping_ = false;
      skipped_bytes_ = 0;
      MUA_RETURN_IF_ERROR(on_row(BodyRow{.oversized_bytes = bytes}));
    } else if (pending_.size() + piece.size() > max_row_bytes_) {
      const size_t bytes = pending_.size() + piece.size();
      pending_.clear();
      MUA_RETURN_IF_ERROR(on_row(BodyRow{.oversized_bytes = bytes}));
    } else if (pending_.empty()) {
      MUA_RETURN_IF_ERROR(Emit(piece, on_row));  // no copy: the row lies within the chunk
    } else {
      pending_.append(piece.data(), piece.size());
      const absl::Status status = Emit(pending_, on_row);
      pending_.clear();
      MUA_RETURN_IF_ERROR(status);
    }
  }
  return absl::OkStatus();
}

absl::Status RowSplitter::Finish(const OnRow& on_row) {
  if (skipping_) {
    skipping_ = false;
    return on_row(BodyRow{.oversized_bytes = std::exchange(skipped_bytes_, 0)});
  }
  if (pending_.empty()) return absl::OkStatus();
  const absl::Status status = Emit(pending_, on_row);
  pending_.clear();
  return status;
}

absl::Status ParseTsvRow(absl::string_view row, std::vector<std::optional<std::string>>* fields) {
  fields->clear();
  std::string field;
  bool null = false;
  size_t field_start = 0;
  for (size_t i = 0; i <= row.size(); ++i) {
    if (i == row.size() || row[i] == '\t') {
      if (null) {
        fields->emplace_back(std::nullopt);
      } else {
        fields->emplace_back(std::move(field));
      }
      field.clear();
      null = false;
      field_start = i + 1;
      continue;
    }
    const char c = row[i];
    if (c != '\\') {
      if (null) return absl::InvalidArgumentError(absl::StrCat("text after \\N in field ", fields->size() + 1));
      field.push_back(c);
      continue;
    }
    if (i + 1 == row.size()) {
      return absl::InvalidArgumentError(absl::StrCat("field ", fields->size() + 1, " ends with a lone backslash"));
    }
    const char escaped = row[++i];
    if (escaped == 'N') {
      if (i - 1 != field_start) {
        return absl::InvalidArgumentError(absl::StrCat("\\N inside field ", fields->size() + 1));
      }
      null = true;
      continue;
    }
    if (null) return absl::InvalidArgumentError(absl::StrCat("text after \\N in field ", fields->size() + 1));
    switch (escaped) {
      case 'b': field.push_back('\b'); break;
      case 'f': field.push_back('\f'); break;
      case 'n': field.push_back('\n'); break;
      case 'r': field.push_back('\r'); break;
      case 't': field.push_back('\t'); break;
      case 'a': field.push_back('\a'); break;
      case 'v': field.push_back('\v'); break;
      case '0': field.push_back('\0'); break;
      case 'x':
        if (i + 2 < row.size() && HexDigitValue(row[i + 1]) >= 0 && HexDigitValue(row[i + 2]) >= 0) {
          field.push_back(static_cast<char>(HexDigitValue(row[i + 1]) * 16 + HexDigitValue(row[i + 2])));
          i += 2;
        } else {
          field.push_back('x');
        }
        break;
      default: field.push_back(escaped); break;  // \\ \' \" and any other: the character
    }
  }
  return absl::OkStatus();
}

absl::Status ParseCsvRow(absl::string_view row, std::vector<std::optional<std::string>>* fields) {
  fields->clear();
  auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t i = 0;
  while (true) {
    while (i < row.size() && is_blank(row[i])) ++i;
    if (i < row.size() && row[i] == '"') {
      std::string field;
      ++i;
      bool closed = false;
      while (i < row.size()) {
        if (row[i] == '"') {
          if (i + 1 < row.size() && row[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        field.push_back(row[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(absl::StrCat("field ", fields->size() + 1, " has no closing quote"));
      }
      while (i < row.size() && is_blank(row[i])) ++i;
      fields->emplace_back(std::move(field));
      if (i == row.size()) return absl::OkStatus();
      if (row[i] != ',') {
        return absl::InvalidArgumentError(
            absl::StrCat("text after the closing quote of field ", fields->size()));
      }
      ++i;
      continue;
    }
    size_t end = row.find(',', i);
    if (end == absl::string_view::npos) end = row.size();
    absl::string_view bare = row.substr(i, end - i);
    while (!bare.empty() && is_blank(bare.back())) bare.remove_suffix(1);
    if (bare.empty() || bare == "\\N") {
      fields->emplace_back(std::nullopt);
    } else {
      fields->emplace_back(std::string(bare));
    }
    if (end == row.size()) return absl::OkStatus();
    i = end + 1;
  }
}

}  // namespace mua::ingest_internal
