#include "storage/internal/column_codec.h"
#include "tests/storage/string_block_round_trip.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/base/coding.h"
#include "tests/testutil/status_matchers.h"

namespace mua::storage_internal {
namespace {

using ::mua::test::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr size_t kBlockRows = 16384;
constexpr int64_t kDayStartMs = 1790000000000;  // 2026-09-21

// ---- realistic column shapes (rows sorted by user, then time) ----

// Run lengths of one user's events in a block: 1..60, mostly 5..30.
std::vector<size_t> UserRuns(std::mt19937_64& rng, size_t rows) {
  std::vector<size_t> runs;
  std::uniform_int_distribution<size_t> length(1, 40);
  for (size_t total = 0; total < rows;) {
    const size_t run = std::min(rows - total, length(rng) + (rng() % 4 == 0 ? 20 : 0));
    runs.push_back(run);
    total += run;
  }
  return runs;
}

std::vector<int64_t> EventTimes(std::mt19937_64& rng, size_t rows) {
  std::vector<int64_t> times;
  std::exponential_distribution<double> gap(1.0 / 20000);  // mean 20 s
  for (const size_t run : UserRuns(rng, rows)) {
    int64_t t = kDayStartMs + static_cast<int64_t>(rng() % 80'000'000);
    for (size_t i = 0; i < run; ++i) {
      times.push_back(t);
      t += 1000 + static_cast<int64_t>(gap(rng));
    }
  }
  return times;
}

std::vector<uint32_t> UserNumbers(std::mt19937_64& rng, size_t rows) {
  std::vector<uint32_t> users;
  uint32_t user = 100'000;
  for (const size_t run : UserRuns(rng, rows)) {
    user += 1 + static_cast<uint32_t>(rng() % 3);
    users.insert(users.end(), run, user);
  }
  return users;
}

std::vector<uint32_t> RunHeavyCodes(std::mt19937_64& rng, size_t rows) {
  std::vector<uint32_t> codes;
  for (const size_t run : UserRuns(rng, rows)) {
    codes.insert(codes.end(), run, static_cast<uint32_t>(rng() % 40));
  }
  return codes;
}

std::vector<std::string> SessionIds(std::mt19937_64& rng, size_t rows) {
  std::vector<std::string> ids;
  while (ids.size() < rows) {
    const std::string id = absl::StrCat(kDayStartMs + static_cast<int64_t>(rng() % 80'000'000));
    ids.insert(ids.end(), std::min<size_t>(rows - ids.size(), 5 + rng() % 26), id);
  }
  return ids;
}

std::vector<std::string> EventCounters(std::mt19937_64& rng, size_t rows) {
  std::vector<std::string> ids;
  for (const size_t run : UserRuns(rng, rows)) {
    uint64_t counter = rng() % 5000;
    for (size_t i = 0; i < run; ++i) ids.push_back(absl::StrCat(counter++));
  }
  return ids;
}

std::vector<std::string> Uuids(std::mt19937_64& rng, size_t rows) {
  std::vector<std::string> ids;
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t a = rng(), b = rng();
    ids.push_back(absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, (a >> 16) & 0xffff,
                                  a & 0xfff, ((b >> 48) & 0x3fff) | 0x8000, b & 0xffffffffffff));
  }
  return ids;
}

std::vector<std::string> JsonProperties(std::mt19937_64& rng, size_t rows) {
  static const char* const kScreens[] = {"home", "search", "cart", "profile", "settings"};
  std::vector<std::string> props;
  for (size_t i = 0; i < rows; ++i) {
    switch (rng() % 4) {
      case 0:
      case 1:
        props.push_back(absl::StrCat(R"({"screen":")", kScreens[rng() % 5], R"("})"));
        break;
      case 2:
        props.push_back(
            absl::StrFormat(R"({"item_id":"sku_%d","price":%d.99})", rng() % 2000, rng() % 100));
        break;
      default:
        props.push_back("{}");
    }
  }
  return props;
}

std::vector<absl::string_view> Views(const std::vector<std::string>& strings) {
  return std::vector<absl::string_view>(strings.begin(), strings.end());
}

// ---- round-trip helpers ----

