// Fixed-width hex ids in string blocks (kStringHexFlag): every letter case and form
// round-trips byte for byte, mixed blocks keep what does not pack as exceptions, and
// damaged blocks fail cleanly.
#include <cctype>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/internal/column_codec.h"
#include "tests/storage/string_block_round_trip.h"
#include "tests/testutil/status_matchers.h"

namespace mua::storage_internal {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr size_t kBlockRows = 16384;

std::string Hex(std::mt19937_64& rng, size_t digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digits; ++i) out.push_back(kDigits[rng() % 16]);
  return out;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string Uuid(std::mt19937_64& rng) {
  const std::string hex = Hex(rng, 32);
  return absl::StrFormat("%s-%s-%s-%s-%s", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                         hex.substr(16, 4), hex.substr(20));
}

std::vector<std::string> Hex32(std::mt19937_64& rng, size_t rows) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < rows; ++i) ids.push_back(Hex(rng, 32));
  return ids;
}

TEST(HexIdCodecTest, Hex32PacksToSixteenBytesInEitherCase) {
  std::mt19937_64 rng(1);
  std::vector<std::string> ids = Hex32(rng, kBlockRows);
  std::string encoded = RoundTripStrings(ids);
  EXPECT_EQ(EncodingName(encoded), "plain+hex");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 16.01);
  for (std::string& id : ids) id = Upper(id);
  encoded = RoundTripStrings(ids);
  EXPECT_EQ(EncodingName(encoded), "plain+hex");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 16.01);
}

TEST(HexIdCodecTest, LowercaseUuidsKeepTheVersionOneEncoding) {
  std::mt19937_64 rng(2);
  std::vector<std::string> ids;
  for (size_t i = 0; i < 1000; ++i) ids.push_back(Uuid(rng));
  EXPECT_EQ(EncodingName(RoundTripStrings(ids)), "plain+uuid");
}

TEST(HexIdCodecTest, EveryCaseAndFormCombinationRoundTrips) {
  std::mt19937_64 rng(3);
  // Per row: 0 lower hex32, 1 upper hex32, 2 digits only, 3 lower UUID, 4 upper UUID.
  for (int mask = 1; mask < 32; ++mask) {
    std::vector<int> kinds;
    for (int kind = 0; kind < 5; ++kind) {
      if (mask & (1 << kind)) kinds.push_back(kind);
    }
    std::vector<std::string> ids;
    for (size_t i = 0; i < 3000; ++i) {
      std::string id;
      switch (kinds[rng() % kinds.size()]) {
        case 0: id = Hex(rng, 32); break;
        case 1: id = Upper(Hex(rng, 32)); break;
        case 2: id = std::to_string(rng() % 10) + std::string(31, static_cast<char>('0' + rng() % 10)); break;
        case 3: id = Uuid(rng); break;
        case 4: id = Upper(Uuid(rng)); break;
      }
      ids.push_back(id);
    }
    const std::string encoded = RoundTripStrings(ids);
    const std::string name(EncodingName(encoded));
    EXPECT_THAT(name, HasSubstr(mask == 8 ? "uuid" : "hex")) << mask;
    // 16 bytes an id, plus at most two bits of case and dashes.
    EXPECT_LT(BytesPerValue(encoded, ids.size()), 16.3) << mask << " " << name;
  }
}

TEST(HexIdCodecTest, OtherEvenWidthsPack) {
  std::mt19937_64 rng(4);
  for (const size_t digits : {2, 16, 24, 40, 64, 128}) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < 500; ++i) ids.push_back(Hex(rng, digits));
    const std::string encoded = RoundTripStrings(ids);
    EXPECT_THAT(std::string(EncodingName(encoded)), HasSubstr("hex")) << digits;
  }
  // Longer than 128 digits: text.
  std::vector<std::string> long_ids;
  for (size_t i = 0; i < 50; ++i) long_ids.push_back(Hex(rng, 130));
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(long_ids))), Not(HasSubstr("hex")));
}

TEST(HexIdCodecTest, MixedBlocksKeepOtherStringsAsExceptions) {
  std::mt19937_64 rng(5);
  std::vector<std::string> ids = Hex32(rng, 4000);
  ids[0] = "";
  ids[7] = "abc";                             // odd length
  ids[8] = Hex(rng, 31) + "g";                // not hex
  ids[9] = "aBcD" + Hex(rng, 28);             // mixed case inside one id
  ids[10] = Hex(rng, 24);                     // another width
  ids[11] = Uuid(rng).substr(0, 35) + "-";    // near UUID
  ids[12] = "00000000-0000-0000-0000-00000000000G";
  ids[13] = std::string("\0\xff", 2);
  ids[3999] = "";
  const std::string encoded = RoundTripStrings(ids);
  EXPECT_EQ(EncodingName(encoded), "plain+hex");
  EXPECT_LT(BytesPerValue(encoded, ids.size()), 16.2);
}

