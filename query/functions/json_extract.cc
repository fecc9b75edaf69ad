#include "query/functions/json_extract.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"
#include "storage/base/json_limits.h"

namespace mua::query_internal {
namespace {

using Kind = JsonExtractor::Kind;
using Found = JsonExtractor::Found;

// simdjson's (and so ClickHouse's) default depth limit; deeper documents are invalid, so
// a function over them returns its default (stored properties were bounded at ingest to
// kMaxJsonDepth already; this bounds any other string).
constexpr size_t kMaxDepth = 1024;
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag |
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag;

// Shortest round-trip text, exponent without '+' or leading zeros ("1e300", "1e-7").
std::string FormatDouble(double value) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  std::string text(buf, result.ptr);
  const size_t e = text.find('e');
  if (e == std::string::npos) return text;
  size_t digits = e + 1;
  std::string exponent;
  if (digits < text.size() && (text[digits] == '+' || text[digits] == '-')) {
    if (text[digits] == '-') exponent = "-";
    ++digits;
  }
  while (digits + 1 < text.size() && text[digits] == '0') ++digits;
  return text.substr(0, e + 1) + exponent + text.substr(digits);
}

// Compact JSON like ClickHouse's jsonElementToString (writeJSONString escaping).
class RawWriter {
 public:
  void Null() { Append("null"); }
  void Bool(bool b) { Append(b ? "true" : "false"); }
  void Int64(int64_t v) { Append(absl::StrCat(v)); }
  void UInt64(uint64_t v) { Append(absl::StrCat(v)); }
  void Double(double v) { Append(FormatDouble(v)); }
  void String(absl::string_view s) {
    Separate();
    Quote(s);
  }
  void Key(absl::string_view s) {
    Separate();
    Quote(s);
    out_ += ':';
    after_key_ = true;
  }
  void Start(char c) {
    Separate();
    out_ += c;
    first_.push_back(true);
  }
  void End(char c) {
    out_ += c;
    first_.pop_back();
  }
  std::string Take() {
    first_.clear();
    after_key_ = false;
    return std::move(out_);
  }