std::string RoundTripInt64(const std::vector<int64_t>& values) {
  std::string encoded;
  EncodeInt64Block(values, &encoded);
  std::vector<int64_t> back(values.size(), 42);
  const absl::Status status = DecodeInt64Block(encoded, absl::MakeSpan(back));
  EXPECT_OK(status) << EncodingName(encoded);
  EXPECT_EQ(back, values) << EncodingName(encoded);
  return encoded;
}

std::string RoundTripUInt32(const std::vector<uint32_t>& values) {
  std::string encoded;
  EncodeUInt32Block(values, &encoded);
  std::vector<uint32_t> back(values.size(), 42);
  const absl::Status status = DecodeUInt32Block(encoded, absl::MakeSpan(back));
  EXPECT_OK(status) << EncodingName(encoded);
  EXPECT_EQ(back, values) << EncodingName(encoded);
  return encoded;
}

// ---- integers ----

TEST(ColumnCodecTest, ZeroRowsRoundTrip) {
  EXPECT_EQ(EncodingName(RoundTripInt64({})), "constant");
  RoundTripUInt32({});
  RoundTripStrings({});
}

TEST(ColumnCodecTest, SingleRowRoundTrips) {
  for (const int64_t value : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min(),
                              std::numeric_limits<int64_t>::max()}) {
    EXPECT_EQ(EncodingName(RoundTripInt64({value})), "constant");
  }
  RoundTripUInt32({std::numeric_limits<uint32_t>::max()});
  RoundTripStrings({""});
  RoundTripStrings({"x"});
}

TEST(ColumnCodecTest, RandomValuesOfEveryWidthRoundTrip) {
  std::mt19937_64 rng(1);
  for (int width = 0; width <= 64; ++width) {
    for (const size_t rows :
         {size_t{2}, size_t{7}, size_t{8}, size_t{9}, size_t{100}, size_t{1000}, kBlockRows}) {
      std::vector<int64_t> values(rows);
      const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
      for (int64_t& value : values) value = static_cast<int64_t>(rng() & mask);
      const std::string encoded = RoundTripInt64(values);
      // Random data must never cost much more than its raw width.
      EXPECT_LE(encoded.size(), rows * width / 8 + 24) << width << " " << rows;
      // Shifted into negative numbers.
      for (int64_t& value : values) {
        value = static_cast<int64_t>(static_cast<uint64_t>(value) - mask / 2);
      }
      RoundTripInt64(values);
      if (width <= 32) {
        std::vector<uint32_t> narrow(values.begin(), values.end());
        RoundTripUInt32(narrow);
      }
    }
  }
}

TEST(ColumnCodecTest, ExtremeInt64sRoundTrip) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  RoundTripInt64({kMin, kMax});
  RoundTripInt64({kMax, kMin, 0, -1, 1, kMin, kMin, kMax});
  std::vector<int64_t> alternating(1000);
  for (size_t i = 0; i < alternating.size(); ++i) alternating[i] = i % 2 ? kMin : kMax;
  RoundTripInt64(alternating);
  std::vector<int64_t> mostly_small(kBlockRows, 5);
  for (size_t i = 0; i < mostly_small.size(); i += 97) mostly_small[i] = i % 2 ? kMin : kMax;
  RoundTripInt64(mostly_small);
  RoundTripUInt32({0, std::numeric_limits<uint32_t>::max(), 0, 1});
}

TEST(ColumnCodecTest, SortedRunsAndConstantRoundTrip) {
  std::mt19937_64 rng(2);
  std::vector<int64_t> sorted(kBlockRows);
  int64_t value = -1'000'000;
  for (int64_t& v : sorted) v = value += static_cast<int64_t>(rng() % 100);
  RoundTripInt64(sorted);
  std::vector<int64_t> runs;
  while (runs.size() < kBlockRows) runs.insert(runs.end(), 1 + rng() % 200, rng() % 7 - 3);
  EXPECT_EQ(EncodingName(RoundTripInt64(runs)), "rle");
  const std::string constant = RoundTripInt64(std::vector<int64_t>(kBlockRows, -77));
  EXPECT_EQ(EncodingName(constant), "constant");
  EXPECT_LE(constant.size(), 6u);  // tag, 3-byte row count, 2-byte value
}

