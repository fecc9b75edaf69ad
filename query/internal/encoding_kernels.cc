// hex/unhex and base64Encode/base64Decode/tryBase64Decode, as ClickHouse:
// hex of a string is its bytes in upper case; of an integer (Date, DateTime
// too), its value big-endian without leading zero bytes (hex(0) = '00'); of a
// Float64 or DateTime64, its bytes in memory order (little-endian).
#include <cstring>
#include <string>

#include "absl/strings/escaping.h"
#include "query/internal/function_registry.h"
#include "query/internal/kernel_util.h"
#include "query/internal/value_width.h"
#include "storage/base/status_macros.h"

namespace mua::query_internal {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

void AppendHexByte(unsigned char byte, std::string* out) {
  out->push_back(kHexDigits[byte >> 4]);
  out->push_back(kHexDigits[byte & 15]);
}

// hex() of a number prints its bytes; a type without a fixed width as an Int64's.
int IntegerWidth(TypeId id) {
  const int width = FixedByteWidth(id);
  return width == 0 ? 8 : width;
}

void HexOf(const Vector& v, size_t row, std::string* out) {
  const TypeId id = v.type.id;
  if (id == TypeId::kString) {
    for (char c : v.string_at(row)) AppendHexByte(static_cast<unsigned char>(c), out);
    return;
  }
  if (id == TypeId::kFloat64 || id == TypeId::kDateTime64) {
    unsigned char bytes[8];
    if (id == TypeId::kFloat64) {
      const double x = v.float_at(row);
      std::memcpy(bytes, &x, 8);
    } else {
      const int64_t x = v.int_at(row);
      std::memcpy(bytes, &x, 8);
    }
    for (unsigned char byte : bytes) AppendHexByte(byte, out);
    return;
  }
  const int width = IntegerWidth(id);
  uint64_t value = static_cast<uint64_t>(v.int_at(row));
  if (width < 8) value &= (uint64_t{1} << (8 * width)) - 1;
  bool started = false;
  for (int shift = 56; shift >= 0; shift -= 8) {
    const unsigned char byte = static_cast<unsigned char>(value >> shift);
    if (byte == 0 && !started && shift > 0) continue;
    started = true;
    AppendHexByte(byte, out);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;  // ClickHouse does not validate the digits either
}

using StringRowFn = std::function<absl::Status(const Vector& arg, size_t row, std::string* out)>;

ScalarBinding StringResult(StringRowFn fn) {
  return ScalarBinding{
      DataType::Of(TypeId::kString),
      [fn = std::move(fn)](absl::Span<Vector> v, size_t rows, StringPool* pool, Vector* out) {
        ResizeStrings(out, rows);
        std::string text;
        for (size_t row = 0; row < rows; ++row) {
          text.clear();
          MUA_RETURN_IF_ERROR(fn(v[0], row, &text));
          out->strings[row] = pool->Add(text);
        }
        return absl::OkStatus();
      }};
}

absl::StatusOr<ScalarBinding> BindHex(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  const DataType& type = args[0].type;
  if (!type.is_string() && !type.is_numeric() && !type.is_time()) return IllegalType(name, type, 1);
  return StringResult([](const Vector& arg, size_t row, std::string* out) {
    HexOf(arg, row, out);
    return absl::OkStatus();
  });
}

absl::StatusOr<ScalarBinding> BindUnhex(absl::string_view name, absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  return StringResult([](const Vector& arg, size_t row, std::string* out) {
    absl::string_view text = arg.string_at(row);
    if (text.size() % 2 == 1) {  // an odd length: the first digit is a byte of its own
      out->push_back(static_cast<char>(HexValue(text[0])));
      text.remove_prefix(1);
    }
    for (size_t i = 0; i + 1 < text.size(); i += 2) {
      out->push_back(static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ScalarBinding> BindBase64(absl::string_view name, bool encode, bool try_decode,
                                         absl::Span<const ScalarArg> args) {
  if (args.size() != 1) return ArityError(name, args.size(), "1");
  if (!args[0].type.is_string()) return IllegalType(name, args[0].type, 1);
  return StringResult([encode, try_decode](const Vector& arg, size_t row, std::string* out) {
    const absl::string_view text = arg.string_at(row);
    if (encode) {
      absl::Base64Escape(text, out);
      return absl::OkStatus();
    }
    if (!absl::Base64Unescape(text, out)) {
      out->clear();
      if (!try_decode) {
        return absl::InvalidArgumentError(absl::StrCat("Cannot decode base64 string '", text,
                                                       "': Failed to decode base64 string"));
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace

void RegisterEncoding(FunctionRegistry* registry) {
  registry->Add("hex", BindHex, true);
  registry->Add("unhex", BindUnhex, true);
  registry->Add("base64Encode", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBase64(n, true, false, a);
  });
  registry->Add("base64Decode", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBase64(n, false, false, a);
  });
  registry->Add("tryBase64Decode", [](absl::string_view n, absl::Span<const ScalarArg> a) {
    return BindBase64(n, false, true, a);
  });
}

}  // namespace mua::query_internal
