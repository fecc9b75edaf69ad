// Fuzzes EventDecoder::TryDecode on arbitrary bytes: it must never crash, and an accepted
// event must have its required fields, an in-range time, and properties and attributes
// that are "" or a JSON object, attributes no longer than the payload (it holds a subset
// of the members, compactly). Seeds: corpus/event_decoder/ (mua-gen lines of both shapes,
// invalid ones, seed 003 envelopes with unmapped fields).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "ingest/event_decoder.h"
#include <string>

#include "rapidjson/reader.h"

namespace {

constexpr int64_t kNowMs = 1793491200000;  // 2026-11-01T00:00:00Z

void Check(bool condition) {
  if (!condition) std::abort();
}

// Whether `text` is one JSON object. In-situ, numbers as strings: the same grammar as the
// decoder, and RapidJSON's lazily allocated stack stays unused (its first push does
// arithmetic on a null pointer, which UBSan reports).
bool IsJsonObject(absl::string_view text) {
  struct Handler : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
    int values = 0;
    bool object = false;
    bool Default() {
      ++values;
      return true;
    }
    bool StartObject() {
      if (values++ == 0) object = true;
      return true;
    }
  };
  std::string copy(text);
  rapidjson::InsituStringStream stream(copy.data());
  rapidjson::Reader reader;
  Handler handler;
  const bool ok =
      !reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag>(stream,
                                                                                        handler)
           .IsError();
  return ok && handler.object && stream.Tell() == text.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mua::EventDecoder* decoder = new mua::EventDecoder({.max_payload_bytes = 1 << 16});
  static mua::EventArena* arena = new mua::EventArena();
  const absl::string_view payload(reinterpret_cast<const char*>(data), size);
  mua::EventRow row;
  mua::DecodeError error;
  if (decoder->TryDecode(payload, kNowMs, arena, &row, &error)) {
    Check(!row.event_id.empty() && !row.user_id.empty() && !row.event_type.empty());
    Check(row.event_time_ms <= kNowMs + 86'400'000);
    Check(row.event_time_ms >= kNowMs - int64_t{731} * 86'400'000);
    Check(row.properties.empty() || IsJsonObject(row.properties));
    Check(row.attributes.empty() || IsJsonObject(row.attributes));
    Check(row.attributes.size() <= payload.size());
  } else {
    Check(!error.message.empty());
  }
  arena->Clear();
  return 0;
}
