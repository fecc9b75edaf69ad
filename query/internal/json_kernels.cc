// JSONExtractString/Int/UInt/Float/Bool and JSONHas over the properties
// column, with the path given as constant key names or 1-based indices.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "query/functions/json_extract.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"

namespace mua::query_internal {
namespace {

enum class JsonResult { kString, kInt, kUInt, kFloat, kBool, kHas };

absl::StatusOr<ScalarBinding> BindJson(absl::string_view name, JsonResult result,
                                       absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  JsonPath path;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i].constant == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("Argument ", i + 1, " of function ", name, " must be a constant key or index"));
    }
    if (args[i].type.is_string()) {
      path.push_back(JsonPathStep::Key(args[i].constant->string_at(0)));
    } else if (args[i].type.is_integer()) {
      path.push_back(JsonPathStep::Index(args[i].constant->ints[0]));
    } else {
      return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    }
  }
  TypeId type = TypeId::kString;
  switch (result) {
    case JsonResult::kInt: type = TypeId::kInt64; break;
    case JsonResult::kUInt: type = TypeId::kUInt64; break;
    case JsonResult::kFloat: type = TypeId::kFloat64; break;
    case JsonResult::kBool:
    case JsonResult::kHas: type = TypeId::kUInt8; break;
    case JsonResult::kString: break;
  }
  auto shared_path = std::make_shared<const JsonPath>(std::move(path));
  return ScalarBinding{
      DataType::Of(type),
      [result, shared_path](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
        JsonExtractor extractor;
        const JsonPath& steps = *shared_path;
        if (result == JsonResult::kFloat) {
          ResizeFloats(out, rows);
        } else if (result == JsonResult::kString) {
          ResizeStrings(out, rows);
        } else {
          ResizeInts(out, rows);
        }
        std::string text;
        for (size_t row = 0; row < rows; ++row) {
          const absl::string_view json = v[0].string_at(row);
          switch (result) {
            case JsonResult::kString:
              out->strings[row] = extractor.ExtractString(json, steps, &text)
                                      ? pool->Add(text)
                                      : absl::string_view();
              break;
            case JsonResult::kInt: out->ints[row] = extractor.ExtractInt(json, steps); break;
            case JsonResult::kUInt:
              out->ints[row] = static_cast<int64_t>(extractor.ExtractUInt(json, steps));
              break;
            case JsonResult::kFloat: out->floats[row] = extractor.ExtractFloat(json, steps); break;
            case JsonResult::kBool: out->ints[row] = extractor.ExtractBool(json, steps); break;
            case JsonResult::kHas: out->ints[row] = extractor.Has(json, steps); break;
          }
        }
        return absl::OkStatus();
      }};
}

// The path arguments args[1, end): constant keys (String) or 1-based indexes (integers).
absl::StatusOr<JsonPath> ConstantPath(absl::string_view name, absl::Span<const ScalarArg> args,
                                      size_t end) {
  JsonPath path;
  for (size_t i = 1; i < end; ++i) {
    if (args[i].constant == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("Argument ", i + 1, " of function ", name,
                                                     " must be a constant key or index"));
    }
    if (args[i].type.is_string()) {
      path.push_back(JsonPathStep::Key(args[i].constant->string_at(0)));
    } else if (args[i].type.is_integer()) {
      path.push_back(JsonPathStep::Index(args[i].constant->ints[0]));
    } else {
      return IllegalType(name, args[i].type, static_cast<int>(i + 1));
    }
  }
  return path;
}

using Found = JsonExtractor::Found;
using Kind = JsonExtractor::Kind;

