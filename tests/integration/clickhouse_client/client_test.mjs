// The official ClickHouse Node client (@clickhouse/client, unmodified, version pinned
// in package-lock.json) against mua-server's ClickHouse-compatible HTTP endpoint.
// The wire subset and the byte formats asserted here are spec/clickhouse.md §5-8.
//
//   node client_test.mjs http://127.0.0.1:PORT [--count N]   development mode (no tokens)
//   node client_test.mjs http://127.0.0.1:PORT --auth TOKEN [--analyst TOKEN2]
//       server run with --tokens; TOKEN has role admin, TOKEN2 role analyst
//
// --count: the number of events the server was loaded with (else asked over plain HTTP).
// Prints "ok: NAME" per check, "note: ..." for optional features MUA lacks (not failures),
// and exits 1 at the first failure.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';

const args = process.argv.slice(2);
const url = args[0];
if (!url || !/^https?:\/\//.test(url)) {
  console.error('usage: node client_test.mjs http(s)://127.0.0.1:PORT [--count N | --auth TOKEN] [--ca FILE]');
  process.exit(2);
}
const option = (name) => {
  const i = args.indexOf(name);
  return i > 0 ? args[i + 1] : undefined;
};

// Expected failures are asserted, so the client's own error log is noise.
const quiet = { log: { level: ClickHouseLogLevel.OFF } };
// --ca FILE: an https URL whose certificate a private CA signed (MUA's --https).
const tls = option('--ca') ? { tls: { ca_cert: fs.readFileSync(option('--ca')) } } : {};
const clients = [];
const client = (config = {}) => {
  const c = createClient({ url, ...quiet, ...tls, ...config });
  clients.push(c);
  return c;
};

let current = '';
async function check(name, body) {
  current = name;
  try {
    await body();
  } catch (error) {
    console.log(`FAILED: ${name}`);
    console.log(error);
    process.exit(1);
  }
  console.log(`ok: ${name}`);
}
const note = (text) => console.log(`note: ${text}`);

// A rejection with ClickHouse's error fields (the client parses
// "Code: N. DB::Exception: MSG. (NAME) (version V)"; else it raises a plain Error).
async function rejectsWith(promise, code, type) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClickHouseError, `not a ClickHouseError: ${error?.constructor?.name}: ${error}`);
    assert.equal(error.code, code, `code of "${error.message}"`);
    assert.equal(error.type, type, `type of "${error.message}"`);
    return true;
  });
}

const rowsOf = async (c, query, format = 'JSONEachRow') => (await c.query({ query, format })).json();
const countWhere = async (c, table, where = '1 = 1') =>
  Number((await rowsOf(c, `SELECT count() AS c FROM ${table} WHERE ${where}`))[0].c);

// Optional response headers (spec/clickhouse.md §6.5, §6.7): reported, not required.
const noted = new Set();
function noteMissingHeaders(headers, names, context) {
  for (const name of names) {
    if (headers[name] === undefined && !noted.has(name)) {
      noted.add(name);
      note(`no ${name} response header (${context}); optional per spec/clickhouse.md §6`);
    }
  }
}

