// The shared command-line parser of every MUA binary: both spellings of a name, values left
// untouched, bool and list flags, short aliases, errors, and the --help listing.
#include "storage/base/command_line.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

ABSL_FLAG(std::string, cl_test_data_dir, "mua-data", "where data goes; see --cl_test_retention");
ABSL_FLAG(int, cl_test_retention, 730, "days kept");
ABSL_FLAG(bool, cl_test_verbose, false, "say more");
ABSL_FLAG(std::vector<std::string>, cl_test_load, {}, "files (comma-separated or repeated)");
ABSL_FLAG(std::string, cl_test_query, "", "statements to run");

namespace mua {
namespace {

using ::mua::test::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class CommandLineTest : public ::testing::Test {
 protected:
  absl::StatusOr<ParsedCommandLine> Parse(std::vector<std::string> args) {
    storage_ = std::move(args);
    storage_.insert(storage_.begin(), "mua-test");
    pointers_.clear();
    for (std::string& arg : storage_) pointers_.push_back(arg.data());
    return ParseCommandLine(spec_, pointers_);
  }

  CommandLineSpec spec_{.program = "mua-test",
                        .usage = "Usage: mua-test [flags]\nA test binary.",
                        .short_flags = {{'q', "cl_test_query"}}};

 private:
  absl::FlagSaver saver_;  // restores every flag after each test
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
};

TEST_F(CommandLineTest, DashesAndUnderscoresNameTheSameFlag) {
  ASSERT_OK(Parse({"--cl-test-data-dir", "a"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "a");
  ASSERT_OK(Parse({"--cl-test-data-dir=b"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "b");
  ASSERT_OK(Parse({"--cl_test_data_dir=c"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "c");
  ASSERT_OK(Parse({"-cl-test-retention", "9"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_retention), 9);
}

TEST_F(CommandLineTest, ValuesAreNeverRewritten) {
  ASSERT_OK(Parse({"--cl-test-data-dir=/tmp/a_b-c=d"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "/tmp/a_b-c=d");
  ASSERT_OK(Parse({"--cl-test-data-dir", "--x_y"}).status());  // the next argument, whatever
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "--x_y");
  ASSERT_OK(Parse({"--cl-test-data-dir="}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_data_dir), "");
  ASSERT_OK(Parse({"--cl-test-retention", "-1"}).status());
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_retention), -1);
}

TEST_F(CommandLineTest, BoolFlagsNeedNoValue) {
  ASSERT_OK(Parse({"--cl-test-verbose"}).status());
  EXPECT_TRUE(absl::GetFlag(FLAGS_cl_test_verbose));
  ASSERT_OK(Parse({"--no-cl-test-verbose"}).status());
  EXPECT_FALSE(absl::GetFlag(FLAGS_cl_test_verbose));
  ASSERT_OK(Parse({"--cl_test_verbose=true", "--nocl_test_verbose"}).status());
  EXPECT_FALSE(absl::GetFlag(FLAGS_cl_test_verbose));
  ASSERT_OK(Parse({"--cl-test-verbose=true"}).status());
  EXPECT_TRUE(absl::GetFlag(FLAGS_cl_test_verbose));
  EXPECT_THAT(Parse({"--cl-test-verbose=maybe"}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse({"--no-cl-test-data-dir"}), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(CommandLineTest, RepeatedListFlagsAccumulate) {
  ASSERT_OK(Parse({"--cl-test-load", "a.jsonl", "--cl_test_load=b.jsonl,c.jsonl"}).status());
  EXPECT_THAT(absl::GetFlag(FLAGS_cl_test_load), ElementsAre("a.jsonl", "b.jsonl", "c.jsonl"));
}

TEST_F(CommandLineTest, OccurrencesKeepTheirOrder) {
  absl::StatusOr<ParsedCommandLine> parsed =
      Parse({"--cl-test-retention=1", "-q", "SELECT 1", "--cl-test-verbose"});
  ASSERT_OK(parsed.status());
  ASSERT_EQ(parsed->flags.size(), 3u);
  EXPECT_EQ(parsed->flags[0].name, "cl_test_retention");
  EXPECT_EQ(parsed->flags[1].name, "cl_test_query");
  EXPECT_EQ(parsed->flags[1].value, "SELECT 1");
  EXPECT_EQ(parsed->flags[2].value, "true");
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_query), "SELECT 1");
}

TEST_F(CommandLineTest, ErrorsNameTheArgument) {
  const auto error = [this](std::vector<std::string> args) {
    absl::StatusOr<ParsedCommandLine> parsed = Parse(std::move(args));
    EXPECT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument));
    return parsed.ok() ? std::string() : std::string(parsed.status().message());
  };
  EXPECT_EQ(error({"--cl-test-nonsense=1"}), "unknown flag '--cl-test-nonsense=1'");
  EXPECT_EQ(error({"--cl-test-retention"}), "flag '--cl-test-retention' needs a value");
  EXPECT_THAT(error({"--cl_test_retention=many"}),
              HasSubstr("bad value 'many' for --cl-test-retention"));
  EXPECT_EQ(error({"stray"}), "unexpected argument 'stray'");
  EXPECT_EQ(error({"-x", "1"}), "unknown flag '-x'");
  // Abseil's own flags are not part of our command lines.
  EXPECT_EQ(error({"--flagfile=/etc/passwd"}), "unknown flag '--flagfile=/etc/passwd'");
  EXPECT_EQ(error({"--undefok=x"}), "unknown flag '--undefok=x'");
}

TEST_F(CommandLineTest, PositionalArgumentsWhenAllowed) {
  spec_.allow_positional = true;
  absl::StatusOr<ParsedCommandLine> parsed =
      Parse({"a", "--cl-test-retention=2", "--", "--cl-test-retention=3", "-"});
  ASSERT_OK(parsed.status());
  EXPECT_THAT(parsed->positional, ElementsAre("a", "--cl-test-retention=3", "-"));
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_retention), 2);
}

TEST_F(CommandLineTest, HelpStopsParsing) {
  for (const char* help : {"--help", "-h", "-help", "--helpfull"}) {
    absl::StatusOr<ParsedCommandLine> parsed = Parse({help, "--cl-test-retention=5", "junk"});
    ASSERT_OK(parsed.status());
    EXPECT_TRUE(parsed->help) << help;
  }
  EXPECT_EQ(absl::GetFlag(FLAGS_cl_test_retention), 730);
}

TEST_F(CommandLineTest, HelpListsTheFlagsWithDashesAndDefaults) {
  const std::string help = CommandLineHelp(spec_);
  EXPECT_THAT(help, HasSubstr("Usage: mua-test [flags]\nA test binary.\n"));
  EXPECT_THAT(help, HasSubstr("--cl-test-data-dir"));
  EXPECT_THAT(help, HasSubstr("where data goes; see --cl-test-retention (default: mua-data)"));
  EXPECT_THAT(help, HasSubstr("days kept (default: 730)"));
  EXPECT_THAT(help, HasSubstr("say more (default: false)"));
  EXPECT_THAT(help, HasSubstr("statements to run (default: \"\")"));
  EXPECT_THAT(help, HasSubstr("--cl-test-query [-q]"));
  EXPECT_THAT(help, Not(HasSubstr("cl_test")));
  EXPECT_THAT(help, Not(HasSubstr("flagfile")));
  for (absl::string_view line : absl::StrSplit(help, '\n')) {
    EXPECT_LE(line.size(), 100u) << line;
  }
}

}  // namespace
}  // namespace mua
