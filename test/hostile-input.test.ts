// Generated hostile input against every operation the served OpenAPI document
// lists, and against the Socket.IO client events: wrong types, nulls, huge and
// deeply nested values, NUL and unicode oddities, `__proto__`/`constructor`
// keys, injection strings, out-of-range numbers, invalid ids in paths, bad
// query strings and content types — as the admin, anonymously and with a forged
// token. Every answer must be below 500 and, when it is a 4xx, in the error
// format; the engine must keep answering /api/health; and a refused request
// must leave every stored row as it was (a digest of the tables' content
// before and after; audit and session tables legitimately grow and are left
// out).
//
// Seeded and bounded: HOSTILE_SEED picks the cases (default below), and
// HOSTILE_RUNS is the number of cases per operation and per socket event
// (default 8, about 700 cases in all). A deeper sweep:
//   HOSTILE_RUNS=200 npx jest test/hostile-input.test.ts
// A failure prints the seed and the exact request, so it can be replayed.
import http from "node:http";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import type { Socket } from "socket.io-client";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { single } from "../lib/db/tables";
import { sampleOf, type JsonSchema } from "./support/samples";

const SEED = Number(process.env.HOSTILE_SEED ?? 20261201);
const RUNS = Math.max(1, Number(process.env.HOSTILE_RUNS ?? 8));
if (!Number.isSafeInteger(SEED)) throw new Error(`HOSTILE_SEED must be an integer, not ${process.env.HOSTILE_SEED}`);

// Keep the engine's own clocks out of the way, so that whatever changes a row is the request under test.
const h = harness({
  env: {
    TIMER_POLL_INTERVAL_MS: "60000",
    ASSIGNMENT_SWEEP_INTERVAL_MS: "3600000",
    ACTOR_IDLE_SECONDS: "86400",
    WHATSAPP_SEND_INTERVAL_MS: "0",
    // An account that a generated request disconnects stays put instead of retrying and showing QR codes in the background.
    WHATSAPP_RECONNECT_BASE_MS: "600000",
    SIMULATOR_QR_INTERVAL_MS: "600000",
  },
});

// ---------------------------------------------------------------- the wire

interface Wire {
  method: string;
  /** Already encoded: sent as is. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

interface Answer {
  status: number;
  text: string;
  // Parsed JSON of any shape: the checks read it defensively.
  json: any;
}

/** One raw HTTP request (fetch would normalise paths and refuse some headers). */
function send(wire: Wire, timeoutMs = 15_000): Promise<Answer> {
  const { hostname, port } = new URL(h.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: wire.method, path: wire.path, headers: wire.headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    if (wire.body !== undefined) req.write(wire.body);
    req.end();
  });
}

const randomIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

function errorFormatProblem(answer: Answer): string | undefined {
  const detail = answer.json?.detail;
  if (!detail || typeof detail !== "object") return `not in the error format: ${answer.text.slice(0, 200)}`;
  if (typeof detail.code !== "string" || typeof detail.message !== "string") return `detail without code/message: ${answer.text.slice(0, 200)}`;
  if (!(detail.field === null || typeof detail.field === "string")) return `detail.field neither string nor null: ${answer.text.slice(0, 200)}`;
  return undefined;
}

// ---------------------------------------------------------------- the database

// Tables that grow on a refused request by design: the audit trail (failed logins) and sessions.
const UNWATCHED = new Set(["audit_log", "auth_sessions", "refresh_tokens", "knex_migrations", "knex_migrations_lock"]);
/** Each watched table's rows, as text, in order. */
type Digest = Record<string, string[]>;
let watched: string[] = [];

async function digest(): Promise<Digest> {
  if (watched.length === 0) {
    const rows: Array<{ table_name: string }> = await database()("information_schema.tables")
      .where({ table_schema: database().raw("current_schema()"), table_type: "BASE TABLE" })
      .select("table_name");
    watched = rows
      .map((row) => row.table_name)
      .filter((name) => !UNWATCHED.has(name))
      .sort();
  }
  const sql = watched.map((name) => `SELECT '${name}' AS name, t::text AS row FROM "${name}" t`).join(" UNION ALL ");
  const { rows } = await database().raw<{ rows: Array<{ name: string; row: string }> }>(sql);
  const tables: Digest = Object.fromEntries(watched.map((name) => [name, [] as string[]]));
  for (const { name, row } of rows) tables[name]!.push(row);
  for (const list of Object.values(tables)) list.sort();
  return tables;
}