TEST(ColumnCodecTest, EventTimesPickDeltaPforUnderTwoAndAHalfBytes) {
  std::mt19937_64 rng(3);
  const std::vector<int64_t> times = EventTimes(rng, kBlockRows);
  const std::string encoded = RoundTripInt64(times);
  EXPECT_EQ(EncodingName(encoded), "delta-pfor");
  EXPECT_LT(BytesPerValue(encoded, times.size()), 2.5);
}

TEST(ColumnCodecTest, UserNumbersAreNearlyFree) {
  std::mt19937_64 rng(4);
  const std::string encoded = RoundTripUInt32(UserNumbers(rng, kBlockRows));
  EXPECT_EQ(EncodingName(encoded), "rle");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 0.1);
}

TEST(ColumnCodecTest, RunHeavyCodesUnderATenthOfAByte) {
  std::mt19937_64 rng(5);
  const std::string encoded = RoundTripUInt32(RunHeavyCodes(rng, kBlockRows));
  EXPECT_EQ(EncodingName(encoded), "rle");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 0.1);
}

TEST(ColumnCodecTest, PerRowCodesBitpack) {
  std::mt19937_64 rng(6);
  std::vector<uint32_t> codes(kBlockRows);
  for (uint32_t& code : codes) code = static_cast<uint32_t>(rng() % 20);
  const std::string encoded = RoundTripUInt32(codes);
  EXPECT_EQ(EncodingName(encoded), "bitpack");
  EXPECT_LE(encoded.size(), kBlockRows * 5 / 8 + 8);
}

TEST(ColumnCodecTest, RandomUInt32sCostFourBytes) {
  std::mt19937_64 rng(7);
  std::vector<uint32_t> values(kBlockRows);
  for (uint32_t& value : values) value = static_cast<uint32_t>(rng());
  const std::string encoded = RoundTripUInt32(values);
  EXPECT_LE(encoded.size(), kBlockRows * 4 + 16);
}

// ---- strings ----

TEST(ColumnCodecTest, SessionIdsAreNumericAndNearlyFree) {
  std::mt19937_64 rng(8);
  const std::string encoded = RoundTripStrings(SessionIds(rng, kBlockRows));
  EXPECT_EQ(EncodingName(encoded), "numeric");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 0.5);
}

TEST(ColumnCodecTest, EventCountersAreNumericAndSmall) {
  std::mt19937_64 rng(9);
  const std::string encoded = RoundTripStrings(EventCounters(rng, kBlockRows));
  EXPECT_EQ(EncodingName(encoded), "numeric");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 0.4);
}

TEST(ColumnCodecTest, UuidsPackToSixteenBytes) {
  std::mt19937_64 rng(10);
  const std::string encoded = RoundTripStrings(Uuids(rng, kBlockRows));
  EXPECT_EQ(EncodingName(encoded), "plain+uuid");
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 16.01);
}

TEST(ColumnCodecTest, UuidSessionRunsUseUuidDict) {
  std::mt19937_64 rng(16);
  std::vector<std::string> sessions;
  for (const std::string& uuid : Uuids(rng, kBlockRows / 10)) {
    sessions.insert(sessions.end(), 5 + rng() % 26, uuid);
  }
  const std::string encoded = RoundTripStrings(sessions);
  EXPECT_EQ(EncodingName(encoded), "dict+uuid");
  EXPECT_LT(BytesPerValue(encoded, sessions.size()), 1.2);
}

TEST(ColumnCodecTest, NearUuidsStayText) {
  std::mt19937_64 rng(17);
  std::vector<std::string> values = Uuids(rng, 100);
  values[50][0] = 'A';  // Uppercase would not round-trip through packing.
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(values))), Not(HasSubstr("uuid")));
  values[50] = values[51].substr(0, 35) + "g";
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(values))), Not(HasSubstr("uuid")));
  values[50] = values[51] + "0";
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(values))), Not(HasSubstr("uuid")));
  values[50] = values[51];
  values[50][8] = 'a';
  values[50][9] = '-';
  EXPECT_THAT(std::string(EncodingName(RoundTripStrings(values))), Not(HasSubstr("uuid")));
}

