#!/usr/bin/env python3
"""End to end: mua-shell driven through a real terminal (a pty) against a real
mua-server on mua-gen data — a multi-line query, history recall within and
across sessions, tab completion, an error with its caret, Ctrl-C of a long
query and at the prompt, the backslash commands, Ctrl-D — and the
non-interactive modes (-q, -f, stdin) with their exit statuses.

  shell_test.py MUA_SHELL MUA_SERVER MUA_GEN
"""
import json
import os
import pty
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import fcntl
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHELL, SERVER, GEN = sys.argv[1:4]
WORK = tempfile.mkdtemp(prefix="mua_shell_test_")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]|[\r\x07]")
PROMPT = "mua> "
processes = []
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok: {name}")
    else:
        failed += 1
        print(f"FAILED: {name}" + (f"\n  {detail}" if detail else ""))


def sanitizer_report(text):
    """The start of an ASan/UBSan report in `text`, or "" (the shell must stay clean)."""
    match = re.search(r"(ERROR: (Address|Leak)Sanitizer|runtime error:)[^\n]*", text)
    return match.group(0) if match else ""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_query(port, sql):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", data=sql.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read().decode()


def start_server(data_file):
    port = free_port()
    log = open(os.path.join(WORK, "server.err"), "w")
    server = subprocess.Popen([SERVER, "--load", data_file, "--http", f"127.0.0.1:{port}",
                               "--data_dir", os.path.join(WORK, "data")],
                              stdout=log, stderr=log)
    processes.append(server)
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as response:
                if response.read() == b"Ok.\n":
                    return port
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("mua-server did not answer /ping")


