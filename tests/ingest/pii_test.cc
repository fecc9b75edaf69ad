#include "ingest/pii.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/internal/siphash.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

std::string HexOf(ingest_internal::Hash128 hash) {
  char hex[32];
  ingest_internal::HexEncode(hash, hex);
  return std::string(hex, 32);
}

// The reference implementation's vectors_sip128: key 00..0f, message 00..(n-1).
TEST(SipHashTest, MatchesReferenceVectors) {
  const std::pair<int, const char*> kVectors[] = {
      {0, "a3817f04ba25a8e66df67214c7550293"},  {1, "da87c1d86b99af44347659119b22fc45"},
      {2, "8177228da4a45dc7fca38bdef60affe4"},  {7, "a1f1ebbed8dbc153c0b84aa61ff08239"},
      {8, "3b62a9ba6258f5610f83e264f31497b4"},  {9, "264499060ad9baabc47f8b02bb6d71ed"},
      {15, "5493e99933b0a8117e08ec0f97cfc3d9"}, {16, "6ee2a4ca67b054bbfd3315bf85230577"},
      {63, "5150d1772f50834a503e069a973fbd7c"},
  };
  uint64_t k0 = 0, k1 = 0;
  for (int i = 0; i < 8; ++i) {
    k0 |= uint64_t(i) << (8 * i);
    k1 |= uint64_t(i + 8) << (8 * i);
  }
  std::string message;
  for (int i = 0; i < 64; ++i) message.push_back(static_cast<char>(i));
  for (const auto& [length, expected] : kVectors) {
    EXPECT_EQ(HexOf(ingest_internal::SipHash128Of(k0, k1, message.substr(0, length))), expected)
        << length;
    // Streaming in uneven pieces gives the same result.
    ingest_internal::SipHash128 hash(k0, k1);
    for (int start = 0; start < length; start += 3) {
      hash.Update(absl::string_view(message).substr(start, std::min(3, length - start)));
    }
    EXPECT_EQ(HexOf(hash.Finish()), expected) << length;
  }
}

TEST(UserIdHasherTest, StableAndSaltDependent) {
  ASSERT_OK_AND_ASSIGN(const UserIdHasher a, UserIdHasher::FromSalt("salt-one"));
  ASSERT_OK_AND_ASSIGN(const UserIdHasher a_again, UserIdHasher::FromSalt("salt-one"));
  ASSERT_OK_AND_ASSIGN(const UserIdHasher b, UserIdHasher::FromSalt("salt-two"));
  const std::string hashed = a.Hash("user_42");
  EXPECT_EQ(hashed.size(), UserIdHasher::kHashedLength);
  EXPECT_EQ(hashed.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a_again.Hash("user_42"), hashed);
  EXPECT_NE(b.Hash("user_42"), hashed);
  EXPECT_NE(a.Hash("user_43"), hashed);
  EXPECT_NE(a.Hash(""), a.Hash(std::string(1, '\0')));
  char out[UserIdHasher::kHashedLength];
  a.HashTo("user_42", out);
  EXPECT_EQ(std::string(out, sizeof(out)), hashed);
}

TEST(UserIdHasherTest, FromSaltFileTrimsWhitespace) {
  const std::string path = WriteTempFile("salt_ok", "  s3cret-salt\n");
  ASSERT_OK_AND_ASSIGN(const UserIdHasher from_file, UserIdHasher::FromSaltFile(path));
  ASSERT_OK_AND_ASSIGN(const UserIdHasher direct, UserIdHasher::FromSalt("s3cret-salt"));
  EXPECT_EQ(from_file.Hash("u"), direct.Hash("u"));
}