 private:
  void Separate() {
    if (after_key_) {
      after_key_ = false;
    } else if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void Append(absl::string_view text) {
    Separate();
    out_.append(text.data(), text.size());
  }
  void Quote(absl::string_view s) {
    out_ += '"';
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '/':
          out_ += "\\/";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20) {
            static constexpr char kHex[] = "0123456789ABCDEF";
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 15];
          } else if (c == 0xE2 && i + 2 < s.size() &&
                     static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                     (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
            out_ += (s[i + 2] & 1) ? "\\u2029" : "\\u2028";  // JS line terminators
            i += 2;
          } else {
            out_ += static_cast<char>(c);
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

// SAX handler that follows a path of keys and non-negative indexes and records
// the first value at its end, validating the rest of the document meanwhile.
class PathHandler {
 public:
  PathHandler(absl::Span<const JsonPathStep> path, bool raw_containers, Found* found)
      : path_(path), raw_containers_(raw_containers), found_(found) {}

  bool Null() {
    return Scalar(
        Kind::kNull, [](Found&) {}, [](RawWriter& w) { w.Null(); });
  }
  bool Bool(bool b) {
    return Scalar(
        Kind::kBool, [b](Found& f) { f.boolean = b; }, [b](RawWriter& w) { w.Bool(b); });
  }
  bool Int(int v) { return Int64(v); }
  bool Uint(unsigned v) { return Int64(v); }
  bool Int64(int64_t v) {
    return Scalar(
        Kind::kInt64, [v](Found& f) { f.int64 = v; }, [v](RawWriter& w) { w.Int64(v); });
  }
  bool Uint64(uint64_t v) {
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Int64(static_cast<int64_t>(v));
    }
    return Scalar(
        Kind::kUInt64, [v](Found& f) { f.uint64 = v; }, [v](RawWriter& w) { w.UInt64(v); });
  }
  bool Double(double v) {
    return Scalar(
        Kind::kDouble, [v](Found& f) { f.real = v; }, [v](RawWriter& w) { w.Double(v); });
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return false; }  // not enabled
  bool String(const char* s, rapidjson::SizeType n, bool) {
    const absl::string_view text(s, n);
    return Scalar(
        Kind::kString, [text](Found& f) { f.text.assign(text.data(), text.size()); },
        [text](RawWriter& w) { w.String(text); });
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    const absl::string_view key(s, n);
    if (Capturing()) {
      raw_.Key(key);
    } else if (depth_ == chain_ && chain_ > 0) {
      const JsonPathStep& step = path_[chain_ - 1];
      frames_.back().key_matches = !step.is_index && key == step.key;
    }
    return true;
  }
  bool StartObject() { return Start(true); }
  bool EndObject(rapidjson::SizeType) { return End('}'); }
  bool StartArray() { return Start(false); }
  bool EndArray(rapidjson::SizeType) { return End(']'); }

 private:
  struct Frame {
    bool is_object;
    bool key_matches = false;
    bool done = false;  // a child was selected; later siblings never are
    int64_t child_index = 0;
  };

  bool Capturing() const { return capture_depth_ > 0 && depth_ >= capture_depth_; }

  // Whether the value starting now (at depth_) is the next step of the path.
  bool Selected() {
    if (dead_ || found_->kind != Kind::kMissing || depth_ != chain_) return false;
    if (chain_ == 0) return true;
    Frame& frame = frames_.back();
    if (frame.done) return false;
    const JsonPathStep& step = path_[chain_ - 1];
    const bool selected =
        step.is_index ? step.index - 1 == frame.child_index : frame.is_object && frame.key_matches;
    if (selected) frame.done = true;
    return selected;
  }

  // A value at depth_ is complete.
  bool AfterValue() {
    if (depth_ == chain_ && chain_ > 0) {
      ++frames_.back().child_index;
      frames_.back().key_matches = false;
    }
    return true;
  }

  template <typename Set, typename Write>
  bool Scalar(Kind kind, Set set, Write write) {
    if (Capturing()) {
      write(raw_);
    } else if (Selected()) {
      if (chain_ == path_.size()) {
        found_->kind = kind;
        set(*found_);
      } else {
        dead_ = true;  // the path goes on but this is not a container
      }
    }
    return AfterValue();
  }

  bool Start(bool is_object) {
    if (depth_ >= kMaxDepth) return false;
    if (Capturing()) {
      raw_.Start(is_object ? '{' : '[');
      ++depth_;
      return true;
    }
    const bool selected = Selected();
    ++depth_;
    if (!selected) return true;
    if (chain_ == path_.size()) {
      found_->kind = is_object ? Kind::kObject : Kind::kArray;
      if (raw_containers_) {
        capture_depth_ = depth_;
        raw_.Start(is_object ? '{' : '[');
      }
    } else {
      frames_.push_back(Frame{is_object});
      chain_ = depth_;
    }
    return true;
  }

  bool End(char bracket) {
    if (Capturing()) {
      raw_.End(bracket);
      --depth_;
      if (depth_ < capture_depth_) {
        capture_depth_ = 0;
        found_->text = raw_.Take();
      }
      return AfterValue();
    }
    if (chain_ == depth_ && chain_ > 0) {
      frames_.pop_back();
      --chain_;
    }
    --depth_;
    return AfterValue();
  }

  const absl::Span<const JsonPathStep> path_;
  const bool raw_containers_;
  Found* const found_;
  size_t depth_ = 0;          // open containers
  size_t chain_ = 0;          // open containers on the path (depths 1..chain_)
  size_t capture_depth_ = 0;  // depth of the captured target container, 0 if none
  bool dead_ = false;
  std::vector<Frame> frames_;
  RawWriter raw_;
};

// Parses the whole text with `handler`; false on malformed JSON or trailing data.
template <typename Handler>
bool ParseAll(absl::string_view json, Handler& handler) {
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  if (reader.Parse<kParseFlags>(stream, handler).IsError()) return false;
  for (size_t i = stream.Tell(); i < json.size(); ++i) {
    const char c = json[i];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

const rapidjson::Value* Child(const rapidjson::Value& value, const JsonPathStep& step) {
  if (!step.is_index) {
    if (!value.IsObject()) return nullptr;
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      if (absl::string_view(it->name.GetString(), it->name.GetStringLength()) == step.key) {
        return &it->value;
      }
    }
    return nullptr;
  }
  if (!value.IsArray() && !value.IsObject()) return nullptr;
  const int64_t size = value.IsArray() ? value.Size() : value.MemberCount();
  const int64_t index = step.index > 0 ? step.index - 1 : size + step.index;
  if (step.index == 0 || index < 0 || index >= size) return nullptr;
  if (value.IsArray()) return &value[static_cast<rapidjson::SizeType>(index)];
  return &(value.MemberBegin() + index)->value;
}

bool ParseInt64Text(absl::string_view s, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size()) return false;
  uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    if (!absl::ascii_isdigit(s[i])) return false;
    if (__builtin_mul_overflow(magnitude, 10u, &magnitude) ||
        __builtin_add_overflow(magnitude, static_cast<uint64_t>(s[i] - '0'), &magnitude)) {
      return false;
    }
  }
  const uint64_t limit = uint64_t{1} << 63;
  if (magnitude > (negative ? limit : limit - 1)) return false;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

// ClickHouse's readFloatText grammar: [+-] digits [. digits] [e [+-] digits], inf, nan.
bool ParseDoubleText(absl::string_view s, double* out) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const absl::string_view rest = s.substr(i);
  if (absl::EqualsIgnoreCase(rest, "inf") || absl::EqualsIgnoreCase(rest, "infinity") ||
      absl::EqualsIgnoreCase(rest, "nan")) {
  } else {
    size_t digits = 0;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && absl::ascii_isdigit(s[i])) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      size_t exponent_digits = 0;
      while (i < s.size() && absl::ascii_isdigit(s[i])) ++i, ++exponent_digits;
      if (exponent_digits == 0) return false;
    }
    if (i != s.size()) return false;
  }
  const std::string copy(s);
  *out = std::strtod(copy.c_str(), nullptr);
  return true;
}

