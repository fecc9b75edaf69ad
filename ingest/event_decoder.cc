#include "ingest/event_decoder.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ingest/internal/attributes_builder.h"
#include "ingest/internal/json_text_writer.h"
#include "ingest/internal/timestamp_parser.h"
#include "ingest/pii.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"
#include "storage/base/json_limits.h"
#include "storage/base/time_util.h"

namespace mua {
namespace {

using ingest_internal::DaysFromCivil;

// The event object is level 1. The hot path keeps RapidJSON's recursive reader, which
// is safe here: the handler refuses the container that would open level kMaxDepth + 1
// before the reader recurses into it, so the stack holds at most kMaxDepth parse
// frames whatever the payload.
constexpr int kMaxDepth = kMaxJsonDepth;
// Table::Append accepts [1900-01-01, 2400-01-01).
constexpr int64_t kMinTimeMs = DaysFromCivil(1900, 1, 1) * kMillisPerDay;
constexpr int64_t kMaxTimeMs = DaysFromCivil(2400, 1, 1) * kMillisPerDay;
constexpr size_t kMaxQuotedValue = 80;

// A JSON key's meaning: an EventRow field, a nested group, or nothing we keep.
enum class Field : uint8_t {
  kUnknown,
  kEventId,
  kUserId,
  kSessionId,
  kEventType,
  kTimestamp,
  kPlatform,
  kOsVersion,
  kAppVersion,
  kDeviceModel,
  kDeviceType,
  kCountry,
  kRegion,
  kCity,
  kProperties,
  kSession,  // groups of the nested shape
  kUser,
  kDevice,
  kContext,
  kGeo,
  kOs,  // device.os, an alias of platform
  // A row of the events table (EventDecoderOptions::table_rows): its `attributes` column.
  kAttributesColumn,
};
constexpr int kNumFields = 22;

constexpr bool IsGroup(Field f) { return f >= Field::kSession && f <= Field::kGeo; }
constexpr int Index(Field f) { return static_cast<int>(f); }

template <size_t N>
inline bool Is(const char* s, const char (&literal)[N]) {
  return std::memcmp(s, literal, N - 1) == 0;
}

Field LookupKey(const char* s, size_t n) {
  switch (n) {
    case 2:
      if (Is(s, "os")) return Field::kOs;
      break;
    case 3:
      if (Is(s, "geo")) return Field::kGeo;
      break;
    case 4:
      if (Is(s, "city")) return Field::kCity;
      if (Is(s, "user")) return Field::kUser;
      break;
    case 6:
      if (Is(s, "region")) return Field::kRegion;
      if (Is(s, "device")) return Field::kDevice;
      break;
    case 7:
      if (Is(s, "user_id")) return Field::kUserId;
      if (Is(s, "country")) return Field::kCountry;
      if (Is(s, "session")) return Field::kSession;
      if (Is(s, "context")) return Field::kContext;
      break;
    case 8:
      if (Is(s, "event_id")) return Field::kEventId;
      if (Is(s, "platform")) return Field::kPlatform;
      break;
    case 10:
      if (Is(s, "event_type")) return Field::kEventType;
      if (Is(s, "session_id")) return Field::kSessionId;
      if (Is(s, "os_version")) return Field::kOsVersion;
      if (Is(s, "properties")) return Field::kProperties;
      if (Is(s, "event_time")) return Field::kTimestamp;
      if (Is(s, "attributes")) return Field::kAttributesColumn;
      break;
    case 11:
      if (Is(s, "app_version")) return Field::kAppVersion;
      if (Is(s, "device_type")) return Field::kDeviceType;
      break;
    case 12:
      if (Is(s, "device_model")) return Field::kDeviceModel;
      break;
    case 15:
      if (Is(s, "event_timestamp")) return Field::kTimestamp;
      break;
    case 16:
      if (Is(s, "event_properties")) return Field::kProperties;
      break;
  }
  return Field::kUnknown;
}

// What `field` means inside the nested `group` (kUnknown: ignored there).
Field InGroup(Field group, Field field) {
  switch (group) {
    case Field::kSession:
      return field == Field::kSessionId ? field : Field::kUnknown;
    case Field::kUser:
      return field == Field::kUserId ? field : Field::kUnknown;
    case Field::kDevice:
      if (field == Field::kOs) return Field::kPlatform;
      return field == Field::kPlatform || field == Field::kOsVersion ||
                     field == Field::kDeviceModel || field == Field::kDeviceType
                 ? field
                 : Field::kUnknown;
    case Field::kContext:
      return field == Field::kAppVersion || field == Field::kPlatform ? field : Field::kUnknown;
    case Field::kGeo:
      return field == Field::kCountry || field == Field::kRegion || field == Field::kCity
                 ? field
                 : Field::kUnknown;
    default:
      return Field::kUnknown;
  }
}

const char* GroupName(Field group) {
  switch (group) {
    case Field::kSession:
      return "session";
    case Field::kUser:
      return "user";
    case Field::kDevice:
      return "device";
    case Field::kContext:
      return "context";
    case Field::kGeo:
      return "geo";
    default:
      return "";
  }
}

using Kind = ingest_internal::JsonKind;

std::string Quote(absl::string_view value) {
  const bool cut = value.size() > kMaxQuotedValue;
  if (cut) value = value.substr(0, kMaxQuotedValue);
  return absl::StrCat("\"", absl::CHexEscape(value), cut ? "...\"" : "\"");
}

std::string Describe(Kind kind, absl::string_view text) {
  switch (kind) {
    case Kind::kString:
      return absl::StrCat("string ", Quote(text));
    case Kind::kNumber:
      return absl::StrCat("number ", text.substr(0, kMaxQuotedValue));
    case Kind::kBool:
      return std::string(text);
    case Kind::kNull:
      return "null";
  }
  return "";
}

}  // namespace

// The SAX handler and the state of one decode. Numbers arrive as raw text
// (kParseNumbersAsStringsFlag) so they are kept exactly as written.
class EventDecoder::Impl {
 public:
  static constexpr unsigned kParseFlags =
      rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;

