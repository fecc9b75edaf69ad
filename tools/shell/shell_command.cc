#include "tools/shell/shell_command.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace mua::shell {
namespace {

struct Alias {
  absl::string_view name;
  CommandKind kind;
};

constexpr Alias kAliases[] = {
    {"\\q", CommandKind::kQuit},
    {"\\quit", CommandKind::kQuit},
    {"quit", CommandKind::kQuit},
    {"exit", CommandKind::kQuit},
    {"\\help", CommandKind::kHelp},
    {"\\?", CommandKind::kHelp},
    {"\\h", CommandKind::kHelp},
    {"\\format", CommandKind::kFormat},
    {"\\timing", CommandKind::kTiming},
    {"\\x", CommandKind::kExpanded},
    {"\\o", CommandKind::kOutput},
    {"\\d", CommandKind::kDescribe},
    {"\\describe", CommandKind::kDescribe},
};

}  // namespace

bool IsShellCommand(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  absl::ConsumeSuffix(&line, ";");
  line = absl::StripTrailingAsciiWhitespace(line);
  return absl::StartsWith(line, "\\") || absl::EqualsIgnoreCase(line, "quit") ||
         absl::EqualsIgnoreCase(line, "exit");
}

ShellCommand ParseShellCommand(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  // psql habit: "\d events;" means "\d events".
  absl::ConsumeSuffix(&line, ";");
  line = absl::StripTrailingAsciiWhitespace(line);
  ShellCommand command;
  const size_t space = line.find_first_of(" \t");
  command.name = std::string(line.substr(0, space));
  if (space != absl::string_view::npos) {
    command.argument = std::string(absl::StripAsciiWhitespace(line.substr(space)));
  }
  for (const Alias& alias : kAliases) {
    if (absl::EqualsIgnoreCase(command.name, alias.name)) command.kind = alias.kind;
  }
  return command;
}

const std::vector<ShellCommandInfo>& ShellCommands() {
  static const std::vector<ShellCommandInfo> commands = {
      {"\\d", "\\d [TABLE]", "list tables, or the columns of TABLE"},
      {"\\format", "\\format [NAME]",
       "result format: Pretty (default), JSON, CSV, TSV, or any server format"},
      {"\\x", "\\x [on|off]", "expanded output: one field per line"},
      {"\\timing", "\\timing [on|off]", "show the elapsed time under each result"},
      {"\\o", "\\o [FILE]", "send results to FILE; \\o alone sends them back to the terminal"},
      {"\\help", "\\help", "this list (also \\?)"},
      {"\\q", "\\q", "quit (also quit, exit, Ctrl-D)"},
  };
  return commands;
}

const std::vector<std::string>& KnownFormats() {
  static const std::vector<std::string> formats = {
      "Pretty",
      "Vertical",
      "JSON",
      "JSONCompact",
      "JSONEachRow",
      "JSONCompactEachRow",
      "CSV",
      "CSVWithNames",
      "TabSeparated",
      "TabSeparatedWithNames",
      "TabSeparatedWithNamesAndTypes",
      "TSV",
      "TSVWithNames",
      "TSVWithNamesAndTypes",
      "PrettyCompact",
  };
  return formats;
}

std::string CanonicalFormatName(absl::string_view name) {
  for (const std::string& format : KnownFormats()) {
    if (absl::EqualsIgnoreCase(format, name)) return format;
  }
  return "";
}

bool ParseToggle(absl::string_view argument, bool current, bool* value) {
  if (argument.empty()) {
    *value = !current;
  } else if (absl::EqualsIgnoreCase(argument, "on") || absl::EqualsIgnoreCase(argument, "true") ||
             argument == "1") {
    *value = true;
  } else if (absl::EqualsIgnoreCase(argument, "off") || absl::EqualsIgnoreCase(argument, "false") ||
             argument == "0") {
    *value = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace mua::shell
