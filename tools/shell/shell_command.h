// ShellCommand: the shell's own backslash commands (`\format CSV`, `\d events`,
// `\q`, ...), parsed from one input line, and their help text. A line is a
// command when, with nothing pending, it starts with '\' or is `quit`/`exit`.
//
//   if (IsShellCommand(line)) {
//     ShellCommand command = ParseShellCommand(line);  // {kFormat, "CSV"} for "\format CSV"
//   }
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mua::shell {

enum class CommandKind {
  kQuit,      // \q, quit, exit
  kHelp,      // \help, \?, \h
  kFormat,    // \format [NAME]
  kTiming,    // \timing [on|off]
  kExpanded,  // \x [on|off]
  kOutput,    // \o [FILE]
  kDescribe,  // \d [TABLE]
  kUnknown,
};

struct ShellCommand {
  CommandKind kind = CommandKind::kUnknown;
  std::string name;      // as typed, e.g. "\format"
  std::string argument;  // the rest of the line, trimmed; may be empty
};

struct ShellCommandInfo {
  const char* name;   // e.g. "\format"
  const char* usage;  // e.g. "\format [NAME]"
  const char* help;   // one line
};

// True when `line` (one input line, nothing pending) is a shell command.
bool IsShellCommand(absl::string_view line);

// Parses a line for which IsShellCommand is true.
ShellCommand ParseShellCommand(absl::string_view line);

// Every command, in the order \help lists them.
const std::vector<ShellCommandInfo>& ShellCommands();

// The output formats \format and --format accept: the shell's own "Pretty"
// and "Vertical", and the server's formats (SPEC §5), in canonical spelling.
const std::vector<std::string>& KnownFormats();

// The canonical spelling of format `name` (any case), or "" when unknown.
std::string CanonicalFormatName(absl::string_view name);

// Parses an on/off argument of \timing or \x: "" toggles `current`. Returns
// false (leaving *value alone) for anything but on/off/true/false/1/0.
bool ParseToggle(absl::string_view argument, bool current, bool* value);

}  // namespace mua::shell
