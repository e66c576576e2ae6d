// Which port the embedded PostgreSQL takes when another process holds one.
import net from "node:net";
import { DEFAULT_EMBEDDED_PORT, embeddedPort } from "../../lib/db/embedded";

async function hold(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return server;
}
const release = (server: net.Server) => new Promise((resolve) => server.close(resolve));

it("refuses a configured port that is taken, naming the variable and the way out", async () => {
  const holder = await hold(0);
  const taken = (holder.address() as net.AddressInfo).port;
  try {
    await expect(embeddedPort(taken, () => undefined)).rejects.toThrow(`EMBEDDED_POSTGRES_PORT=${taken} is taken by another process on 127.0.0.1`);
    await release(holder);
    await expect(embeddedPort(taken, () => undefined)).resolves.toBe(taken);
  } finally {
    if (holder.listening) await release(holder);
  }
});

it("moves off the default port when it is taken and none was configured, and says so", async () => {
  // The default may already be held on this machine (an engine running); either way it ends up held here.
  const holder = await hold(DEFAULT_EMBEDDED_PORT).catch(() => undefined);
  const said: string[] = [];
  try {
    const port = await embeddedPort(undefined, (line) => said.push(line));
    expect(port).not.toBe(DEFAULT_EMBEDDED_PORT);
    expect(said).toEqual([
      expect.stringContaining(`port ${DEFAULT_EMBEDDED_PORT} is taken by another process; the embedded PostgreSQL listens on 127.0.0.1:${port}`),
    ]);
  } finally {
    if (holder) await release(holder);
  }
});