TEST(ColumnCodecTest, JsonPropertiesCompressWell) {
  std::mt19937_64 rng(11);
  const std::string encoded = RoundTripStrings(JsonProperties(rng, kBlockRows));
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 4.0) << EncodingName(encoded);
}

TEST(ColumnCodecTest, LowCardinalityStringsUseDict) {
  std::mt19937_64 rng(12);
  static const char* const kPlatforms[] = {"ios", "android", "web"};
  std::vector<std::string> values;
  while (values.size() < kBlockRows)
    values.insert(values.end(), 1 + rng() % 40, kPlatforms[rng() % 3]);
  values.resize(kBlockRows);
  const std::string encoded = RoundTripStrings(values);
  EXPECT_THAT(std::string(EncodingName(encoded)), HasSubstr("dict"));
  EXPECT_LT(BytesPerValue(encoded, kBlockRows), 0.2);
}

TEST(ColumnCodecTest, AdversarialStringsRoundTrip) {
  RoundTripStrings({"", "", ""});
  RoundTripStrings({"", "a", "", "bb"});
  RoundTripStrings({std::string("a\0b", 3), std::string(5, '\0'), "", std::string(1, '\0')});
  RoundTripStrings({std::string(1 << 20, 'x'), "y", std::string(300000, 'z')});
  RoundTripStrings(std::vector<std::string>(kBlockRows, "same"));
  std::vector<std::string> distinct;
  for (size_t i = 0; i < 5000; ++i) distinct.push_back(absl::StrCat("v", i * 7919));
  RoundTripStrings(distinct);
  std::mt19937_64 rng(13);
  std::vector<std::string> binary(2000);
  for (std::string& s : binary) {
    s.resize(rng() % 50);
    for (char& c : s) c = static_cast<char>(rng());
  }
  RoundTripStrings(binary);
}

TEST(ColumnCodecTest, NonCanonicalNumbersAreNotNumeric) {
  for (const char* odd : {"007", "-0", "+5", "9223372036854775808", " 5", "5 ", "1e3", "0x10", "-",
                          "", "--1", "-9223372036854775809", "00"}) {
    const std::string encoded = RoundTripStrings({"1", odd, "2"});
    EXPECT_NE(EncodingName(encoded), "numeric") << odd;
  }
  const std::string canonical =
      RoundTripStrings({"0", "-1", "9223372036854775807", "-9223372036854775808", "42"});
  EXPECT_EQ(EncodingName(canonical), "numeric");
}

TEST(ColumnCodecTest, EncodingNameRejectsUnknownTags) {
  EXPECT_EQ(EncodingName(""), "invalid");
  EXPECT_EQ(EncodingName(std::string(1, '\0')), "invalid");
  EXPECT_EQ(EncodingName("\x7f"), "invalid");
  EXPECT_EQ(EncodingName("\x41"), "invalid");  // delta + constant
  EXPECT_EQ(EncodingName("\x45"), "delta-varint");
  EXPECT_EQ(EncodingName("\xc5"), "delta-varint+lz4");
  EXPECT_EQ(EncodingName("\x10"), "numeric");
  EXPECT_EQ(EncodingName("\x90"), "invalid");  // numeric + lz4
  EXPECT_EQ(EncodingName("\xb1"), "dict+uuid+lz4");
  EXPECT_EQ(EncodingName("\x32"), "plain+uuid");
}

// ---- corruption ----

// Touches every decoded byte so ASan sees any view into freed or foreign memory.
size_t TouchAll(absl::Span<const absl::string_view> views) {
  size_t sum = 0;
  for (const absl::string_view view : views) {
    for (const char c : view) sum += static_cast<uint8_t>(c);
  }
  return sum;
}

