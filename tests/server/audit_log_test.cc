// AuditLog: every field bounded (UTF-8-safe cuts), kind and hash of the whole statement, the
// ring bounded in bytes, the file rotated by size and created 0600.
#include "server/audit_log.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "rapidjson/encodings.h"
#include "rapidjson/stream.h"
#include "tests/testutil/status_matchers.h"

namespace mua {
namespace {

using ::mua::test::StatusIs;
using ::testing::EndsWith;
using ::testing::SizeIs;

constexpr absl::string_view kEuro = "\xE2\x82\xAC";  // U+20AC, 3 bytes

bool IsValidUtf8(absl::string_view text) {
  rapidjson::MemoryStream stream(text.data(), text.size());
  while (stream.Tell() < text.size()) {
    unsigned codepoint;
    if (!rapidjson::UTF8<>::Decode(stream, &codepoint)) return false;
  }
  return true;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/audit_log_test.XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/mua-audit.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::vector<std::string> ReadLines(const std::string& path) {
    std::vector<std::string> lines;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  // Parses a JSON line strictly (UTF-8 validated); fails the test when it does not parse.
  static rapidjson::Document ParseLine(const std::string& line) {
    rapidjson::Document document;
    document.Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
    EXPECT_FALSE(document.HasParseError()) << line.substr(0, 200);
    EXPECT_TRUE(document.IsObject());
    return document;
  }

  std::string dir_;
  std::string path_;
};

TEST(AuditCutTest, ShortValidValueIsKept) {
  EXPECT_EQ(AuditCut("POST /api/v1/query", 256), "POST /api/v1/query");
  EXPECT_EQ(AuditCut(absl::StrCat("caf", kEuro), 128), absl::StrCat("caf", kEuro));
  EXPECT_EQ(AuditCut("", 128), "");
}

TEST(AuditCutTest, LongValueIsCutAndSaysSo) {
  const std::string value(61440, 'a');
  const std::string cut = AuditCut(value, 256);
  EXPECT_LE(cut.size(), 256u);
  EXPECT_THAT(cut, EndsWith("\xE2\x80\xA6[cut, 61440 bytes]"));
  EXPECT_TRUE(absl::StartsWith(cut, "aaaaaaaa"));
}

TEST(AuditCutTest, CutNeverSplitsAMultiByteCharacter) {
  // Slide a 3-byte character across the cut point: every alignment must stay valid UTF-8.
  for (size_t pad = 0; pad < 8; ++pad) {
    std::string value(200 + pad, 'a');
    for (int i = 0; i < 100; ++i) absl::StrAppend(&value, kEuro);
    const std::string cut = AuditCut(value, 256);
    EXPECT_LE(cut.size(), 256u) << pad;
    EXPECT_TRUE(IsValidUtf8(cut)) << pad;
    EXPECT_THAT(cut, EndsWith(absl::StrCat("[cut, ", value.size(), " bytes]")));
  }
}

TEST(AuditCutTest, InvalidBytesBecomeReplacementCharacters) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, 0xFF.
  const std::string value =
      "a\x80"
      "b\xE2\x82"
      "c\xC0\xAF"
      "d\xED\xA0\x80"
      "e\xFF";
  const std::string cut = AuditCut(value, 128);
  EXPECT_TRUE(IsValidUtf8(cut));
  EXPECT_TRUE(absl::StartsWith(cut,
                               "a\xEF\xBF\xBD"
                               "b"))
      << cut;
  EXPECT_FALSE(absl::StrContains(cut, "[cut"));
  // Invalid bytes in a value over the bound: cut and replaced, still within it.
  const std::string long_invalid(5000, '\xFF');
  const std::string cut_long = AuditCut(long_invalid, 1024);
  EXPECT_LE(cut_long.size(), 1024u);
  EXPECT_TRUE(IsValidUtf8(cut_long));
  EXPECT_THAT(cut_long, EndsWith("[cut, 5000 bytes]"));
}

TEST(AuditStatementKindTest, FirstKeywordUpperCased) {
  EXPECT_EQ(AuditStatementKind("select 1"), "SELECT");
  EXPECT_EQ(AuditStatementKind("  \n\tInsert INTO events FORMAT JSONEachRow"), "INSERT");
  EXPECT_EQ(
      AuditStatementKind("-- why\n/* outer /* nested */ still */ with a AS (SELECT 1) SELECT *"),
      "WITH");
  EXPECT_EQ(AuditStatementKind("((SELECT 1))"), "SELECT");
  EXPECT_EQ(AuditStatementKind("SYSTEM FLUSH LOGS"), "SYSTEM");
  EXPECT_EQ(AuditStatementKind("kill query where query_id = 'x'"), "KILL");
  EXPECT_EQ(AuditStatementKind("DESCRIBE events"), "DESCRIBE");
  EXPECT_EQ(AuditStatementKind(""), "");
  EXPECT_EQ(AuditStatementKind("   -- only a comment"), "");
  EXPECT_EQ(AuditStatementKind("/* unterminated SELECT"), "");
  EXPECT_EQ(AuditStatementKind("{\"targets\": []}"), "");
  EXPECT_EQ(AuditStatementKind("/api/v1/dau"), "");
  EXPECT_EQ(AuditStatementKind(std::string(100, 'x')), "");  // no keyword is that long
}

TEST_F(AuditLogTest, LongEndpointStatementAndErrorAreCutInTheRingAndTheFile) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit, AuditLog::Open({.path = path_}));
  const std::string path(61440, 'p');
  const std::string statement = absl::StrCat("SELECT '", std::string(61440, 's'), "'");
  audit->Record({.principal = std::string(1000, 'u'),
                 .role = "analyst",
                 .endpoint = absl::StrCat("GET /", path),
                 .statement = statement,
                 .query_id = std::string(500, 'q'),
                 .status = 404,
                 .error = std::string(70000, 'e')});
  const std::vector<AuditRecord> records = audit->Records();
  ASSERT_THAT(records, SizeIs(1));
  const AuditRecord& record = records[0];
  EXPECT_LE(record.endpoint.size(), kAuditMaxEndpointBytes);
  EXPECT_THAT(record.endpoint, EndsWith("[cut, 61445 bytes]"));
  EXPECT_LE(record.statement.size(), kAuditMaxStatementBytes);
  EXPECT_THAT(record.statement, EndsWith(absl::StrCat("[cut, ", statement.size(), " bytes]")));
  EXPECT_LE(record.principal.size(), kAuditMaxNameBytes);
  EXPECT_LE(record.query_id.size(), kAuditMaxNameBytes);
  EXPECT_LE(record.error.size(), kAuditMaxErrorBytes);
  EXPECT_EQ(record.role, "analyst");
  EXPECT_EQ(record.statement_kind, "SELECT");
  EXPECT_EQ(record.statement_hash, XXH3_64bits(statement.data(), statement.size()));

  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_THAT(lines, SizeIs(1));
  EXPECT_LT(lines[0].size(), 8192u);
  const rapidjson::Document line = ParseLine(lines[0]);
  EXPECT_EQ(std::string(line["endpoint"].GetString()), record.endpoint);
  EXPECT_EQ(std::string(line["statement_kind"].GetString()), "SELECT");
  EXPECT_EQ(std::string(line["statement_hash"].GetString()),
            absl::StrFormat("%016x", record.statement_hash));
  EXPECT_EQ(line["status"].GetInt(), 404);
}