TEST(UserIdHasherTest, ClearErrors) {
  const auto missing = UserIdHasher::FromSaltFile("/nonexistent/dir/salt");
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/salt"), absl::string_view::npos);

  const auto empty = UserIdHasher::FromSaltFile(WriteTempFile("salt_empty", " \n\t\n"));
  EXPECT_THAT(empty, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_NE(empty.status().message().find("empty"), absl::string_view::npos);

  EXPECT_THAT(UserIdHasher::FromSalt(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

// KeepRejectedPayload: what events_rejected may keep.

constexpr size_t kMaxRaw = 4096;

UserIdHasher TestHasher() {
  absl::StatusOr<UserIdHasher> hasher = UserIdHasher::FromSalt("pepper");
  EXPECT_TRUE(hasher.ok());
  return *hasher;
}

TEST(KeepRejectedPayloadTest, WithoutHashingKeepsThePayloadAndReadsTheClearId) {
  const std::string payload = R"({"user_id":"alice","event_timestamp":"yesterday"})";
  std::string message = "event_timestamp: cannot parse \"yesterday\"";
  const KeptPayload kept = KeepRejectedPayload(payload, nullptr, kMaxRaw, &message);
  EXPECT_EQ(kept.raw, payload);
  EXPECT_EQ(kept.user_id, "alice");
  EXPECT_EQ(message, "event_timestamp: cannot parse \"yesterday\"");
  // Cut as before; the id is read from the whole payload.
  const std::string long_payload =
      absl::StrCat(R"({"city":")", std::string(5000, 'c'), R"(","user_id":"bob"})");
  const KeptPayload cut = KeepRejectedPayload(long_payload, nullptr, kMaxRaw, nullptr);
  EXPECT_EQ(cut.raw, long_payload.substr(0, kMaxRaw));
  EXPECT_EQ(cut.user_id, "bob");
  EXPECT_EQ(KeepRejectedPayload("not json", nullptr, kMaxRaw, nullptr).raw, "not json");
}

TEST(KeepRejectedPayloadTest, FlatShapeIdIsHashedEverywhere) {
  const UserIdHasher hasher = TestHasher();
  const std::string hash = hasher.Hash("alice-1234");
  // The id as user_id, inside another string, escaped, and as a key.
  const std::string payload =
      R"({"event_id":"e1","user_id":"alice-1234","session_id":"s-alice-1234-7",)"
      R"("event_timestamp":"alice-1234","properties":{"ref":"al\u0069ce-1234","alice-1234":1}})";
  std::string message = R"(event_timestamp: cannot parse "alice-1234" (expected ISO-8601))";
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, &message);
  EXPECT_EQ(kept.user_id, hash);
  EXPECT_THAT(kept.raw, Not(HasSubstr("alice")));
  EXPECT_THAT(kept.raw, HasSubstr(absl::StrCat(R"("user_id":")", hash, R"(")")));
  EXPECT_THAT(kept.raw, HasSubstr(absl::StrCat(R"("session_id":"s-)", hash, R"(-7")")));
  EXPECT_THAT(kept.raw, HasSubstr(R"("event_id":"e1")"));  // the rest stays readable
  EXPECT_THAT(message, Not(HasSubstr("alice")));
  EXPECT_THAT(message, HasSubstr(hash));
}

TEST(KeepRejectedPayloadTest, NestedShapeIdIsHashed) {
  const UserIdHasher hasher = TestHasher();
  const std::string payload =
      R"({"event_id":"e1","user":{"user_id":"zoe@example.com","name":"x"},"event_type":"open",)"
      R"("event_timestamp":"2026-99-99"})";
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, nullptr);
  EXPECT_EQ(kept.user_id, hasher.Hash("zoe@example.com"));
  EXPECT_THAT(kept.raw, Not(HasSubstr("zoe")));
  EXPECT_THAT(kept.raw,
              HasSubstr(absl::StrCat(R"("user":{"user_id":")", kept.user_id, R"(","name":"x"})")));
}

TEST(KeepRejectedPayloadTest, BothShapesAndNumbersAndAScalarUser) {
  const UserIdHasher hasher = TestHasher();
  // Flat and nested disagree: both are hidden; the last one is recorded (the decoder's rule).
  const KeptPayload both = KeepRejectedPayload(
      R"({"user_id":"first-id","user":{"user_id":"second-id"}})", &hasher, kMaxRaw, nullptr);
  EXPECT_EQ(both.user_id, hasher.Hash("second-id"));
  EXPECT_THAT(both.raw, Not(HasSubstr("first-id")));
  EXPECT_THAT(both.raw, Not(HasSubstr("second-id")));
  EXPECT_THAT(both.raw, HasSubstr(hasher.Hash("first-id")));

  // A numeric id (rejected as wrong_type_user_id, whose message quotes it).
  std::string message = "user_id: expected a string, got number 9876543";
  const KeptPayload number = KeepRejectedPayload(
      R"({"user_id":9876543,"account":9876543,"n":98765430})", &hasher, kMaxRaw, &message);
  EXPECT_EQ(number.user_id, hasher.Hash("9876543"));
  EXPECT_EQ(number.raw, absl::StrCat(R"({"user_id":")", number.user_id, R"(","account":")",
                                     number.user_id, R"(","n":98765430})"));
  EXPECT_EQ(message, absl::StrCat("user_id: expected a string, got number ", number.user_id));

  // `user` given as a string (wrong_type; the message quotes it).
  std::string user_message = "user: expected an object, got string \"carol\"";
  const KeptPayload user =
      KeepRejectedPayload(R"({"user":"carol"})", &hasher, kMaxRaw, &user_message);
  EXPECT_EQ(user.user_id, hasher.Hash("carol"));
  EXPECT_THAT(user.raw, Not(HasSubstr("carol")));
  EXPECT_THAT(user_message, Not(HasSubstr("carol")));
}

TEST(KeepRejectedPayloadTest, IdsInMessagesAsTheDecoderQuotesThem) {
  const UserIdHasher hasher = TestHasher();
  // Escaped (CHexEscape) and cut at 80 bytes, as the decoder's Quote writes values.
  const std::string id = absl::StrCat("tab\there-", std::string(100, 'q'));
  const std::string payload = absl::StrCat(R"({"user_id":"tab\there-)", std::string(100, 'q'),
                                           R"(","event_timestamp":"x"})");
  std::string message =
      absl::StrCat("user: expected an object, got string \"", absl::CHexEscape(id.substr(0, 80)),
                   "...\"; also ", absl::CHexEscape(id), " and ", id);
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, &message);
  EXPECT_EQ(kept.user_id, hasher.Hash(id));
  EXPECT_THAT(message, Not(HasSubstr("qqqq")));
  EXPECT_THAT(message, Not(HasSubstr("tab")));
  EXPECT_THAT(kept.raw, Not(HasSubstr("qqqq")));
}