// Decodes `encoded` as the kind it was written as, with `rows` rows.
absl::Status DecodeAs(char kind, absl::string_view encoded, size_t rows) {
  switch (kind) {
    case 'i': {
      std::vector<int64_t> out(rows);
      return DecodeInt64Block(encoded, absl::MakeSpan(out));
    }
    case 'u': {
      std::vector<uint32_t> out(rows);
      return DecodeUInt32Block(encoded, absl::MakeSpan(out));
    }
    default: {
      std::string storage;
      std::vector<absl::string_view> out(rows);
      const absl::Status status = DecodeStringBlock(encoded, &storage, absl::MakeSpan(out));
      if (status.ok()) TouchAll(out);
      return status;
    }
  }
}

struct Sample {
  char kind;
  size_t rows;
  std::string encoded;
};

std::vector<Sample> CorruptionSamples() {
  std::mt19937_64 rng(14);
  std::vector<Sample> samples;
  const auto add_int = [&](const std::vector<int64_t>& values) {
    Sample sample{'i', values.size(), ""};
    EncodeInt64Block(values, &sample.encoded);
    samples.push_back(std::move(sample));
  };
  const auto add_uint = [&](const std::vector<uint32_t>& values) {
    Sample sample{'u', values.size(), ""};
    EncodeUInt32Block(values, &sample.encoded);
    samples.push_back(std::move(sample));
  };
  const auto add_strings = [&](const std::vector<std::string>& values) {
    Sample sample{'s', values.size(), ""};
    EncodeStringBlock(Views(values), &sample.encoded);
    samples.push_back(std::move(sample));
  };
  add_int(EventTimes(rng, 700));          // delta-pfor
  add_int({1, 5, 2, 9, 3, 3, 3, 0, -4});  // bitpack
  add_int(std::vector<int64_t>(40, 9));   // constant
  std::vector<int64_t> lz4_friendly;
  for (int i = 0; i < 600; ++i) lz4_friendly.push_back((i % 50) * 1'000'003);
  add_int(lz4_friendly);                 // +lz4
  add_uint(RunHeavyCodes(rng, 900));     // rle
  add_uint(UserNumbers(rng, 600));       // rle of deltas
  add_strings(SessionIds(rng, 300));     // numeric
  add_strings(EventCounters(rng, 300));  // numeric
  add_strings(Uuids(rng, 200));          // plain+uuid
  std::vector<std::string> uuid_runs;
  for (const std::string& uuid : Uuids(rng, 30)) uuid_runs.insert(uuid_runs.end(), 9, uuid);
  add_strings(uuid_runs);  // dict+uuid
  std::vector<std::string> text = Uuids(rng, 200);
  for (std::string& value : text) value[3] = 'Z';
  add_strings(text);                                       // plain+lz4
  add_strings(JsonProperties(rng, 400));                   // dict or plain
  add_strings({"a", "bb", "a", "a", "bb", "a", "", "a"});  // dict
  add_strings({"x\x01", "yy", "z", "q"});                  // plain
  return samples;
}

TEST(ColumnCodecTest, SamplesCoverTheEncodings) {
  std::set<std::string> names;
  for (const Sample& sample : CorruptionSamples()) {
    names.insert(std::string(EncodingName(sample.encoded)));
    ASSERT_OK(DecodeAs(sample.kind, sample.encoded, sample.rows));
  }
  for (const char* name : {"delta-pfor", "bitpack", "constant", "rle", "numeric", "plain+lz4",
                           "dict", "plain", "plain+uuid", "dict+uuid"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }
  EXPECT_TRUE(std::any_of(names.begin(), names.end(),
                          [](const std::string& name) { return name.ends_with("+lz4"); }));
}

TEST(ColumnCodecTest, EveryTruncationFails) {
  for (const Sample& sample : CorruptionSamples()) {
    for (size_t size = 0; size < sample.encoded.size(); ++size) {
      // A copy, so ASan catches any read past the prefix.
      const std::string prefix = sample.encoded.substr(0, size);
      EXPECT_THAT(DecodeAs(sample.kind, prefix, sample.rows), StatusIs(absl::StatusCode::kDataLoss))
          << EncodingName(sample.encoded) << " truncated to " << size;
    }
  }
}

TEST(ColumnCodecTest, TrailingBytesFail) {
  for (const Sample& sample : CorruptionSamples()) {
    EXPECT_THAT(DecodeAs(sample.kind, sample.encoded + "x", sample.rows),
                StatusIs(absl::StatusCode::kDataLoss));
  }
}

TEST(ColumnCodecTest, WrongRowCountFails) {
  for (const Sample& sample : CorruptionSamples()) {
    for (const size_t rows : {size_t{0}, sample.rows - 1, sample.rows + 1, sample.rows * 2}) {
      const absl::Status status = DecodeAs(sample.kind, sample.encoded, rows);
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));
      EXPECT_THAT(std::string(status.message()), HasSubstr("rows, expected"));
    }
  }
}