TEST_F(AuditLogTest, JsonLineStaysValidWithAMultiByteCharacterAtTheBoundAndInvalidBytes) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit, AuditLog::Open({.path = path_}));
  // The cut keeps 4096 - 20 bytes ("…[cut, 4xxx bytes]" is 20): ASCII up to about there, then
  // 3-byte characters, shifted so that one straddles the cut point in some record.
  for (size_t ascii = 4066; ascii < 4080; ++ascii) {
    std::string statement = absl::StrCat("SELECT ", std::string(ascii - 7, 'x'));
    for (int i = 0; i < 50; ++i) absl::StrAppend(&statement, kEuro);
    audit->Record({.principal = "ana\xFF\xFE",
                   .role = "viewer",
                   .endpoint = "GET /\xC3",
                   .statement = statement});
  }
  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_THAT(lines, SizeIs(14));
  for (const std::string& text : lines) {
    const rapidjson::Document line = ParseLine(text);
    const std::string stored = line["statement"].GetString();
    EXPECT_LE(stored.size(), kAuditMaxStatementBytes);
    EXPECT_TRUE(IsValidUtf8(stored));
    EXPECT_TRUE(absl::StrContains(stored, "[cut, 4"));
    EXPECT_EQ(std::string(line["principal"].GetString()), "ana\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(std::string(line["endpoint"].GetString()), "GET /\xEF\xBF\xBD");
  }
}