const changedTables = (before: Digest, after: Digest) =>
  Object.keys({ ...before, ...after }).filter((name) => (before[name] ?? []).join("\n") !== (after[name] ?? []).join("\n"));

/** What changed, row by row: enough to tell which request (or which background job) wrote it. */
function describeChange(before: Digest, after: Digest): string {
  return changedTables(before, after)
    .map((name) => {
      const was = new Set(before[name] ?? []);
      const is = new Set(after[name] ?? []);
      const gone = [...was].filter((row) => !is.has(row)).map((row) => `      - ${row.slice(0, 300)}`);
      const added = [...is].filter((row) => !was.has(row)).map((row) => `      + ${row.slice(0, 300)}`);
      return [`    ${name}:`, ...gone.slice(0, 5), ...added.slice(0, 5)].join("\n");
    })
    .join("\n");
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The digest once the engine has finished what an accepted request set off (sends, jobs, flows). */
async function settled(): Promise<Digest> {
  let last = await digest();
  for (let round = 0; round < 40; round += 1) {
    await sleep(75);
    const next = await digest();
    if (changedTables(last, next).length === 0) return next;
    last = next;
  }
  return last;
}

// ---------------------------------------------------------------- hostile values

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1; SELECT pg_sleep(10)",
  '" OR ""="',
  "admin'--",
  "{{constructor.constructor('return process')().exit()}}",
  "${process.exit()}",
  "#{7*7}",
  "{{7*7}}",
  "<%= 7*7 %>",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "../../../../etc/passwd",
  "..\\..\\windows\\win.ini",
  "/dev/zero",
  "file:///etc/passwd",
  "http://127.0.0.1:9/",
  "http://[::1]/",
  "http://169.254.169.254/latest/meta-data/",
  "$where",
  "$gt",
  "\\",
  "%",
  "%00",
  "%zz",
  "\\u0000",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "1e309",
  "true",
  "[]",
  "{}",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "\r\nSet-Cookie: x=1",
  "a\nb",
  "\t",
  " ",
  "",
];
const ODDITIES = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "a\ud83db",
  "\u202e\u0644\u0627",
  "\u200b",
  "\ufeff",
  "\uffff",
  "\ufffe",
  "e\u0301\u0301\u0301",
  "\u0085",
  "👩‍👩‍👧‍👦",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "İ",
  "ß",
  "ﬃ",
  "\u2028\u2029",
  "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
  "\u001b[31mred",
  "\u0007",
];
const ODD_UNITS = ["\u0000", "\ud800", "\udfff", "\u202e", "\u200b", "\ufeff", "'", '"', "\\", "%", "{", "}", "$", "<", "/", ".", "\n", "é", "😀"];
const ODD_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "$where",
  "$gt",
  "a.b",
  "a[0]",
  "",
  " ",
  "\u0000",
  "k\u0000",
  "ключ",
  "🔑",
  "x".repeat(300),
];

/** Numbers JSON.stringify cannot write: the marker is replaced by the raw text after serialisation. */
const RAW_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "1e-400", "-0", "0.1e1", "1E+2", "9007199254740993"];
const raw = (text: string) => `\u0001RAW:${text}\u0001`;
const unraw = (json: string) => json.replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, "$1");

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 4, arbitrary: fc.constantFrom(...ODDITIES) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...ODD_UNITS), maxLength: 30 }) },
  { weight: 2, arbitrary: fc.constantFrom(300, 5_000, 70_000).map((n) => "x".repeat(n)) },
);
const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 31) - 1, 2 ** 31, 2 ** 63, -1, 0, -0, 5e-324, 0.5, 1e21, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(...RAW_NUMBERS).map(raw),
);
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.constantFrom(null, true, false));
const hostileKey = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ODD_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
/** An object whose keys are data, not syntax: `__proto__` becomes an own key, as JSON.parse makes it. */
const objectOf = (entries: Array<[string, unknown]>): Record<string, unknown> => Object.fromEntries(entries);

