// The deployment files under deploy/: the compose file's shape and the variables it sets, the image's
// start command run as a plain process (as the container would run it), and nginx with deploy/nginx.conf
// in front of two gateway nodes, with a socket connected through it. Needs dist/ (npm test builds it).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import jwt from "jsonwebtoken";
import pg from "pg";
import { io as connectSocket, type Socket } from "socket.io-client";
import YAML from "yaml";
import { testDatabase } from "./support/database";
import { freePort, Reaper, tail, waitUntil } from "./support/faults/processes";
import { clearRedisPrefix, REDIS_URL } from "./support/redis";

const REPO = path.join(__dirname, "..");
const DEPLOY = path.join(REPO, "deploy");
const NGINX = process.env.NGINX_BIN ?? "/usr/sbin/nginx";
const ADMIN = { email: "admin@deploy.test", password: "admin-password-1" };
// Production refuses shorter keys.
const SECRETS = { JWT_SECRET: randomBytes(24).toString("hex"), SECRETS_KEY: randomBytes(24).toString("hex") };

// ---------------------------------------------------------------------------------------------- reading the files

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's stages, each a list of instructions (continuation lines joined, comments dropped). */
function dockerfileStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  const lines = text.replace(/\\\n/g, " ").split("\n");
  for (const line of lines.map((entry) => entry.trim())) {
    if (!line || line.startsWith("#")) continue;
    const match = /^(\w+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Unreadable Dockerfile line: ${line}`);
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    if (instruction.keyword === "FROM") stages.push([]);
    stages[stages.length - 1]?.push(instruction);
  }
  return stages;
}

const argsOf = (stage: Instruction[], keyword: string): string[] => stage.filter((entry) => entry.keyword === keyword).map((entry) => entry.args);

/** An exec-form command (a JSON array); the shell form would put a shell between Docker's SIGTERM and Node. */
function execForm(args: string | undefined): string[] | undefined {
  if (args === undefined) return undefined;
  if (!args.startsWith("[")) throw new Error(`Not an exec-form command: ${args}`);
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) throw new Error(`Not a list of strings: ${args}`);
  return parsed;
}

/** ENV KEY=VALUE … (the values may be double-quoted). */
function envOf(stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of argsOf(stage, "ENV")) {
    for (const [, key, value] of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      env[key!] = value!.startsWith('"') ? (JSON.parse(value!) as string) : value!;
    }
  }
  return env;
}

const dockerfile = dockerfileStages(fs.readFileSync(path.join(DEPLOY, "Dockerfile"), "utf8"));
const runtime = dockerfile[dockerfile.length - 1]!;
const imageEnv = envOf(runtime);
const workdir = argsOf(runtime, "WORKDIR").pop() ?? "/";
const healthcheck = execForm(/\bCMD\s+(\[.*\])$/.exec(argsOf(runtime, "HEALTHCHECK").pop() ?? "")?.[1]);
const startCommand = [...(execForm(argsOf(runtime, "ENTRYPOINT").pop()) ?? []), ...(execForm(argsOf(runtime, "CMD").pop()) ?? [])];

/** The command as it runs here: this Node, and the image's paths under its WORKDIR read from the repository root. */
function local(command: string[]): { file: string; args: string[] } {
  const [program, ...args] = command;
  if (program !== "node") throw new Error(`The image should run node directly, not ${program}`);
  const inRepo = (arg: string) => (arg.startsWith(`${workdir}/`) ? path.join(REPO, arg.slice(workdir.length + 1)) : arg);
  return { file: process.execPath, args: args.map(inRepo) };
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number | boolean>;
  env_file?: string | string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  stop_grace_period?: string;
  volumes?: string[];
  ports?: string[];
  command?: string[];
}

const composeText = fs.readFileSync(path.join(DEPLOY, "docker-compose.yml"), "utf8");
// Compose resolves `<<:` merge keys, as YAML 1.1 did.
const compose = YAML.parse(composeText, { merge: true }) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
const services = compose.services;
const engineNodes = Object.entries(services).filter(([, service]) => service.build !== undefined);
const servicesOf = (service: ComposeService) => String(service.environment?.SERVICES ?? "").split(",");
const gateways = engineNodes.filter(([, service]) => servicesOf(service).includes("api"));
const workers = engineNodes.filter(([, service]) => !servicesOf(service).includes("api"));

/** Every NAME of .env.example (`NAME=` lines, commented out or not), with the section it is under. */
function envExample(): Map<string, string> {
  const names = new Map<string, string>();
  let section = "";
  for (const line of fs.readFileSync(path.join(REPO, ".env.example"), "utf8").split("\n")) {
    const header = /^# --- (.+?) -+$/.exec(line);
    if (header) section = header[1]!;
    const variable = /^#?\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (variable) names.set(variable[1]!, section);
  }
  return names;
}

/** A value as Compose would write it, with these variables set (`${NAME:-default}`, `${NAME:?error}`, `${NAME}`). */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind?: string, word?: string) => {
    const set = vars[name];
    if (set) return set;
    if (kind === "?") throw new Error(`${name} is required: ${word}`);
    return kind === "-" ? (word ?? "") : "";
  });
}

const seconds = (duration: string) => {
  const match = /^(\d+)(s|m)$/.exec(duration);
  if (!match) throw new Error(`Unexpected duration ${duration}`);
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
};

// ---------------------------------------------------------------------------------------------- the compose file

describe("deploy/docker-compose.yml", () => {
  it("has PostgreSQL, Redis, two gateways, two workers and the proxy, all but the proxy with a health check", () => {
    expect(Object.keys(services).sort()).toEqual(["gateway-1", "gateway-2", "postgres", "proxy", "redis", "worker-1", "worker-2"]);
    expect(gateways.map(([name]) => name)).toEqual(["gateway-1", "gateway-2"]);
    expect(workers.map(([name]) => name)).toEqual(["worker-1", "worker-2"]);
    expect(services.postgres!.image).toMatch(/^postgres:17\b/);
    expect(services.postgres!.volumes?.some((volume) => volume.endsWith(":/var/lib/postgresql/data"))).toBe(true);
    expect(services.postgres!.healthcheck?.test).toContain("pg_isready");
    expect(services.redis!.healthcheck?.test.join(" ")).toContain("redis-cli ping");
    for (const [name, node] of engineNodes) {
      expect([name, node.healthcheck?.test[0]]).toEqual([name, "CMD"]);
      expect([name, node.restart]).toEqual([name, "unless-stopped"]);
    }
    // The gateways check what the image checks.
    for (const [, gateway] of gateways) expect(gateway.healthcheck?.test.slice(1)).toEqual(healthcheck);
    // Workers have no HTTP API: their metrics port answers instead.
    for (const [, worker] of workers) expect(worker.healthcheck?.test.join(" ")).toContain("process.env.METRICS_PORT + '/metrics'");
  });

  it("joins every node into one cluster, with its secrets from deploy/.env and the shared data volume", () => {
    for (const [name, node] of engineNodes) {
      const env = node.environment ?? {};
      expect([name, node.build]).toEqual([name, { context: "..", dockerfile: "deploy/Dockerfile" }]);
      expect([name, node.env_file]).toEqual([name, ".env"]);
      expect([name, env.NODE_ENV, env.TRANSPORTER, env.REDIS_URL, env.TRUST_PROXY, env.LOG_FORMAT, String(env.METRICS_PORT)]).toEqual([
        name,
        "production",
        "redis://redis:6379",
        "redis://redis:6379",
        "true",
        "json",
        "9100",
      ]);
      const database = new URL(interpolate(String(env.DATABASE_URL), { POSTGRES_PASSWORD: "secret" }));
      // The nodes log in as the role the PostgreSQL image creates.
      const postgres = (key: string) => interpolate(String(services.postgres!.environment?.[key]), { POSTGRES_PASSWORD: "secret" });
      expect(database.host).toBe("postgres:5432");
      expect([database.username, database.password, database.pathname]).toEqual([
        postgres("POSTGRES_USER"),
        postgres("POSTGRES_PASSWORD"),
        `/${postgres("POSTGRES_DB")}`,
      ]);
      expect(() => interpolate(String(env.DATABASE_URL), {})).toThrow("POSTGRES_PASSWORD is required");
      expect(String(env.JWT_SECRET)).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(String(env.SECRETS_KEY)).toMatch(/^\$\{SECRETS_KEY:\?/);
      expect(node.volumes?.some((volume) => volume.endsWith(`:${env.DATA_DIR}`))).toBe(true);
      expect(node.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
      // The broker drains for up to 10 s before the node leaves; Docker must not kill it first.
      expect(seconds(node.stop_grace_period ?? "10s")).toBeGreaterThan(10);
    }
  });

  it("runs every service of the engine somewhere, and names no service that does not exist", () => {
    const existing = fs
      .readdirSync(path.join(REPO, "services"))
      .filter((file) => file.endsWith(".service.ts"))
      .map((file) => file.replace(".service.ts", ""));
    const listed = new Set(engineNodes.flatMap(([, node]) => servicesOf(node)));
    expect([...listed].filter((name) => !existing.includes(name))).toEqual([]);
    expect(existing.filter((name) => !listed.has(name))).toEqual([]);
    // Migrations, the first admin and /api/ready's database check.
    for (const [, worker] of workers) expect(servicesOf(worker)).toContain("db");
  });

  it("puts nginx in front of the gateways once they are healthy", () => {
    const proxy = services.proxy!;
    expect(proxy.volumes).toContain("./nginx.conf:/etc/nginx/nginx.conf:ro");
    expect(proxy.ports?.some((port) => /:80$/.test(port))).toBe(true);
    expect(proxy.depends_on).toEqual(Object.fromEntries(gateways.map(([name]) => [name, { condition: "service_healthy" }])));
    const conf = fs.readFileSync(path.join(DEPLOY, "nginx.conf"), "utf8");
    for (const [name, node] of gateways) expect(conf).toContain(`server ${name}:${node.environment?.PORT};`);
  });

  it("sets only variables .env.example documents; those only Compose and PostgreSQL read, in its Docker Compose section", () => {
    const documented = envExample();
    const nodeKeys = new Set(engineNodes.flatMap(([, node]) => Object.keys(node.environment ?? {})));
    const otherKeys = Object.entries(services)
      .filter(([, service]) => service.build === undefined)
      .flatMap(([, service]) => Object.keys(service.environment ?? {}));
    const interpolated = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!);
    const all = new Set([...nodeKeys, ...otherKeys, ...interpolated]);
    expect([...all].filter((name) => !documented.has(name))).toEqual([]);

    const composeOnly = [...new Set([...otherKeys, ...interpolated])].filter((name) => !nodeKeys.has(name)).sort();
    expect(composeOnly).toEqual(["CHARLA_HTTP_PORT", "CHARLA_IMAGE", "POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
    for (const name of composeOnly) expect([name, documented.get(name)]).toEqual([name, expect.stringContaining("Docker Compose")]);
    // And the engine reads none of them (they would belong in its own sections then).
    const configSource = fs.readFileSync(path.join(REPO, "lib", "config.ts"), "utf8");
    expect(composeOnly.filter((name) => configSource.includes(`"${name}"`))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------- the image

describe("deploy/Dockerfile", () => {
  it("builds in one stage and runs compiled code with production dependencies as an unprivileged user", () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const build = dockerfile[0]!;
    expect(argsOf(build, "RUN").join("\n")).toMatch(/npm ci[\s\S]*npm run build/);
    expect(argsOf(runtime, "FROM")).toEqual(["node:20-bookworm-slim"]);
    expect(argsOf(runtime, "RUN").join("\n")).toContain("npm ci --omit=dev");
    expect(argsOf(runtime, "COPY")).toContain("--from=build /app/dist ./dist");
    expect(argsOf(runtime, "USER")).toEqual(["node"]);
    expect(imageEnv.NODE_ENV).toBe("production");
    expect(argsOf(runtime, "EXPOSE").join(" ").split(/\s+/)).toEqual(expect.arrayContaining([imageEnv.PORT, "9100"]));
    expect(healthcheck?.join(" ")).toContain("/api/health");
    // What the command names is in the image: the dependencies npm installed, or what was copied in.
    const copied = argsOf(runtime, "COPY").map((args) => path.posix.normalize(args.split(/\s+/).pop()!));
    for (const arg of startCommand.filter((item) => item.includes("/"))) {
      const first = path.posix.relative(workdir, path.posix.resolve(workdir, arg)).split("/")[0]!;
      expect([arg, first === "node_modules" || copied.includes(first)]).toEqual([arg, true]);
    }
    const ignored = fs.readFileSync(path.join(REPO, ".dockerignore"), "utf8").split("\n");
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "dist", ".data", ".git", ".env"]));
  });
});

// ---------------------------------------------------------------------------------------------- processes

interface Engine {
  child: ChildProcess;
  url: string;
  log: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * What one run owns: a temporary folder, a database, a Redis prefix and a namespace, the engine processes,
 * and a reaper that kills those if this test process dies first.
 */
function runScope(purpose: string) {
  const scope = {
    folder: "",
    database: testDatabase(),
    redisPrefix: `charla-test:deploy-${purpose}-${randomBytes(4).toString("hex")}:`,
    reaper: undefined as Reaper | undefined,
    engines: [] as Engine[],
    /** The image's start command with the image's environment, then this run's (as `docker run -e` would add it). */
    async start(name: string, env: Record<string, string>): Promise<Engine> {
      const port = await freePort();
      const log = path.join(scope.folder, `${name}.log`);
      const fd = fs.openSync(log, "a");
      const { file, args } = local(startCommand);
      const child = spawn(file, args, {
        cwd: REPO,
        // Only what the container would have: no jest or developer environment leaks in.
        env: {
          PATH: process.env.PATH,
          ...imageEnv,
          DATA_DIR: path.join(scope.folder, "data"),
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: scope.database.url,
          REDIS_URL,
          REDIS_KEY_PREFIX: scope.redisPrefix,
          NAMESPACE: scope.database.name,
          NODE_ID: `${scope.database.name}-${name}`,
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          LOG_FORMAT: "json",
          ...SECRETS,
          ...env,
        },
        stdio: ["ignore", fd, fd],
      });
      fs.closeSync(fd);
      scope.reaper?.watch(child.pid);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => {
          scope.reaper?.forget(child.pid);
          resolve({ code, signal });
        }),
      );
      const engine = { child, url: `http://127.0.0.1:${port}`, log, exited };
      scope.engines.push(engine);
      return engine;
    },
    async setUp(): Promise<void> {
      scope.folder = fs.mkdtempSync(path.join(os.tmpdir(), `charla-deploy-${purpose}-`));
      // nginx's workers (an unprivileged user when started by root) write their temporary files in here.
      fs.chmodSync(scope.folder, 0o755);
      scope.reaper = new Reaper(scope.folder);
      await scope.database.create();
    },
    async tearDown(): Promise<void> {
      await Promise.all(scope.engines.map((engine) => stop(engine.child, engine.exited, "SIGTERM", 20_000)));
      await scope.database.drop().catch(() => undefined);
      await clearRedisPrefix(scope.redisPrefix);
      scope.reaper?.close();
      if (scope.folder) fs.rmSync(scope.folder, { recursive: true, force: true });
    },
  };
  return scope;
}

