// mua-shell: the interactive SQL client of MUA (SPEC §1), in the manner of
// clickhouse-client, psql and the DuckDB shell. Talks to mua-server over HTTP.
//
//   mua-shell                                  # interactive, 127.0.0.1:8720
//   mua-shell --host db1 --port 8720 --token T  # or MUA_TOKEN=T
//   mua-shell -q 'SELECT count() FROM events'   # non-interactive, TSV
//   mua-shell -f report.sql --format CSV        # a script; stdin works too
//   mua-shell --param_day=2026-05-01 -q 'SELECT count() FROM events WHERE toDate(event_time) = {day:Date}'
//
// Exit status: 0, or 1 when a statement failed, 2 when the server cannot be
// reached or the command line is wrong, 130 when Ctrl-C stopped a script.
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "storage/base/command_line.h"
#include "tools/shell/completer.h"
#include "tools/shell/http_client.h"
#include "tools/shell/interrupt.h"
#include "tools/shell/line_editor.h"
#include "tools/shell/shell.h"
#include "tools/shell/shell_command.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "server host");
ABSL_FLAG(int, port, 8720, "server HTTP port");
ABSL_FLAG(std::string, token, "", "access token; empty: the MUA_TOKEN environment variable");
ABSL_FLAG(std::string, query, "", "run these ';'-separated statements and exit");
ABSL_FLAG(std::string, file, "", "run the statements in this file and exit");
ABSL_FLAG(std::string, format, "",
          "result format: Pretty, Vertical, JSON, CSV, TSV, ...; empty: Pretty when interactive, "
          "TabSeparated otherwise");
ABSL_FLAG(bool, ignore_errors, false,
          "scripts: go on after a failed statement (the exit status is still 1)");

namespace mua::shell {
namespace {

constexpr char kUsage[] =
    "Usage: mua-shell [--host H] [--port P] [--token T] [-q SQL | -f FILE] [--format F] "
    "[--ignore-errors] [--param_<name>=<value> ...]\n"
    "The SQL client of MUA. Interactive at a terminal; otherwise runs -q, -f or stdin and exits.\n"
    "History: ~/.mua_history (or $MUA_HISTORY). Type \\help inside for the shell's commands.\n";

[[noreturn]] void UsageError(const std::string& message) {
  std::fprintf(stderr, "mua-shell: %s (see --help)\n", message.c_str());
  std::exit(kExitCannotConnect);
}

// Sets the flags from argv (storage/base/command_line.h): "-q"/"-f" stand for --query/--file.
// A wrong command line exits 2, like an unreachable server.
void ParseFlags(int argc, char** argv) {
  static_assert(kExitCannotConnect == 2, "command-line errors exit 2");
  ParseCommandLineOrExit(
      {.program = "mua-shell", .usage = kUsage, .short_flags = {{'q', "query"}, {'f', "file"}}},
      argc, argv);
}

// Takes clickhouse-client's query parameters, --param_<name>=<value> (or
// --param_<name> <value>), out of argv before the flags are parsed: their names are the user's.
std::vector<std::pair<std::string, std::string>> TakeQueryParams(int* argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> params;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      while (i < *argc) argv[kept++] = argv[i++];
      break;
    }
    if (!absl::ConsumePrefix(&arg, "--param_")) {
      argv[kept++] = argv[i];
      continue;
    }
    const size_t equals = arg.find('=');
    const absl::string_view name = arg.substr(0, equals);
    if (name.empty()) UsageError("--param_ needs a name: --param_<name>=<value>");
    if (equals != absl::string_view::npos) {
      params.emplace_back(std::string(name), std::string(arg.substr(equals + 1)));
    } else if (i + 1 < *argc) {
      params.emplace_back(std::string(name), std::string(argv[++i]));
    } else {
      UsageError(absl::StrCat("--param_", name, " needs a value"));
    }
  }
  *argc = kept;
  return params;
}

// ~/.mua_history, or $MUA_HISTORY; "" (no history) without either.
std::string HistoryPath() {
  if (const char* path = std::getenv("MUA_HISTORY"); path != nullptr) return path;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return absl::StrCat(home, "/.mua_history");
  }
  return "";
}

int Run(std::vector<std::pair<std::string, std::string>> params) {
  const std::string query = absl::GetFlag(FLAGS_query);
  const std::string file = absl::GetFlag(FLAGS_file);
  if (!query.empty() && !file.empty()) UsageError("give -q or -f, not both");
  const bool interactive = query.empty() && file.empty() && isatty(STDIN_FILENO) == 1;

  ShellOptions options;
  options.interactive = interactive;
  options.timing = interactive;
  options.ignore_errors = absl::GetFlag(FLAGS_ignore_errors);
  options.params = std::move(params);
  options.format = interactive ? "Pretty" : "TabSeparated";
  if (const std::string format = absl::GetFlag(FLAGS_format); !format.empty()) {
    options.format = CanonicalFormatName(format);
    if (options.format.empty()) UsageError(absl::StrCat("unknown format '", format, "'"));
  }

  ServerAddress address{.host = absl::GetFlag(FLAGS_host),
                        .port = absl::GetFlag(FLAGS_port),
                        .token = absl::GetFlag(FLAGS_token)};
  if (const char* token = std::getenv("MUA_TOKEN"); address.token.empty() && token != nullptr) {
    address.token = token;
  }
  std::ifstream file_script;
  if (!file.empty()) {
    file_script.open(file);
    if (!file_script) UsageError(absl::StrCat("cannot read ", file));
  }
  HttpClient client(address);
  Shell shell(&client, options);
  InstallInterruptHandler();
  if (const absl::Status status = shell.Connect(); !status.ok()) {
    std::fprintf(stderr, "mua-shell: %s\n", std::string(status.message()).c_str());
    return kExitCannotConnect;
  }

  if (!query.empty()) {
    std::istringstream script(query);
    return shell.RunScript(script);
  }
  if (!file.empty()) return shell.RunScript(file_script);
  if (!interactive) return shell.RunScript(std::cin);

  Completer completer;
  std::printf("mua-shell. %s\nType \\help for help; end statements with ';'.\n",
              shell.DescribeServer(&completer).c_str());
  LineEditor editor(HistoryPath(), &completer);
  return shell.RunInteractive(&editor);
}

}  // namespace
}  // namespace mua::shell

int main(int argc, char** argv) {
  std::setlocale(LC_CTYPE, "");  // libedit edits UTF-8 only in a UTF-8 locale
  auto params = mua::shell::TakeQueryParams(&argc, argv);
  mua::shell::ParseFlags(argc, argv);
  return mua::shell::Run(std::move(params));
}