const { hostileValue } = fc.letrec<{ hostileValue: unknown }>((tie) => ({
  hostileValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 6, arbitrary: hostileScalar },
    { weight: 1, arbitrary: fc.array(tie("hostileValue"), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.array(fc.tuple(hostileKey, tie("hostileValue")), { maxLength: 4 }).map(objectOf) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { $gt: "" },
        { $ne: null },
        [null],
        [[]],
        {},
        [],
        Array.from({ length: 2_000 }, (_, i) => i),
      ),
    },
  ),
}));

/** JSON text nested `depth` levels, written directly (JSON.stringify would recurse). */
const deepJson = (depth: number, kind: "array" | "object") =>
  kind === "array" ? `${"[".repeat(depth)}1${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

// ---------------------------------------------------------------- the operations

interface Operation {
  method: string;
  path: string;
  query: string[];
  body?: JsonSchema;
}

interface Fixtures {
  admin: Client;
  agent: string;
  account: string;
  contact: string;
  conversation: string;
  message: string;
  queue: string;
  flow: string;
  reply: string;
}
let f: Fixtures;

/** A real id for a path parameter, so that a request can get past the lookup to the code behind it. */
function fixtureFor(path: string, param: string): string {
  if (param === "user_id") return f.agent;
  if (param === "message_id") return f.message;
  if (param === "quick_reply_id") return f.reply;
  if (param === "tag") return "vip";
  const resource = path.split("/")[2];
  const byResource: Record<string, string> = {
    users: f.agent,
    whatsapp: f.account,
    simulator: f.account,
    contacts: f.contact,
    conversations: f.conversation,
    flows: f.flow,
    queues: f.queue,
    "quick-replies": f.reply,
    odoo: path.includes("products") ? "SKU-1" : "00000000-0000-4000-8000-000000000000",
  };
  return byResource[resource ?? ""] ?? "00000000-0000-4000-8000-000000000000";
}

// Values the rules accept, so that one hostile field among plausible ones reaches the code behind the validator.
const PLAUSIBLE: Record<string, unknown> = {
  shortcut: "/hostil",
  from: "+525511223399",
  phone_number: "+525511223399",
  to: "+525511223399",
  wa_message_id: "abcd1234",
  // Accounts with the real provider would try to reach WhatsApp from the test.
  provider: "simulator",
  timezone: "America/Mexico_City",
  email: "hostil@example.com",
  url: "http://127.0.0.1:9/",
  media_url: "http://127.0.0.1:9/x.png",
};
const plausible = (name: string, rule: JsonSchema): unknown =>
  sampleOf(name, rule, { named: PLAUSIBLE, email: "hostil@example.com", uri: "http://127.0.0.1:9/" });

const HOSTILE_SEGMENTS = [
  "not-a-uuid",
  "%00",
  "%zz",
  "%E0%A4%A",
  "%C0%AF",
  "%F0%9F%92%A9",
  "..%2F..%2Fetc%2Fpasswd",
  "%2e%2e",
  "..",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "-1",
  "0",
  "1e309",
  "__proto__",
  "constructor",
  "null",
  "undefined",
  "%5Bobject%20Object%5D",
  "x".repeat(3_000),
  "'%20OR%20'1'%3D'1",
  "%0d%0aSet-Cookie:%20x=1",
  "%7B%7B7*7%7D%7D",
  "a%2Fb",
  "%25",
];
const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
// A lone surrogate cannot be URI-encoded; the raw UTF-8 replacement is what a client would send.
const safeEncode = (text: string) => encode(text.replace(/[\ud800-\udfff]/g, "\ufffd"));

function pathArb(op: Operation): fc.Arbitrary<string> {
  const parts = op.path.split(/(\{\w+\})/);
  return fc
    .tuple(
      ...parts.map((part) => {
        const param = /^\{(\w+)\}$/.exec(part)?.[1];
        if (!param) return fc.constant(part);
        return fc.oneof(
          { weight: 3, arbitrary: fc.constant(null).map(() => fixtureFor(op.path, param)) },
          { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
          { weight: 1, arbitrary: hostileString.map(safeEncode) },
        );
      }),
    )
    .map((segments) => segments.join(""));
}

const queryNameVariants = (name: string) => fc.constantFrom(name, `${name}[]`, `${name}[a]`, `${name}[__proto__]`, `${name}[0][1][2][3][4][5]`);
function queryArb(op: Operation): fc.Arbitrary<string> {
  const names = [...op.query, "__proto__[x]", "constructor[prototype][x]", "$where", "page", "limit"];
  const value = fc.oneof(
    { weight: 4, arbitrary: hostileString.map(safeEncode) },
    { weight: 2, arbitrary: fc.constantFrom("%zz", "%00", "%E0%A4%A", "1e400", "-0", "9".repeat(400), "0x10", "%20", "") },
  );
  const pair = fc
    .tuple(fc.constantFrom(...names).chain(queryNameVariants), value)
    .map(([name, v]) => `${encode(name).replace(/%5B/g, "[").replace(/%5D/g, "]")}=${v}`);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant("") },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 5 }).map((pairs) => `?${pairs.join("&")}`) },
    { weight: 1, arbitrary: fc.constantFrom("?", "?&&&", "?=", "?a", `?${"a=1&".repeat(2_000)}`, `?q=${"x".repeat(20_000)}`) },
  );
}

interface Payload {
  contentType?: string;
  extraHeaders?: Record<string, string>;
  body?: string | Buffer;
}

const json = (value: unknown): Payload => ({ contentType: "application/json", body: unraw(JSON.stringify(value) ?? "null") });

function bodyArb(op: Operation): fc.Arbitrary<Payload> {
  const props = Object.entries(op.body?.properties ?? {});
  const required = new Set(op.body?.required ?? []);
  const someValue = (name: string, rule: JsonSchema) =>
    fc.oneof({ weight: 2, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant(plausible(name, rule)) });
  // Every field plausible or hostile or left out, plus odd extra keys.
  const mutated = fc
    .tuple(
      fc.tuple(
        ...props.map(([name, rule]) =>
          fc.option(
            someValue(name, rule).map((v): [string, unknown] => [name, v]),
            { freq: 3 },
          ),
        ),
      ),
      fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 2 }),
    )
    .map(([fields, extra]) => json(objectOf([...fields.filter((e): e is [string, unknown] => e !== null), ...extra])));
  // The required fields plausible and exactly one field hostile: reaches deepest.
  const oneHostile = props.length
    ? fc
        .tuple(fc.constantFrom(...props.map(([name]) => name)), hostileValue)
        .map(([target, value]) =>
          json(
            objectOf([
              ...props.filter(([name]) => required.has(name) && name !== target).map(([name, rule]): [string, unknown] => [name, plausible(name, rule)]),
              [target, value],
            ]),
          ),
        )
    : hostileValue.map((value) => json(objectOf([["x", value]])));
  const deep = fc
    .tuple(
      fc.constantFrom(33, 200, 5_000, 20_000),
      fc.constantFrom<"array" | "object">("array", "object"),
      fc.constantFrom(...(props.length ? props.map(([n]) => n) : ["x"])),
    )
    .map(([depth, kind, field]): Payload => ({ contentType: "application/json", body: `{${JSON.stringify(field)}:${deepJson(depth, kind)}}` }));
  const whole = fc.oneof(
    hostileValue.map(json),
    fc.constantFrom(...RAW_NUMBERS).map((n): Payload => ({ contentType: "application/json", body: n })),
  );
  const malformed = fc.constantFrom<Payload>(
    { contentType: "application/json", body: "{" },
    { contentType: "application/json", body: '{"a":1,"a":2,"__proto__":{"isAdmin":true}}' },
    { contentType: "application/json", body: '{"constructor":{"prototype":{"polluted":1}}}' },
    { contentType: "application/json", body: "\ufeff{}" },
    { contentType: "application/json", body: "{}garbage" },
    { contentType: "application/json", body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0x22, 0x7d]) },
    { contentType: "application/json", body: "" },
    { contentType: "application/json", body: " ".repeat(10_000) },
    { contentType: "application/json", body: `{"a":"${"x".repeat(1_200_000)}"}` },
    { contentType: "application/json; charset=utf-16", body: "{}" },
    { contentType: "application/json; charset=utf-7", body: "{}" },
    { contentType: "application/json", extraHeaders: { "content-encoding": "gzip" }, body: "{}" },
    { contentType: "application/json", extraHeaders: { "content-encoding": "br, deflate, identity, x" }, body: "{}" },
    { contentType: "text/plain", body: '{"name":"x"}' },
    { contentType: "application/x-www-form-urlencoded", body: "name=x&__proto__[admin]=1&constructor[prototype][x]=1&tags[]=a&tags[][b]=c" },
    { contentType: "multipart/form-data; boundary=x", body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--' },
    { contentType: "multipart/form-data", body: "garbage" },
    { contentType: "application/xml", body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
    { contentType: "application/octet-stream", body: randomBytes(64) },
    { contentType: "", body: '{"name":"x"}' },
    { body: '{"name":"x"}' },
    { contentType: "application/json\u0000", body: "{}" },
    { contentType: "x".repeat(500), body: "{}" },
  );
  const hasBody = op.body !== undefined;
  return fc.oneof(
    { weight: hasBody ? 6 : 0, arbitrary: mutated },
    { weight: hasBody ? 6 : 0, arbitrary: oneHostile },
    { weight: hasBody ? 0 : 6, arbitrary: fc.constant<Payload>({}) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: whole },
    { weight: 2, arbitrary: malformed },
  );
}

const hostileHeaders = fc.constantFrom<Record<string, string>>(
  { "x-request-id": "x".repeat(300) },
  { "x-request-id": "abc\u007f\u00ff" },
  { "x-forwarded-for": "'; DROP TABLE users; --" },
  { "x-forwarded-for": "999.999.999.999, ::ffff:127.0.0.1, unknown" },
  { "x-forwarded-for": Array.from({ length: 500 }, (_, i) => `10.0.${i % 250}.1`).join(",") },
  { "accept-language": "x".repeat(2_000) },
  { accept: "text/html" },
  { "content-length": "0" },
  { "x-big": "x".repeat(20_000) },
  { cookie: "__proto__=1; constructor=2" },
  { origin: "null" },
  { host: "evil.example" },
);

type AuthMode = "admin" | "anonymous" | "forged";
const FORGED = [
  "Bearer x.y.z",
  "Bearer ",
  `Bearer ${"a".repeat(5_000)}`,
  "Basic YWRtaW46YWRtaW4=",
  "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
  "bearer null",
  "Bearer \u00ff\u00fe",
  "Bearer a b c",
];

interface Case {
  method: string;
  path: string;
  auth: AuthMode;
  forged: string;
  payload: Payload;
  headers: Record<string, string> | null;
}

function caseArb(op: Operation): fc.Arbitrary<Case> {
  return fc.record({
    method: fc.oneof({ weight: 19, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constant("PATCH") }),
    path: fc.tuple(pathArb(op), queryArb(op)).map(([path, query]) => path + query),
    auth: fc.oneof(
      { weight: 8, arbitrary: fc.constant<AuthMode>("admin") },
      { weight: 1, arbitrary: fc.constant<AuthMode>("anonymous") },
      { weight: 1, arbitrary: fc.constant<AuthMode>("forged") },
    ),
    forged: fc.constantFrom(...FORGED),
    payload: bodyArb(op),
    headers: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostileHeaders }),
  });
}

function wireOf(c: Case): Wire {
  const headers: Record<string, string> = { "x-forwarded-for": randomIp() };
  if (c.auth === "admin") headers.authorization = `Bearer ${f.admin.token}`;
  if (c.auth === "forged") headers.authorization = c.forged;
  if (c.payload.contentType !== undefined) headers["content-type"] = c.payload.contentType;
  Object.assign(headers, c.payload.extraHeaders, c.headers);
  // Node refuses to send header values it considers invalid; the server would never see them.
  for (const [name, value] of Object.entries(headers)) if (/[^\t\x20-\x7e\x80-\xff]/.test(value)) delete headers[name];
  if (c.payload.body !== undefined) headers["content-length"] = String(Buffer.byteLength(c.payload.body));
  return { method: c.method, path: c.path, headers, body: c.payload.body };
}

const describeCase = (c: Case) => {
  const body = c.payload.body === undefined ? "" : Buffer.isBuffer(c.payload.body) ? `<${c.payload.body.length} bytes>` : c.payload.body;
  const short = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);
  const headers = { ...c.payload.extraHeaders, ...c.headers };
  return `${c.method} ${short(c.path)} as ${c.auth}${c.payload.contentType !== undefined ? ` [${short(c.payload.contentType)}]` : ""}${Object.keys(headers).length ? ` headers ${short(JSON.stringify(headers))}` : ""} ${short(body)}`;
};

async function healthy(): Promise<string | undefined> {
  const started = Date.now();
  try {
    const res = await send({ method: "GET", path: "/api/health", headers: {} }, 5_000);
    if (res.status !== 200) return `GET /api/health → ${res.status} ${res.text.slice(0, 200)}`;
    return undefined;
  } catch (err) {
    return `GET /api/health failed after ${Date.now() - started} ms: ${(err as Error).message}`;
  }
}

/** The admin's session may be ended by a generated request (logout is an operation too): log in again. */
async function keepAdmin(): Promise<void> {
  if ((await f.admin.get("/api/auth/me")).status !== 200) f.admin = await h.admin();
}

// ---------------------------------------------------------------- fixtures

async function fixtures(): Promise<Fixtures> {
  const admin = await h.admin();
  const created = async (url: string, body: unknown) => {
    const res = await admin.post<{ id: string }>(url, body);
    if (res.status !== 201 && res.status !== 200) throw new Error(`fixture ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const agent = await created("/api/users", { email: "agente@test.local", password: "password-123", name: "Agente", role: "agent" });
  const account = await created("/api/whatsapp/accounts", { name: "Hostil", provider: "simulator" });
  await eventually(async () => (await admin.get(`/api/whatsapp/accounts/${account}/status`)).body.status === "qr");
  await admin.post(`/api/simulator/accounts/${account}/scan`, { phone_number: "+525500000001" });
  await eventually(async () => (await admin.get(`/api/whatsapp/accounts/${account}/status`)).body.status === "connected");
  const contact = await created("/api/contacts", { phone_number: "+525511220001", name: "Cliente", tags: ["vip"], metadata: { k: "v" } });
  const queue = await created("/api/queues", { name: "Ventas" });
  await admin.post(`/api/queues/${queue}/agents`, { user_id: agent });
  const { id: conversation } = single(
    await database()("conversations").insert({ contact_id: contact, whatsapp_account_id: account, queue_id: queue, status: "waiting" }).returning("id"),
    "test row",
  );
  const message = await created(`/api/conversations/${conversation}/notes`, { content: "Nota" });
  const flow = await created("/api/flows", { name: "Hostil", trigger_type: "manual", nodes: { nodes: [{ id: "start", type: "start" }], edges: [] } });
  const reply = await created("/api/quick-replies", { shortcut: "/hola", content: "Hola {{contact.name}}" });
  return { admin, agent, account, contact, conversation, message, queue, flow, reply };
}

