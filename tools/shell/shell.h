// Shell: one mua-shell session against a server. Runs SQL statements and the
// backslash commands, renders results (its own table or one field per line
// from JSONCompact, or the server's bytes for JSON/CSV/TSV/...), prints errors
// with a caret under the position the server names, draws a progress line for
// slow queries and cancels them on Ctrl-C. main.cc picks the input: the line
// editor (interactive) or a script (-q, -f, stdin).
//
//   HttpClient client({.host = "127.0.0.1", .port = 8720});
//   Shell shell(&client, {.format = "TSV"});
//   if (!shell.Connect().ok()) return kExitCannotConnect;
//   std::istringstream script("SELECT count() FROM events;");
//   return shell.RunScript(script);  // an exit status
#pragma once

#include <cstdint>
#include <cstdio>
#include <istream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mua::shell {

class Completer;
class HttpClient;
struct HttpReply;
class LineEditor;
struct ResultTable;
struct ShellCommand;

// Process exit statuses.
constexpr int kExitOk = 0;
constexpr int kExitStatementFailed = 1;
constexpr int kExitCannotConnect = 2;
constexpr int kExitInterrupted = 130;

struct ShellOptions {
  std::string format = "Pretty";  // a KnownFormats() name
  bool interactive = false;       // a person at a terminal: banner, footers, prompts
  bool timing = false;            // elapsed time under results
  bool expanded = false;          // one field per line (\x)
  bool ignore_errors = false;     // scripts go on after a failed statement
  // Query parameters ({name:Type} in the SQL) sent with every statement as param_<name>.
  std::vector<std::pair<std::string, std::string>> params;
};

class Shell {
 public:
  // `client` must outlive the shell.
  Shell(HttpClient* client, ShellOptions options);
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // Checks that the server answers /ping. Errors: Unavailable, with a message
  // that says where the shell looked and what to do.
  absl::Status Connect();

  // Asks the server who it is (version, tables, events stored), gives the
  // tables and columns to `completer`, and returns the greeting line.
  std::string DescribeServer(Completer* completer);

  // Runs one statement (without its ';'); prints the result or the error.
  // Errors: the statement's failure (already printed), Cancelled on Ctrl-C.
  absl::Status RunStatement(const std::string& sql);

  // Runs one backslash command line. Returns false when it asks to quit.
  // Errors are printed; *failed is set when the command failed.
  bool RunCommand(absl::string_view line, bool* failed);

  // Runs a script from `input`; returns the exit status: the first failure
  // stops it unless ignore_errors.
  int RunScript(std::istream& input);

  // Reads, runs and prints until \q or Ctrl-D; returns the exit status.
  int RunInteractive(LineEditor* editor);

 private:
  struct Reply;
  std::string ServerVersion();
  void LoadSchema(Completer* completer);
  // The first column of `sql`'s rows; empty when the lookup fails.
  std::vector<std::string> LookupNames(const std::string& sql);
  absl::StatusOr<HttpReply> Lookup(const std::string& sql, absl::string_view format);
  absl::StatusOr<Reply> Send(const std::string& sql, absl::string_view default_format);
  std::optional<uint64_t> PollRowsRead(const std::string& query_id);
  absl::Status ShowReply(const std::string& sql, const Reply& reply, bool rendered_here);
  void ShowTable(const ResultTable& table, absl::Duration elapsed);
  void PrintError(const std::string& sql, const HttpReply& reply);
  bool SetFormat(absl::string_view name);
  bool SetToggle(const ShellCommand& command);
  bool Describe(absl::string_view table);
  bool SetOutputFile(absl::string_view path);
  void Message(absl::string_view text);
  void ClearProgress();

  HttpClient* client_;
  ShellOptions options_;
  std::FILE* results_;  // stdout, or the \o file
  std::string results_path_;
  bool progress_shown_ = false;
  bool server_lists_processes_ = true;  // until system.processes turns out to be missing
};

}  // namespace mua::shell