// The scalar result types JSONExtract(json, ..., 'Type') returns.
absl::StatusOr<TypeId> JsonScalarType(absl::string_view name) {
  static constexpr std::pair<absl::string_view, TypeId> kTypes[] = {
      {"String", TypeId::kString}, {"Int8", TypeId::kInt8},     {"Int16", TypeId::kInt16},
      {"Int32", TypeId::kInt32},   {"Int64", TypeId::kInt64},   {"UInt8", TypeId::kUInt8},
      {"UInt16", TypeId::kUInt16}, {"UInt32", TypeId::kUInt32}, {"UInt64", TypeId::kUInt64},
      {"Float32", TypeId::kFloat64}, {"Float64", TypeId::kFloat64}, {"Bool", TypeId::kUInt8},
      {"LowCardinality(String)", TypeId::kString}};
  for (const auto& [type_name, id] : kTypes) {
    if (name == type_name) return id;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Function JSONExtract does not support the return type ", name));
}

// A value outside the target's range reads as the default 0, as ClickHouse's
// accurate conversion in JSONExtract.
int64_t FitTo(int64_t value, TypeId target) {
  int64_t low = INT64_MIN, high = INT64_MAX;
  switch (target) {
    case TypeId::kUInt8: low = 0, high = UINT8_MAX; break;
    case TypeId::kUInt16: low = 0, high = UINT16_MAX; break;
    case TypeId::kUInt32: low = 0, high = UINT32_MAX; break;
    case TypeId::kInt8: low = INT8_MIN, high = INT8_MAX; break;
    case TypeId::kInt16: low = INT16_MIN, high = INT16_MAX; break;
    case TypeId::kInt32: low = INT32_MIN, high = INT32_MAX; break;
    default: break;
  }
  return value >= low && value <= high ? value : 0;
}

// True when `found` holds a value of the kind a `type` result reads (else NULL for Nullable).
bool Convertible(const Found& found, TypeId type) {
  if (type == TypeId::kString) return found.kind == Kind::kString;
  switch (found.kind) {
    case Kind::kInt64:
    case Kind::kUInt64:
    case Kind::kDouble:
    case Kind::kBool: return true;
    case Kind::kString: {
      Found probe = found;
      return JsonExtractor::AsFloat(probe) != 0 || found.text == "0" || found.text == "0.0";
    }
    default: return false;
  }
}

// Appends `found` converted to `type` to out's physical values.
void AppendScalar(const Found& found, TypeId type, StringPool* pool, Vector* out) {
  if (type == TypeId::kString) {
    out->strings.push_back(found.kind == Kind::kString ? pool->Add(found.text) : absl::string_view());
  } else if (type == TypeId::kFloat64) {
    out->floats.push_back(JsonExtractor::AsFloat(found));
  } else if (type == TypeId::kUInt64) {
    out->ints.push_back(static_cast<int64_t>(JsonExtractor::AsUInt(found)));
  } else if (found.kind == Kind::kBool) {
    out->ints.push_back(found.boolean ? 1 : 0);
  } else {
    out->ints.push_back(FitTo(JsonExtractor::AsInt(found), type));
  }
}

// JSONExtract(json[, path...], 'Type') with Type a scalar, Nullable(scalar) or Array(scalar).
absl::StatusOr<ScalarBinding> BindJsonExtractTyped(absl::string_view name,
                                                   absl::Span<const ScalarArg> args) {
  if (args.size() < 2) return ArityError(name, args.size(), "at least 2");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  const ScalarArg& type_arg = args.back();
  if (!type_arg.type.is_string() || type_arg.constant == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "The last argument of function ", name, " must be a constant String naming the type"));
  }
  absl::string_view type_name = type_arg.constant->string_at(0);
  bool nullable = false, array = false;
  if (absl::ConsumePrefix(&type_name, "Nullable(") && absl::ConsumeSuffix(&type_name, ")")) {
    nullable = true;
  } else if (absl::ConsumePrefix(&type_name, "Array(") && absl::ConsumeSuffix(&type_name, ")")) {
    array = true;
  }
  absl::StatusOr<TypeId> element = JsonScalarType(type_name);
  if (!element.ok()) return element.status();
  absl::StatusOr<JsonPath> path = ConstantPath(name, args, args.size() - 1);
  if (!path.ok()) return path.status();
  const TypeId id = *element;
  DataType type = array ? DataType::Array(id) : nullable ? DataType::Nullable(id) : DataType::Of(id);
  auto steps = std::make_shared<const JsonPath>(*std::move(path));
  return ScalarBinding{type, [id, array, nullable, steps, type](absl::Span<Vector> v, size_t rows,
                                                               StringPool* pool, Vector* out) {
                         *out = Vector();
                         out->type = type;
                         out->size = rows;
                         if (array) out->offsets.assign(1, 0);
                         if (nullable) out->nulls.assign(rows, 0);
                         JsonExtractor extractor;
                         std::vector<Found> elements;
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view json = v[0].string_at(row);
                           if (!array) {
                             const Found& found = extractor.Lookup(json, *steps);
                             if (nullable && !Convertible(found, id)) out->nulls[row] = 1;
                             AppendScalar(found, id, pool, out);
                             continue;
                           }
                           extractor.Elements(json, *steps, &elements, nullptr);
                           size_t count = 0;
                           for (const Found& found : elements) {
                             AppendScalar(found, id, pool, out);
                             ++count;
                           }
                           out->offsets.push_back(out->offsets.back() + static_cast<uint32_t>(count));
                         }
                         return absl::OkStatus();
                       }};
}

enum class JsonShape { kKeys, kArrayRaw, kRaw, kLength, kType };