TEST_F(AuditLogTest, HashesTellApartStatementsWithACommonLongPrefix) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit, AuditLog::Open({.path = path_}));
  const std::string prefix =
      absl::StrCat("SELECT count() FROM events WHERE user_id IN (", std::string(8192, '1'));
  audit->Record({.endpoint = "POST /", .statement = absl::StrCat(prefix, ", 2)")});
  audit->Record({.endpoint = "POST /", .statement = absl::StrCat(prefix, ", 3)")});
  const std::vector<AuditRecord> records = audit->Records();
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_EQ(records[0].statement, records[1].statement);  // the kept prefixes are the same
  EXPECT_NE(records[0].statement_hash, records[1].statement_hash);
  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_NE(std::string(ParseLine(lines[0])["statement_hash"].GetString()),
            std::string(ParseLine(lines[1])["statement_hash"].GetString()));
}

TEST_F(AuditLogTest, NoStatementHasNoKindAndNoHash) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit, AuditLog::Open({.path = path_}));
  audit->Record({.endpoint = "GET /health", .status = 200});
  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_THAT(lines, SizeIs(1));
  const rapidjson::Document line = ParseLine(lines[0]);
  EXPECT_EQ(std::string(line["statement_kind"].GetString()), "");
  EXPECT_EQ(std::string(line["statement_hash"].GetString()), "");
}

TEST_F(AuditLogTest, RingStaysUnderItsByteBound) {
  constexpr size_t kBound = size_t{4} << 20;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit,
                       AuditLog::Open({.max_records = 1'000'000, .max_memory_bytes = kBound}));
  const std::string body(4096 - 20, 'v');
  for (int i = 0; i < 10'000; ++i) {
    audit->Record({.principal = "loader",
                   .role = "admin",
                   .endpoint = "POST /",
                   .statement = absl::StrCat("INSERT ", i, " ", body)});
    ASSERT_LE(audit->memory_bytes(), kBound) << i;
  }
  const std::vector<AuditRecord> records = audit->Records();
  size_t string_bytes = 0;
  for (const AuditRecord& record : records)
    string_bytes += record.statement.size() + record.endpoint.size();
  EXPECT_LE(string_bytes, kBound);
  EXPECT_GT(records.size(), 500u);  // ~4 KiB each: most of the bound is used
  EXPECT_LT(records.size(), 10'000u);
  // The newest are the ones kept.
  EXPECT_TRUE(absl::StartsWith(records.back().statement, "INSERT 9999 "));
}

TEST_F(AuditLogTest, RingStaysUnderItsCountBound) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit, AuditLog::Open({.max_records = 10}));
  for (int i = 0; i < 25; ++i)
    audit->Record({.endpoint = "GET /", .statement = absl::StrCat("SELECT ", i)});
  const std::vector<AuditRecord> records = audit->Records();
  ASSERT_THAT(records, SizeIs(10));
  EXPECT_EQ(records.front().statement, "SELECT 15");
  EXPECT_EQ(records.back().statement, "SELECT 24");
}

