// EventDecoder's `attributes`: every member outside the mapped columns, kept as sent.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/event_decoder.h"
#include "ingest/pii.h"
#include "rapidjson/document.h"
#include "tests/testutil/event_builder.h"

namespace mua {
namespace {

const int64_t kNow = test::MillisAt("2026-11-01T00:00:00");

class EventDecoderAttributesTest : public ::testing::Test {
 protected:
  EventRow Accept(const std::string& json) {
    EventRow row;
    DecodeError error;
    EXPECT_TRUE(decoder_.TryDecode(json, kNow, &arena_, &row, &error))
        << json << " -> " << RejectReasonName(error.reason) << ": " << error.message;
    return row;
  }
  // The attributes of a valid flat event with `extra` spliced in after the required fields.
  std::string AttributesOf(const std::string& extra) {
    return std::string(Accept(absl::StrCat(R"({"event_id":"e1","user_id":"u1",)",
                                           R"("event_type":"t","event_timestamp":1790000000000)",
                                           extra, "}"))
                           .attributes);
  }

  EventDecoder decoder_;
  EventArena arena_;
};

TEST(EventDecoderTableRowsTest, TheAttributesMemberOfATableRowIsTheColumn) {
  const std::string head = R"({"event_id":"e1","user_id":"u1","event_type":"t","event_time":1790000000000)";
  auto decode = [&](bool table_rows, const std::string& extra, EventRow* row, DecodeError* error) {
    EventDecoder decoder({.table_rows = table_rows});
    static EventArena arena;
    return decoder.TryDecode(absl::StrCat(head, extra, "}"), kNow, &arena, row, error);
  };
  EventRow row;
  DecodeError error;
  ASSERT_TRUE(decode(true, R"(,"attributes":{"page":{"url":"x"},"n":1.50})", &row, &error));
  EXPECT_EQ(row.attributes, R"({"page":{"url":"x"},"n":1.50})");
  ASSERT_TRUE(decode(true, R"(,"attributes":"")", &row, &error));
  EXPECT_EQ(row.attributes, "");
  ASSERT_TRUE(decode(true, R"(,"attributes":{})", &row, &error));
  EXPECT_EQ(row.attributes, "");
  // Another unknown field of the row comes first, the column's members after it.
  ASSERT_TRUE(decode(true, R"(,"extra":true,"attributes":{"a":[1]})", &row, &error));
  EXPECT_EQ(row.attributes, R"({"extra":true,"a":[1]})");
  EXPECT_FALSE(decode(true, R"(,"attributes":5)", &row, &error));
  EXPECT_EQ(error.reason, RejectReason::kWrongType);
  EXPECT_THAT(error.message, ::testing::HasSubstr("attributes: expected an object"));
  // An SDK event's own `attributes` field is a field like any other.
  ASSERT_TRUE(decode(false, R"(,"attributes":{"a":1})", &row, &error));
  EXPECT_EQ(row.attributes, R"({"attributes":{"a":1}})");
}

TEST_F(EventDecoderAttributesTest, EmptyWhenEverythingIsMapped) {
  EXPECT_EQ(AttributesOf(""), "");
  EXPECT_EQ(AttributesOf(R"(,"os_version":"17","properties":{"a":1},"device":{"os":"ios"})"), "");
  EXPECT_EQ(AttributesOf(R"(,"session":{"session_id":"s"},"geo":{"country":"DE","city":"B"})"),
            "");
}

TEST_F(EventDecoderAttributesTest, KeepsFlatUnknownMembersInOrder) {
  EXPECT_EQ(AttributesOf(R"(,"b":"x", "a" : 1 ,"event_version":"2.1","c":true,"d":null)"),
            R"({"b":"x","a":1,"event_version":"2.1","c":true,"d":null})");
}

TEST_F(EventDecoderAttributesTest, KeepsOnlyUnmappedMembersOfAGroup) {
  EXPECT_EQ(AttributesOf(R"(,"device":{"os":"ios","device_id":"x","os_version":"17"})"),
            R"({"device":{"device_id":"x"}})");
  EXPECT_EQ(AttributesOf(R"(,"geo":{"country":"DE","timezone":"Europe/Berlin","city":"B"})"),
            R"({"geo":{"timezone":"Europe/Berlin"}})");
}

TEST_F(EventDecoderAttributesTest, KeepsEmptyObjectsAsSent) {
  EXPECT_EQ(AttributesOf(R"(,"page":{},"device":{},"list":[])"),
            R"({"page":{},"device":{},"list":[]})");
}

TEST_F(EventDecoderAttributesTest, KeepsNestedUnknownObjectsAndArrays) {
  EXPECT_EQ(AttributesOf(R"(,"transaction":{"id":"t1","items":[{"sku":"a","qty":2},[]],)"
                         R"("total":{"value":9.990,"currency":"EUR"}},"ab_test_variants":)"
                         R"(["a",{"exp":"b"}])"),
            R"({"transaction":{"id":"t1","items":[{"sku":"a","qty":2},[]],)"
            R"("total":{"value":9.990,"currency":"EUR"}},"ab_test_variants":["a",{"exp":"b"}]})");
  // A group's nested object, and a group name inside a group, are not groups there.
  EXPECT_EQ(AttributesOf(R"(,"user":{"properties":{"a":1},"device":{"os":"x"}})"),
            R"({"user":{"properties":{"a":1},"device":{"os":"x"}}})");
  // user.user_id after the flat user_id: the later one is the column, the first is kept.
  EXPECT_EQ(AttributesOf(R"(,"user":{"user_id":"u9"})"), R"({"user_id":"u1"})");
}

TEST_F(EventDecoderAttributesTest, KeepsTheAliasWhoseValueWasNotStored) {
  // device.os and device.platform both map to platform: the last non-empty wins.
  EventRow row = Accept(R"({"event_id":"e","user_id":"u","event_type":"t","event_time":)"
                        R"(1790000000000,"device":{"os":"ios","platform":"android"},)"
                        R"("event_timestamp":"2026-10-05T14:03:07Z","context":{"platform":""}})");
  EXPECT_EQ(row.platform, "android");
  EXPECT_EQ(row.attributes,
            R"({"event_time":1790000000000,"device":{"os":"ios"},"context":{"platform":""}})");
  EXPECT_EQ(row.event_time_ms, test::MillisAt("2026-10-05T14:03:07"));
  // properties vs event_properties: the later object is the column, the other is kept.
  row = Accept(R"({"event_id":"e","user_id":"u","event_type":"t","event_timestamp":1790000000000,)"
               R"("properties":{"a":1},"event_properties":{"b":[2]}})");
  EXPECT_EQ(row.properties, R"({"b":[2]})");
  EXPECT_EQ(row.attributes, R"({"properties":{"a":1}})");
  // A null or "" after a value is kept; the value is mapped.
  row = Accept(R"({"event_id":"e","user_id":"u","event_type":"t","event_timestamp":1790000000000,)"
               R"("session_id":"s1","session":{"session_id":null},"city":"")"
               R"(,"properties":{"a":1},"properties":null})");
  EXPECT_EQ(row.session_id, "s1");
  EXPECT_EQ(row.properties, R"({"a":1})");
  EXPECT_EQ(row.attributes, R"({"session":{"session_id":null},"properties":null})");
  // A lone null or "" of a column is the column's "absent": mapped, not kept.
  EXPECT_EQ(AttributesOf(R"(,"session_id":null,"city":"","properties":null)"), "");
  // A null group holds no column: kept.
  EXPECT_EQ(AttributesOf(R"(,"device":null)"), R"({"device":null})");
  // `os` outside device is no column.
  EXPECT_EQ(AttributesOf(R"(,"os":"ios")"), R"({"os":"ios"})");
}

TEST_F(EventDecoderAttributesTest, KeepsDuplicateUnknownKeysInOrder) {
  // All occurrences are kept (nothing dropped); JSONExtract reads the first, as ClickHouse
  // does on the same text.
  EXPECT_EQ(AttributesOf(R"(,"a":1,"a":2,"page":{"url":"x","url":"y"})"),
            R"({"a":1,"a":2,"page":{"url":"x","url":"y"}})");
  // A repeated column: the last non-empty is stored, the earlier one kept.
  const EventRow row = Accept(R"({"event_id":"e","user_id":"u","event_type":"t","country":"DE",)"
                              R"("event_timestamp":1790000000000,"country":"FR"})");
  EXPECT_EQ(row.country, "FR");
  EXPECT_EQ(row.attributes, R"({"country":"DE"})");
}

TEST_F(EventDecoderAttributesTest, ReEscapesStringsAndKeepsUnicode) {
  EXPECT_EQ(AttributesOf(R"(,"k\"ey":"a\"b\\c\/d\n\u0001\u00e9\ud83d\ude00 \u2028")"),
            "{\"k\\\"ey\":\"a\\\"b\\\\c/d\\n\\u0001\xC3\xA9\xF0\x9F\x98\x80 \xE2\x80\xA8\"}");
  EXPECT_EQ(AttributesOf("," "\"caf\xC3\xA9\":\"\xE6\x97\xA5\""),
            "{\"caf\xC3\xA9\":\"\xE6\x97\xA5\"}");
}

TEST_F(EventDecoderAttributesTest, KeepsNumbersAsWritten) {
  EXPECT_EQ(AttributesOf(R"(,"b":18446744073709551616,"c":-0.0,"d":1.50E-3,"f":1e308,)"
                         R"("e":[100000000000000000000000000001,-1E-400])"),
            R"({"b":18446744073709551616,"c":-0.0,"d":1.50E-3,"f":1e308,)"
            R"("e":[100000000000000000000000000001,-1E-400]})");
  // RapidJSON refuses a number past double's range (as before attributes, in properties
  // too): the event is rejected whole, never stored altered.
  EventRow row;
  DecodeError error;
  EXPECT_FALSE(decoder_.TryDecode(
      R"({"event_id":"e","user_id":"u","event_type":"t","event_timestamp":1790000000000,)"
      R"("a":1e400})",
      kNow, &arena_, &row, &error));
  EXPECT_EQ(error.reason, RejectReason::kMalformedJson);
  EXPECT_THAT(error.message, ::testing::HasSubstr("Number too big"));
}

TEST_F(EventDecoderAttributesTest, KeepsNestingAtTheDepthBound) {
  // The event is level 1; 63 more levels are allowed, 64 are malformed_json.
  std::string nested = "1";
  for (int level = 0; level < 63; ++level) nested = absl::StrCat("[", nested, "]");
  EXPECT_EQ(AttributesOf(absl::StrCat(",\"deep\":", nested)),
            absl::StrCat("{\"deep\":", nested, "}"));
  std::string deep_object = "{}";
  for (int level = 0; level < 61; ++level) deep_object = absl::StrCat("{\"k\":", deep_object, "}");
  // In a group: device (2) + 62 levels.
  EXPECT_EQ(AttributesOf(absl::StrCat(",\"device\":{\"os\":\"x\",\"deep\":", deep_object, "}")),
            absl::StrCat("{\"device\":{\"deep\":", deep_object, "}}"));
  EventRow row;
  DecodeError error;
  const std::string too_deep = absl::StrCat(
      R"({"event_id":"e","user_id":"u","event_type":"t","event_timestamp":1790000000000,)",
      "\"deep\":[", nested, "]}");
  EXPECT_FALSE(decoder_.TryDecode(too_deep, kNow, &arena_, &row, &error));
  EXPECT_EQ(error.reason, RejectReason::kMalformedJson);
}

TEST_F(EventDecoderAttributesTest, HashesAUserIdKeptInAttributes) {
  const absl::StatusOr<UserIdHasher> made = UserIdHasher::FromSalt("attributes-test-salt");
  ASSERT_TRUE(made.ok()) << made.status();
  const UserIdHasher& hasher = *made;
  EventDecoderOptions options;
  options.user_id_hasher = &hasher;
  EventDecoder decoder(options);
  EventRow row;
  DecodeError error;
  ASSERT_TRUE(decoder.TryDecode(
      R"({"event_id":"e","user":{"user_id":"clear"},"user_id":"u2","event_type":"t",)"
      R"("event_timestamp":1790000000000})",
      kNow, &arena_, &row, &error))
      << error.message;
  EXPECT_EQ(row.user_id, hasher.Hash("u2"));
  EXPECT_EQ(row.attributes, absl::StrCat(R"({"user":{"user_id":")", hasher.Hash("clear"), "\"}}"));
}

// Seed 003's envelope: every field outside the columns round-trips, equal as JSON values.
TEST_F(EventDecoderAttributesTest, Seed003FieldsRoundTrip) {
  const std::string event =
      R"({"event_id":"0f8e2a3c9b7d4e6f8a1b2c3d4e5f6a7b","event_type":"purchase",)"
      R"("event_timestamp":"2026-10-05T14:03:07.123Z","event_version":"2.3",)"
      R"("session":{"session_id":"s1","session_start":"2026-10-05T14:00:00Z","event_index":17},)"
      R"("user":{"user_id":"u1","is_authenticated":true,"user_segment":"power"},)"
      R"("device":{"device_id":"d-1","device_type":"phone","os":"ios","os_version":"17.1",)"
      R"("browser":"Safari","browser_version":"17","screen_resolution":"1170x2532",)"
      R"("viewport_size":"390x844","is_mobile":true},)"
      R"("page":{"url":"https://shop.example/p?q=1","path":"/p","title":"P","referrer":"",)"
      R"("utm_source":"news","utm_medium":"email","utm_campaign":"w41"},)"
      R"("geo":{"country":"DE","region":"BE","city":"Berlin","timezone":"Europe/Berlin"},)"
      R"("ab_test_variants":{"checkout":"B","banner":"control"},)"
      R"("transaction":{"order_id":"o1","revenue":59.90,"currency":"EUR",)"
      R"("products":[{"id":"p1","qty":1}]},)"
      R"("event_properties":{"payment_method":"card"}})";
  const EventRow row = Accept(event);
  EXPECT_EQ(row.session_id, "s1");
  EXPECT_EQ(row.platform, "ios");
  EXPECT_EQ(row.city, "Berlin");
  EXPECT_EQ(row.properties, R"({"payment_method":"card"})");
  const std::string expected =
      R"({"event_version":"2.3",)"
      R"("session":{"session_start":"2026-10-05T14:00:00Z","event_index":17},)"
      R"("user":{"is_authenticated":true,"user_segment":"power"},)"
      R"("device":{"device_id":"d-1","browser":"Safari","browser_version":"17",)"
      R"("screen_resolution":"1170x2532","viewport_size":"390x844","is_mobile":true},)"
      R"("page":{"url":"https://shop.example/p?q=1","path":"/p","title":"P","referrer":"",)"
      R"("utm_source":"news","utm_medium":"email","utm_campaign":"w41"},)"
      R"("geo":{"timezone":"Europe/Berlin"},)"
      R"("ab_test_variants":{"checkout":"B","banner":"control"},)"
      R"("transaction":{"order_id":"o1","revenue":59.90,"currency":"EUR",)"
      R"("products":[{"id":"p1","qty":1}]}})";
  EXPECT_EQ(row.attributes, expected);
  rapidjson::Document sent;
  sent.Parse(event.c_str());
  ASSERT_FALSE(sent.HasParseError());
  // Remove the mapped members from what was sent: the rest equals attributes.
  for (const char* key : {"event_id", "event_type", "event_timestamp", "event_properties"}) {
    sent.RemoveMember(key);
  }
  sent["session"].RemoveMember("session_id");
  sent["user"].RemoveMember("user_id");
  for (const char* key : {"device_type", "os", "os_version"}) sent["device"].RemoveMember(key);
  for (const char* key : {"country", "region", "city"}) sent["geo"].RemoveMember(key);
  rapidjson::Document kept;
  kept.Parse(std::string(row.attributes).c_str());
  ASSERT_FALSE(kept.HasParseError());
  EXPECT_TRUE(sent == kept);
}

}  // namespace
}  // namespace mua
