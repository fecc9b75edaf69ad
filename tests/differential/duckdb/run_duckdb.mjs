// DuckDB side of the window-function check (README.md beside this file): loads the
// differential events TSV (tests/differential/jsonl_to_tsv.py) into an in-memory DuckDB with
// event_time at millisecond precision (from event_time_ms, as MUA's DateTime64(3)), runs each
// query's DuckDB text and writes the answers as TabSeparated, the way ClickHouse prints them.
//
//   node run_duckdb.mjs --tsv events.tsv --queries in.json --out out.json
// in.json: [{"name": N, "sql": S}, ...]; out.json: {N: {"ok": bool, "out": TSV, "err": text}}.
// @duckdb/node-api comes from bench/queries/node_modules (run_windows.sh installs it there,
// as bench/queries/run_bench.sh does).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchQueries = path.resolve(here, '../../../bench/queries');
const requireFromBench = createRequire(path.join(benchQueries, 'package.json'));

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ['tsv', 'queries', 'out']) {
    if (!args[name]) throw new Error(`--${name} is required`);
  }
  return args;
}

// TabSeparated as ClickHouse writes it: \N for NULL, backslash escapes for \ TAB LF CR, and a
// quote in a string escaped as \' (18.16 and MUA do; windows.sql has no such strings).
function tsvField(value) {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return text.replace(/[\\\t\n\r']/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', "'": "\\'" })[c]);
}

const COLUMNS = {
  event_time: 'VARCHAR', event_time_ms: 'BIGINT', user_id: 'VARCHAR', session_id: 'VARCHAR',
  event_id: 'VARCHAR', event_type: 'VARCHAR', platform: 'VARCHAR', os_version: 'VARCHAR',
  app_version: 'VARCHAR', device_model: 'VARCHAR', device_type: 'VARCHAR', country: 'VARCHAR',
  region: 'VARCHAR', city: 'VARCHAR', properties: 'VARCHAR',
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { DuckDBInstance } = await import(
    pathToFileURL(requireFromBench.resolve('@duckdb/node-api')).href);
  const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '2GB' });
  const conn = await instance.connect();
  const columns = Object.entries(COLUMNS).map(([k, v]) => `'${k}': '${v}'`).join(', ');
  const tsv = args.tsv.replace(/'/g, "''");
  // quote '' and escape '': the TSV's JSON keeps its '"' as they are.
  await conn.run(`CREATE TABLE raw AS SELECT * FROM read_csv('${tsv}', delim = '\t',
      header = false, quote = '', escape = '', columns = {${columns}})`);
  // MUA's event_time is DateTime64(3) in UTC: DuckDB's TIMESTAMP from the epoch milliseconds.
  await conn.run(`CREATE TABLE events AS SELECT epoch_ms(event_time_ms) AS event_time,
      user_id, session_id, event_id, event_type, platform, os_version, app_version,
      device_model, device_type, country, region, city, properties FROM raw`);
  await conn.run('DROP TABLE raw');
  const queries = JSON.parse(fs.readFileSync(args.queries, 'utf8'));
  const results = {};
  for (const { name, sql } of queries) {
    try {
      const reader = await conn.runAndReadAll(sql);
      const out = reader.getRows().map((row) => row.map(tsvField).join('\t') + '\n').join('');
      results[name] = { ok: true, out, err: '' };
    } catch (error) {
      results[name] = { ok: false, out: '', err: String(error.message || error) };
    }
  }
  fs.writeFileSync(args.out, JSON.stringify(results));
}

main().catch((error) => {
  console.error(`run_duckdb: ${error.stack || error}`);
  process.exitCode = 2;
});