class Terminal:
    """mua-shell on a pseudo-terminal: keys go in, the screen text comes out."""

    def __init__(self, args, env, columns=120):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
            os.execve(SHELL, [SHELL] + args, env)
        self.raw = b""
        self.seen = 0  # expect() searches the text after this offset
        self.status = None

    def text(self):
        return ANSI.sub(b"", self.raw).decode("utf-8", "replace")

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def read_for(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.time()))
            if not ready:
                break
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # the shell exited and closed the terminal
                return False
            if not chunk:
                return False
            self.raw += chunk
        return True

    def expect(self, pattern, timeout=60):
        """Waits for regex `pattern` after the last match; returns the match or None."""
        deadline = time.time() + timeout
        while True:
            match = re.compile(pattern).search(self.text(), self.seen)
            if match:
                self.seen = match.end()
                return match
            if time.time() > deadline or not self.read_for(0.1):
                if not self.read_for(0):
                    match = re.compile(pattern).search(self.text(), self.seen)
                    if match:
                        self.seen = match.end()
                        return match
                    print(f"  (waited for {pattern!r}; the screen ends with:)\n" +
                          "\n".join("  | " + line for line in self.text()[-1500:].splitlines()))
                    return None

    def wait_exit(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.read_for(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid == self.pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
        return None

    def close(self):
        self.read_for(0)
        report = sanitizer_report(self.text())
        if report:
            check("no sanitizer report on the terminal", False, report)
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -9
        os.close(self.fd)


def run_shell(args, stdin_text=None):
    result = subprocess.run([SHELL] + args, input=(stdin_text or "").encode(), capture_output=True,
                            timeout=120)
    err = result.stderr.decode()
    if sanitizer_report(err):
        check(f"no sanitizer report from mua-shell {' '.join(args)}", False, sanitizer_report(err))
    return result.returncode, result.stdout.decode(), err


def heavy_query(port):
    """A SELECT that runs for several seconds on this build (sized by a quick trial), to cancel."""
    def aggregates(count):
        return ", ".join(f"uniqExact(concat(user_id, event_id, '{i}'))" for i in range(count))
    start = time.time()
    http_query(port, f"SELECT {aggregates(4)} FROM events")
    per_aggregate = max((time.time() - start) / 4, 0.001)
    count = min(400, max(8, int(8.0 / per_aggregate)))
    return f"SELECT {aggregates(count)} FROM events;"


def interactive_session(port, env):
    events = http_query(port, "SELECT count() FROM events").strip()
    users = http_query(port, "SELECT uniqExact(user_id) FROM events").strip()
    buyers = http_query(port, "SELECT uniqExact(user_id) FROM events WHERE event_type = 'purchase'").strip()
    term = Terminal(["--port", str(port)], env)
    try:
        banner = term.expect(r"Connected to MUA [^\n]* at 127\.0\.0\.1:\d+: "
                             r"\d+ tables \(([^)]*)\), ([\d,]+) events stored\.")
        check("the banner names the server, its tables and the events stored",
              banner is not None and "events" in banner.group(1) and banner.group(2).replace(",", "") == events,
              banner.group(0) if banner else "")
        check("a prompt follows", term.expect(re.escape(PROMPT)) is not None)

        # A statement over three lines: continuation prompts, then one result.
        term.send("SELECT count() AS n,\r")
        check("an unfinished statement gets the continuation prompt", term.expect(r"  -> ") is not None)
        term.send("  uniqExact(user_id) AS users\r")
        term.expect(r"  -> ")
        term.send("FROM events;\r")
        result = term.expect(r"│ +n │ +users │\n│ +UInt64 │ +UInt64 │\n├[─┼]+┤\n"
                             r"│ +(\d+) │ +(\d+) │\n└[─┴]+┘\n1 row in set\. Elapsed: [\d.]+ sec\.")
        check("the multi-line query answers in a table with types and a footer",
              result is not None and result.group(1) == events and result.group(2) == users,
              f"expected {events}, {users}")
        term.expect(re.escape(PROMPT))

        # Up-arrow recalls the statement (one line now) and Enter runs it again.
        term.send("\x1b[A")
        recalled = term.expect(r"SELECT count\(\) AS n, uniqExact\(user_id\) AS users FROM events;")
        check("Up recalls the multi-line statement as one line", recalled is not None)
        term.send("\r")
        again = term.expect(r"│ +(\d+) │ +(\d+) │")
        check("the recalled statement runs again", again is not None and again.group(1) == events)
        term.expect(re.escape(PROMPT))

        # Tab completes a keyword, a column, a table (to the common prefix, then the list), a column.
        term.send("sel\t")
        check("Tab completes a keyword in the typed case", term.expect(r"select ") is not None)
        term.send("uniqExact(user_\t")
        term.expect(r"user_id ")
        term.send(") FROM eve\t")
        term.expect(r"FROM events")
        term.send("\t")
        listing = term.expect(r"events +events_rejected")
        check("Tab on an ambiguous table name lists the candidates", listing is not None)
        term.send(" WHERE event_ty\t= 'purchase';\r")
        completed = term.expect(r"│ +(\d+) │")
        check("the completed statement runs (keyword, column, table, column)",
              completed is not None and completed.group(1) == buyers, f"expected {buyers}")
        term.expect(re.escape(PROMPT))

        # Errors: the message, then the statement line with a caret under the column named.
        term.send("SELECT count( FROM events;\r")
        error = term.expect(r"Error 62 \(SYNTAX_ERROR\): line 1, column (\d+): [^\n]*\n([^\n]*)\n( *)\^\n")
        check("a syntax error is shown with a caret under its column",
              error is not None and error.group(2) == "SELECT count( FROM events" and
              len(error.group(3)) == int(error.group(1)) - 1,
              error.group(0) if error else "")
        term.expect(re.escape(PROMPT))
        term.send("SELECT count()\rFROM events WHERE usr_id = 1;\r")
        error = term.expect(r"Error \d+ \([A-Z_]+\): line 2, column (\d+): [^\n]*\n([^\n]*)\n( *)\^\n")
        check("an error on line 2 shows line 2 and its caret",
              error is not None and error.group(2) == "FROM events WHERE usr_id = 1" and
              error.group(2)[len(error.group(3)):].startswith("usr_id"),
              error.group(0) if error else "")
        term.expect(re.escape(PROMPT))

        # Ctrl-C at a continuation prompt drops the unfinished statement.
        term.send("SELECT\r")
        term.expect(r"  -> ")
        term.send("\x03")
        term.expect(re.escape(PROMPT))
        term.send("SELECT 7 AS seven;\r")
        seven = term.expect(r"│ +(\d+) │")
        check("Ctrl-C at the prompt discards the pending input", seven is not None and seven.group(1) == "7")
        term.expect(re.escape(PROMPT))

        # Ctrl-C during a long query: progress line, cancel, and the shell goes on.
        term.send(heavy_query(port) + "\r")
        check("a slow query shows a progress line",
              term.expect(r"Running query\.\.\. [\d.]+ s elapsed") is not None)
        term.send("\x03")
        check("Ctrl-C cancels the running query", term.expect(r"Query cancelled\.") is not None)
        check("the prompt comes back after the cancel", term.expect(re.escape(PROMPT)) is not None)
        term.send("SELECT 42 AS answer;\r")
        answer = term.expect(r"│ +(\d+) │")
        check("the next query runs after a cancel", answer is not None and answer.group(1) == "42")
        term.expect(re.escape(PROMPT))

        # Backslash commands.
        term.send("\\format csv\r")
        term.expect(r"Output format is CSV\.")
        term.send("SELECT 1 AS a, 'x' AS b;\r")
        check("\\format CSV prints the server's CSV", term.expect(r"\n1,\"x\"\n") is not None)
        term.send("\\format Pretty\r")
        term.expect(r"Output format is Pretty\.")
        term.send("\\x\r")
        term.expect(r"Expanded display is on\.")
        term.send("SELECT 1 AS a, 'x' AS b;\r")
        check("\\x shows one field per line", term.expect(r"Row 1:\n─+\na: 1\nb: x\n") is not None)
        term.send("\\x off\r")
        term.expect(r"Expanded display is off\.")
        term.send("\\d\r")
        tables = term.expect(r"│ default +│ events +│ MUA +│ +(\d+) │")
        check("\\d lists the tables with their rows", tables is not None and tables.group(1) == events)
        term.send("\\d events\r")
        check("\\d events lists its columns and types",
              term.expect(r"│ event_type +│ [A-Za-z()]*String\)? +│") is not None)
        term.send("\\d nosuchtable\r")
        check("\\d of an unknown table says so", term.expect(r"no table named 'nosuchtable'") is not None)
        export = os.path.join(WORK, "export.tsv")
        term.send(f"\\o {export}\r")
        term.expect(r"Results go to ")
        term.send("\\format TSV\r")
        term.send("SELECT 5 AS five, 'exported' AS what;\r")
        term.send("\\o\r")
        term.expect(r"Results go to the terminal again\.")
        with open(export) as exported:
            check("\\o FILE exports results", exported.read() == "5\texported\n")
        term.send("\\format Pretty\r")
        term.send("\\timing off\r")
        term.expect(r"Timing is off\.")
        term.send("SELECT 3 AS three;\r")
        check("without \\timing the footer has no time", term.expect(r"└[─┴]+┘\n1 row in set\.\n") is not None)
        term.send("\\help\r")
        check("\\help lists the commands", term.expect(r"\\format \[NAME\]") is not None)
        term.send("\\nonsense\r")
        check("an unknown command says so", term.expect(r"unknown command \\nonsense") is not None)

        # A last statement for the next session to recall, then Ctrl-D.
        term.send("SELECT 1234 AS recall;\r")
        term.expect(r"│ +1234 │")
        term.expect(re.escape(PROMPT))
        term.send("\x04")
        check("Ctrl-D exits with status 0", term.wait_exit() == 0)
    finally:
        term.close()

    with open(env["MUA_HISTORY"]) as history:
        saved = history.read()
    check("the history file holds the session's statements",
          "uniqExact" in saved and "1234" in saved, saved[-300:])

    term = Terminal(["--port", str(port)], env)
    try:
        term.expect(re.escape(PROMPT))
        term.send("\x1b[A\r")
        recall = term.expect(r"│ +(\d+) │")
        check("a new session recalls the last session's statement",
              recall is not None and recall.group(1) == "1234")
        term.expect(re.escape(PROMPT))
        term.send("\\q\r")
        check("\\q exits with status 0", term.wait_exit() == 0)
    finally:
        term.close()


def non_interactive(port):
    events = http_query(port, "SELECT count() FROM events").strip()
    status, out, err = run_shell(["--port", str(port), "-q", "SELECT count() FROM events"])
    check("-q prints TSV and exits 0", status == 0 and out == events + "\n", f"{status} {out!r} {err!r}")

    status, out, err = run_shell(["--port", str(port), "-q", "SELECT 1; SELECT count( FROM events; SELECT 2"])
    check("-q stops at the first error with status 1",
          status == 1 and out == "1\n" and "SYNTAX_ERROR" in err and "             ^" in err,
          f"{status} {out!r} {err!r}")

    status, out, err = run_shell(["--port", str(port), "--ignore-errors", "-q",
                                  "SELECT 1; SELECT count( FROM events; SELECT 2"])
    check("--ignore-errors goes on, and still exits 1", status == 1 and out == "1\n2\n", f"{status} {out!r}")

    script = "SELECT 1;\n\\format CSV\nSELECT 'a' AS s,\n  2 AS n;\n-- a comment\nSELECT 3\n"
    status, out, err = run_shell(["--port", str(port)], stdin_text=script)
    check("a script on stdin runs statements and commands", status == 0 and out == '1\n"a",2\n3\n',
          f"{status} {out!r} {err!r}")

    path = os.path.join(WORK, "script.sql")
    with open(path, "w") as script_file:
        script_file.write("SELECT event_type, count() AS c FROM events GROUP BY event_type ORDER BY c DESC LIMIT 2")
    status, out, err = run_shell(["--port", str(port), "-f", path, "--format", "JSONEachRow"])
    rows = [json.loads(line) for line in out.splitlines()] if status == 0 else []
    check("-f FILE with --format JSONEachRow", status == 0 and len(rows) == 2 and "event_type" in rows[0],
          f"{status} {out!r} {err!r}")

    status, out, err = run_shell(["--port", str(port), "--format", "pretty", "-q", "SELECT 1 AS one"])
    check("--format Pretty draws the table", status == 0 and "│   one │" in out and "│ UInt8 │" in out,
          f"{status} {out!r}")

    status, out, err = run_shell(["--port", str(port), "--format", "pretty", "-q",
                                  "SELECT platform, count() AS c FROM events GROUP BY platform WITH TOTALS"])
    totals = out.split("\nTotals:\n", 1)[1] if "\nTotals:\n" in out else ""
    check("WITH TOTALS prints a Totals: table after the result, as clickhouse-client",
          status == 0 and f"│ {events} │" in totals and "│ LowCardinality(String) │" in totals,
          f"{status} {out!r} {err!r}")

    status, out, err = run_shell(["--port", str(port), "-q", "SELECT 1 FORMAT JSONEachRow"])
    check("a FORMAT clause wins over the default format", status == 0 and out == '{"1":1}\n', f"{out!r}")

    status, out, err = run_shell(["--port", str(port), "-f", os.path.join(WORK, "missing.sql")])
    check("a missing -f file exits 2", status == 2 and "cannot read" in err, f"{status} {err!r}")

    status, out, err = run_shell(["--port", str(free_port()), "-q", "SELECT 1"])
    check("nothing listening: a clear message and exit 2",
          status == 2 and "cannot connect to 127.0.0.1:" in err and "mua-server" in err, f"{status} {err!r}")

    status, out, err = run_shell(["--bogus"])
    check("an unknown flag exits 2", status == 2 and "unknown flag" in err, f"{status} {err!r}")


class FakeServer:
    """Stands in for mua-server where the real one cannot show what the shell sends: it
    records every request, holds "SELECT slow" open, reports rows read in system.processes,
    refuses KILL QUERY the way mua-server does today, and "SELECT refused" with a bare 401."""

    def __init__(self):
        self.requests = []  # (query parameters, Authorization header, body)
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                if status != 200:
                    self.send_header("X-ClickHouse-Exception-Code", "62")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.answer(200, "Ok.\n")

            def do_POST(self):
                params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.requests.append((params, self.headers.get("Authorization"), body))
                if body.startswith("SELECT slow"):
                    fake.release.wait(60)
                    return
                if "system.processes" in body:
                    return self.answer(200, "12345\n")
                if body == "SELECT refused":
                    return self.answer(401, "bad token\n")
                if body.startswith("KILL QUERY"):
                    return self.answer(400, "Code: 62. DB::Exception: line 1, column 1: expected a statement, "
                                            "found 'KILL'. (SYNTAX_ERROR) (version MUA 0.1)\n")
                self.answer(200, "")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()


def fake_server_checks(env):
    """What the shell sends: Ctrl-C of a -q query shows progress with rows read, then closes the
    connection and sends KILL QUERY for its query_id; the token; a non-ClickHouse error."""
    fake = FakeServer()
    try:
        term = Terminal(["--port", str(fake.port), "-q", "SELECT slow"], dict(env, MUA_TOKEN="secret"))
        try:
            check("the progress line shows rows read from system.processes",
                  term.expect(r"Running query\.\.\. [\d.]+ s elapsed, 12,345 rows read") is not None)
            term.send("\x03")
            check("Ctrl-C cancels a -q query", term.expect(r"Query cancelled\.") is not None)
            check("a cancelled -q exits 130", term.wait_exit() == 130, f"status {term.status}")
        finally:
            term.close()
        slow = [params for params, _, body in fake.requests if body == "SELECT slow"]
        kills = [body for _, _, body in fake.requests if body.startswith("KILL QUERY")]
        query_id = slow[0].get("query_id", "") if slow else ""
        check("the query went with a query_id", re.fullmatch(r"[0-9a-f-]{36}", query_id) is not None, query_id)
        check("the cancel sent KILL QUERY for that query_id",
              kills == [f"KILL QUERY WHERE query_id = '{query_id}'"], f"{kills}")
        check("MUA_TOKEN goes as a bearer token",
              fake.requests and all(auth == "Bearer secret" for _, auth, _ in fake.requests),
              f"{fake.requests}")
        status, out, err = run_shell(["--port", str(fake.port), "-q", "SELECT refused"])
        check("a non-ClickHouse error shows its HTTP status", status == 1 and "Error (HTTP 401): bad token" in err,
              f"{status} {err!r}")
    finally:
        fake.stop()


def main():
    try:
        data = os.path.join(WORK, "events.jsonl")
        subprocess.run([GEN, "--users", "1000", "--days", "30", "--out", data], check=True,
                       stderr=subprocess.DEVNULL)
        port = start_server(data)
        env = dict(os.environ, TERM="xterm", MUA_HISTORY=os.path.join(WORK, "history"), HOME=WORK,
                   LANG="C.UTF-8", LC_ALL="C.UTF-8")
        env.pop("MUA_TOKEN", None)
        interactive_session(port, env)
        non_interactive(port)
        fake_server_checks(env)
    finally:
        for process in processes:
            process.kill()
            process.wait()
        subprocess.run(["rm", "-rf", WORK])
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