async function developmentMode() {
  const ch = client();
  let expected = option('--count');
  if (expected === undefined) {  // plain HTTP, no client involved
    const answer = await fetch(url, { method: 'POST', body: 'SELECT count() FROM events' });
    expected = (await answer.text()).trim();
  }
  const n = BigInt(expected).toString();
  assert.ok(Number(n) > 0, `the server holds no events (count ${n})`);

  // --- 1. ping
  await check('ping() succeeds (GET /ping)', async () => {
    assert.deepEqual(await ch.ping(), { success: true });
  });
  await check("ping({select: true}) succeeds (GET /?query=SELECT 'ping')", async () => {
    assert.deepEqual(await ch.ping({ select: true }), { success: true });
  });

  // --- 2./3. query() in every format of the subset; UInt64 is a quoted string in JSON formats
  await check(`query JSON: count() = "${n}" with meta UInt64, rows 1, statistics`, async () => {
    const rs = await ch.query({ query: 'SELECT count() AS c FROM events', format: 'JSON' });
    noteMissingHeaders(rs.response_headers, ['x-clickhouse-query-id', 'x-clickhouse-format'], 'query');
    const json = await rs.json();
    assert.deepEqual(json.meta, [{ name: 'c', type: 'UInt64' }]);
    assert.deepEqual(json.data, [{ c: n }]);
    assert.equal(json.rows, 1);
    assert.equal(typeof json.statistics?.elapsed, 'number');
    assert.equal(typeof json.statistics?.rows_read, 'number');
    assert.deepEqual(Object.keys(json), ['meta', 'data', 'rows', 'statistics']);
  });
  await check('query JSONCompact: data [["N"]]', async () => {
    const json = await rowsOf(ch, 'SELECT count() AS c FROM events', 'JSONCompact');
    assert.deepEqual(json.meta, [{ name: 'c', type: 'UInt64' }]);
    assert.deepEqual(json.data, [[n]]);
    assert.equal(json.rows, 1);
  });
  await check('query JSONEachRow: [{c: "N"}]', async () => {
    assert.deepEqual(await rowsOf(ch, 'SELECT count() AS c FROM events', 'JSONEachRow'), [{ c: n }]);
  });
  await check('query JSONCompactEachRow: [["N"]]', async () => {
    assert.deepEqual(await rowsOf(ch, 'SELECT count() AS c FROM events', 'JSONCompactEachRow'), [[n]]);
  });
  await check('query TabSeparated text: "N\\n"', async () => {
    const rs = await ch.query({ query: 'SELECT count() AS c FROM events', format: 'TabSeparated' });
    assert.equal(await rs.text(), `${n}\n`);
  });
  await check('query TabSeparatedWithNames text: "c\\nN\\n"', async () => {
    const rs = await ch.query({ query: 'SELECT count() AS c FROM events', format: 'TabSeparatedWithNames' });
    assert.equal(await rs.text(), `c\n${n}\n`);
  });
  // SQL literal a/b"c\\d\te\nf: a backslash, a TAB and a LF in the value.
  const tricky = `'a/b"c\\\\d\\te\\nf'`;
  await check('JSONEachRow: String escapes, DateTime64(3) text, Int and Float bare', async () => {
    const rows = await rowsOf(ch, `SELECT ${tricky} AS s, min(event_time) AS t, -3 AS i, 1.5 AS f FROM events`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].s, 'a/b"c\\d\te\nf');
    assert.match(rows[0].t, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.equal(rows[0].i, -3);
    assert.equal(rows[0].f, 1.5);
  });
  await check('TabSeparated: escapes \\\\ \\t \\n', async () => {
    const rs = await ch.query({ query: `SELECT ${tricky} AS s`, format: 'TabSeparated' });
    assert.equal(await rs.text(), 'a/b"c\\\\d\\te\\nf\n');
  });
  await check('JSONEachRow stream(): 5000 rows, one JSON object per line', async () => {
    const rs = await ch.query({
      query: 'SELECT user_id, event_id FROM events ORDER BY user_id, event_id LIMIT 5000',
      format: 'JSONEachRow',
    });
    let rows = 0;
    for await (const batch of rs.stream()) {
      for (const row of batch) {
        const value = row.json();
        assert.equal(typeof value.user_id, 'string');
        assert.equal(typeof value.event_id, 'string');
        rows += 1;
      }
    }
    assert.equal(rows, Math.min(5000, Number(n)));
  });
  await check('an empty result: JSONEachRow [] and JSON data [] rows 0', async () => {
    assert.deepEqual(await rowsOf(ch, "SELECT user_id FROM events WHERE user_id = 'no such user'"), []);
    const json = await rowsOf(ch, "SELECT user_id FROM events WHERE user_id = 'no such user'", 'JSON');
    assert.deepEqual(json.data, []);
    assert.equal(json.rows, 0);
  });
  await check('a trailing ";" is stripped by the client and accepted', async () => {
    assert.deepEqual(await rowsOf(ch, 'SELECT count() AS c FROM events;'), [{ c: n }]);
  });

  // --- URL parameters the client adds: accepted and ignored (spec/clickhouse.md §6.5)
  await check('clickhouse_settings, session_id, role, database, response compression: accepted', async () => {
    const c = client({
      database: 'system',  // sent only when not "default"
      compression: { response: true },  // enable_http_compression=1 + Accept-Encoding: gzip
      clickhouse_settings: { max_result_rows: '1000', wait_end_of_query: 1, readonly: '1' },
      session_id: 'mua-client-test-session',
      role: ['analyst'],
    });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
  await check('query_id given by the caller is used', async () => {
    const rs = await ch.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', query_id: 'mua-client-test-q1' });
    assert.equal(rs.query_id, 'mua-client-test-q1');
    assert.deepEqual(await rs.json(), [{ one: 1 }]);
  });
  await check('keep-alive: a query after 2 s idle on the pooled socket', async () => {
    await rowsOf(ch, 'SELECT 1 AS one');
    await sleep(2000);  // below the client's idle_socket_ttl (2.5 s): the socket is reused
    assert.deepEqual(await rowsOf(ch, 'SELECT 2 AS two'), [{ two: 2 }]);
  });
  await check('10 concurrent queries', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => rowsOf(ch, `SELECT ${i} AS i, count() AS c FROM events`)));
    answers.forEach((rows, i) => assert.deepEqual(rows, [{ i, c: n }]));
  });

  // --- 4. command() / exec(): the raw SQL as the body, nothing appended
  await check('command SELECT 1', async () => {
    const result = await ch.command({ query: 'SELECT 1' });
    assert.equal(typeof result.query_id, 'string');
  });
  let columns = [];
  await check('exec DESCRIBE events: the column order (TabSeparated)', async () => {
    const result = await ch.exec({ query: 'DESCRIBE events' });
    let text = '';
    for await (const chunk of result.stream) text += chunk;
    columns = text.split('\n').filter(Boolean).map((line) => line.split('\t')[0]);
    assert.deepEqual(columns, ['event_time', 'user_id', 'session_id', 'event_id', 'event_type', 'platform',
      'os_version', 'app_version', 'device_model', 'device_type', 'country', 'region', 'city', 'properties',
      'attributes']);
  });
  await check('command with a syntax error rejects with code 62 SYNTAX_ERROR', async () => {
    await rejectsWith(ch.command({ query: 'SELEC 1' }), '62', 'SYNTAX_ERROR');
  });

  // --- 6. errors
  await check('unknown column: ClickHouseError code "47" type UNKNOWN_IDENTIFIER', async () => {
    await rejectsWith(ch.query({ query: 'SELECT no_such_column FROM events', format: 'JSON' }), '47',
      'UNKNOWN_IDENTIFIER');
  });
  await check('syntax error: ClickHouseError code "62" type SYNTAX_ERROR', async () => {
    await rejectsWith(ch.query({ query: 'SELEC 1', format: 'JSONEachRow' }), '62', 'SYNTAX_ERROR');
  });
  await check('unknown table: ClickHouseError code "60" type UNKNOWN_TABLE', async () => {
    await rejectsWith(ch.query({ query: 'SELECT 1 FROM no_such_table', format: 'JSON' }), '60', 'UNKNOWN_TABLE');
  });
  await check('the connection still works after errors', async () => {
    assert.deepEqual(await rowsOf(ch, 'SELECT count() AS c FROM events'), [{ c: n }]);
  });

  // --- 5. insert(): rows of `events`, de-duplicated on (user_id, event_id), bad rows rejected alone
  const device = {
    platform: 'ios', os_version: '17.4', app_version: '4.2.0', device_model: 'iPhone 15',
    device_type: 'phone', country: 'DE', region: 'Bavaria', city: 'Munich',
  };
  const row = (user, i, type = 'screen_view') => ({
    event_time: `2026-10-03 12:00:0${i}.12${i}`, user_id: user, session_id: `${user}-s1`, event_id: `e${i}`,
    event_type: type, ...device, properties: JSON.stringify({ screen: `home${i}`, n: i }),
  });
  const eachRows = [row('chjs-each', 1, 'app_open'), row('chjs-each', 2), row('chjs-each', 3)];
  const compactRows = [row('chjs-compact', 1, 'app_open'), row('chjs-compact', 2)];
  const defaultRows = [row('chjs-default', 1)];
  const reorderedRows = [row('chjs-columns', 1)];
  const asArray = (object, order) => order.map((name) => object[name]);
  // The 14 columns the rows fill: a row without attributes (a column-less insert may omit it).
  const rowColumns = () => columns.filter((name) => name !== 'attributes');
  const ours = "user_id IN ('chjs-each', 'chjs-compact', 'chjs-default', 'chjs-columns')";
  const readBack = () => rowsOf(ch, `SELECT ${rowColumns().join(', ')} FROM events WHERE ${ours} ORDER BY user_id, event_id`);
  const sorted = (rows) => [...rows].sort((a, b) =>
    a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.event_id < b.event_id ? -1 : 1);
  const inserted = sorted([...eachRows, ...compactRows, ...defaultRows, ...reorderedRows]);
  const summaries = [];
  const summary = (result) => {
    summaries.push(result.summary);
    noteMissingHeaders(result.response_headers, ['x-clickhouse-summary', 'x-clickhouse-query-id'], 'insert');
  };

  await check('insert of an empty array sends nothing', async () => {
    const result = await ch.insert({ table: 'events', values: [], format: 'JSONEachRow' });
    assert.equal(result.executed, false);
  });
  await check('insert JSONEachRow: 3 rows as objects', async () => {
    const result = await ch.insert({ table: 'events', values: eachRows, format: 'JSONEachRow' });
    assert.equal(result.executed, true);
    summary(result);
    if (result.summary) assert.equal(result.summary.written_rows, '3');
  });
  await check('insert JSONCompactEachRow: 2 rows as arrays in table column order', async () => {
    const result = await ch.insert({
      table: 'events', values: compactRows.map((r) => asArray(r, rowColumns())), format: 'JSONCompactEachRow',
    });
    summary(result);
    if (result.summary) assert.equal(result.summary.written_rows, '2');
  });
  await check('insert without a format: the client default, JSONCompactEachRow', async () => {
    const result = await ch.insert({ table: 'events', values: defaultRows.map((r) => asArray(r, rowColumns())) });
    summary(result);
  });
  await check('insert JSONCompactEachRow with columns in reverse order (INSERT INTO events (c14, ..., c1))',
    async () => {
      const order = [...rowColumns()].reverse();
      const result = await ch.insert({
        table: 'events', values: reorderedRows.map((r) => asArray(r, order)), format: 'JSONCompactEachRow',
        columns: order,
      });
      summary(result);
    });
  await check(`count() = ${n} + 7 after the inserts`, async () => {
    assert.equal(await countWhere(ch, 'events'), Number(n) + 7);
  });
  await check('the inserted rows read back column for column', async () => {
    assert.deepEqual(await readBack(), inserted);
  });
  await check('inserting the same rows again adds nothing (dedup on user_id, event_id)', async () => {
    const again = await ch.insert({ table: 'events', values: eachRows, format: 'JSONEachRow' });
    summary(again);
    if (again.summary) assert.equal(again.summary.written_rows, '0');
    await ch.insert({ table: 'events', values: compactRows.map((r) => asArray(r, rowColumns())) });
    assert.equal(await countWhere(ch, 'events'), Number(n) + 7);
    assert.deepEqual(await readBack(), inserted);
  });
  // MUA applies SPEC §2's data quality to INSERT as to Kafka: a bad row goes to
  // events_rejected and the good rows of the same INSERT are stored. The client must
  // still learn that rows were lost, so such an INSERT answers error 117 INCORRECT_DATA
  // (HTTP 400) naming the counts (ClickHouse would fail the whole INSERT, storing nothing).
  await check('a row without user_id: rejected (117 INCORRECT_DATA), the good row of the batch stored',
    async () => {
      const rejectedBefore = await countWhere(ch, 'events_rejected');
      const good = row('chjs-each', 4);
      const bad = { ...row('chjs-each', 5) };
      delete bad.user_id;
      await assert.rejects(ch.insert({ table: 'events', values: [good, bad], format: 'JSONEachRow' }), (error) => {
        assert.ok(error instanceof ClickHouseError, `expected a ClickHouseError, got ${error}`);
        assert.equal(error.code, '117');
        assert.equal(error.type, 'INCORRECT_DATA');
        assert.match(error.message, /1 of 2 rows rejected, the other 1 stored/);
        assert.match(error.message, /user_id/);
        return true;
      });
      assert.equal(await countWhere(ch, 'events'), Number(n) + 8);
      assert.equal(await countWhere(ch, 'events', "user_id = 'chjs-each' AND event_id = 'e4'"), 1);
      assert.equal(await countWhere(ch, 'events_rejected'), rejectedBefore + 1);
    });
  await check('a JSONCompactEachRow row with too few values: rejected alone (117), nothing else lost', async () => {
    const rejectedBefore = await countWhere(ch, 'events_rejected');
    const good = asArray(row('chjs-compact', 3), rowColumns());
    await rejectsWith(ch.insert({ table: 'events', values: [good, good.slice(0, 5)] }), '117', 'INCORRECT_DATA');
    assert.equal(await countWhere(ch, 'events'), Number(n) + 9);
    assert.equal(await countWhere(ch, 'events_rejected'), rejectedBefore + 1);
  });
  await check('insert into an unknown table rejects with a ClickHouseError', async () => {
    await assert.rejects(ch.insert({ table: 'no_such_table', values: [{ a: 1 }], format: 'JSONEachRow' }),
      (error) => error instanceof ClickHouseError);
  });
  {  // Not in spec/clickhouse.md's subset: gzip request bodies (compression.request).
    const gzip = client({ compression: { request: true } });
    try {
      await gzip.insert({ table: 'events', values: [row('chjs-gzip', 1)], format: 'JSONEachRow' });
      const stored = await countWhere(ch, 'events', "user_id = 'chjs-gzip'");
      if (stored !== 1) note(`insert with compression.request (Content-Encoding: gzip) stored ${stored} rows, not 1`);
    } catch (error) {
      note(`insert with compression.request (Content-Encoding: gzip) fails: ${error.message}`);
    }
  }

  // --- 7. auth in development mode: any credentials, in every form the client sends them
  await check('development mode: Basic auth with any username/password is accepted', async () => {
    const c = client({ username: 'alice', password: 'any password' });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
    assert.deepEqual(await c.ping(), { success: true });
  });
  await check('development mode: X-ClickHouse-User / X-ClickHouse-Key (no Authorization) accepted', async () => {
    const c = client({
      set_basic_auth_header: false,
      http_headers: { 'X-ClickHouse-User': 'alice', 'X-ClickHouse-Key': 'any key' },
    });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
  await check('development mode: access_token (Authorization: Bearer) accepted', async () => {
    const c = client({ access_token: 'any-token' });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
}

// The server runs with --tokens; `token` has role admin, `analyst` (optional) role
// analyst. ClickHouse clients carry the token as the password (SPEC §6); a wrong one is
// AUTHENTICATION_FAILED (516), a statement above the role ACCESS_DENIED (497).
async function authMode(token, analyst) {
  await check('tokens: Basic auth with the token as password is accepted', async () => {
    const c = client({ username: 'default', password: token });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
  await check('tokens: X-ClickHouse-User / X-ClickHouse-Key with the token is accepted', async () => {
    // Over HTTPS the client itself sends username and password as X-ClickHouse-User/Key
    // (replacing headers set by hand); over HTTP they are set by hand.
    const c = url.startsWith('https:')
      ? client({ username: 'default', password: token })
      : client({
        set_basic_auth_header: false, http_headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': token },
      });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
  // With tls, the client sends username/password as X-ClickHouse-User/Key and no Bearer.
  if (!url.startsWith('https:')) await check('tokens: access_token (Bearer) is accepted', async () => {
    const c = client({ access_token: token });
    assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
  });
  await check('tokens: per-request auth overrides the client credentials', async () => {
    const c = client({ username: 'default', password: 'wrong' });
    const auth = { username: 'x', password: token };
    const rs = await c.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', auth });
    assert.deepEqual(await rs.json(), [{ one: 1 }]);
  });
  await check('tokens: a wrong password rejects with code "516" AUTHENTICATION_FAILED', async () => {
    const c = client({ username: 'default', password: `${token}-wrong` });
    await rejectsWith(c.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' }), '516', 'AUTHENTICATION_FAILED');
    await rejectsWith(c.command({ query: 'SELECT 1' }), '516', 'AUTHENTICATION_FAILED');
  });
  await check('tokens: no password (the client default user "default", "") rejects with code "516"', async () => {
    await rejectsWith(client().query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' }), '516',
      'AUTHENTICATION_FAILED');
  });
  await check('tokens: a wrong X-ClickHouse-Key rejects with code "516" AUTHENTICATION_FAILED', async () => {
    const c = client({
      set_basic_auth_header: false, http_headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': 'wrong' },
    });
    await rejectsWith(c.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' }), '516', 'AUTHENTICATION_FAILED');
  });
  await check('tokens: ping() with the token succeeds', async () => {
    assert.deepEqual(await client({ password: token }).ping(), { success: true });
  });
  // ClickHouse's /ping never authenticates (spec/clickhouse.md §5, §6.2: GET /ping -> 200 "Ok.\n"),
  // and the client always sends Authorization: Basic (default user "default", password "").
  await check('tokens: ping() with the default credentials (Basic ZGVmYXVsdDo=) succeeds', async () => {
    assert.deepEqual(await client().ping(), { success: true });
  });
  await check('tokens: ping() with a wrong password succeeds, like ClickHouse', async () => {
    assert.deepEqual(await client({ password: 'wrong' }).ping(), { success: true });
  });
  await check('tokens: the admin token may insert', async () => {
    const c = client({ password: token });
    const values = [{
      event_time: '2026-10-04 08:00:00.000', user_id: 'chjs-auth', session_id: 's', event_id: 'e1',
      event_type: 'app_open', platform: 'android', os_version: '14', app_version: '4.2.0',
      device_model: 'Pixel 8', device_type: 'phone', country: 'FR', region: 'IDF', city: 'Paris', properties: '{}',
    }];
    await c.insert({ table: 'events', values, format: 'JSONEachRow' });
    assert.equal(await countWhere(c, 'events', "user_id = 'chjs-auth'"), 1);
  });
  if (analyst !== undefined) {
    await check('tokens: an analyst token may SELECT but not INSERT: code "497" ACCESS_DENIED', async () => {
      const c = client({ password: analyst });
      assert.deepEqual(await rowsOf(c, 'SELECT 1 AS one'), [{ one: 1 }]);
      await rejectsWith(c.insert({ table: 'events', values: [{ user_id: 'chjs-analyst' }], format: 'JSONEachRow' }),
        '497', 'ACCESS_DENIED');
    });
  }
}

try {
  const token = option('--auth');
  if (token !== undefined) {
    await authMode(token, option('--analyst'));
  } else {
    await developmentMode();
  }
} catch (error) {  // outside any check
  console.log(`FAILED: ${current || 'setup'}`);
  console.log(error);
  process.exit(1);
} finally {
  await Promise.all(clients.map((c) => c.close()));
}