// accurate::convertNumeric<Float64, Int64>: in range (NaN is not), then truncate.
bool DoubleToInt64(double d, int64_t* out) {
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  *out = static_cast<int64_t>(d);
  return true;
}
bool DoubleToUInt64(double d, uint64_t* out) {
  if (!(d >= 0 && d < 18446744073709551616.0)) return false;
  *out = static_cast<uint64_t>(d);
  return true;
}

}  // namespace

JsonExtractor::JsonExtractor() = default;
JsonExtractor::~JsonExtractor() = default;

void JsonExtractor::Find(absl::string_view json, absl::Span<const JsonPathStep> path,
                         bool raw_containers) {
  found_.kind = Kind::kMissing;
  found_.text.clear();
  bool negative_index = false;
  for (const JsonPathStep& step : path) negative_index |= step.is_index && step.index < 0;
  if (!negative_index && !force_dom_) {
    PathHandler handler(path, raw_containers, &found_);
    if (!ParseAll(json, handler)) found_.kind = Kind::kMissing;
    return;
  }
  // Negative indexes need container sizes: validate with SAX, then walk a DOM.
  PathHandler validator({}, false, &found_);
  const bool valid = ParseAll(json, validator);
  found_.kind = Kind::kMissing;
  if (!valid) return;
  rapidjson::Document doc;
  // kMaxDepth bounds Accept's recursion below (1024 small frames, well within a thread's stack).
  if (!ParseJsonBounded<kParseFlags>(json, &doc, static_cast<int>(kMaxDepth)).ok()) return;
  const rapidjson::Value* value = &doc;
  for (const JsonPathStep& step : path) {
    value = Child(*value, step);
    if (value == nullptr) return;
  }
  PathHandler handler({}, raw_containers, &found_);
  value->Accept(handler);
}

bool JsonExtractor::Has(absl::string_view json, absl::Span<const JsonPathStep> path) {
  Find(json, path, false);
  return found_.kind != Kind::kMissing;
}

bool JsonExtractor::ExtractString(absl::string_view json, absl::Span<const JsonPathStep> path,
                                  std::string* out) {
  out->clear();
  Find(json, path, true);
  switch (found_.kind) {
    case Kind::kMissing:
    case Kind::kNull:
      return false;
    case Kind::kBool:
      *out = found_.boolean ? "true" : "false";
      return true;
    case Kind::kInt64:
      *out = absl::StrCat(found_.int64);
      return true;
    case Kind::kUInt64:
      *out = absl::StrCat(found_.uint64);
      return true;
    case Kind::kDouble:
      *out = FormatDouble(found_.real);
      return true;
    case Kind::kString:
    case Kind::kObject:
    case Kind::kArray:
      out->swap(found_.text);
      return true;
  }
  return false;
}

std::string JsonExtractor::ExtractString(absl::string_view json,
                                         absl::Span<const JsonPathStep> path) {
  std::string out;
  ExtractString(json, path, &out);
  return out;
}

int64_t JsonExtractor::ExtractInt(absl::string_view json, absl::Span<const JsonPathStep> path) {
  Find(json, path, false);
  return AsInt(found_);
}