TEST_F(AuditLogTest, FileRotatesBySizeAndKeepsAtMostMaxFiles) {
  // A stale file a run with a larger max_files left beyond the kept ones.
  std::ofstream(path_ + ".7") << "old\n";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit,
                       AuditLog::Open({.path = path_, .max_file_bytes = 4096, .max_files = 3}));
  for (int i = 0; i < 200; ++i) {
    audit->Record({.principal = "ana",
                   .endpoint = "POST /",
                   .statement = absl::StrCat("SELECT ", i, " -- ", std::string(200, 'c'))});
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      (void)entry;
      ++files;
    }
    ASSERT_LE(files, 3u) << i;
  }
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_TRUE(std::filesystem::exists(path_ + ".1"));
  EXPECT_TRUE(std::filesystem::exists(path_ + ".2"));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".3"));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".7"));
  // Every kept file is within the bound and holds whole JSON lines, newest in the live file.
  for (const std::string& name : {path_ + ".2", path_ + ".1", path_}) {
    EXPECT_LE(std::filesystem::file_size(name), 4096u) << name;
    const std::vector<std::string> lines = ReadLines(name);
    EXPECT_FALSE(lines.empty()) << name;
    for (const std::string& line : lines) ParseLine(line);
  }
  const std::vector<std::string> live = ReadLines(path_);
  ASSERT_FALSE(live.empty());
  EXPECT_TRUE(absl::StartsWith(ParseLine(live.back())["statement"].GetString(), "SELECT 199 "));
  EXPECT_EQ(audit->file_errors(), 0);
}

TEST_F(AuditLogTest, OneFileKeptMeansTheLiveOneStartsOver) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit,
                       AuditLog::Open({.path = path_, .max_file_bytes = 1024, .max_files = 1}));
  for (int i = 0; i < 50; ++i)
    audit->Record({.endpoint = "POST /", .statement = absl::StrCat("SELECT ", i)});
  EXPECT_FALSE(std::filesystem::exists(path_ + ".1"));
  EXPECT_LE(std::filesystem::file_size(path_), 1024u);
  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(std::string(ParseLine(lines.back())["statement"].GetString()), "SELECT 49");
}

TEST_F(AuditLogTest, FilesAreCreatedOwnerOnly) {
  {
    // A file an older version left world-readable is narrowed too.
    std::ofstream(path_) << "";
    ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit,
                       AuditLog::Open({.path = path_, .max_file_bytes = 512, .max_files = 3}));
  for (int i = 0; i < 20; ++i)
    audit->Record({.endpoint = "POST /", .statement = absl::StrCat("SELECT ", i)});
  for (const std::string& name : {path_, path_ + ".1", path_ + ".2"}) {
    struct stat info;
    ASSERT_EQ(::stat(name.c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << name;
  }
}

TEST_F(AuditLogTest, ConcurrentWritersNeverTearALine) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<AuditLog> audit,
                       AuditLog::Open({.path = path_, .max_file_bytes = uint64_t{64} << 20}));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&audit, t] {
      for (int i = 0; i < 250; ++i) {
        audit->Record({.principal = absl::StrCat("p", t),
                       .endpoint = "POST /",
                       .statement = absl::StrCat("SELECT ", i)});
        if (i % 50 == 0) (void)audit->Records();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> lines = ReadLines(path_);
  ASSERT_THAT(lines, SizeIs(1000));
  for (const std::string& line : lines) ParseLine(line);
  EXPECT_THAT(audit->Records(), SizeIs(1000));
}

TEST_F(AuditLogTest, BadOptionsAreRefused) {
  EXPECT_THAT(AuditLog::Open({.path = path_, .max_files = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AuditLog::Open({.path = path_, .max_file_bytes = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(AuditLog::Open({.path = dir_ + "/missing/dir/audit.jsonl"}),
              StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace mua
