#include "tools/shell/shell_command.h"

#include "gtest/gtest.h"

namespace mua::shell {
namespace {

TEST(ShellCommandTest, RecognisesCommandLines) {
  EXPECT_TRUE(IsShellCommand("\\q"));
  EXPECT_TRUE(IsShellCommand("  \\d events;"));
  EXPECT_TRUE(IsShellCommand("quit"));
  EXPECT_TRUE(IsShellCommand("EXIT;"));
  EXPECT_FALSE(IsShellCommand("SELECT '\\q'"));
  EXPECT_FALSE(IsShellCommand("exit_code"));
}

TEST(ShellCommandTest, ParsesNameAndArgument) {
  ShellCommand command = ParseShellCommand("\\format  CSV ;");
  EXPECT_EQ(command.kind, CommandKind::kFormat);
  EXPECT_EQ(command.name, "\\format");
  EXPECT_EQ(command.argument, "CSV");
  EXPECT_EQ(ParseShellCommand("\\d").kind, CommandKind::kDescribe);
  EXPECT_EQ(ParseShellCommand("\\d system.columns").argument, "system.columns");
  EXPECT_EQ(ParseShellCommand("\\?").kind, CommandKind::kHelp);
  EXPECT_EQ(ParseShellCommand("\\o /tmp/out.csv").argument, "/tmp/out.csv");
  EXPECT_EQ(ParseShellCommand("\\nope").kind, CommandKind::kUnknown);
}

TEST(ShellCommandTest, FormatNamesAreCanonical) {
  EXPECT_EQ(CanonicalFormatName("json"), "JSON");
  EXPECT_EQ(CanonicalFormatName("tsv"), "TSV");
  EXPECT_EQ(CanonicalFormatName("pretty"), "Pretty");
  EXPECT_EQ(CanonicalFormatName("Parquet"), "");
}

TEST(ShellCommandTest, TogglesAcceptOnOffOrNothing) {
  bool value = false;
  EXPECT_TRUE(ParseToggle("", false, &value));
  EXPECT_TRUE(value);
  EXPECT_TRUE(ParseToggle("off", true, &value));
  EXPECT_FALSE(value);
  EXPECT_TRUE(ParseToggle("ON", false, &value));
  EXPECT_TRUE(value);
  EXPECT_FALSE(ParseToggle("maybe", false, &value));
  EXPECT_TRUE(value);
}

}  // namespace
}  // namespace mua::shell