absl::StatusOr<ScalarBinding> BindJsonShape(absl::string_view name, JsonShape shape,
                                            absl::Span<const ScalarArg> args) {
  if (args.empty()) return ArityError(name, args.size(), "at least 1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  absl::StatusOr<JsonPath> path = ConstantPath(name, args, args.size());
  if (!path.ok()) return path.status();
  DataType type = DataType::Of(TypeId::kString);
  if (shape == JsonShape::kKeys || shape == JsonShape::kArrayRaw) type = DataType::Array(TypeId::kString);
  if (shape == JsonShape::kLength) type = DataType::Of(TypeId::kUInt64);
  auto steps = std::make_shared<const JsonPath>(*std::move(path));
  return ScalarBinding{type, [shape, steps, type](absl::Span<Vector> v, size_t rows, StringPool* pool,
                                                  Vector* out) {
                         *out = Vector();
                         out->type = type;
                         out->size = rows;
                         if (type.id == TypeId::kArray) out->offsets.assign(1, 0);
                         JsonExtractor extractor;
                         std::vector<Found> elements;
                         std::vector<std::string> keys;
                         for (size_t row = 0; row < rows; ++row) {
                           const absl::string_view json = v[0].string_at(row);
                           switch (shape) {
                             case JsonShape::kKeys:
                               if (extractor.Elements(json, *steps, &elements, &keys) &&
                                   extractor.Lookup(json, *steps).kind == Kind::kObject) {
                                 for (std::string& key : keys) out->strings.push_back(pool->Add(std::move(key)));
                               }
                               out->offsets.push_back(static_cast<uint32_t>(out->strings.size()));
                               break;
                             case JsonShape::kArrayRaw:
                               if (extractor.Lookup(json, *steps).kind == Kind::kArray &&
                                   extractor.Elements(json, *steps, &elements, nullptr)) {
                                 for (const Found& e : elements) {
                                   out->strings.push_back(pool->Add(JsonExtractor::AsRaw(e)));
                                 }
                               }
                               out->offsets.push_back(static_cast<uint32_t>(out->strings.size()));
                               break;
                             case JsonShape::kRaw:
                               out->strings.push_back(pool->Add(JsonExtractor::AsRaw(extractor.Lookup(json, *steps))));
                               break;
                             case JsonShape::kLength:
                               out->ints.push_back(extractor.Elements(json, *steps, &elements, nullptr)
                                                       ? static_cast<int64_t>(elements.size())
                                                       : 0);
                               break;
                             case JsonShape::kType: {
                               static constexpr const char* kNames[] = {
                                   "Null", "Null", "Bool", "Int64", "UInt64", "Double", "String", "Object", "Array"};
                               out->strings.push_back(
                                   kNames[static_cast<int>(extractor.Lookup(json, *steps).kind)]);
                               break;
                             }
                           }
                         }
                         return absl::OkStatus();
                       }};
}

}  // namespace

void RegisterJson(FunctionRegistry* registry) {
  registry->Add("JSONExtract", BindJsonExtractTyped);
  static constexpr std::pair<const char*, JsonShape> kShapes[] = {
      {"JSONExtractKeys", JsonShape::kKeys}, {"JSONExtractArrayRaw", JsonShape::kArrayRaw},
      {"JSONExtractRaw", JsonShape::kRaw},   {"JSONLength", JsonShape::kLength},
      {"JSONType", JsonShape::kType}};
  for (const auto& [function, shape] : kShapes) {
    const JsonShape bound = shape;
    registry->Add(function, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindJsonShape(n, bound, a);
    });
  }
  static constexpr std::pair<const char*, JsonResult> kFunctions[] = {
      {"JSONExtractString", JsonResult::kString}, {"JSONExtractInt", JsonResult::kInt},
      {"JSONExtractUInt", JsonResult::kUInt},     {"JSONExtractFloat", JsonResult::kFloat},
      {"JSONExtractBool", JsonResult::kBool},     {"JSONHas", JsonResult::kHas},
      // ClickHouse's older names for the same extraction on flat objects.
      {"visitParamExtractString", JsonResult::kString}, {"visitParamExtractInt", JsonResult::kInt},
      {"visitParamExtractUInt", JsonResult::kUInt},     {"visitParamExtractFloat", JsonResult::kFloat},
      {"visitParamExtractBool", JsonResult::kBool},     {"visitParamHas", JsonResult::kHas},
  };
  for (const auto& [name, result] : kFunctions) {
    const JsonResult bound = result;
    registry->Add(name, [bound](absl::string_view n, absl::Span<const ScalarArg> a) {
      return BindJson(n, bound, a);
    });
  }
}

}  // namespace mua::query_internal