// ---------------------------------------------------------------- the suites

let operations: Operation[] = [];
const counts = { rest: 0, socket: 0, accepted: 0 };

beforeAll(async () => {
  const doc = (await send({ method: "GET", path: "/api/openapi.json", headers: {} })).json as {
    paths: Record<
      string,
      Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
    >;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
      body: op.requestBody?.content["application/json"]?.schema,
    })),
  );
  f = await fixtures();
}, 60_000);

afterAll(() => {
  console.log(
    `hostile input: seed ${SEED}, ${RUNS} per operation/event: ${counts.rest} REST cases over ${operations.length} operations (${counts.accepted} accepted), ${counts.socket} socket cases`,
  );
});

it(
  "answers every generated request below 500, in the error format, healthy, and a refusal changes nothing",
  async () => {
    expect(operations.length).toBeGreaterThan(60);
    const problems: string[] = [];
    let before = await settled();
    for (const [index, op] of operations.entries()) {
      const cases = fc.sample(caseArb(op), { seed: SEED + index, numRuns: RUNS });
      for (const c of cases) {
        counts.rest += 1;
        const label = `${op.method} ${op.path} — ${describeCase(c)}`;
        let answer: Answer;
        try {
          answer = await send(wireOf(c));
        } catch (err) {
          problems.push(`${label}\n    → no answer: ${(err as Error).message}`);
          before = await settled();
          continue;
        }
        if (answer.status >= 500) problems.push(`${label}\n    → ${answer.status} ${answer.text.slice(0, 300)}`);
        else if (answer.status >= 400) {
          const format = errorFormatProblem(answer);
          if (format) problems.push(`${label}\n    → ${answer.status} ${format}`);
        }
        if (answer.status >= 400) {
          const after = await digest();
          const changed = changedTables(before, after);
          if (changed.length) {
            problems.push(
              `${label}\n    → refused with ${answer.status} ${answer.text.slice(0, 200)} but changed ${changed.join(", ")}\n${describeChange(before, after)}`,
            );
            before = await settled();
          }
        } else {
          // Accepted: whatever it changed is the new baseline, once what it set off has finished.
          counts.accepted += 1;
          await keepAdmin();
          before = await settled();
        }
      }
      const sick = await healthy();
      if (sick) {
        problems.push(`after ${op.method} ${op.path}: ${sick}`);
        break;
      }
    }
    if (problems.length) console.log(`hostile input (seed ${SEED}, runs ${RUNS}) found:\n${problems.join("\n")}`);
    expect(problems).toEqual([]);
  },
  120_000 + RUNS * 15_000,
);

