// A Redis server of a test's own, on a spare port, that the test may stop and
// start again (the shared one on 6379 must stay up for everyone else).
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function sparePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.end("PING\r\n");
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A redis-server without persistence, not started yet. */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await sparePort();
  let server: ChildProcess | undefined;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      for (let i = 0; i < 100 && !(await answers(port)); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async stop() {
      const running = server;
      server = undefined;
      if (!running || running.exitCode !== null) return;
      await new Promise((resolve) => {
        running.once("exit", resolve);
        running.kill("SIGKILL");
      });
    },
  };
}
