// JSONHas / JSONExtractString / JSONExtractInt / JSONExtractUInt /
// JSONExtractFloat / JSONExtractBool(json, indices_or_keys...) with current
// ClickHouse semantics: the path walks keys (first match of a duplicated key)
// and 1-based indexes (negative from the end; an index also selects the n-th
// member of an object); a missing value, wrong type or malformed JSON gives the
// default ('' / 0 / 0.0 / 0). Conversions as ClickHouse's tryGetNumericValue:
// a float truncates to an integer when in range, numeric strings are parsed,
// JSONExtractString of a non-string returns its compact JSON text, of null ''.
// The whole document is always validated (RapidJSON SAX, iterative, so deep
// nesting cannot overflow the stack); a DOM is built only for negative indexes.
//
//   JsonExtractor extractor;  // one per thread; reuses its buffers
//   JsonPath path = {JsonPathStep::Key("user"), JsonPathStep::Index(1)};
//   int64_t v = extractor.ExtractInt(R"({"user":[42,7]})", path);  // 42
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mua::query_internal {

struct JsonPathStep {
  bool is_index = false;
  int64_t index = 0;  // 1-based; negative counts from the end; 0 selects nothing
  std::string key;

  static JsonPathStep Key(absl::string_view k) { return {false, 0, std::string(k)}; }
  static JsonPathStep Index(int64_t i) { return {true, i, {}}; }
};
using JsonPath = std::vector<JsonPathStep>;

// Not thread-safe; create one per thread (it keeps scratch buffers).
class JsonExtractor {
 public:
  JsonExtractor();
  ~JsonExtractor();
  JsonExtractor(const JsonExtractor&) = delete;
  JsonExtractor& operator=(const JsonExtractor&) = delete;

  bool Has(absl::string_view json, absl::Span<const JsonPathStep> path);
  // Writes the value into *out (cleared first); returns false when it is the default.
  bool ExtractString(absl::string_view json, absl::Span<const JsonPathStep> path, std::string* out);
  std::string ExtractString(absl::string_view json, absl::Span<const JsonPathStep> path);
  int64_t ExtractInt(absl::string_view json, absl::Span<const JsonPathStep> path);
  uint64_t ExtractUInt(absl::string_view json, absl::Span<const JsonPathStep> path);
  double ExtractFloat(absl::string_view json, absl::Span<const JsonPathStep> path);
  uint8_t ExtractBool(absl::string_view json, absl::Span<const JsonPathStep> path);

  // The value at `path` (kind kMissing when absent or the JSON is malformed); containers
  // carry their compact JSON text. Valid until the next call.
  struct Found;
  const Found& Lookup(absl::string_view json, absl::Span<const JsonPathStep> path);
  // The elements of the array or object at `path` (and an object's keys when `keys` is
  // non-null); false when the value there is not a container.
  bool Elements(absl::string_view json, absl::Span<const JsonPathStep> path,
                std::vector<Found>* elements, std::vector<std::string>* keys);

  // The conversions of the Extract* functions, on a found value.
  static int64_t AsInt(const Found& found);
  static uint64_t AsUInt(const Found& found);
  static double AsFloat(const Found& found);
  static uint8_t AsBool(const Found& found);
  // Compact JSON text of the value ('' when missing), as JSONExtractRaw.
  static std::string AsRaw(const Found& found);

  // Test hook: forces the DOM path for every lookup (to cross-check the SAX path).
  void TEST_ForceDom(bool force) { force_dom_ = force; }

  // The value found by a lookup (public for the implementation's helpers).
  enum class Kind { kMissing, kNull, kBool, kInt64, kUInt64, kDouble, kString, kObject, kArray };
  struct Found {
    Kind kind = Kind::kMissing;
    bool boolean = false;
    int64_t int64 = 0;
    uint64_t uint64 = 0;
    double real = 0;
    std::string text;  // kString: the value; kObject/kArray: compact JSON (if requested)
  };

 private:
  // Fills found_; raw_containers asks for the JSON text of an object/array target.
  void Find(absl::string_view json, absl::Span<const JsonPathStep> path, bool raw_containers);

  Found found_;
  bool force_dom_ = false;
};

}  // namespace mua::query_internal