// ---------------------------------------------------------------- Socket.IO

const CLIENT_EVENTS = ["join_conversation", "leave_conversation", "typing", "call"];
const UNKNOWN_EVENTS = ["hasOwnProperty", "__proto__", "constructor", "toString", "x".repeat(1_000), "join_conversation\u0000", "ping", "error"];

interface SocketCase {
  event: string;
  args: unknown[];
  ack: boolean;
}

function socketCaseArb(event: string): fc.Arbitrary<SocketCase> {
  const conversationId = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => f.conversation) },
    { weight: 3, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constantFrom("00000000-0000-4000-8000-000000000000", "not-a-uuid", `${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}\u0000`) },
  );
  const payload = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(conversationId, fc.array(fc.tuple(hostileKey, hostileValue), { maxLength: 2 }))
        .map(([id, extra]) => objectOf([["conversation_id", id], ...extra])),
    },
    { weight: 3, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constantFrom(33, 200, 2_000).map((depth) => JSON.parse(deepJson(depth, "object"))) },
    { weight: 1, arbitrary: fc.constant(null).map(() => JSON.parse('{"__proto__":{"conversation_id":"x"},"conversation_id":{"toString":1}}')) },
    { weight: 1, arbitrary: fc.constant(null).map(() => Buffer.from([0, 1, 2, 255])) },
  );
  return fc.record({
    event: fc.constant(event),
    args: fc.oneof({ weight: 5, arbitrary: payload.map((p) => [p]) }, { weight: 1, arbitrary: fc.array(payload, { maxLength: 3 }) }),
    ack: fc.boolean(),
  });
}