int64_t JsonExtractor::AsInt(const Found& found) {
  int64_t value = 0;
  switch (found.kind) {
    case Kind::kInt64:
      return found.int64;
    case Kind::kDouble:
      return DoubleToInt64(found.real, &value) ? value : 0;
    case Kind::kString: {
      if (ParseInt64Text(found.text, &value)) return value;
      double real = 0;
      if (ParseDoubleText(found.text, &real) && DoubleToInt64(real, &value)) return value;
      return 0;
    }
    default:  // UInt64 above Int64's range, bool (not converted), null, containers
      return 0;
  }
}

uint64_t JsonExtractor::ExtractUInt(absl::string_view json, absl::Span<const JsonPathStep> path) {
  Find(json, path, false);
  return AsUInt(found_);
}

uint64_t JsonExtractor::AsUInt(const Found& found) {
  uint64_t value = 0;
  int64_t signed_value = 0;
  switch (found.kind) {
    case Kind::kInt64:
      return found.int64 >= 0 ? static_cast<uint64_t>(found.int64) : 0;
    case Kind::kUInt64:
      return found.uint64;
    case Kind::kDouble:
      return DoubleToUInt64(found.real, &value) ? value : 0;
    case Kind::kString: {
      if (ParseInt64Text(found.text, &signed_value)) {
        return signed_value >= 0 ? static_cast<uint64_t>(signed_value) : 0;
      }
      double real = 0;
      if (ParseDoubleText(found.text, &real) && DoubleToUInt64(real, &value)) return value;
      return 0;
    }
    default:
      return 0;
  }
}

double JsonExtractor::ExtractFloat(absl::string_view json, absl::Span<const JsonPathStep> path) {
  Find(json, path, false);
  return AsFloat(found_);
}

double JsonExtractor::AsFloat(const Found& found) {
  switch (found.kind) {
    case Kind::kInt64:
      return static_cast<double>(found.int64);
    case Kind::kUInt64:
      return static_cast<double>(found.uint64);
    case Kind::kDouble:
      return found.real;
    case Kind::kString: {
      double real = 0;
      return ParseDoubleText(found.text, &real) ? real : 0.0;
    }
    default:
      return 0.0;
  }
}

uint8_t JsonExtractor::ExtractBool(absl::string_view json, absl::Span<const JsonPathStep> path) {
  Find(json, path, false);
  return AsBool(found_);
}

uint8_t JsonExtractor::AsBool(const Found& found) {
  switch (found.kind) {
    case Kind::kBool:
      return found.boolean ? 1 : 0;
    case Kind::kInt64:
      return found.int64 != 0 ? 1 : 0;
    case Kind::kUInt64:
      return found.uint64 != 0 ? 1 : 0;
    default:
      return 0;
  }
}

std::string JsonExtractor::AsRaw(const Found& found) {
  switch (found.kind) {
    case Kind::kMissing: return "";
    case Kind::kNull: return "null";
    case Kind::kBool: return found.boolean ? "true" : "false";
    case Kind::kInt64: return absl::StrCat(found.int64);
    case Kind::kUInt64: return absl::StrCat(found.uint64);
    case Kind::kDouble: return FormatDouble(found.real);
    case Kind::kString: {
      RawWriter writer;
      writer.String(found.text);
      return writer.Take();
    }
    case Kind::kObject:
    case Kind::kArray: return found.text;
  }
  return "";
}

const JsonExtractor::Found& JsonExtractor::Lookup(absl::string_view json,
                                                  absl::Span<const JsonPathStep> path) {
  Find(json, path, true);
  return found_;
}

bool JsonExtractor::Elements(absl::string_view json, absl::Span<const JsonPathStep> path,
                             std::vector<Found>* elements, std::vector<std::string>* keys) {
  elements->clear();
  if (keys != nullptr) keys->clear();
  Find(json, path, true);
  if (found_.kind != Kind::kArray && found_.kind != Kind::kObject) return false;
  rapidjson::Document doc;
  // The text is the compact form of a container the bounded parse already accepted.
  if (!ParseJsonBounded<kParseFlags>(found_.text, &doc, static_cast<int>(kMaxDepth)).ok()) {
    return false;
  }
  const auto visit = [elements](const rapidjson::Value& value) {
    Found element;
    PathHandler handler({}, true, &element);
    value.Accept(handler);
    elements->push_back(std::move(element));
  };
  if (doc.IsArray()) {
    for (const rapidjson::Value& value : doc.GetArray()) visit(value);
  } else {
    for (const auto& member : doc.GetObject()) {
      if (keys != nullptr) keys->emplace_back(member.name.GetString(), member.name.GetStringLength());
      visit(member.value);
    }
  }
  return true;
}

}  // namespace mua::query_internal