TEST(ColumnCodecTest, RandomByteFlipsNeverCrash) {
  std::mt19937_64 rng(15);
  size_t errors = 0, decodes = 0;
  for (const Sample& sample : CorruptionSamples()) {
    for (int iteration = 0; iteration < 1000; ++iteration) {
      std::string corrupt = sample.encoded;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f) {
        corrupt[rng() % corrupt.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      const absl::Status status = DecodeAs(sample.kind, corrupt, sample.rows);
      ++decodes;
      if (!status.ok()) {
        ++errors;
        EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss)) << status;
        EXPECT_THAT(std::string(status.message()), HasSubstr("column block: "));
      }
    }
  }
  // Most flips land in structure, not payload bits, and are caught.
  EXPECT_GT(errors, decodes / 4);
}

std::string Varint(uint64_t value) {
  std::string out;
  PutVarint64(&out, value);
  return out;
}

TEST(ColumnCodecTest, HugeDeclaredSizesFailWithoutAllocating) {
  const std::string rows = Varint(512);
  const std::string huge = Varint(uint64_t{1} << 62);
  // RLE claiming 2^62 runs.
  EXPECT_THAT(DecodeAs('i', "\x04" + rows + huge, 512), StatusIs(absl::StatusCode::kDataLoss));
  // LZ4 payload declaring a 2^62-byte raw size.
  EXPECT_THAT(DecodeAs('i', "\x82" + rows + huge + Varint(3) + "abc", 512),
              StatusIs(absl::StatusCode::kDataLoss));
  // Plain strings: lengths constant 2^62.
  EXPECT_THAT(DecodeAs('s', "\x12" + rows + "\x01" + Varint(ZigZagEncode(int64_t{1} << 61)), 512),
              StatusIs(absl::StatusCode::kDataLoss));
  // Dict of 2^62 entries.
  EXPECT_THAT(DecodeAs('s', "\x11" + rows + huge, 512), StatusIs(absl::StatusCode::kDataLoss));
  // Plain lz4 blob claiming 1 GiB from 3 bytes.
  EXPECT_THAT(DecodeAs('s',
                       "\x92" + Varint(1) + "\x01" + Varint(ZigZagEncode(1 << 30)) +
                           Varint(1 << 30) + Varint(3) + "abc",
                       1),
              StatusIs(absl::StatusCode::kDataLoss));
  // Bitpack width 65.
  EXPECT_THAT(
      DecodeAs('i', "\x02" + rows + std::string("\x00\x41", 2) + std::string(600, '\0'), 512),
      StatusIs(absl::StatusCode::kDataLoss));
}

TEST(ColumnCodecTest, RleLengthMismatchNamesTheSum) {
  // 2 runs: values bitpack {0, 1} (width 1), lengths constant 256 -> sum 512, expected 500.
  const std::string block = std::string("\x04") + Varint(500) + Varint(2) +
                            std::string("\x02\x00\x01\x02", 4) + "\x01" + Varint(ZigZagEncode(256));
  std::vector<int64_t> out(500);
  const absl::Status status = DecodeInt64Block(block, absl::MakeSpan(out));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(status.message()), HasSubstr("rle run lengths"));
  // The same block read as 512 rows decodes.
  std::vector<int64_t> right(512);
  const std::string ok_block = std::string("\x04") + Varint(512) + block.substr(3);
  ASSERT_OK(DecodeInt64Block(ok_block, absl::MakeSpan(right)));
  EXPECT_EQ(right[255], 0);
  EXPECT_EQ(right[256], 1);
}

}  // namespace
}  // namespace mua::storage_internal