/** Sends the signal and waits for the exit, SIGKILL after `graceMs`; resolves with how it ended and how long it took. */
async function stop(child: ChildProcess, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, signal: NodeJS.Signals, graceMs: number) {
  const started = Date.now();
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const late = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(late);
  }
  return { ...(await exited), ms: Date.now() - started };
}

async function status(url: string, init?: RequestInit): Promise<number> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status;
}

async function untilReady(engine: Engine, timeoutMs = 60_000): Promise<void> {
  const took = await waitUntil(async () => engine.child.exitCode !== null || (await status(`${engine.url}/api/ready`)) === 200, timeoutMs, 100);
  if (engine.child.exitCode !== null) throw new Error(`The node exited while starting:\n${tail(engine.log, 30)}`);
  if (took === undefined) throw new Error(`The node was not ready within ${timeoutMs / 1000} s:\n${tail(engine.log, 30)}`);
}

/** A health check command of the image or the compose file, run here as Docker runs it in the container. */
function runCheck(command: string[], env: Record<string, string>): number | null {
  const { file, args } = local(command);
  return spawnSync(file, args, { cwd: REPO, env: { PATH: process.env.PATH, ...env }, timeout: 10_000 }).status;
}

async function login(base: string): Promise<{ access_token: string }> {
  const res = await fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string };
}

