// JSONExtractString/Int/UInt/Float/Bool and JSONHas over the properties
// column, with the path given as constant key names or 1-based indices.
#include <memory>

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

}  // namespace

void RegisterJson(FunctionRegistry* registry) {
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