  explicit Impl(const EventDecoderOptions& options) : options_(options) {}

  bool TryDecode(absl::string_view payload, int64_t now_ms, EventArena* arena, EventRow* row,
                 DecodeError* error);

  // RapidJSON handler interface.
  bool Null() { return Scalar(Kind::kNull, "null"); }
  bool Bool(bool b) { return Scalar(Kind::kBool, b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(Kind::kNumber, absl::string_view(s, n));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(Kind::kString, absl::string_view(s, n));
  }
  // Not called with kParseNumbersAsStringsFlag; required by the handler concept.
  bool Int(int) { return true; }
  bool Uint(unsigned) { return true; }
  bool Int64(int64_t) { return true; }
  bool Uint64(uint64_t) { return true; }
  bool Double(double) { return true; }
  bool Key(const char* s, rapidjson::SizeType n, bool);
  bool StartObject();
  bool EndObject(rapidjson::SizeType);
  bool StartArray();
  bool EndArray(rapidjson::SizeType);

 private:
  enum class Mode : uint8_t { kTop, kGroup, kCapture };

  void Reset();
  bool Scalar(Kind kind, absl::string_view text);
  bool Assign(Kind kind, absl::string_view text);
  void SetValue(Field field, absl::string_view text);
  void Note(Field field, uint32_t member, bool has_value);
  void BeginCapture(Field field, char open);
  void EndCapture();
  void FinishAttributes(EventArena* arena, EventRow* row);
  bool Fail(RejectReason reason, std::string message);
  bool TooDeep();
  bool WrongType(const std::string& got);
  std::string PendingPath() const;
  bool Validate(int64_t now_ms, int64_t* time_ms);
  bool CheckRequired(Field field, const char* name, RejectReason reason);

  const EventDecoderOptions& options_;
  rapidjson::Reader reader_;
  ingest_internal::AttributesBuilder attributes_;
  ingest_internal::JsonTextWriter* capture_ = nullptr;  // while mode_ == kCapture

  // Per decode.
  EventArena* arena_ = nullptr;
  absl::string_view values_[kNumFields];
  uint32_t null_mask_ = 0;   // fields given as null
  uint32_t empty_mask_ = 0;  // fields given as ""
  bool timestamp_is_number_ = false;
  int depth_ = 0;             // open containers
  Mode mode_ = Mode::kTop;
  Mode capture_return_mode_ = Mode::kTop;
  Field capture_field_ = Field::kUnknown;  // kProperties or kUnknown (kept in attributes)
  int nested_base_depth_ = 0;  // depth of the captured container
  // Per field, the member whose value the column holds (the last non-empty one, else the
  // last null or ""): it stays out of attributes, every other occurrence goes in.
  uint32_t winner_[kNumFields];
  std::string merged_;  // FinishAttributes' scratch
  uint32_t winner_set_ = 0;    // fields with a winner
  uint32_t winner_value_ = 0;  // fields whose winner has a value
  Field pending_ = Field::kUnknown;  // meaning of the last key
  absl::string_view pending_key_;
  Field group_ = Field::kUnknown;
  bool failed_ = false;
  bool too_deep_ = false;  // failed_ because of kMaxDepth
  RejectReason reason_ = RejectReason::kMalformedJson;
  std::string message_;
};

void EventDecoder::Impl::Reset() {
  for (absl::string_view& value : values_) value = {};
  null_mask_ = 0;
  empty_mask_ = 0;
  timestamp_is_number_ = false;
  depth_ = 0;
  mode_ = Mode::kTop;
  winner_set_ = 0;
  winner_value_ = 0;
  attributes_.Clear();
  pending_ = Field::kUnknown;
  pending_key_ = {};
  group_ = Field::kUnknown;
  failed_ = false;
  too_deep_ = false;
}

bool EventDecoder::Impl::Fail(RejectReason reason, std::string message) {
  failed_ = true;
  reason_ = reason;
  message_ = std::move(message);
  return false;
}

// A normal reject (malformed_json); TryDecode adds the offset, which only the reader knows.
bool EventDecoder::Impl::TooDeep() {
  too_deep_ = true;
  return Fail(RejectReason::kMalformedJson, "");
}

std::string EventDecoder::Impl::PendingPath() const {
  if (mode_ == Mode::kGroup) return absl::StrCat(GroupName(group_), ".", pending_key_);
  return std::string(pending_key_);
}

// A container or a scalar of the wrong kind for pending_ (a known field).
bool EventDecoder::Impl::WrongType(const std::string& got) {
  const std::string path = PendingPath();
  switch (pending_) {
    case Field::kEventId:
      return Fail(RejectReason::kWrongTypeEventId,
                  absl::StrCat(path, ": expected a string, got ", got));
    case Field::kUserId:
      return Fail(RejectReason::kWrongTypeUserId,
                  absl::StrCat(path, ": expected a string, got ", got));
    case Field::kEventType:
      return Fail(RejectReason::kWrongTypeEventType,
                  absl::StrCat(path, ": expected a string, got ", got));
    case Field::kTimestamp:
      return Fail(RejectReason::kWrongTypeEventTimestamp,
                  absl::StrCat(path, ": expected an ISO-8601 string or epoch milliseconds, got ",
                               got));
    case Field::kProperties:
    case Field::kAttributesColumn:
    case Field::kSession:
    case Field::kUser:
    case Field::kDevice:
    case Field::kContext:
    case Field::kGeo:
      return Fail(RejectReason::kWrongType, absl::StrCat(path, ": expected an object, got ", got));
    default:
      return Fail(RejectReason::kWrongType, absl::StrCat(path, ": expected a string, got ", got));
  }
}

void EventDecoder::Impl::BeginCapture(Field field, char open) {
  capture_return_mode_ = mode_;
  capture_field_ = field;
  nested_base_depth_ = depth_;
  mode_ = Mode::kCapture;
  capture_ = attributes_.BeginContainer(pending_key_);
  capture_->Start(open);
}

// The captured container is complete.
void EventDecoder::Impl::EndCapture() {
  mode_ = capture_return_mode_;
  if (capture_field_ == Field::kProperties || capture_field_ == Field::kAttributesColumn) {
    Note(capture_field_, attributes_.EndContainer(Index(capture_field_)), true);
  } else {
    attributes_.EndContainer(ingest_internal::AttributesBuilder::kNoSlot);
  }
}

void EventDecoder::Impl::Note(Field field, uint32_t member, bool has_value) {
  const uint32_t bit = uint32_t{1} << Index(field);
  if (has_value) {
    winner_value_ |= bit;
  } else if (winner_value_ & bit) {
    return;
  }
  winner_[Index(field)] = member;
  winner_set_ |= bit;
}

bool EventDecoder::Impl::Key(const char* s, rapidjson::SizeType n, bool) {
  switch (mode_) {
    case Mode::kCapture:
      capture_->Key(absl::string_view(s, n));
      return true;
    case Mode::kTop: {
      const Field field = LookupKey(s, n);
      const bool column = field == Field::kAttributesColumn && options_.table_rows;
      pending_ = field == Field::kOs || (field == Field::kAttributesColumn && !column) ? Field::kUnknown : field;
      break;
    }
    case Mode::kGroup:
      pending_ = InGroup(group_, LookupKey(s, n));
      break;
  }
  pending_key_ = absl::string_view(s, n);
  return true;
}

bool EventDecoder::Impl::StartObject() {
  if (depth_ == 0) {
    depth_ = 1;
    return true;
  }
  if (depth_ >= kMaxDepth) return TooDeep();
  ++depth_;
  switch (mode_) {
    case Mode::kCapture:
      capture_->Start('{');
      return true;
    case Mode::kTop:
      if (IsGroup(pending_)) {
        mode_ = Mode::kGroup;
        group_ = pending_;
        attributes_.OpenGroup(pending_key_);
        return true;
      }
      if (pending_ == Field::kProperties || pending_ == Field::kAttributesColumn) {
        BeginCapture(pending_, '{');
        return true;
      }
      break;
    case Mode::kGroup:
      break;
  }
  if (pending_ == Field::kUnknown) {
    BeginCapture(Field::kUnknown, '{');
    return true;
  }
  return WrongType("an object");
}

bool EventDecoder::Impl::EndObject(rapidjson::SizeType) {
  --depth_;
  switch (mode_) {
    case Mode::kCapture:
      capture_->End('}');
      if (depth_ < nested_base_depth_) EndCapture();
      return true;
    case Mode::kGroup:
      attributes_.CloseGroup();
      mode_ = Mode::kTop;
      return true;
    case Mode::kTop:
      return true;  // the root
  }
  return true;
}

bool EventDecoder::Impl::StartArray() {
  if (depth_ == 0) return Fail(RejectReason::kNotAnObject, "the event is a JSON array, not an object");
  if (depth_ >= kMaxDepth) return TooDeep();
  ++depth_;
  switch (mode_) {
    case Mode::kCapture:
      capture_->Start('[');
      return true;
    case Mode::kTop:
    case Mode::kGroup:
      if (pending_ == Field::kUnknown) {
        BeginCapture(Field::kUnknown, '[');
        return true;
      }
      return WrongType("an array");
  }
  return true;
}

bool EventDecoder::Impl::EndArray(rapidjson::SizeType) {
  --depth_;
  if (mode_ == Mode::kCapture) {
    capture_->End(']');
    if (depth_ < nested_base_depth_) EndCapture();
  }
  return true;
}

bool EventDecoder::Impl::Scalar(Kind kind, absl::string_view text) {
  if (mode_ == Mode::kCapture) {
    if (kind == Kind::kString) {
      capture_->StringValue(text);
    } else {
      capture_->RawValue(text);
    }
    return true;
  }
  if (depth_ == 0) {
    return Fail(RejectReason::kNotAnObject,
                absl::StrCat("the event is a JSON ", Describe(kind, text), ", not an object"));
  }
  return Assign(kind, text);
}

void EventDecoder::Impl::SetValue(Field field, absl::string_view text) {
  if (text.empty()) {
    empty_mask_ |= uint32_t{1} << Index(field);
  } else {
    values_[Index(field)] = text;
  }
}

bool EventDecoder::Impl::Assign(Kind kind, absl::string_view text) {
  constexpr uint8_t kNoSlot = ingest_internal::AttributesBuilder::kNoSlot;
  const Field field = pending_;
  if (field == Field::kUnknown || field == Field::kOs || (IsGroup(field) && kind == Kind::kNull)) {
    attributes_.AddScalar(pending_key_, kind, text, kNoSlot);  // `"device": null` too
    return true;
  }
  if (kind == Kind::kNull) {
    null_mask_ |= uint32_t{1} << Index(field);
    Note(field, attributes_.AddScalar(pending_key_, kind, text, Index(field)), false);
    return true;
  }
  switch (field) {
    case Field::kEventId:
    case Field::kUserId:
    case Field::kEventType:
      if (kind != Kind::kString) return WrongType(Describe(kind, text));
      break;
    case Field::kTimestamp:
      if (kind == Kind::kBool) return WrongType(Describe(kind, text));
      if (!text.empty()) timestamp_is_number_ = kind == Kind::kNumber;
      break;
    case Field::kAttributesColumn:
      if (kind == Kind::kString && text.empty()) {  // '' as the column's value: none
        Note(field, attributes_.AddScalar(pending_key_, kind, text, Index(field)), false);
        return true;
      }
      return WrongType(Describe(kind, text));
    case Field::kProperties:
    case Field::kSession:
    case Field::kUser:
    case Field::kDevice:
    case Field::kContext:
    case Field::kGeo:
      return WrongType(Describe(kind, text));
    default:
      // Optional strings take numbers (as written) and booleans as text.
      break;
  }
  SetValue(field, text);
  Note(field, attributes_.AddScalar(pending_key_, kind, text, Index(field)), !text.empty());
  return true;
}

// Fills row->attributes and row->properties from the members, once the event is valid.
void EventDecoder::Impl::FinishAttributes(EventArena* arena, EventRow* row) {
  for (int field = 0; field < kNumFields; ++field) {
    if (winner_set_ & (uint32_t{1} << field)) attributes_.SetMapped(winner_[field]);
  }
  const auto copy = [arena](absl::string_view text) -> absl::string_view {
    if (text.empty()) return {};
    char* out = arena->Allocate(text.size());
    std::memcpy(out, text.data(), text.size());
    return absl::string_view(out, text.size());
  };
  constexpr uint32_t kPropertiesBit = uint32_t{1} << Index(Field::kProperties);
  row->properties = (winner_value_ & kPropertiesBit)
                        ? copy(attributes_.ContainerValue(winner_[Index(Field::kProperties)]))
                        : absl::string_view();
  const absl::string_view built = attributes_.Build(options_.user_id_hasher, Index(Field::kUserId));
  constexpr uint32_t kColumnBit = uint32_t{1} << Index(Field::kAttributesColumn);
  const absl::string_view column = (winner_value_ & kColumnBit)
                                       ? attributes_.ContainerValue(winner_[Index(Field::kAttributesColumn)])
                                       : absl::string_view();
  if (column.size() <= 2) {  // none, or {}
    row->attributes = copy(built);
  } else if (built.empty()) {
    row->attributes = copy(column);
  } else {
    // A table row's other unknown fields, then the column's members: one object.
    merged_.assign(built.data(), built.size() - 1);
    merged_.push_back(',');
    merged_.append(column.data() + 1, column.size() - 1);
    row->attributes = copy(merged_);
  }
}

bool EventDecoder::Impl::CheckRequired(Field field, const char* name, RejectReason reason) {
  if (!values_[Index(field)].empty()) return true;
  const uint32_t bit = uint32_t{1} << Index(field);
  const char* how = (empty_mask_ & bit) ? "is empty" : (null_mask_ & bit) ? "is null" : "is missing";
  return Fail(reason, absl::StrCat(name, " ", how));
}

bool EventDecoder::Impl::Validate(int64_t now_ms, int64_t* time_ms) {
  if (!CheckRequired(Field::kEventId, "event_id", RejectReason::kMissingEventId) ||
      !CheckRequired(Field::kUserId, "user_id", RejectReason::kMissingUserId) ||
      !CheckRequired(Field::kEventType, "event_type", RejectReason::kMissingEventType) ||
      !CheckRequired(Field::kTimestamp, "event_timestamp",
                     RejectReason::kMissingEventTimestamp)) {
    return false;
  }
  const absl::string_view text = values_[Index(Field::kTimestamp)];
  int64_t time = 0;
  if (timestamp_is_number_) {
    if (!ingest_internal::TryParseEpochMillis(text, &time)) {
      return Fail(RejectReason::kBadTimestamp,
                  absl::StrCat("event_timestamp: number ", text.substr(0, kMaxQuotedValue),
                               " is not an integer of epoch milliseconds"));
    }
  } else if (!ingest_internal::TryParseIsoTimestamp(text, &time) &&
             !ingest_internal::TryParseEpochMillis(text, &time)) {
    return Fail(RejectReason::kBadTimestamp,
                absl::StrCat("event_timestamp: cannot parse ", Quote(text),
                             " (expected ISO-8601 like 2026-10-05T14:03:07.123Z or epoch ms)"));
  }
  if (time < kMinTimeMs || time >= kMaxTimeMs) {
    return Fail(RejectReason::kBadTimestamp,
                absl::StrCat("event_timestamp: ", Quote(text), " lies outside years 1900..2399"));
  }
  if (time > now_ms + options_.max_future_ms) {
    return Fail(RejectReason::kTimestampInFuture,
                absl::StrFormat("event_timestamp: %s (%s UTC) is %.1f h in the future (limit %.1f h)",
                                Quote(text), FormatMillis(time), (time - now_ms) / 3.6e6,
                                options_.max_future_ms / 3.6e6));
  }
  if (options_.retention_days > 0) {
    const int32_t oldest_day = DayOfMillis(now_ms) - options_.retention_days;
    if (DayOfMillis(time) < oldest_day) {
      return Fail(RejectReason::kTimestampTooOld,
                  absl::StrCat("event_timestamp: ", Quote(text), " (", FormatMillis(time),
                               " UTC) is older than the retention period of ",
                               options_.retention_days, " days (oldest day kept: ",
                               FormatDay(oldest_day), ")"));
    }
  }
  *time_ms = time;
  return true;
}

bool EventDecoder::Impl::TryDecode(absl::string_view payload, int64_t now_ms, EventArena* arena,
                                   EventRow* row, DecodeError* error) {
  if (payload.size() > options_.max_payload_bytes) {
    error->reason = RejectReason::kTooLarge;
    error->message = absl::StrCat("payload of ", payload.size(), " bytes exceeds the limit of ",
                                  options_.max_payload_bytes, " bytes");
    return false;
  }
  const EventArena::Mark mark = arena->mark();
  // Parse in situ on a NUL-terminated copy: strings are unescaped where they lie.
  char* buffer = arena->Allocate(payload.size() + 1);
  if (!payload.empty()) std::memcpy(buffer, payload.data(), payload.size());  // a NULL Kafka value has no data
  buffer[payload.size()] = '\0';
  arena_ = arena;
  Reset();
  rapidjson::InsituStringStream stream(buffer);
  const rapidjson::ParseResult result = reader_.Parse<kParseFlags>(stream, *this);
  int64_t time_ms = 0;
  bool ok = false;
  if (too_deep_) {
    message_ = JsonTooDeepMessage(kMaxDepth, result.Offset());
  } else if (failed_) {
    // The handler stopped the parse.
  } else if (result.IsError()) {
    Fail(RejectReason::kMalformedJson,
         absl::StrCat("malformed JSON at byte ", result.Offset(), ": ",
                      rapidjson::GetParseError_En(result.Code())));
  } else if (stream.Tell() != payload.size()) {
    Fail(RejectReason::kMalformedJson,
         absl::StrCat("malformed JSON: NUL byte at byte ", stream.Tell()));
  } else {
    ok = Validate(now_ms, &time_ms);
  }
  arena_ = nullptr;
  if (!ok) {
    arena->Rewind(mark);
    error->reason = reason_;
    error->message = std::move(message_);
    message_.clear();
    return false;
  }
  absl::string_view user_id = values_[Index(Field::kUserId)];
  if (options_.user_id_hasher != nullptr) {
    char* hashed = arena->Allocate(UserIdHasher::kHashedLength);
    options_.user_id_hasher->HashTo(user_id, hashed);
    user_id = absl::string_view(hashed, UserIdHasher::kHashedLength);
  }
  row->event_time_ms = time_ms;
  row->user_id = user_id;
  row->session_id = values_[Index(Field::kSessionId)];
  row->event_id = values_[Index(Field::kEventId)];
  row->event_type = values_[Index(Field::kEventType)];
  row->platform = values_[Index(Field::kPlatform)];
  row->os_version = values_[Index(Field::kOsVersion)];
  row->app_version = values_[Index(Field::kAppVersion)];
  row->device_model = values_[Index(Field::kDeviceModel)];
  row->device_type = values_[Index(Field::kDeviceType)];
  row->country = values_[Index(Field::kCountry)];
  row->region = values_[Index(Field::kRegion)];
  row->city = values_[Index(Field::kCity)];
  FinishAttributes(arena, row);
  return true;
}

EventDecoder::EventDecoder(EventDecoderOptions options)
    : options_(options), impl_(std::make_unique<Impl>(options_)) {}

EventDecoder::~EventDecoder() = default;

bool EventDecoder::TryDecode(absl::string_view payload, int64_t now_ms, EventArena* arena,
                             EventRow* row, DecodeError* error) {
  return impl_->TryDecode(payload, now_ms, arena, row, error);
}

}  // namespace mua
