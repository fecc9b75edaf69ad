#!/usr/bin/env python3
"""Runs the examples of docs/SQL.md and docs/sql/*.md against mua-server.

Two kinds of examples are checked:
- table rows whose header ends with the columns `example | result`: the example
  (an expression, or a whole query starting with SELECT/WITH) runs as
  `SELECT <expr> FORMAT TabSeparated` and its output must equal the result cell
  (rows joined by ' ; ', columns by a tab shown as ' | '); a result cell that is
  not `code` (e.g. "—", "error …", prose) is run but not compared, unless it starts
  with "error", in which case the query must fail;
- ```sql blocks: each statement (split at ';' at line ends) must succeed.
An example marked "(planned)" (in its table row, or in the 3 lines before its
block) documents what the code does not have yet: it may fail; when it passes the
check says so (drop the mark) without failing.
Also, every name in system.functions and system.table_functions must appear in
the docs as `name` (code), so a function added to a registry gets documented.
Everything runs in one mua-server --batch-dir process over a small generated
data set, in document order, so a CREATE TABLE before an INSERT works.

usage: check_examples.py BIN_DIR [DOC ...]   (exit 1 on any failure)
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def split_row(line):
    cells, cell, code, i = [], '', False, 0
    line = line.strip()
    if line.startswith('|'):
        line = line[1:]
    if line.endswith('|') and not line.endswith('\\|'):
        line = line[:-1]
    while i < len(line):
        ch = line[i]
        if ch == '\\' and i + 1 < len(line) and line[i + 1] == '|':
            cell += '|'
            i += 2
            continue
        if ch == '`':
            code = not code
        if ch == '|' and not code:
            cells.append(cell.strip())
            cell = ''
        else:
            cell += ch
        i += 1
    cells.append(cell.strip())
    return cells


def code_of(cell):
    """The cell's code span (the whole cell, or the one span beside marks such as *(planned)*)."""
    m = re.fullmatch(r'`(.*)`', cell.strip())
    if m:
        return m.group(1)
    spans = re.findall(r'`([^`]*)`', cell)
    return spans[0] if len(spans) == 1 else None


def collect(path):
    """Yields (line, sql, expected, planned) with expected None (must succeed),
    a string (must equal) or the marker ERROR (must fail)."""
    lines = open(path, encoding='utf-8').read().split('\n')
    in_table = False
    example_col = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('```sql'):
            start = i + 1
            planned = any('(planned)' in l for l in lines[max(0, i - 3):i])
            i += 1
            block = []
            while i < len(lines) and not lines[i].startswith('```'):
                block.append(lines[i])
                i += 1
            text = '\n'.join(block)
            for stmt in re.split(r';[ \t]*(?:\n|$)', text):
                stmt = '\n'.join(l for l in stmt.split('\n') if not l.strip().startswith('--')).strip()
                if stmt:
                    yield start, stmt, None, planned
            i += 1
            continue
        if line.startswith('|'):
            cells = split_row(line)
            if not in_table:
                in_table = True
                lowered = [c.lower() for c in cells]
                example_col = len(cells) - 2 if lowered[-2:] == ['example', 'result'] else None
                i += 2  # header and separator
                continue
            if example_col is not None and len(cells) >= example_col + 2:
                example = code_of(cells[example_col])
                if example:
                    sql = example if re.match(r'(?i)\s*(SELECT|WITH)\b', example) else 'SELECT ' + example
                    result_cell = cells[example_col + 1]
                    expected = code_of(result_cell)
                    if expected is None and re.match(r'(\*\(planned\)\* )?error', result_cell.lower()):
                        expected = ERROR
                    yield i + 1, sql, expected, '(planned)' in line
        else:
            in_table = False
        i += 1


ERROR = object()


def anchors(path):
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for line in open(path, encoding='utf-8'):
        m = re.match(r'#+ (.*)', line)
        if m:
            text = re.sub(r'[^\w\- ]', '', m.group(1).strip().lower())
            found.add(text.replace(' ', '-'))
    return found


