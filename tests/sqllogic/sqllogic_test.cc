// Runs the golden SQL tests under tests/sqllogic/ (DuckDB's sqllogictest
// format, the subset below): one GoogleTest case per `.test` file, each on a
// fresh `events` table. Files under known_failures/ hold correct expectations
// that MUA does not meet yet: they are listed and skipped (set
// MUA_SQLLOGIC_RUN_KNOWN_FAILURES=1 to run them).
//
// Records (separated by blank lines; lines starting with '#' between records
// are comments):
//   load                      JSON-lines events (either shape, SPEC §2) up to the
//   {"event_id": ...}         next blank line, appended to the file's table; any
//                             rejected line fails the test. Loads accumulate and
//                             share one de-duplicator.
//   reset                     starts a new empty table.
//   statement ok              SQL (one or more lines) that must succeed.
//   statement error           SQL that must fail; after an optional `----`, the
//   ----                      text the error message must contain.
//   <message substring>
//   query <types> [rowsort]   types: one letter per column (I, R, T), checked as a
//   SQL                       column count; rowsort sorts actual and expected rows.
//   ----                      Expected rows as MUA's TabSeparated output prints
//   <rows, values TAB-sep>    them; an empty string value is written `(empty)`.
//                             Or one line `<REGEX>:pattern` (`<!REGEX>:pattern`): the
//                             pattern must (must not) occur in the result, whose rows
//                             are joined by spaces for matching (as in DuckDB's runner).
//                             A query with a FORMAT clause is rendered in that format and
//                             compared line by line (an empty line is written `(empty)`).
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ingest/dedup.h"
#include "ingest/rejected_event_log.h"
#include "ingest/ingest_options.h"
#include "ingest/json_lines_loader.h"
#include "query/output_format.h"
#include "server/ingest_tables.h"
#include "sql/catalog.h"
#include "sql/sql_engine.h"
#include "storage/table.h"

namespace mua {
namespace {

namespace fs = std::filesystem;

constexpr char kKnownFailuresDir[] = "known_failures";

// One database: a table with its catalog, engine and de-duplicator.
struct Database {
  Database() {
    RegisterIngestTables(&catalog, &rejected, nullptr);
    catalog.SetUserEraser([this](absl::string_view user_id) { return table.EraseUser(user_id); });
  }
  Table table;
  Catalog catalog{&table};
  SqlEngine engine{&table, &catalog};
  Deduplicator dedup;
  RejectedEventLog rejected;  // stays empty: a rejected load line fails the test
};

class SqlLogicRunner {
 public:
  explicit SqlLogicRunner(std::string path) : path_(std::move(path)) {}

  void Run() {
    std::ifstream in(path_);
    ASSERT_TRUE(in) << "cannot read " << path_;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines_.push_back(line);
    }
    db_ = std::make_unique<Database>();
    while (pos_ < lines_.size()) {
      const std::string& header = lines_[pos_];
      if (IsBlank(header) || absl::StartsWith(header, "#")) {
        ++pos_;
        continue;
      }
      const size_t record_line = pos_ + 1;
      std::vector<std::string> words = absl::StrSplit(header, ' ', absl::SkipWhitespace());
      ++pos_;
      if (words[0] == "load") {
        Load(record_line);
      } else if (words[0] == "reset") {
        db_ = std::make_unique<Database>();
      } else if (words[0] == "statement" && words.size() == 2 &&
                 (words[1] == "ok" || words[1] == "error")) {
        Statement(record_line, words[1] == "error");
      } else if (words[0] == "query" && words.size() >= 2) {
        Query(record_line, words);
      } else {
        ADD_FAILURE() << Where(record_line) << "unknown record '" << header << "'";
        SkipRecord();
      }
    }
  }

 private:
  static bool IsBlank(const std::string& line) {
    return line.find_first_not_of(" \t") == std::string::npos;
  }

  std::string Where(size_t line) const { return absl::StrCat(path_, ":", line, ": "); }

  void SkipRecord() {
    while (pos_ < lines_.size() && !IsBlank(lines_[pos_])) ++pos_;
  }

