// The engine as an operator runs it: the compiled build under moleculer-runner,
// on the embedded PostgreSQL, with nothing else configured. Restarts keep data.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eventually } from "./support/harness";

const ROOT = path.join(__dirname, "..");
const RUNNER = path.join(ROOT, "node_modules", ".bin", "moleculer-runner");

jest.setTimeout(120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

interface Engine {
  process: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

function startEngine(env: Record<string, string>): Engine {
  let output = "";
  const child = spawn(RUNNER, ["--config", "dist/moleculer.config.js"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", SERVICEDIR: "dist/services", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return {
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}

/** Waits for the engine to be ready; on failure the error carries what the engine printed. */
async function ready(base: string, engine: Engine): Promise<void> {
  try {
    await eventually(async () => (await fetch(`${base}/api/ready`)).status === 200, 60_000);
  } catch {
    throw new Error(`The engine did not become ready. Its output:\n${engine.output().slice(-4000)}`);
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

async function post(base: string, url: string, body: unknown, token?: string) {
  const res = await fetch(base + url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("the engine on its embedded PostgreSQL", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "charla-engine-"));
  // PostgreSQL runs as its own user when the engine runs as root; it must reach the data folder.
  fs.chmodSync(dataDir, 0o755);
  let engine: Engine | undefined;

  afterAll(async () => {
    await engine?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts with no configuration, prints the first admin's password once, and keeps data across restarts", async () => {
    if (!fs.existsSync(path.join(ROOT, "dist", "moleculer.config.js"))) {
      throw new Error("The build is missing: run `npm run build` (npm test does it first)");
    }
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    };
    const base = `http://127.0.0.1:${env.PORT}`;

    engine = startEngine(env);
    await ready(base, engine);
    const match = /created admin (\S+) with password (\S+)/.exec(engine.output());
    expect(match).not.toBeNull();
    const [, email, password] = match!;

    const login = await post(base, "/api/auth/login", { email, password });
    expect(login.status).toBe(200);
    const created = await post(base, "/api/users", { email: "kept@test.local", password: "password123", name: "Kept", role: "agent" }, login.body.access_token);
    expect(created.status).toBe(201);

    expect(await engine.stop()).toBe(0);
    expect(engine.output()).toMatch(/Embedded PostgreSQL stopped/);
    expect(await portOpen(Number(env.EMBEDDED_POSTGRES_PORT))).toBe(false);

    engine = startEngine(env);
    await ready(base, engine);
    expect(engine.output()).not.toMatch(/created admin/);
    expect((await post(base, "/api/auth/login", { email: "kept@test.local", password: "password123" })).status).toBe(200);
    expect((await post(base, "/api/auth/login", { email, password })).status).toBe(200);
    expect(await engine.stop()).toBe(0);
  });

  it("stops with a clear reason when the configured PostgreSQL port is taken", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      engine = startEngine({ DATA_DIR: dataDir, PORT: String(await freePort()), EMBEDDED_POSTGRES_PORT: String(taken) });
      const code = await new Promise<number | null>((resolve) => engine!.process.once("exit", resolve));
      expect(code).not.toBe(0);
      expect(engine.output()).toContain(`EMBEDDED_POSTGRES_PORT=${taken} is taken by another process`);
      expect(engine.output()).not.toMatch(/Unable to start all services\. undefined/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