function ackProblem(answer: unknown): string | undefined {
  if (typeof answer !== "object" || answer === null) return `answered ${JSON.stringify(answer)}`;
  const a = answer as { ok?: unknown; detail?: unknown };
  if (a.ok === true) return undefined;
  const format = errorFormatProblem({ status: 400, text: JSON.stringify(answer), json: answer });
  if (format) return format;
  if (a.ok !== false) return `an error answer without ok:false: ${JSON.stringify(answer).slice(0, 200)}`;
  return undefined;
}

it(
  "answers hostile Socket.IO events with an error acknowledgement or not at all, and stays up",
  async () => {
    await keepAdmin();
    const problems: string[] = [];
    const open = () => h.socket({ token: f.admin.token });
    let socket: Socket = await open();
    // Connecting marks the admin online: that is the baseline.
    let before = await settled();
    const events = [...CLIENT_EVENTS, ...UNKNOWN_EVENTS];
    for (const [index, event] of events.entries()) {
      const cases = fc.sample(socketCaseArb(event), { seed: SEED + 10_000 + index, numRuns: RUNS });
      for (const c of cases) {
        counts.socket += 1;
        const label = `socket ${JSON.stringify(event.slice(0, 40))} ${JSON.stringify(c.args, (_, v) => (typeof v === "string" && v.length > 100 ? `${v.slice(0, 100)}…(${v.length})` : v)).slice(0, 300)} ack=${c.ack}`;
        const known = CLIENT_EVENTS.includes(event);
        if (c.ack) {
          // An unknown event is never acknowledged: waiting long for it proves nothing.
          const answer = await socket
            .timeout(known ? 3_000 : 250)
            .emitWithAck(event, ...c.args)
            .then(
              (value: unknown) => ({ value }),
              () => undefined,
            );
          if (answer === undefined && known) problems.push(`${label}\n    → no acknowledgement`);
          if (answer !== undefined) {
            const problem = ackProblem(answer.value);
            if (problem) problems.push(`${label}\n    → ${problem}`);
          }
        } else {
          socket.emit(event, ...c.args);
        }
        // Still connected, and still served: a plain leave is acknowledged.
        const alive = await socket
          .timeout(3_000)
          .emitWithAck("leave_conversation", { conversation_id: f.conversation })
          .then(
            (value: { ok?: boolean }) => value?.ok === true,
            () => false,
          );
        if (!alive || !socket.connected) {
          problems.push(`${label}\n    → the socket was dropped or stopped answering`);
          socket.disconnect();
          socket = await open();
          before = await settled();
          continue;
        }
        const after = await digest();
        const changed = changedTables(before, after);
        if (changed.length) {
          problems.push(`${label}\n    → changed ${changed.join(", ")}\n${describeChange(before, after)}`);
          before = await settled();
        }
      }
    }
    // Over Socket.IO's message limit (1 MB): that client is cut off by Socket.IO itself; the server stays up and others connect.
    counts.socket += 1;
    socket.emit("join_conversation", { conversation_id: "x".repeat(1_200_000) });
    await eventually(() => !socket.connected).catch(() => undefined);
    socket.disconnect();
    const next = await open().catch((err: Error) => err);
    if (next instanceof Error) problems.push(`after an oversized message no socket could connect: ${next.message}`);
    else next.disconnect();

    // A hostile handshake is refused in the error format; the server stays up.
    for (const auth of [
      { token: { $gt: "" } },
      { token: "x".repeat(100_000) },
      { token: "Bearer \u0000" },
      JSON.parse('{"__proto__":{"token":"x"}}'),
      { token: ["a"] },
    ]) {
      counts.socket += 1;
      const refusal = await h.socket(auth).then(
        (s) => {
          s.disconnect();
          return "connected";
        },
        (err: Error & { data?: unknown }) => err.data,
      );
      const format = refusal === "connected" ? "a hostile token was let in" : errorFormatProblem({ status: 401, text: JSON.stringify(refusal), json: refusal });
      if (format) problems.push(`handshake ${JSON.stringify(auth).slice(0, 80)} → ${format}`);
    }
    const sick = await healthy();
    if (sick) problems.push(sick);
    if (problems.length) console.log(`hostile socket input (seed ${SEED}, runs ${RUNS}) found:\n${problems.join("\n")}`);
    expect(problems).toEqual([]);
  },
  60_000 + RUNS * 10_000,
);