  // Lines up to a blank line (or, when `stop_at_dashes`, a `----` line, which
  // is consumed and reported through *saw_dashes).
  std::vector<std::string> ReadBlock(bool stop_at_dashes, bool* saw_dashes = nullptr) {
    std::vector<std::string> block;
    if (saw_dashes != nullptr) *saw_dashes = false;
    while (pos_ < lines_.size() && !IsBlank(lines_[pos_])) {
      if (stop_at_dashes && lines_[pos_] == "----") {
        ++pos_;
        if (saw_dashes != nullptr) *saw_dashes = true;
        break;
      }
      block.push_back(lines_[pos_++]);
    }
    return block;
  }

  void Load(size_t record_line) {
    const std::vector<std::string> events = ReadBlock(/*stop_at_dashes=*/false);
    std::istringstream in(absl::StrJoin(events, "\n"));
    IngestOptions options;
    options.decoder.retention_days = 0;                   // events before 1970 are fine
    options.decoder.max_future_ms = int64_t{1} << 50;     // so are events in the future
    options.dedup = &db_->dedup;
    options.threads = 1;
    LoadStats stats;
    const absl::Status status = LoadJsonLines(in, path_, &db_->table, options, &stats);
    ASSERT_TRUE(status.ok()) << Where(record_line) << "load failed: " << status;
    for (const RejectedEvent& rejected : stats.rejected_events) {
      ADD_FAILURE() << Where(record_line) << "load rejected line " << rejected.source << ": "
                    << rejected.message << "\n  " << rejected.raw;
    }
    db_->table.SealAll();
  }

  void Statement(size_t record_line, bool expect_error) {
    bool saw_dashes = false;
    const std::string sql = absl::StrJoin(ReadBlock(expect_error, &saw_dashes), "\n");
    const std::string expected_message =
        saw_dashes ? absl::StrJoin(ReadBlock(/*stop_at_dashes=*/false), "\n") : "";
    const absl::StatusOr<StatementOutput> output = db_->engine.Execute(sql);
    if (!expect_error) {
      EXPECT_TRUE(output.ok()) << Where(record_line) << "statement failed\nSQL: " << sql
                               << "\nerror: " << output.status();
      return;
    }
    if (output.ok()) {
      ADD_FAILURE() << Where(record_line) << "statement succeeded, expected an error\nSQL: " << sql
                    << "\nexpected error containing: " << expected_message
                    << "\nactual result:\n" << Render(output->result);
      return;
    }
    EXPECT_TRUE(absl::StrContains(output.status().message(), expected_message))
        << Where(record_line) << "wrong error\nSQL: " << sql
        << "\nexpected error containing: " << expected_message
        << "\nactual error: " << output.status().message();
  }

  void Query(size_t record_line, const std::vector<std::string>& words) {
    const std::string& types = words[1];
    bool rowsort = false;
    for (size_t i = 2; i < words.size(); ++i) {
      if (words[i] == "rowsort") {
        rowsort = true;
      } else {
        ADD_FAILURE() << Where(record_line) << "unknown query option '" << words[i] << "'";
      }
    }
    bool saw_dashes = false;
    const std::string sql = absl::StrJoin(ReadBlock(/*stop_at_dashes=*/true, &saw_dashes), "\n");
    std::vector<std::string> expected;
    if (saw_dashes) expected = ReadBlock(/*stop_at_dashes=*/false);
    const absl::StatusOr<StatementOutput> output = db_->engine.Execute(sql);
    if (!output.ok()) {
      ADD_FAILURE() << Where(record_line) << "query failed\nSQL: " << sql
                    << "\nerror: " << output.status() << "\nexpected:\n"
                    << absl::StrJoin(expected, "\n");
      return;
    }
    std::vector<std::string> actual =
        output->format.empty() ? RenderRows(output->result) : RenderLines(*output);
    EXPECT_EQ(output->result.names.size(), types.size())
        << Where(record_line) << "column count differs from 'query " << types << "'\nSQL: " << sql;
    if (expected.size() == 1 && (absl::StartsWith(expected[0], "<REGEX>:") ||
                                 absl::StartsWith(expected[0], "<!REGEX>:"))) {
      const bool negated = expected[0][1] == '!';
      const std::string pattern = expected[0].substr(expected[0].find(':') + 1);
      const bool found = std::regex_search(absl::StrJoin(actual, " "), std::regex(pattern));
      EXPECT_NE(found, negated) << Where(record_line) << "result "
                                << (negated ? "matches" : "does not match") << " /" << pattern
                                << "/\nSQL: " << sql << "\nactual:\n" << absl::StrJoin(actual, "\n");
      return;
    }
    if (rowsort) {
      std::sort(actual.begin(), actual.end());
      std::sort(expected.begin(), expected.end());
    }
    if (actual != expected) {
      ADD_FAILURE() << Where(record_line) << "wrong result\nSQL: " << sql << "\nexpected ("
                    << expected.size() << " rows):\n" << absl::StrJoin(expected, "\n")
                    << "\nactual (" << actual.size() << " rows):\n" << absl::StrJoin(actual, "\n");
    }
  }