describe("the image's start command", () => {
  const run = runScope("image");
  let engine: Engine;
  let metricsPort: number;

  beforeAll(async () => {
    await run.setUp();
    metricsPort = await freePort();
    engine = await run.start("image", { METRICS_PORT: String(metricsPort) });
    await untilReady(engine);
  }, 90_000);

  afterAll(() => run.tearDown(), 60_000);

  it("serves /api/health and /api/ready in production with the secrets from the environment", async () => {
    expect(await status(`${engine.url}/api/health`)).toBe(200);
    expect(await status(`${engine.url}/api/ready`)).toBe(200);
    await login(engine.url);
    const port = new URL(engine.url).port;
    expect(runCheck(healthcheck!, { PORT: port })).toBe(0);
    expect(runCheck(services["gateway-1"]!.healthcheck!.test.slice(1), { PORT: port })).toBe(0);
    expect(runCheck(services["worker-1"]!.healthcheck!.test.slice(1), { METRICS_PORT: String(metricsPort) })).toBe(0);
    // And the checks fail when nothing answers.
    expect(runCheck(healthcheck!, { PORT: String(await freePort()) })).toBe(1);
  });

  it("drains and exits with code 0 on SIGTERM", async () => {
    const ended = await stop(engine.child, engine.exited, "SIGTERM", 25_000);
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
    expect(ended.ms).toBeLessThan(20_000);
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------- nginx

/** deploy/nginx.conf aimed at this run: the upstream servers and the listening port, temporary files in the run's folder. */
function nginxConfFor(upstreams: string[], port: number, folder: string): string {
  let conf = fs.readFileSync(path.join(DEPLOY, "nginx.conf"), "utf8");
  const servers = [...conf.matchAll(/^(\s*)server gateway-\d+:\d+;$/gm)];
  if (servers.length !== upstreams.length) throw new Error(`nginx.conf names ${servers.length} gateways, the test runs ${upstreams.length}`);
  servers.forEach((match, index) => (conf = conf.replace(match[0], `${match[1]}server ${upstreams[index]};`)));
  if (!/^\s*listen 80;$/m.test(conf)) throw new Error("nginx.conf should listen on port 80");
  conf = conf.replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${port};`);
  fs.mkdirSync(path.join(folder, "nginx"), { recursive: true });
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${path.join(folder, "nginx", kind)};`);
  return conf.replace(/^http \{$/m, `http {\n${temp.join("\n")}`);
}

/** A request from another loopback address (the proxy sees it as the client), with headers of our choosing. */
function requestFrom(localAddress: string, url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function nextEvent<T>(socket: Socket, event: string, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

function connect(url: string, token: string, transport: "websocket" | "polling"): Promise<Socket> {
  const socket = connectSocket(url, { auth: { token }, transports: [transport], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.disconnect();
      reject(err);
    });
  });
}

const nginxInstalled = fs.existsSync(NGINX);
if (!nginxInstalled && !process.env.CI) {
  console.warn(`deploy.test.ts: ${NGINX} not found, the proxy tests are skipped (apt-get install nginx-light, or set NGINX_BIN)`);
}

(nginxInstalled || process.env.CI ? describe : describe.skip)("nginx with deploy/nginx.conf in front of two gateway nodes", () => {
  const run = runScope("proxy");
  let nginx: { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; log: string } | undefined;
  let proxy = "";
  const sockets: Socket[] = [];

  beforeAll(async () => {
    if (!nginxInstalled) throw new Error(`nginx is missing (${NGINX}); CI installs it with apt-get install nginx-light (.ci/run)`);
    await run.setUp();
    // One node with every service (it holds the WhatsApp numbers), one with the compose file's gateway services.
    // Behind the proxy as the compose file sets them up, joined over this test's Redis.
    const gateway = services["gateway-1"]!.environment!;
    const cluster = { TRANSPORTER: REDIS_URL, TRUST_PROXY: String(gateway.TRUST_PROXY), WHATSAPP_PROVIDER: "simulator", SIMULATOR_ENABLED: "true" };
    const gatewayServices = String(gateway.SERVICES);
    const engines = [await run.start("full", cluster), await run.start("gateway", { ...cluster, SERVICES: gatewayServices })];
    await Promise.all(engines.map((engine) => untilReady(engine)));

    const port = await freePort();
    const conf = path.join(run.folder, "nginx.conf");
    fs.writeFileSync(
      conf,
      nginxConfFor(
        engines.map((engine) => new URL(engine.url).host),
        port,
        run.folder,
      ),
    );
    const log = path.join(run.folder, "nginx.log");
    const fd = fs.openSync(log, "a");
    const args = ["-p", run.folder, "-c", conf, "-e", log, "-g", `daemon off; pid ${path.join(run.folder, "nginx.pid")};`];
    const child = spawn(NGINX, args, { stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    run.reaper?.watch(child.pid);
    nginx = { child, log, exited: new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal }))) };
    proxy = `http://127.0.0.1:${port}`;
    const took = await waitUntil(async () => child.exitCode !== null || (await status(`${proxy}/api/health`)) === 200, 10_000, 50);
    if (child.exitCode !== null || took === undefined) throw new Error(`nginx did not serve on ${proxy}:\n${tail(log, 20)}`);
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    // SIGQUIT: nginx's graceful stop.
    if (nginx) await stop(nginx.child, nginx.exited, "SIGQUIT", 5_000);
    run.reaper?.forget(nginx?.child.pid);
    await run.tearDown();
  }, 60_000);

  it("passes REST through, with the client's address in X-Forwarded-For and a client's own value replaced", async () => {
    expect(await status(`${proxy}/api/health`)).toBe(200);
    // The proxy sees this client as 127.0.0.5; the header it sends claims another address.
    const res = await requestFrom(
      "127.0.0.5",
      `${proxy}/api/auth/login`,
      "POST",
      { "content-type": "application/json", "x-forwarded-for": "198.51.100.7" },
      JSON.stringify(ADMIN),
    );
    expect(res.status).toBe(200);
    const { sid } = jwt.decode((JSON.parse(res.body) as { access_token: string }).access_token) as { sid: string };
    const client = new pg.Client({ connectionString: run.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ ip: string }>("SELECT ip FROM auth_sessions WHERE id = $1", [sid]);
      expect(rows).toEqual([{ ip: "127.0.0.5" }]);
    } finally {
      await client.end();
    }
  });

  it("carries Socket.IO over WebSocket and over long-polling, and events caused by REST calls through it reach both", async () => {
    const { access_token: token } = await login(proxy);
    const websocket = await connect(proxy, token, "websocket");
    sockets.push(websocket);
    expect(websocket.io.engine.transport.name).toBe("websocket");
    // Each polling request is a request of its own: it only works if they all reach the node that holds the session.
    const polling = await connect(proxy, token, "polling");
    sockets.push(polling);
    expect(polling.io.engine.transport.name).toBe("polling");

    // A new number shows a QR code to admins: the node holding the number tells one gateway, which tells every socket.
    const heard = Promise.all([websocket, polling].map((socket) => nextEvent<{ account_id: string; qr_code: string }>(socket, "qr_code")));
    const created = await fetch(`${proxy}/api/whatsapp/accounts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: "Ventas", provider: "simulator" }),
    });
    expect(created.status).toBe(201);
    const account = (await created.json()) as { id: string };
    for (const event of await heard) expect(event).toMatchObject({ account_id: account.id, qr_code: expect.stringMatching(/^data:image\/png;base64,/) });
  }, 30_000);
});
