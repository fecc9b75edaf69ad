// One command-line syntax and one --help format for every MUA binary (SPEC §1), over Abseil
// flags: a flag is spelled with dashes or underscores (`--data-dir X`, `--data-dir=X`,
// `--data_dir=X`; only the name is rewritten, never the value), a bool flag alone means true
// (`--verbose`, `--no-verbose` for false), a repeated list flag accumulates (`--load a --load b`),
// `--help` lists the binary's own flags with their defaults, and anything unknown is an error.
//
//   ABSL_FLAG(std::string, data_dir, "mua-data", "the data directory");
//   int main(int argc, char** argv) {
//     mua::ParseCommandLineOrExit({.program = "mua-server", .usage = "Usage: ..."}, argc, argv);
//     const std::string dir = absl::GetFlag(FLAGS_data_dir);
//
// Not thread-safe: call from main() before starting threads.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace mua {

struct CommandLineSpec {
  std::string program = "";  // "mua-server": prefixes error messages
  // Printed above the flag list; empty: "Usage: <program> [flags]" and the text given to
  // absl::SetProgramUsageMessage, if any.
  std::string usage = "";
  // One-letter aliases: {'q', "query"} lets `-q SQL` stand for `--query SQL`.
  std::vector<std::pair<char, std::string>> short_flags = {};
  bool allow_positional = false;  // else a bare argument is an error
};

// One flag as given, in command-line order (for flags whose meaning depends on their order).
struct FlagOccurrence {
  std::string name;   // canonical (underscore) name, "data_dir"
  std::string value;  // as given ("true" for a bare bool flag)
};

struct ParsedCommandLine {
  bool help = false;  // --help, -h or --helpfull: nothing else was parsed
  std::vector<FlagOccurrence> flags;
  std::vector<std::string> positional;  // bare arguments, and everything after `--`
};

// Sets the Abseil flags named in args (args[0] is the program name and skipped). Errors:
// InvalidArgument naming the argument (unknown flag, missing or malformed value, stray
// argument). Flags set before an error keep their new values.
absl::StatusOr<ParsedCommandLine> ParseCommandLine(const CommandLineSpec& spec,
                                                   absl::Span<char* const> args);

// The --help text: the usage, then every flag this binary defines (Abseil's own left out),
// sorted, spelled with dashes, with its help text and default value.
std::string CommandLineHelp(const CommandLineSpec& spec);

// For main(): ParseCommandLine, then on --help prints CommandLineHelp to stdout and exits 0;
// on an error prints "<program>: <error> (see --help)" to stderr and exits 2.
ParsedCommandLine ParseCommandLineOrExit(const CommandLineSpec& spec, int argc, char** argv);

}  // namespace mua