TEST(HexIdCodecTest, MostlyOtherStringsStayText) {
  std::mt19937_64 rng(6);
  std::vector<std::string> values;
  for (size_t i = 0; i < 1000; ++i) {
    values.push_back(i % 3 == 0 ? Hex(rng, 32) : absl::StrFormat("evt-%d", rng() % 100000));
  }
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(values))), Not(HasSubstr("hex")));
}

TEST(HexIdCodecTest, RepeatedIdsUseHexDict) {
  std::mt19937_64 rng(7);
  std::vector<std::string> values;
  for (const std::string& id : Hex32(rng, 400)) values.insert(values.end(), 5 + rng() % 20, Upper(id));
  const std::string encoded = RoundTripStrings(values);
  EXPECT_EQ(EncodingName(encoded), "dict+hex");
}

TEST(HexIdCodecTest, EdgeShapesRoundTrip) {
  RoundTripStrings({""});
  RoundTripStrings({"", ""});
  RoundTripStrings({"ab"});
  RoundTripStrings({"AB", "ab", "12"});
  RoundTripStrings({"a"});
  RoundTripStrings({"0123456789abcdef0123456789ABCDEF"});  // mixed case: text
  RoundTripStrings({"00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000"});
  RoundTripStrings({"ABCDEF00-0000-0000-0000-000000000000", "abcdef00000000000000000000000000", ""});
}

TEST(HexIdCodecTest, RandomMixesRoundTrip) {
  std::mt19937_64 rng(8);
  static constexpr char kAlphabet[] = "0123456789abcdefABCDEF-gG";
  for (int round = 0; round < 300; ++round) {
    const size_t rows = 1 + rng() % 300;
    const size_t base_width = 2 * (1 + rng() % 20);
    std::vector<std::string> values;
    for (size_t i = 0; i < rows; ++i) {
      std::string value;
      switch (rng() % 6) {
        case 0: value = Uuid(rng); break;
        case 1: value = Upper(Hex(rng, base_width)); break;
        case 2: {
          const size_t length = rng() % 40;
          for (size_t c = 0; c < length; ++c) value.push_back(kAlphabet[rng() % 25]);
          break;
        }
        default: value = Hex(rng, base_width);
      }
      values.push_back(value);
    }
    RoundTripStrings(values);
  }
}

// Every truncation and every single-byte change of hex blocks decodes to an error or to
// some strings, never past the input (ASan) and never with a crash.
TEST(HexIdCodecTest, DamagedBlocksFailCleanly) {
  std::mt19937_64 rng(9);
  std::vector<std::vector<std::string>> blocks;
  blocks.push_back(Hex32(rng, 40));
  std::vector<std::string> mixed = Hex32(rng, 30);
  mixed[3] = Upper(mixed[3]);
  mixed[4] = Uuid(rng);
  mixed[5] = "";
  mixed[6] = "xyz";
  blocks.push_back(mixed);
  std::vector<std::string> repeated;
  for (const std::string& id : Hex32(rng, 5)) repeated.insert(repeated.end(), 8, id);
  blocks.push_back(repeated);
  for (const auto& values : blocks) {
    const std::vector<absl::string_view> views(values.begin(), values.end());
    std::string encoded;
    EncodeStringBlock(views, &encoded);
    ASSERT_THAT(std::string(EncodingName(encoded)), HasSubstr("hex"));
    std::string storage;
    std::vector<absl::string_view> out(values.size());
    for (size_t length = 0; length < encoded.size(); ++length) {
      EXPECT_FALSE(DecodeStringBlock(encoded.substr(0, length), &storage, absl::MakeSpan(out)).ok())
          << length;
    }
    for (size_t at = 0; at < encoded.size(); ++at) {
      for (const int flip : {0x01, 0x10, 0x80, 0xff}) {
        std::string damaged = encoded;
        damaged[at] = static_cast<char>(damaged[at] ^ flip);
        if (DecodeStringBlock(damaged, &storage, absl::MakeSpan(out)).ok()) {
          size_t sum = 0;
          for (const absl::string_view view : out) {
            for (const char c : view) sum += static_cast<uint8_t>(c);
          }
          EXPECT_GE(sum, 0u);
        }
      }
    }
  }
}

}  // namespace
}  // namespace mua::storage_internal
