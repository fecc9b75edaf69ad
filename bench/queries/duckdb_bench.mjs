// The DuckDB side of the SPEC §9 benchmark (bench/queries/README.md): loads the events TSV
// (mua-gen --format clickhouse-tsv; a .zst is read through DuckDB's zstd decompression) into
// an in-memory DuckDB, then runs each
// query's `-- duckdb:` text in-process: warm-up runs, then timed runs (median reported).
// Writes OUT/NAME.tsv (the answer, TabSeparated as ClickHouse prints it), OUT/timings.tsv
// (name, median_ms, run ms...) and OUT/load.txt.
//
//   node duckdb_bench.mjs --tsv events.tsv --queries DIR --out DIR
//        [--runs 5] [--warmup 1] [--threads 2] [--memory-limit 3GB] [--filter S]
//        [--order-by 'event_type, event_time']   (sort the table on load; default file order)
//        [--compress 1]   (DuckDB's compressed in-memory storage, ATTACH ':memory:' (COMPRESS),
//                          checkpointed after the load, inside the timed load: for data beyond RAM)
//        [--temp-directory DIR]   (where DuckDB spills beyond memory_limit; default .tmp)
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const args = {
    runs: 5, warmup: 1, threads: 2, 'memory-limit': '3GB', filter: '', 'order-by': '', compress: '0',
    'temp-directory': '',
  };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ['tsv', 'queries', 'out']) {
    if (!args[name]) throw new Error(`--${name} is required`);
  }
  return args;
}

// The `-- duckdb:` lines of a query file, joined; null when it has none.
function duckdbText(file) {
  const lines = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^--\s*duckdb:(.*)$/.exec(line.trim());
    if (m) lines.push(m[1]);
  }
  return lines.length ? lines.join('\n').trim().replace(/;\s*$/, '') : null;
}

function tsvField(value) {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// The same columns as tests/differential's ClickHouse table; event_time holds whole UTC
// seconds like ClickHouse 18.16's DateTime, so second-based answers agree.
const COLUMNS = {
  event_time: 'TIMESTAMP', event_time_ms: 'UBIGINT', user_id: 'VARCHAR', session_id: 'VARCHAR',
  event_id: 'VARCHAR', event_type: 'VARCHAR', platform: 'VARCHAR', os_version: 'VARCHAR',
  app_version: 'VARCHAR', device_model: 'VARCHAR', device_type: 'VARCHAR', country: 'VARCHAR',
  region: 'VARCHAR', city: 'VARCHAR', properties: 'VARCHAR',
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  const options = { threads: String(args.threads), memory_limit: args['memory-limit'] };
  if (args['temp-directory']) options.temp_directory = args['temp-directory'];
  const instance = await DuckDBInstance.create(':memory:', options);
  const conn = await instance.connect();
  const version = (await conn.runAndReadAll('SELECT version()')).getRows()[0][0];
  const compress = args.compress === '1';
  if (compress) {
    // Uncompressed, 10 M events take ~2.5 GB in memory (~237 bytes/row); 100 M do not fit.
    await conn.run("ATTACH ':memory:' AS compressed (COMPRESS)");
    await conn.run('USE compressed');
  }

  const columns = Object.entries(COLUMNS).map(([k, v]) => `'${k}': '${v}'`).join(', ');
  const tsv = args.tsv.replace(/'/g, "''");
  const zstd = args.tsv.endsWith('.zst');
  const loadStart = performance.now();
  // quote '' and escape '': the TSV's JSON keeps its '"' as they are.
  await conn.run(`CREATE TABLE events AS SELECT * FROM read_csv('${tsv}', delim = '\t', header = false,
      quote = '', escape = '', columns = {${columns}}, timestampformat = '%Y-%m-%d %H:%M:%S'
      ${zstd ? ", compression = 'zstd'" : ''})
      ${args['order-by'] ? `ORDER BY ${args['order-by']}` : ''}`);
  if (compress) await conn.run('CHECKPOINT compressed');
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM events')).getRows()[0][0]);
  let load = `${rows} rows in ${loadSeconds.toFixed(2)} s = ${Math.round(rows / loadSeconds)} rows/s ` +
    `(DuckDB ${version}, threads ${args.threads}, memory_limit ${args['memory-limit']}` +
    `${args['order-by'] ? `, sorted by ${args['order-by']}` : ''}` +
    `${zstd ? ', read_csv of the .zst: includes decompression' : ''}` +
    `${compress ? ", compressed in-memory storage (COMPRESS + CHECKPOINT, in the load time)" : ''})`;
  // The buffer manager's view of what the table holds in memory (compressed columns).
  const memory = Number((await conn.runAndReadAll(
    'SELECT sum(memory_usage_bytes)::BIGINT FROM duckdb_memory()')).getRows()[0][0]);
  load += `; in memory ${(memory / 1e6).toFixed(1)} MB = ${(memory / rows).toFixed(2)} bytes/row (duckdb_memory())`;
  // Beyond memory_limit DuckDB spills to temp_directory: the table then partly lives on disk.
  const spilled = Number((await conn.runAndReadAll(
    'SELECT coalesce(sum(size), 0)::BIGINT FROM duckdb_temporary_files()')).getRows()[0][0]);
  if (spilled > 0) load += `; spilled to disk ${(spilled / 1e6).toFixed(1)} MB (duckdb_temporary_files())`;
  console.log(`DuckDB load: ${load}`);
  fs.writeFileSync(path.join(args.out, 'load.txt'), load + '\n');

  const files = fs.readdirSync(args.queries).filter((f) => f.endsWith('.sql')).sort();
  const timings = [];
  let failures = 0;
  for (const file of files) {
    const name = path.basename(file, '.sql');
    if (!name.includes(args.filter)) continue;
    const sql = duckdbText(path.join(args.queries, file));
    try {
      if (!sql) throw new Error('no -- duckdb: text in the query file');
      let reader = null;
      for (let i = 0; i < Number(args.warmup); ++i) reader = await conn.runAndReadAll(sql);
      const times = [];
      for (let i = 0; i < Number(args.runs); ++i) {
        const start = performance.now();
        reader = await conn.runAndReadAll(sql);
        times.push(performance.now() - start);
      }
      const body = reader.getRows().map((row) => row.map(tsvField).join('\t') + '\n').join('');
      fs.writeFileSync(path.join(args.out, `${name}.tsv`), body);
      const med = median(times);
      console.log(`${name.padEnd(16)} ${med.toFixed(3).padStart(10)} ms  (runs: ${times.map((t) => t.toFixed(3)).join(' ')})`);
      timings.push([name, med.toFixed(3), ...times.map((t) => t.toFixed(3))].join('\t'));
    } catch (error) {
      ++failures;
      console.log(`${name.padEnd(16)} ERROR ${error.message}`);
      fs.writeFileSync(path.join(args.out, `${name}.err`), `${error.message}\n`);
      timings.push(`${name}\t`);
    }
  }
  fs.writeFileSync(path.join(args.out, 'timings.tsv'), timings.join('\n') + '\n');
  conn.closeSync?.();
  process.exitCode = failures ? 1 : 0;
}

main().catch((error) => {
  console.error(`duckdb_bench: ${error.stack || error}`);
  process.exitCode = 2;
});