TEST(KeepRejectedPayloadTest, UnparsablePayloadsKeepOnlyLengthAndKeyedHash) {
  const UserIdHasher hasher = TestHasher();
  const std::string payload = R"({"user_id":"dave","event_timestamp": oops})";
  std::string message = "malformed JSON at byte 37: Invalid value.";
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, &message);
  EXPECT_EQ(kept.raw,
            absl::StrCat("unparsable: ", payload.size(), " bytes, hash ", hasher.Hash(payload)));
  // The id read before the damage still lets an erasure find the row.
  EXPECT_EQ(kept.user_id, hasher.Hash("dave"));
  EXPECT_EQ(message, "malformed JSON at byte 37: Invalid value.");

  for (const std::string& bad :
       {std::string("not json at all"), std::string("{\"user_id\":\"eve"),
        std::string("{\"user_id\":\"eve\"}\0tail", 20), std::string("{\"user_id\":\"eve\"} {}"),
        absl::StrCat(std::string(300, '['), std::string(300, ']'))}) {
    const KeptPayload unparsable = KeepRejectedPayload(bad, &hasher, kMaxRaw, nullptr);
    EXPECT_THAT(unparsable.raw,
                StartsWith(absl::StrCat("unparsable: ", bad.size(), " bytes, hash ")))
        << bad;
    EXPECT_THAT(unparsable.raw, Not(HasSubstr("eve")));
  }
  // Different bytes, different hashes; the same bytes, the same one.
  EXPECT_NE(KeepRejectedPayload("abc", &hasher, kMaxRaw, nullptr).raw,
            KeepRejectedPayload("abd", &hasher, kMaxRaw, nullptr).raw);
  EXPECT_EQ(KeepRejectedPayload("abc", &hasher, kMaxRaw, nullptr).raw,
            KeepRejectedPayload("abc", &hasher, kMaxRaw, nullptr).raw);
}

