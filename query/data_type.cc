#include "query/data_type.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/time_zones.h"
#include "storage/schema.h"

namespace mua {

const char* TypeIdName(TypeId id) {
  switch (id) {
    case TypeId::kNothing: return "Nothing";
    case TypeId::kUInt8: return "UInt8";
    case TypeId::kUInt16: return "UInt16";
    case TypeId::kUInt32: return "UInt32";
    case TypeId::kUInt64: return "UInt64";
    case TypeId::kInt8: return "Int8";
    case TypeId::kInt16: return "Int16";
    case TypeId::kInt32: return "Int32";
    case TypeId::kInt64: return "Int64";
    case TypeId::kFloat64: return "Float64";
    case TypeId::kString: return "String";
    case TypeId::kDate: return "Date";
    case TypeId::kDateTime: return "DateTime";
    case TypeId::kDateTime64: return "DateTime64(3)";
    case TypeId::kArray: return "Array";
    case TypeId::kInterval: return "Interval";
    case TypeId::kTuple: return "Tuple";
  }
  return "Nothing";
}

DataType DataType::ArrayOf(const DataType& element) {
  DataType type = Array(element.id);
  if (element.nullable || element.id == TypeId::kArray || element.id == TypeId::kTuple) {
    type.children = std::make_shared<const TypeChildren>(TypeChildren{{element}, {}});
  } else if (element.low_cardinality) {
    // Array(LowCardinality(String)): stored flat, the name kept for DESCRIBE.
    type.children = nullptr;
  } else {
    type.time_zone = element.time_zone;  // Array(DateTime('Zone')): the elements' zone
  }
  return type;
}

DataType DataType::Tuple(std::vector<DataType> elements, std::vector<std::string> names) {
  DataType type = Of(TypeId::kTuple);
  if (names.size() != elements.size()) names.clear();
  type.children =
      std::make_shared<const TypeChildren>(TypeChildren{std::move(elements), std::move(names)});
  return type;
}

DataType DataType::element_type() const {
  if (children != nullptr && !children->types.empty()) return children->types[0];
  return Time(element, time_zone);
}

const std::vector<std::string>& DataType::tuple_names() const {
  static const std::vector<std::string>* const kNone = new std::vector<std::string>();
  return children == nullptr ? *kNone : children->names;
}

bool DataType::operator==(const DataType& other) const {
  if (id != other.id || element != other.element || nullable != other.nullable ||
      low_cardinality != other.low_cardinality || interval_unit != other.interval_unit ||
      time_zone != other.time_zone) {
    return false;
  }
  if (children == other.children) return true;
  if (children == nullptr || other.children == nullptr) return false;
  return children->types == other.children->types && children->names == other.children->names;
}

std::string DataType::Name() const {
  if (id == TypeId::kInterval) {
    static constexpr const char* kUnits[] = {"Second", "Minute",  "Hour", "Day",
                                             "Week",   "Month", "Quarter", "Year"};
    return std::string("Interval") + kUnits[interval_unit < 8 ? interval_unit : 0];
  }
  std::string name;
  if (id == TypeId::kArray) {
    name = absl::StrCat("Array(", element_type().Name(), ")");
  } else if (id == TypeId::kTuple) {
    std::vector<std::string> parts;
    const std::vector<std::string>& names = tuple_names();
    for (size_t i = 0; i < tuple_size(); ++i) {
      parts.push_back(names.empty() ? tuple_element(i).Name()
                                    : absl::StrCat(names[i], " ", tuple_element(i).Name()));
    }
    name = absl::StrCat("Tuple(", absl::StrJoin(parts, ", "), ")");
  } else if (time_zone != kNoTimeZone && (id == TypeId::kDateTime || id == TypeId::kDateTime64)) {
    name = absl::StrCat(id == TypeId::kDateTime ? "DateTime(" : "DateTime64(3, ", "'",
                        TimeZoneName(time_zone), "')");
  } else {
    name = TypeIdName(id);
  }
  if (nullable) name = "Nullable(" + name + ")";
  if (low_cardinality) name = "LowCardinality(" + name + ")";
  return name;
}

bool DataType::is_integer() const {
  switch (id) {
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64: return true;
    default: return false;
  }
}

bool DataType::is_unsigned() const {
  return id == TypeId::kUInt8 || id == TypeId::kUInt16 || id == TypeId::kUInt32 ||
         id == TypeId::kUInt64;
}

bool DataType::is_time() const {
  return id == TypeId::kDate || id == TypeId::kDateTime || id == TypeId::kDateTime64;
}

namespace {

// Type names nest as deep as their text; the cap keeps parsing bounded.
constexpr int kMaxTypeNesting = 32;

// A recursive-descent reader of ClickHouse type names (depth capped above).
class TypeParser {
 public:
  explicit TypeParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<DataType> ParseAll() {
    absl::StatusOr<DataType> type = Parse(0);
    if (!type.ok()) return type;
    SkipSpaces();
    if (pos_ != text_.size()) return Error();
    return type;
  }

