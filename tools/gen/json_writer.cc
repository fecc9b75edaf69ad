#include "tools/gen/json_writer.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "rapidjson/writer.h"
#include "storage/base/status_macros.h"
#include "tools/gen/internal/catalog.h"
#include "tools/gen/internal/json_text.h"
#include "tools/gen/internal/rng.h"

namespace mua::gen {
namespace {

using gen_internal::HashBytes;
using gen_internal::Mix64;
using gen_internal::StringSink;
using JsonWriter = rapidjson::Writer<StringSink>;

constexpr int64_t kMillisPerYear = 365LL * 86'400'000;

enum class TimestampForm { kIsoZulu, kIsoOffset, kEpochMillis };

// How a valid line is written; derived from the event so that re-sends are identical.
struct LineStyle {
  bool nested;
  TimestampForm timestamp;
  bool device_os_key;         // nested: device.os rather than device.platform
  bool event_properties_key;  // nested: event_properties rather than properties
};

LineStyle StyleOf(const GeneratedEvent& event) {
  const uint64_t h = HashBytes(event.event_id, HashBytes(event.user_id));
  // The iOS SDK mostly sends the nested shape, Android the flat one, web both.
  const int nested_percent = event.platform == "ios" ? 85 : event.platform == "android" ? 15 : 50;
  LineStyle style;
  style.nested = static_cast<int>(h % 100) < nested_percent;
  const int form = static_cast<int>((h >> 8) % 100);
  style.timestamp = form < 45   ? TimestampForm::kIsoZulu
                    : form < 65 ? TimestampForm::kIsoOffset
                                : TimestampForm::kEpochMillis;
  style.device_os_key = (h >> 16) & 1;
  style.event_properties_key = (h >> 17) & 1;
  return style;
}

// The writer and sink are reused so that steady-state encoding does not allocate.
struct Scratch {
  StringSink sink;
  JsonWriter writer;
  std::string line;
};
Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

void String(JsonWriter& w, absl::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void Field(JsonWriter& w, const char* key, absl::string_view value) {
  w.Key(key);
  String(w, value);
}

void Timestamp(JsonWriter& w, const GeneratedEvent& event, TimestampForm form) {
  w.Key("event_timestamp");
  if (form == TimestampForm::kEpochMillis) {
    w.Int64(event.event_time_ms);
    return;
  }
  const int offset = form == TimestampForm::kIsoOffset
                         ? gen_internal::UtcOffsetMinutes(event.country, event.city)
                         : 0;
  char buf[32];
  const int length = gen_internal::FormatIsoTimestamp(event.event_time_ms, offset,
                                                      form == TimestampForm::kIsoZulu, buf);
  w.String(buf, static_cast<rapidjson::SizeType>(length));
}

void Properties(JsonWriter& w, const GeneratedEvent& event, const char* key) {
  w.Key(key);
  if (event.properties.empty()) {
    w.RawValue("{}", 2, rapidjson::kObjectType);
  } else {
    w.RawValue(event.properties.data(), event.properties.size(), rapidjson::kObjectType);
  }
}

// Seed 003's fields beyond the mapped columns, all functions of the event (a re-send is
// identical). Numbers are written as raw text where the bytes matter: `attributes` keeps
// numbers exactly as sent, so a trailing zero must survive the round trip.
struct Seed003 {
  uint64_t user_hash;
  uint64_t event_hash;
};

Seed003 Seed003Of(const GeneratedEvent& event) {
  return {HashBytes(event.user_id, 0x003), HashBytes(event.event_id, HashBytes(event.user_id))};
}

std::string TimeZoneName(const GeneratedEvent& event) {
  const int offset = gen_internal::UtcOffsetMinutes(event.country, event.city);
  if (offset == 0) return "UTC";
  const int magnitude = std::abs(offset);
  return absl::StrFormat("UTC%c%02d:%02d", offset < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

void Seed003UserFields(JsonWriter& w, const Seed003& seed) {
  static constexpr const char* kSegments[] = {"new", "casual", "engaged", "power", "churn_risk"};
  w.Key("is_authenticated");
  w.Bool(seed.user_hash & 1);
  Field(w, "user_segment", kSegments[(seed.user_hash >> 1) % 5]);
}

void Seed003DeviceFields(JsonWriter& w, const GeneratedEvent& event, const Seed003& seed) {
  std::string device_id;
  gen_internal::AppendHex32(Mix64(seed.user_hash), Mix64(seed.user_hash ^ 0xde71ceULL), &device_id);
  Field(w, "device_id", device_id.substr(0, 16));
  static constexpr const char* kBrowsers[] = {"Chrome", "Safari", "Firefox", "Edge"};
  Field(w, "browser", event.platform == "web" ? kBrowsers[(seed.user_hash >> 8) % 4]
                      : event.platform == "ios" ? "WKWebView" : "Chrome WebView");
  w.Key("is_mobile");
  w.Bool(event.device_type != "desktop");
}

// The --experiment assignments, as members of an open ab_test_variants object.
void ConfiguredVariants(JsonWriter& w, const GeneratedEvent& event) {
  for (const VariantAssignment& assignment : event.ab_test_variants) {
    Field(w, assignment.experiment.c_str(), assignment.variant);
  }
}

// ab_test_variants of an event without seed 003's fields: the configured ones, if any.
void AbTestVariants(JsonWriter& w, const GeneratedEvent& event) {
  if (event.ab_test_variants.empty()) return;
  w.Key("ab_test_variants");
  w.StartObject();
  ConfiguredVariants(w, event);
  w.EndObject();
}

// The top-level seed 003 fields: page, A/B variants, a purchase's transaction, event_version.
void Seed003TopFields(JsonWriter& w, const GeneratedEvent& event, const Seed003& seed) {
  Field(w, "event_version", (seed.event_hash & 3) == 0 ? "1.1" : "1.2");
  w.Key("page");
  w.StartObject();
  const std::string path = absl::StrCat("/p/", (seed.event_hash >> 4) % 500);
  Field(w, "url", absl::StrCat("https://shop.example.com", path, "?ref=app&q=caf\u00e9"));
  Field(w, "path", path);
  w.Key("referrer");
  if ((seed.event_hash >> 12) % 3 == 0) {
    w.Null();
  } else {
    String(w, "https://www.google.com/");
  }
  static constexpr const char* kSources[] = {"google", "facebook", "newsletter", "tiktok"};
  if ((seed.user_hash >> 12) % 4 != 0) {
    Field(w, "utm_source", kSources[(seed.user_hash >> 14) % 4]);
    Field(w, "utm_medium", (seed.user_hash >> 16) & 1 ? "cpc" : "email");
    Field(w, "utm_campaign", absl::StrCat("fall_sale_", (seed.user_hash >> 17) % 7));
  }
  w.EndObject();
  w.Key("ab_test_variants");
  w.StartObject();
  Field(w, "checkout_button", (seed.user_hash >> 20) & 1 ? "B" : "A");
  Field(w, "onboarding_v2", (seed.user_hash >> 21) & 1 ? "treatment" : "control");
  ConfiguredVariants(w, event);
  w.EndObject();
  if (event.event_type == "purchase") {
    w.Key("transaction");
    w.StartObject();
    std::string id;
    gen_internal::AppendHex32(Mix64(seed.event_hash), Mix64(seed.event_hash ^ 0x7a11ULL), &id);
    Field(w, "transaction_id", id);
    const std::string amount = absl::StrFormat("%d.%02d0", 1 + (seed.event_hash >> 24) % 200,
                                               (seed.event_hash >> 32) % 100);
    w.Key("amount");
    w.RawValue(amount.data(), amount.size(), rapidjson::kNumberType);
    Field(w, "currency", "USD");
    w.Key("items");
    w.StartArray();
    for (uint64_t i = 0; i <= (seed.event_hash >> 40) % 3; ++i) {
      w.StartObject();
      Field(w, "sku", absl::StrCat("sku_", (seed.event_hash >> (44 + i)) % 90));
      w.Key("qty");
      w.Int(1 + static_cast<int>(i));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
}

void WriteFlat(JsonWriter& w, const GeneratedEvent& event, TimestampForm form) {
  w.StartObject();
  Field(w, "event_id", event.event_id);
  Field(w, "user_id", event.user_id);
  if (!event.session_id.empty()) Field(w, "session_id", event.session_id);
  Field(w, "event_type", event.event_type);
  Timestamp(w, event, form);
  Field(w, "platform", event.platform);
  Field(w, "os_version", event.os_version);
  Field(w, "app_version", event.app_version);
  Field(w, "device_model", event.device_model);
  Field(w, "device_type", event.device_type);
  Field(w, "country", event.country);
  Field(w, "region", event.region);
  Field(w, "city", event.city);
  Properties(w, event, "properties");
  if (event.seed003) {
    // Flat SDKs send the extras as their own objects beside the flat columns.
    const Seed003 seed = Seed003Of(event);
    Seed003TopFields(w, event, seed);
    w.Key("user");
    w.StartObject();
    Seed003UserFields(w, seed);
    w.EndObject();
    w.Key("device");
    w.StartObject();
    Seed003DeviceFields(w, event, seed);
    w.EndObject();
    w.Key("geo");
    w.StartObject();
    Field(w, "timezone", TimeZoneName(event));
    w.EndObject();
    w.Key("session");
    w.StartObject();
    w.Key("event_index");
    w.Int64(event.sequence);
    w.EndObject();
  } else {
    AbTestVariants(w, event);
  }
  w.EndObject();
}

void WriteNested(JsonWriter& w, const GeneratedEvent& event, const LineStyle& style) {
  const Seed003 seed = Seed003Of(event);
  w.StartObject();
  Field(w, "event_id", event.event_id);
  Field(w, "event_type", event.event_type);
  Timestamp(w, event, style.timestamp);
  if (event.seed003) {
    Seed003TopFields(w, event, seed);
  } else {
    AbTestVariants(w, event);
  }
  if (!event.session_id.empty() || event.seed003) {
    w.Key("session");
    w.StartObject();
    if (!event.session_id.empty()) Field(w, "session_id", event.session_id);
    if (event.seed003) {
      w.Key("event_index");
      w.Int64(event.sequence);
    }
    w.EndObject();
  }
  w.Key("user");
  w.StartObject();
  Field(w, "user_id", event.user_id);
  if (event.seed003) Seed003UserFields(w, seed);
  w.EndObject();
  w.Key("device");
  w.StartObject();
  Field(w, style.device_os_key ? "os" : "platform", event.platform);
  Field(w, "os_version", event.os_version);
  Field(w, "device_model", event.device_model);
  Field(w, "device_type", event.device_type);
  if (event.seed003) Seed003DeviceFields(w, event, seed);
  w.EndObject();
  w.Key("context");
  w.StartObject();
  Field(w, "app_version", event.app_version);
  Field(w, "platform", event.platform);
  w.EndObject();
  w.Key("geo");
  w.StartObject();
  Field(w, "country", event.country);
  Field(w, "region", event.region);
  Field(w, "city", event.city);
  if (event.seed003) Field(w, "timezone", TimeZoneName(event));
  w.EndObject();
  Properties(w, event, style.event_properties_key ? "event_properties" : "properties");
  w.EndObject();
}

// Ways a flat line breaks one required field.
enum class Breakage {
  kMissingEventId,
  kMissingUserId,
  kMissingEventType,
  kMissingTimestamp,
  kUserIdNumber,
  kEventIdNull,
  kEventTypeArray,
  kTimestampBool,
  kTimestampObject,
  kTimestampUnparsable,
  kTimestampFuture,
  kEmptyUserId,
  kEmptyEventType,
  kEmptyEventId,
};
constexpr int kBreakageCount = 14;

void WriteBrokenFlat(JsonWriter& w, const GeneratedEvent& event, Breakage breakage,
                     uint64_t random) {
  static constexpr const char* kBadTimestamps[] = {
      "2026-13-45T25:61:00Z", "yesterday", "", "10/05/2026 14:03", "not-a-time", "T12:00:00Z"};
  w.StartObject();
  switch (breakage) {
    case Breakage::kMissingEventId:
      break;
    case Breakage::kEventIdNull:
      w.Key("event_id");
      w.Null();
      break;
    case Breakage::kEmptyEventId:
      Field(w, "event_id", "");
      break;
    default:
      Field(w, "event_id", event.event_id);
  }
  switch (breakage) {
    case Breakage::kMissingUserId:
      break;
    case Breakage::kUserIdNumber:
      w.Key("user_id");
      w.Uint64(random % 1'000'000);
      break;
    case Breakage::kEmptyUserId:
      Field(w, "user_id", "");
      break;
    default:
      Field(w, "user_id", event.user_id);
  }
  if (!event.session_id.empty()) Field(w, "session_id", event.session_id);
  switch (breakage) {
    case Breakage::kMissingEventType:
      break;
    case Breakage::kEventTypeArray:
      w.Key("event_type");
      w.StartArray();
      String(w, event.event_type);
      w.EndArray();
      break;
    case Breakage::kEmptyEventType:
      Field(w, "event_type", "");
      break;
    default:
      Field(w, "event_type", event.event_type);
  }
  switch (breakage) {
    case Breakage::kMissingTimestamp:
      break;
    case Breakage::kTimestampBool:
      w.Key("event_timestamp");
      w.Bool(true);
      break;
    case Breakage::kTimestampObject:
      w.Key("event_timestamp");
      w.StartObject();
      w.Key("ms");
      w.Int64(event.event_time_ms);
      w.EndObject();
      break;
    case Breakage::kTimestampUnparsable:
      Field(w, "event_timestamp", kBadTimestamps[random % std::size(kBadTimestamps)]);
      break;
    case Breakage::kTimestampFuture: {
      // Years ahead: far past any sane "24 h in the future" bound, whatever the clock says.
      GeneratedEvent future = event;
      future.event_time_ms += (3 + static_cast<int64_t>(random % 28)) * kMillisPerYear;
      Timestamp(w, future, random & 1 ? TimestampForm::kEpochMillis : TimestampForm::kIsoZulu);
      break;
    }
    default:
      Timestamp(w, event, TimestampForm::kIsoZulu);
  }
  Field(w, "platform", event.platform);
  Field(w, "app_version", event.app_version);
  Field(w, "country", event.country);
  Properties(w, event, "properties");
  w.EndObject();
}

}  // namespace

void AppendJsonLine(const GeneratedEvent& event, std::string* out) {
  Scratch& scratch = ThreadScratch();
  scratch.sink.Begin(out);
  scratch.writer.Reset(scratch.sink);
  const LineStyle style = StyleOf(event);
  if (style.nested) {
    WriteNested(scratch.writer, event, style);
  } else {
    WriteFlat(scratch.writer, event, style.timestamp);
  }
  scratch.sink.Put('\n');
  scratch.sink.Finish();
}

void AppendInvalidJsonLine(const GeneratedEvent& basis, uint64_t random, std::string* out) {
  Scratch& scratch = ThreadScratch();
  const uint64_t detail = Mix64(random);
  const int kind = static_cast<int>(random % 8);
  if (kind == 0) {
    // Malformed: a valid line cut short. No proper prefix of an object is valid JSON.
    scratch.line.clear();
    AppendJsonLine(basis, &scratch.line);
    const size_t length = scratch.line.size() - 1;  // without '\n'
    out->append(scratch.line, 0, 1 + detail % (length - 1));
    out->push_back('\n');
    return;
  }
  scratch.sink.Begin(out);
  scratch.writer.Reset(scratch.sink);
  JsonWriter& w = scratch.writer;
  if (kind == 1) {
    switch (detail % 5) {
      case 0:
        // Not an array of events either (HTTP ingest accepts those): just values.
        w.StartArray();
        String(w, basis.event_type);
        w.Int64(basis.event_time_ms);
        w.EndArray();
        break;
      case 1:
        String(w, basis.event_type);
        break;
      case 2:
        w.Int64(basis.event_time_ms);
        break;
      case 3:
        w.Null();
        break;
      default:
        w.Bool(true);
    }
  } else {
    WriteBrokenFlat(w, basis, static_cast<Breakage>(detail % kBreakageCount), Mix64(detail));
  }
  scratch.sink.Put('\n');
  scratch.sink.Finish();
}

absl::StatusOr<JsonLinesStats> WriteEventChunks(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes, absl::FunctionRef<void(const GeneratedEvent&, std::string*, JsonLinesStats*)> append) {
  EventGenerator generator(options);
  JsonLinesStats stats;
  std::vector<GeneratedEvent> day;
  std::string chunk;
  chunk.reserve(chunk_bytes + (64 << 10));
  while (generator.NextDay(&day)) {
    for (const GeneratedEvent& event : day) {
      append(event, &chunk, &stats);
      ++stats.events;
      stats.duplicates += event.duplicate ? 1 : 0;
      if (chunk.size() >= chunk_bytes) {
        MUA_RETURN_IF_ERROR(sink(chunk));
        chunk.clear();
      }
    }
  }
  if (!chunk.empty()) MUA_RETURN_IF_ERROR(sink(chunk));
  stats.users = generator.users_signed_up();
  return stats;
}

absl::StatusOr<JsonLinesStats> WriteJsonLines(
    const GeneratorOptions& options, absl::FunctionRef<absl::Status(std::string& chunk)> sink,
    size_t chunk_bytes) {
  gen_internal::Rng invalid_rng(Mix64(options.seed ^ 0xbadbadULL));
  // Insert before each valid line with this probability so invalid lines are invalid_share of all.
  const double invalid_probability = options.invalid_share / (1 - options.invalid_share);
  return WriteEventChunks(options, sink, chunk_bytes,
                          [&](const GeneratedEvent& event, std::string* chunk, JsonLinesStats* stats) {
                            if (invalid_probability > 0 && invalid_rng.Bernoulli(invalid_probability)) {
                              AppendInvalidJsonLine(event, invalid_rng.Next(), chunk);
                              ++stats->invalid;
                            }
                            AppendJsonLine(event, chunk);
                          });
}

}  // namespace mua::gen