TEST(KeepRejectedPayloadTest, HashingWithoutAReadableIdKeepsThePayload) {
  const UserIdHasher hasher = TestHasher();
  const std::string payload = R"({"event_id":"e1","event_timestamp":"bad"})";
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, nullptr);
  EXPECT_EQ(kept.raw, payload);
  EXPECT_EQ(kept.user_id, "");
  // user_id deeper than the two shapes is not an id.
  EXPECT_EQ(KeepRejectedPayload(R"({"a":{"user_id":"x"}})", &hasher, kMaxRaw, nullptr).user_id, "");
}

TEST(KeepRejectedPayloadTest, DeepPayloadsNeitherRecurseNorLeak) {
  const UserIdHasher hasher = TestHasher();
  // 2 M levels: parsed iteratively and refused at the depth bound.
  const std::string deep = absl::StrCat(R"({"user_id":"frank","a":)", std::string(2'000'000, '['));
  const KeptPayload kept = KeepRejectedPayload(deep, &hasher, kMaxRaw, nullptr);
  EXPECT_THAT(kept.raw, StartsWith("unparsable: "));
  EXPECT_EQ(kept.user_id, hasher.Hash("frank"));
  // Without hashing only the cut payload is kept.
  EXPECT_EQ(KeepRejectedPayload(deep, nullptr, kMaxRaw, nullptr).raw.size(), kMaxRaw);
}

TEST(KeepRejectedPayloadTest, ManyIdsAreNotACostlyPayload) {
  const UserIdHasher hasher = TestHasher();
  // 50,000 distinct ids would cost 50,000 passes over the text: kept as unparsable instead.
  std::string payload = "{";
  for (int i = 0; i < 50'000; ++i) absl::StrAppend(&payload, R"("user_id":"id-)", i, R"(",)");
  payload += R"("event_timestamp":"id-49999"})";
  std::string message = R"(event_timestamp: cannot parse "id-49999")";
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, &message);
  EXPECT_THAT(kept.raw, StartsWith("unparsable: "));
  EXPECT_THAT(message, Not(HasSubstr("id-")));
  EXPECT_THAT(kept.user_id, ::testing::SizeIs(UserIdHasher::kHashedLength));
  // Repeats of one id are one id.
  std::string repeats = "{";
  for (int i = 0; i < 1000; ++i) repeats += R"("user_id":"same",)";
  repeats += R"("x":1})";
  const KeptPayload same = KeepRejectedPayload(repeats, &hasher, kMaxRaw, nullptr);
  EXPECT_EQ(same.user_id, hasher.Hash("same"));
  EXPECT_THAT(same.raw, Not(HasSubstr("\"same\"")));
  EXPECT_THAT(same.raw, StartsWith("{"));
}

TEST(KeepRejectedPayloadTest, LongRedactedPayloadIsCut) {
  const UserIdHasher hasher = TestHasher();
  const std::string payload =
      absl::StrCat(R"({"user_id":"gina","city":")", std::string(10'000, 'c'), R"("})");
  const KeptPayload kept = KeepRejectedPayload(payload, &hasher, kMaxRaw, nullptr);
  EXPECT_EQ(kept.raw.size(), kMaxRaw);
  EXPECT_THAT(kept.raw, HasSubstr(hasher.Hash("gina")));
}

}  // namespace
}  // namespace mua
