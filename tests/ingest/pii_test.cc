#include "ingest/pii.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "ingest/internal/siphash.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using test::StatusIs;

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

}  // namespace
}  // namespace mua