 private:
  absl::Status Error() const {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot parse data type from '", text_, "' at position ", pos_ + 1));
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }

  bool Take(char c) {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // An identifier, or a `quoted` one.
  std::string Word() {
    SkipSpaces();
    if (pos_ < text_.size() && text_[pos_] == '`') {
      const size_t end = text_.find('`', pos_ + 1);
      if (end == absl::string_view::npos) return "";
      std::string word(text_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return word;
    }
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  // A parameter that is not a type: a number or a 'string'.
  bool SkipLiteral() {
    SkipSpaces();
    if (pos_ >= text_.size()) return false;
    if (text_[pos_] == '\'') {
      for (size_t i = pos_ + 1; i < text_.size(); ++i) {
        if (text_[i] == '\\') {
          ++i;
        } else if (text_[i] == '\'') {
          pos_ = i + 1;
          return true;
        }
      }
      return false;
    }
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && (absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_])) ||
                                   text_[pos_] == '.')) {
      ++pos_;
    }
    return pos_ > start;
  }

  // DateTime, DateTime('Zone'), DateTime64(precision[, 'Zone']); any precision reads as 3.
  absl::StatusOr<DataType> ParseTimeArguments(TypeId id) {
    if (!Take('(')) {
      if (id == TypeId::kDateTime64) return Error();  // the precision is required
      return DataType::Of(id);
    }
    if (id == TypeId::kDateTime64) {
      SkipSpaces();
      if (pos_ >= text_.size() || text_[pos_] == '\'' || !SkipLiteral()) return Error();
      if (!Take(',')) {
        if (!Take(')')) return Error();
        return DataType::Of(id);
      }
    } else if (Take(')')) {
      return DataType::Of(id);
    }
    SkipSpaces();
    const size_t start = pos_;
    if (pos_ >= text_.size() || text_[pos_] != '\'' || !SkipLiteral()) return Error();
    const absl::string_view zone = text_.substr(start + 1, pos_ - start - 2);
    if (!Take(')')) return Error();
    absl::StatusOr<uint16_t> zone_id = InternTimeZone(zone);
    if (!zone_id.ok()) return zone_id.status();
    return DataType::Time(id, *zone_id);
  }