def check_links():
    """Relative links of the reference (and README) must name a file and heading that exist."""
    failures = 0
    files = [os.path.join(ROOT, 'README.md'), os.path.join(ROOT, 'docs', 'SQL.md'),
             os.path.join(ROOT, 'docs', 'INGEST.md')] + sorted(glob.glob(os.path.join(ROOT, 'docs', 'sql', '*.md')))
    for path in files:
        for target in re.findall(r'\]\(([^)\s]+)\)', open(path, encoding='utf-8').read()):
            if re.match(r'[a-z]+:', target):
                continue
            name, _, anchor = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(path), name)) if name else path
            if not os.path.exists(dest) or (anchor and dest.endswith('.md') and anchor not in anchors(dest)):
                failures += 1
                print('%s: broken link %s' % (os.path.relpath(path, ROOT), target))
    return failures


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    bin_dir = sys.argv[1]
    docs = sys.argv[2:] or [os.path.join(ROOT, 'docs', 'SQL.md')] + sorted(
        glob.glob(os.path.join(ROOT, 'docs', 'sql', '*.md')))
    examples = []
    for doc in docs:
        for line, sql, expected, planned in collect(doc):
            examples.append((os.path.relpath(doc, ROOT), line, sql, expected, planned))
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, 'events.jsonl')
        subprocess.run([os.path.join(bin_dir, 'mua-gen'), '--users', '200', '--days', '14',
                        '--start', '2026-10-01', '--seed', '42', '--out', events],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        batch = os.path.join(tmp, 'batch')
        os.mkdir(batch)
        for n, sql in enumerate(['SELECT name FROM system.functions FORMAT TabSeparated',
                                 'SELECT name FROM system.table_functions FORMAT TabSeparated']):
            with open(os.path.join(batch, 'listing%d.sql' % n), 'w', encoding='utf-8') as f:
                f.write(sql)
        for n, (_, _, sql, expected, _) in enumerate(examples):
            has_format = re.search(r'(?i)\bFORMAT\s+\w+\s*$', sql)
            text = sql if has_format or expected is None else sql + ' FORMAT TabSeparated'
            with open(os.path.join(batch, '%05d.sql' % n), 'w', encoding='utf-8') as f:
                f.write(text)
        run = subprocess.run([os.path.join(bin_dir, 'mua-server'), '--load', events,
                              '--data-dir=', '--retention-days', '0', '--batch-dir', batch],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0 and not glob.glob(os.path.join(batch, '*.out')):
            print(run.stderr)
            return 1
        failures = planned_count = 0
        for n, (doc, line, sql, expected, planned) in enumerate(examples):
            base = os.path.join(batch, '%05d' % n)
            err = open(base + '.err', encoding='utf-8').read() if os.path.exists(base + '.err') else None
            out = open(base + '.out', encoding='utf-8').read() if os.path.exists(base + '.out') else ''
            got = ' ; '.join(r.replace('\t', ' | ') for r in out.rstrip('\n').split('\n'))
            if expected is ERROR:
                problem = None if err is not None else 'expected an error, got: ' + got
            elif err is not None:
                problem = 'error: ' + err.strip().split('\n')[0]
            elif expected is not None and got != expected:
                problem = 'expected: %s\n  got:      %s' % (expected, got)
            else:
                problem = None
            where = '%s:%d: %s' % (doc, line, sql.strip().split('\n')[0])
            if planned:
                planned_count += 1
                if problem is None:
                    print('%s\n  works now: drop its "(planned)" mark' % where)
                continue
            if problem is not None:
                failures += 1
                print('%s\n  %s' % (where, problem))
        text = ''.join(open(doc, encoding='utf-8').read() for doc in docs)
        documented = set(re.findall(r'`([A-Za-z_][A-Za-z0-9_]*)', text))
        for n in range(2):
            base = os.path.join(batch, 'listing%d' % n)
            if not os.path.exists(base + '.out'):
                failures += 1
                print('listing %d failed: %s' % (n, open(base + '.err').read() if os.path.exists(base + '.err') else '?'))
                continue
            missing = [name for name in open(base + '.out').read().split() if name not in documented]
            if missing:
                failures += 1
                print('not documented: ' + ' '.join(missing))
        failures += check_links()
        print('%d examples (%d planned), %d failures' % (len(examples), planned_count, failures))
        return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
