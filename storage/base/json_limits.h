// Bounded JSON parsing for text MUA did not write (request bodies, event payloads,
// stored property blobs): RapidJSON's iterative parser, which keeps its state on the
// heap instead of recursing per nesting level, plus a nesting-depth limit enforced
// while parsing. A document that passed is at most `max_depth` levels deep, so the
// recursive walks done on it afterwards (Accept into a Writer, deep copies, our own
// walkers) are bounded too. Stateless; thread-safe.
//
//   rapidjson::Document body;
//   MUA_RETURN_IF_ERROR(ParseJsonBounded(text, &body));  // 2 M '[' -> InvalidArgument
//   body.Accept(writer);  // safe: at most kMaxJsonDepth frames
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "rapidjson/encodedstream.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"

namespace mua {

// The nesting limit for every untrusted JSON text: request bodies, SDK events (the
// event object is level 1, `properties` level 2, so properties may nest 62 levels
// more) and JSONEachRow rows. Real payloads nest a handful of levels; 64 frames of
// any recursive walker fit any thread's stack many times over.
inline constexpr int kMaxJsonDepth = 64;

// "JSON nested deeper than `max_depth` levels at offset `offset`".
std::string JsonTooDeepMessage(int max_depth, size_t offset);

// InvalidArgument with JsonTooDeepMessage; IsJsonTooDeep recognizes it.
absl::Status JsonTooDeepError(int max_depth, size_t offset);

// Whether `status` came from JsonTooDeepError (as opposed to malformed JSON).
bool IsJsonTooDeep(const absl::Status& status);

// InvalidArgument "malformed JSON at offset K: <RapidJSON's reason>".
absl::Status JsonSyntaxError(rapidjson::ParseErrorCode code, size_t offset);

// A SAX handler in front of `Handler` that counts open objects and arrays and stops
// the parse (returns false) when one more would exceed `max_depth`; every other event
// is forwarded unchanged. REQUIRES: `inner` outlives the limiter.
template <typename Handler>
class JsonDepthLimiter {
 public:
  using Ch = char;
  using SizeType = rapidjson::SizeType;

  JsonDepthLimiter(Handler* inner, int max_depth) : inner_(inner), max_depth_(max_depth) {}

  bool Null() { return inner_->Null(); }
  bool Bool(bool b) { return inner_->Bool(b); }
  bool Int(int i) { return inner_->Int(i); }
  bool Uint(unsigned u) { return inner_->Uint(u); }
  bool Int64(int64_t i) { return inner_->Int64(i); }
  bool Uint64(uint64_t u) { return inner_->Uint64(u); }
  bool Double(double d) { return inner_->Double(d); }
  bool RawNumber(const Ch* s, SizeType n, bool copy) { return inner_->RawNumber(s, n, copy); }
  bool String(const Ch* s, SizeType n, bool copy) { return inner_->String(s, n, copy); }
  bool Key(const Ch* s, SizeType n, bool copy) { return inner_->Key(s, n, copy); }
  bool StartObject() { return Enter() && inner_->StartObject(); }
  bool EndObject(SizeType members) {
    --depth_;
    return inner_->EndObject(members);
  }
  bool StartArray() { return Enter() && inner_->StartArray(); }
  bool EndArray(SizeType elements) {
    --depth_;
    return inner_->EndArray(elements);
  }

  // Whether the parse stopped because of the limit.
  bool too_deep() const { return too_deep_; }

 private:
  bool Enter() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  Handler* const inner_;
  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

namespace base_internal {

// Feeds `text` into a Document through a JsonDepthLimiter (GenericDocument::Populate).
template <unsigned kFlags>
struct BoundedJsonGenerator {
  bool operator()(rapidjson::Document& document) {
    rapidjson::MemoryStream memory(text.data(), text.size());
    // As Document::Parse(text, length): a UTF-8 byte-order mark is skipped.
    rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(memory);
    JsonDepthLimiter<rapidjson::Document> limiter(&document, max_depth);
    rapidjson::Reader reader;
    const rapidjson::ParseResult result =
        reader.Parse<kFlags | rapidjson::kParseIterativeFlag>(stream, limiter);
    if (limiter.too_deep()) {
      // The reader stops on the bracket that opens the level too many.
      status = JsonTooDeepError(max_depth, result.Offset());
    } else if (result.IsError()) {
      status = JsonSyntaxError(result.Code(), result.Offset());
    } else if (!(kFlags & rapidjson::kParseStopWhenDoneFlag) && memory.Tell() != text.size()) {
      // The reader takes a NUL byte for the end of the text: "{}\0..." is not one value.
      status = JsonSyntaxError(rapidjson::kParseErrorDocumentRootNotSingular, memory.Tell());
    }
    return status.ok();
  }

  absl::string_view text;
  int max_depth;
  absl::Status status;
};

// A handler that accepts every event: syntax and depth checks only.
struct IgnoreJson : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, IgnoreJson> {
  bool Default() { return true; }
};

}  // namespace base_internal

// Parses `text` (RapidJSON flags `kFlags`, always iterative) into `*document`.
// Errors: InvalidArgument JsonTooDeepError when an object or array opens below
// `max_depth` levels, JsonSyntaxError when `text` is not one JSON value; on error
// `*document` is null.
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
absl::Status ParseJsonBounded(absl::string_view text, rapidjson::Document* document,
                              int max_depth = kMaxJsonDepth) {
  base_internal::BoundedJsonGenerator<kFlags> generator{text, max_depth, absl::OkStatus()};
  document->Populate(generator);
  if (!generator.status.ok()) document->SetNull();
  return generator.status;
}

// The checks of ParseJsonBounded without building a document (nothing is allocated
// beyond the parser's own stack of at most `max_depth` levels).
template <unsigned kFlags = rapidjson::kParseDefaultFlags>
absl::Status CheckJsonBounded(absl::string_view text, int max_depth = kMaxJsonDepth) {
  base_internal::IgnoreJson ignore;
  JsonDepthLimiter<base_internal::IgnoreJson> limiter(&ignore, max_depth);
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(memory);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result =
      reader.Parse<kFlags | rapidjson::kParseIterativeFlag>(stream, limiter);
  if (limiter.too_deep()) return JsonTooDeepError(max_depth, result.Offset());
  if (result.IsError()) return JsonSyntaxError(result.Code(), result.Offset());
  if (!(kFlags & rapidjson::kParseStopWhenDoneFlag) && memory.Tell() != text.size()) {
    return JsonSyntaxError(rapidjson::kParseErrorDocumentRootNotSingular, memory.Tell());
  }
  return absl::OkStatus();
}

}  // namespace mua
