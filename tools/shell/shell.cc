#include "tools/shell/shell.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "tools/shell/completer.h"
#include "tools/shell/http_client.h"
#include "tools/shell/interrupt.h"
#include "tools/shell/line_editor.h"
#include "tools/shell/result_table.h"
#include "tools/shell/server_error.h"
#include "tools/shell/shell_command.h"
#include "tools/shell/statement_splitter.h"
#include "tools/shell/table_renderer.h"

namespace mua::shell {
namespace {

constexpr absl::string_view kPrompt = "mua> ";
constexpr absl::string_view kContinuationPrompt = "  -> ";
// A query gets a progress line once it has run this long.
constexpr absl::Duration kProgressDelay = absl::Milliseconds(500);
constexpr absl::Duration kPingTimeout = absl::Seconds(5);
// While a query runs, its rows read come from system.processes (as in ClickHouse), this often.
constexpr absl::Duration kProgressPollInterval = absl::Milliseconds(500);
constexpr absl::Duration kProgressPollTimeout = absl::Seconds(1);
// KILL QUERY after a cancel is a courtesy to the server; never wait long for it.
constexpr absl::Duration kKillTimeout = absl::Seconds(2);
// The shell's own look-ups at connect (version, tables, columns).
constexpr absl::Duration kLookupTimeout = absl::Seconds(30);

// A random query id in UUID form, as ClickHouse clients send.
std::string NewQueryId() {
  static std::mt19937_64 random{std::random_device{}()};
  const uint64_t high = random(), low = random();
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

// `text` as a SQL string literal.
std::string SqlString(absl::string_view text) {
  std::string literal = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') literal.push_back('\\');
    literal.push_back(c);
  }
  literal.push_back('\'');
  return literal;
}

bool IsTerminal(std::FILE* file) { return isatty(fileno(file)) == 1; }

size_t TerminalWidth(std::FILE* file) {
  winsize size = {};
  if (ioctl(fileno(file), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

std::string Trimmed(absl::string_view text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

std::string HelpText() {
  std::string help =
      "End SQL statements with ';' (a statement may span lines). Tab completes keywords, tables,\n"
      "columns and functions; Up/Down recall the history; Ctrl-C cancels the running query or the\n"
      "input; Ctrl-D quits.\n";
  for (const ShellCommandInfo& info : ShellCommands()) {
    absl::StrAppend(&help, absl::StrFormat("  %-18s %s\n", info.usage, info.help));
  }
  return help;
}

}  // namespace

struct Shell::Reply {
  HttpReply http;
  absl::Duration elapsed;
};

Shell::Shell(HttpClient* client, ShellOptions options)
    : client_(client), options_(std::move(options)), results_(stdout) {}

Shell::~Shell() {
  if (results_ != stdout) std::fclose(results_);
}

absl::Status Shell::Connect() {
  const ServerAddress& address = client_->address();
  const absl::StatusOr<HttpReply> reply = client_->Get("/ping", kPingTimeout);
  if (!reply.ok()) {
    return absl::UnavailableError(absl::StrCat(
        reply.status().message(),
        "\nIs mua-server running there? Start one with `mua-server --load events.jsonl`",
        ", or point the shell elsewhere with --host and --port."));
  }
  if (!reply->ok() || !absl::StartsWith(reply->body, "Ok.")) {
    return absl::UnavailableError(absl::StrCat(address.host, ":", address.port,
                                               " answered /ping with HTTP ", reply->status,
                                               ", not \"Ok.\": is it a MUA server?"));
  }
  return absl::OkStatus();
}

std::string Shell::DescribeServer(Completer* completer) {
  const ServerAddress& address = client_->address();
  const std::string version = ServerVersion();
  std::string greeting = absl::StrCat("Connected to ", version.empty() ? "a server" : version,
                                      " at ", address.host, ":", address.port);
  const absl::StatusOr<HttpReply> tables =
      Lookup("SELECT database, name, total_rows FROM system.tables", "JSONCompact");
  if (!tables.ok() || !tables->ok()) {
    return absl::StrCat(greeting, " (cannot list its tables: ",
                        tables.ok() ? ParseServerError(tables->body).message
                                    : std::string(tables.status().message()),
                        ")");
  }
  std::vector<std::string> names;
  uint64_t events = 0;
  if (absl::StatusOr<ResultTable> table = ParseJsonCompact(tables->body); table.ok()) {
    for (const std::vector<std::string>& row : table->rows) {
      if (row.size() < 3 || row[0] != "default") continue;
      names.push_back(row[1]);
      if (row[1] == "events") (void)absl::SimpleAtoi(row[2], &events);
    }
  }
  std::sort(names.begin(), names.end());
  absl::StrAppend(&greeting, ": ", names.size(), names.size() == 1 ? " table (" : " tables (",
                  absl::StrJoin(names, ", "), "), ", WithThousandsSeparators(events),
                  " events stored.");
  LoadSchema(completer);
  return greeting;
}

std::string Shell::ServerVersion() {
  // version() is ClickHouse's; until mua-server has it, its error bodies name the version.
  const absl::StatusOr<HttpReply> reply = Lookup("SELECT version()", "TabSeparated");
  if (!reply.ok()) return "";
  std::string version =
      reply->ok() ? Trimmed(reply->body) : ParseServerError(reply->body).server_version;
  const std::string product(reply->Header("Server"));  // "MUA"
  if (version.empty()) return product;
  if (!product.empty() && !absl::StartsWith(version, product)) {
    version = absl::StrCat(product, " ", version);
  }
  return version;
}

void Shell::LoadSchema(Completer* completer) {
  const absl::StatusOr<HttpReply> columns =
      Lookup("SELECT database, table, name FROM system.columns", "JSONCompact");
  if (!columns.ok() || !columns->ok()) return;  // completion then offers keywords and functions
  absl::StatusOr<ResultTable> table = ParseJsonCompact(columns->body);
  if (!table.ok()) return;
  std::vector<SchemaColumn> schema;
  for (const std::vector<std::string>& row : table->rows) {
    if (row.size() == 3) schema.push_back({row[0], row[1], row[2]});
  }
  completer->SetSchema(schema);
  completer->SetFunctions(LookupNames("SELECT name FROM system.functions"),
                          LookupNames("SELECT name FROM system.table_functions"));
}

std::vector<std::string> Shell::LookupNames(const std::string& sql) {
  std::vector<std::string> names;
  const absl::StatusOr<HttpReply> reply = Lookup(sql, "JSONCompact");
  if (!reply.ok() || !reply->ok()) return names;
  absl::StatusOr<ResultTable> table = ParseJsonCompact(reply->body);
  if (!table.ok()) return names;
  for (std::vector<std::string>& row : table->rows) {
    if (row.size() == 1) names.push_back(std::move(row[0]));
  }
  return names;
}

absl::StatusOr<HttpReply> Shell::Lookup(const std::string& sql, absl::string_view format) {
  return client_->PostSql(sql, {{"default_format", std::string(format)}}, nullptr, kLookupTimeout);
}

absl::StatusOr<Shell::Reply> Shell::Send(const std::string& sql, absl::string_view default_format) {
  const std::string query_id = NewQueryId();
  const bool progress_allowed = IsTerminal(stderr);
  absl::Duration last_poll = -kProgressPollInterval;
  std::optional<uint64_t> rows_read;
  auto keep_waiting = [&](absl::Duration elapsed) {
    if (InterruptPending()) return false;
    if (!progress_allowed || elapsed < kProgressDelay) return true;
    if (elapsed - last_poll >= kProgressPollInterval) {
      last_poll = elapsed;
      if (std::optional<uint64_t> polled = PollRowsRead(query_id)) rows_read = polled;
    }
    std::string line =
        absl::StrFormat("Running query... %.1f s elapsed", absl::ToDoubleSeconds(elapsed));
    if (rows_read) absl::StrAppend(&line, ", ", WithThousandsSeparators(*rows_read), " rows read");
    std::fprintf(stderr, "\r\033[K%s (Ctrl-C to cancel)", line.c_str());
    std::fflush(stderr);
    progress_shown_ = true;
    return true;
  };
  const absl::Time start = absl::Now();
  std::vector<QueryParam> params = {{"query_id", query_id},
                                    {"default_format", std::string(default_format)}};
  for (const auto& [name, value] : options_.params) params.push_back({"param_" + name, value});
  absl::StatusOr<HttpReply> reply = client_->PostSql(sql, params, keep_waiting);
  ClearProgress();
  if (absl::IsCancelled(reply.status())) {
    TakeInterrupt();
    // Closing the connection abandoned the request; KILL QUERY also stops the work
    // on servers that support it. Its answer does not matter either way.
    (void)client_->PostSql(absl::StrCat("KILL QUERY WHERE query_id = ", SqlString(query_id)), {},
                           nullptr, kKillTimeout);
    std::fprintf(stderr, "Query cancelled.\n");
    return reply.status();
  }
  if (!reply.ok()) {
    std::fprintf(stderr, "Error: %s\n", std::string(reply.status().message()).c_str());
    return reply.status();
  }
  return Reply{*std::move(reply), absl::Now() - start};
}

std::optional<uint64_t> Shell::PollRowsRead(const std::string& query_id) {
  if (!server_lists_processes_) return std::nullopt;
  const std::string sql =
      absl::StrCat("SELECT read_rows FROM system.processes WHERE query_id = ", SqlString(query_id));
  const absl::StatusOr<HttpReply> reply =
      client_->PostSql(sql, {{"default_format", "TabSeparated"}}, nullptr, kProgressPollTimeout);
  if (!reply.ok()) return std::nullopt;
  uint64_t rows = 0;
  if (reply->ok() && absl::SimpleAtoi(absl::StripAsciiWhitespace(reply->body), &rows)) return rows;
  // No system.processes (or no read_rows in it): stop asking for this session.
  if (!reply->ok()) server_lists_processes_ = false;
  return std::nullopt;
}

absl::Status Shell::RunStatement(const std::string& sql) {
  // The shell draws Pretty and Vertical itself from JSONCompact; other formats,
  // and statements with their own FORMAT clause, print the server's bytes.
  const bool has_format_clause = TrailingFormatClause(sql).has_value();
  const bool rendered_here =
      !has_format_clause && (options_.format == "Pretty" || options_.format == "Vertical");
  absl::StatusOr<Reply> reply = Send(sql, rendered_here ? "JSONCompact" : options_.format);
  if (!reply.ok()) return reply.status();
  return ShowReply(sql, *reply, rendered_here);
}

absl::Status Shell::ShowReply(const std::string& sql, const Reply& reply, bool rendered_here) {
  if (!reply.http.ok()) {
    PrintError(sql, reply.http);
    return absl::InvalidArgumentError(ParseServerError(reply.http.body).message);
  }
  if (!rendered_here) {
    std::fwrite(reply.http.body.data(), 1, reply.http.body.size(), results_);
    std::fflush(results_);
    if (options_.timing) {
      Message(RenderFooter(std::nullopt, absl::ToDoubleSeconds(reply.elapsed), std::nullopt));
    }
    return absl::OkStatus();
  }
  if (absl::StripAsciiWhitespace(reply.http.body).empty()) {  // INSERT, DELETE, ...
    if (options_.interactive) Message("Ok.\n");
    return absl::OkStatus();
  }
  absl::StatusOr<ResultTable> table = ParseJsonCompact(reply.http.body);
  if (!table.ok()) {
    std::fprintf(stderr, "Error: the server's answer is not JSONCompact: %s\n",
                 std::string(table.status().message()).c_str());
    return table.status();
  }
  ShowTable(*table, reply.elapsed);
  return absl::OkStatus();
}

void Shell::ShowTable(const ResultTable& table, absl::Duration elapsed) {
  const RenderOptions render{.max_width = IsTerminal(results_) ? TerminalWidth(results_) : 0};
  const bool vertical = options_.expanded || options_.format == "Vertical";
  const std::string text = (vertical ? RenderVertical(table, render) : RenderTable(table, render)) +
                           RenderTotals(table, render, vertical);
  std::fwrite(text.data(), 1, text.size(), results_);
  std::fflush(results_);
  if (options_.interactive || options_.timing) {
    Message(RenderFooter(
        table.rows.size(),
        options_.timing ? std::optional<double>(absl::ToDoubleSeconds(elapsed)) : std::nullopt,
        options_.timing ? table.rows_read : std::nullopt));
  }
}

void Shell::PrintError(const std::string& sql, const HttpReply& reply) {
  const ServerError error = ParseServerError(reply.body);
  std::string text = "Error";
  if (error.code != 0) {
    absl::StrAppend(&text, " ", error.code);
  } else {  // not a ClickHouse error body (e.g. a proxy's, or a refused token)
    absl::StrAppend(&text, " (HTTP ", reply.status, ")");
  }
  if (!error.name.empty()) absl::StrAppend(&text, " (", error.name, ")");
  absl::StrAppend(&text, ": ", error.message, "\n");
  if (error.line > 0) absl::StrAppend(&text, DrawCaret(sql, error.line, error.column));
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

void Shell::ClearProgress() {
  if (!progress_shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  progress_shown_ = false;
}

void Shell::Message(absl::string_view text) {
  std::FILE* out = options_.interactive ? stdout : stderr;
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

bool Shell::RunCommand(absl::string_view line, bool* failed) {
  const ShellCommand command = ParseShellCommand(line);
  bool ok = true;
  switch (command.kind) {
    case CommandKind::kQuit:
      *failed = false;
      return false;
    case CommandKind::kHelp:
      Message(HelpText());
      break;
    case CommandKind::kFormat:
      ok = SetFormat(command.argument);
      break;
    case CommandKind::kTiming:
    case CommandKind::kExpanded:
      ok = SetToggle(command);
      break;
    case CommandKind::kOutput:
      ok = SetOutputFile(command.argument);
      break;
    case CommandKind::kDescribe:
      ok = Describe(command.argument);
      break;
    case CommandKind::kUnknown:
      std::fprintf(stderr, "Error: unknown command %s; \\help lists the commands\n",
                   command.name.c_str());
      ok = false;
      break;
  }
  *failed = !ok;
  return true;
}

bool Shell::SetFormat(absl::string_view name) {
  if (!name.empty()) {
    const std::string format = CanonicalFormatName(name);
    if (format.empty()) {
      std::fprintf(stderr, "Error: unknown format '%s'; one of: %s\n", std::string(name).c_str(),
                   absl::StrJoin(KnownFormats(), ", ").c_str());
      return false;
    }
    options_.format = format;
  }
  Message(absl::StrCat("Output format is ", options_.format, ".\n"));
  return true;
}

bool Shell::SetToggle(const ShellCommand& command) {
  const bool timing = command.kind == CommandKind::kTiming;
  bool* setting = timing ? &options_.timing : &options_.expanded;
  if (!ParseToggle(command.argument, *setting, setting)) {
    std::fprintf(stderr, "Error: %s takes on or off, not '%s'\n", command.name.c_str(),
                 command.argument.c_str());
    return false;
  }
  Message(
      absl::StrCat(timing ? "Timing is " : "Expanded display is ", *setting ? "on" : "off", ".\n"));
  return true;
}

bool Shell::Describe(absl::string_view table) {
  std::string sql;
  if (table.empty()) {
    sql = "SELECT database, name, engine, total_rows FROM system.tables ORDER BY database, name";
  } else {
    const size_t dot = table.find('.');
    const absl::string_view database =
        dot == absl::string_view::npos ? "default" : table.substr(0, dot);
    const absl::string_view name = dot == absl::string_view::npos ? table : table.substr(dot + 1);
    sql =
        absl::StrCat("SELECT name, type FROM system.columns WHERE database = ", SqlString(database),
                     " AND table = ", SqlString(name), " ORDER BY position");
  }
  // \d is for people: always a table, whatever \format says.
  absl::StatusOr<Reply> reply = Send(sql, "JSONCompact");
  if (!reply.ok()) return false;
  if (!reply->http.ok()) {
    PrintError(sql, reply->http);
    return false;
  }
  absl::StatusOr<ResultTable> result = ParseJsonCompact(reply->http.body);
  if (!result.ok()) {
    std::fprintf(stderr, "Error: %s\n", std::string(result.status().message()).c_str());
    return false;
  }
  if (!table.empty() && result->rows.empty()) {
    std::fprintf(stderr, "Error: no table named '%s'; \\d lists the tables\n",
                 std::string(table).c_str());
    return false;
  }
  ShowTable(*result, reply->elapsed);
  return true;
}

bool Shell::SetOutputFile(absl::string_view path) {
  if (results_ != stdout) {
    std::fclose(results_);
    results_ = stdout;
  }
  if (path.empty()) {
    if (!results_path_.empty()) Message("Results go to the terminal again.\n");
    results_path_.clear();
    return true;
  }
  results_path_ = std::string(path);
  std::FILE* file = std::fopen(results_path_.c_str(), "w");
  if (file == nullptr) {
    std::fprintf(stderr, "Error: cannot write %s: %s\n", results_path_.c_str(),
                 std::strerror(errno));
    results_path_.clear();
    return false;
  }
  results_ = file;
  Message(absl::StrCat("Results go to ", results_path_, " until \\o.\n"));
  return true;
}

int Shell::RunScript(std::istream& input) {
  StatementSplitter splitter;
  int status = kExitOk;
  // Returns false when the script must stop.
  auto account = [&](bool ok) {
    if (ok) return true;
    status = kExitStatementFailed;
    return options_.ignore_errors;
  };
  auto run_pending = [&](std::vector<std::string> statements) {
    for (const std::string& sql : statements) {
      const absl::Status result = RunStatement(sql);
      if (absl::IsCancelled(result)) {
        status = kExitInterrupted;
        return false;
      }
      if (!account(result.ok())) return false;
    }
    return true;
  };
  std::string line;
  while (!InterruptPending() && std::getline(input, line)) {
    if (splitter.pending().empty() && IsShellCommand(line)) {
      bool failed = false;
      if (!RunCommand(line, &failed)) return status;
      if (!account(!failed)) return status;
      continue;
    }
    splitter.AddLine(line);
    if (!run_pending(splitter.TakeStatements())) return status;
  }
  if (TakeInterrupt()) return kExitInterrupted;
  // The last statement may go without its ';'.
  if (splitter.HasPendingStatement()) {
    splitter.AddLine(";");
    run_pending(splitter.TakeStatements());
  }
  return status;
}

int Shell::RunInteractive(LineEditor* editor) {
  StatementSplitter splitter;
  std::string typed;  // the lines of the statement(s) being entered, for the history
  for (;;) {
    const bool continuing = !splitter.pending().empty();
    std::string line;
    const LineEditor::Read read =
        editor->ReadLine(continuing ? kContinuationPrompt : kPrompt, &line);
    if (read == LineEditor::Read::kEnd) {
      std::fputs("\n", stdout);
      return kExitOk;
    }
    if (read == LineEditor::Read::kInterrupted) {
      splitter.Clear();
      typed.clear();
      continue;
    }
    if (!continuing && IsShellCommand(line)) {
      editor->AddHistory(absl::StripAsciiWhitespace(line));
      bool failed = false;
      if (!RunCommand(line, &failed)) return kExitOk;
      continue;
    }
    absl::StrAppend(&typed, typed.empty() ? "" : "\n", line);
    splitter.AddLine(line);
    for (const std::string& sql : splitter.TakeStatements()) {
      if (absl::IsCancelled(RunStatement(sql))) break;  // Ctrl-C stops the rest of the line too
    }
    if (splitter.pending().empty()) {
      if (!IsBlankSql(typed)) editor->AddHistory(JoinLinesForHistory(typed));
      typed.clear();
    }
  }
}

}  // namespace mua::shell