  // The result's TabSeparated rows, each empty value as "(empty)".
  static std::vector<std::string> RenderRows(const ResultSet& result) {
    std::string body;
    WriteResult(result, OutputFormat::kTabSeparated, &body);
    std::vector<std::string> rows;
    if (body.empty()) return rows;
    absl::string_view text = body;
    absl::ConsumeSuffix(&text, "\n");
    for (absl::string_view row : absl::StrSplit(text, '\n')) {
      std::vector<std::string> values = absl::StrSplit(row, '\t');
      for (std::string& value : values) {
        if (value.empty()) value = "(empty)";
      }
      rows.push_back(absl::StrJoin(values, "\t"));
    }
    return rows;
  }

  // The result in its FORMAT clause's format, one entry per line, "(empty)" for an empty line.
  static std::vector<std::string> RenderLines(const StatementOutput& output) {
    const absl::StatusOr<OutputFormat> format = ParseOutputFormat(output.format);
    if (!format.ok()) return {absl::StrCat("<", format.status().ToString(), ">")};
    std::string body;
    WriteResult(output.result, *format, &body);
    std::vector<std::string> lines;
    if (body.empty()) return lines;
    absl::string_view text = body;
    absl::ConsumeSuffix(&text, "\n");
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      lines.push_back(line.empty() ? "(empty)" : std::string(line));
    }
    return lines;
  }

  static std::string Render(const ResultSet& result) {
    return absl::StrJoin(RenderRows(result), "\n");
  }

  std::string path_;
  std::vector<std::string> lines_;
  size_t pos_ = 0;
  std::unique_ptr<Database> db_;
};

std::string RelativePath(const fs::path& path) {
  return fs::relative(path, MUA_SQLLOGIC_DIR).generic_string();
}

bool IsKnownFailure(const std::string& relative) {
  return absl::StartsWith(relative, absl::StrCat(kKnownFailuresDir, "/"));
}

std::vector<std::string> FindTestFiles() {
  std::vector<std::string> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(MUA_SQLLOGIC_DIR)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      files.push_back(RelativePath(entry.path()));
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

class SqlLogicTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SqlLogicTest, Run) {
  const std::string& relative = GetParam();
  const char* run_known = std::getenv("MUA_SQLLOGIC_RUN_KNOWN_FAILURES");
  if (IsKnownFailure(relative) && (run_known == nullptr || std::string(run_known) != "1")) {
    GTEST_SKIP() << "known failure (MUA is wrong; see the file): " << relative;
  }
  SqlLogicRunner runner(absl::StrCat(MUA_SQLLOGIC_DIR, "/", relative));
  runner.Run();
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  if (absl::EndsWith(name, ".test")) name.resize(name.size() - 5);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, SqlLogicTest, ::testing::ValuesIn(FindTestFiles()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SqlLogicTest);

}  // namespace
}  // namespace mua