  absl::StatusOr<DataType> Parse(int depth) {
    if (depth > kMaxTypeNesting) {
      return absl::InvalidArgumentError(
          absl::StrCat("Data type '", text_, "' is nested more than ", kMaxTypeNesting, " levels"));
    }
    const std::string name = Word();
    if (name.empty()) return Error();
    if (name == "Nullable" || name == "LowCardinality") {
      if (!Take('(')) return Error();
      absl::StatusOr<DataType> inner = Parse(depth + 1);
      if (!inner.ok()) return inner;
      if (!Take(')')) return Error();
      if (name == "LowCardinality") {
        inner->low_cardinality = true;
        return inner;
      }
      if (inner->CannotBeNullable() || inner->nullable) {
        return absl::InvalidArgumentError(absl::StrCat("Nested type ", inner->Name(),
                                                       " cannot be inside Nullable type"));
      }
      inner->nullable = true;
      return inner;
    }
    if (name == "Array") {
      if (!Take('(')) return Error();
      absl::StatusOr<DataType> inner = Parse(depth + 1);
      if (!inner.ok()) return inner;
      if (!Take(')')) return Error();
      return DataType::ArrayOf(*inner);
    }
    if (name == "Tuple") {
      if (!Take('(')) return Error();
      std::vector<DataType> elements;
      std::vector<std::string> names;
      bool named = true;
      do {
        // `a UInt8` names the element; a lone `UInt8` does not.
        const size_t start = pos_;
        const std::string first = Word();
        SkipSpaces();
        const bool has_name = !first.empty() && pos_ < text_.size() &&
                              (absl::ascii_isalpha(static_cast<unsigned char>(text_[pos_])) ||
                               text_[pos_] == '`');
        if (has_name) {
          names.push_back(first);
        } else {
          pos_ = start;
          named = false;
        }
        absl::StatusOr<DataType> element = Parse(depth + 1);
        if (!element.ok()) return element;
        elements.push_back(*std::move(element));
      } while (Take(','));
      if (!Take(')')) return Error();
      if (!named) names.clear();
      return DataType::Tuple(std::move(elements), std::move(names));
    }
    if (name == "DateTime64" || name == "DateTime") {
      return ParseTimeArguments(name == "DateTime" ? TypeId::kDateTime : TypeId::kDateTime64);
    }
    if (absl::optional<TypeId> id = ScalarName(name)) return DataType::Of(*id);
    return absl::InvalidArgumentError(absl::StrCat("Unknown data type family: ", name));
  }

  static absl::optional<TypeId> ScalarName(const std::string& name) {
    static const std::pair<const char*, TypeId> kExact[] = {
        {"UInt8", TypeId::kUInt8},     {"UInt16", TypeId::kUInt16},   {"UInt32", TypeId::kUInt32},
        {"UInt64", TypeId::kUInt64},   {"Int8", TypeId::kInt8},       {"Int16", TypeId::kInt16},
        {"Int32", TypeId::kInt32},     {"Int64", TypeId::kInt64},     {"Float32", TypeId::kFloat64},
        {"Float64", TypeId::kFloat64}, {"String", TypeId::kString},   {"Date", TypeId::kDate},
        {"Date32", TypeId::kDate},     {"Bool", TypeId::kUInt8},      {"Nothing", TypeId::kNothing},
    };
    for (const auto& [spelling, id] : kExact) {
      if (name == spelling) return id;
    }
    // SQL-standard aliases, which ClickHouse takes in any case.
    static const std::pair<const char*, TypeId> kAliases[] = {
        {"bool", TypeId::kUInt8},      {"boolean", TypeId::kUInt8},   {"tinyint", TypeId::kInt8},
        {"smallint", TypeId::kInt16},  {"int", TypeId::kInt32},       {"integer", TypeId::kInt32},
        {"bigint", TypeId::kInt64},    {"float", TypeId::kFloat64},   {"double", TypeId::kFloat64},
        {"real", TypeId::kFloat64},    {"varchar", TypeId::kString},  {"text", TypeId::kString},
        {"char", TypeId::kString},     {"blob", TypeId::kString},     {"timestamp", TypeId::kDateTime},
    };
    const std::string lower = absl::AsciiStrToLower(name);
    for (const auto& [spelling, id] : kAliases) {
      if (lower == spelling) return id;
    }
    return absl::nullopt;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<DataType> ParseDataType(absl::string_view text) {
  return TypeParser(text).ParseAll();
}

DataType StorageColumnType(ColumnId id) {
  switch (KindOf(id)) {
    case ColumnKind::kTime: return DataType::Of(TypeId::kDateTime64);
    case ColumnKind::kLowCardinality: {
      DataType type = DataType::Of(TypeId::kString);
      type.low_cardinality = true;
      return type;
    }
    default: return DataType::Of(TypeId::kString);
  }
}

}  // namespace mua
