import net from "node:net";
import knexFactory, { type Knex } from "knex";
import { MemoryLeaseStore, type LeaseStore } from "../lib/leases";
import { SessionHost, type StatusChange } from "../lib/whatsapp/session-host";
import type { ProviderConnection, WhatsAppProvider } from "../lib/whatsapp/provider";
import { SimulatorProvider } from "../lib/whatsapp/simulator";
import type { MediaFetcher } from "../lib/net/guarded-fetch";
import { ingestMessage } from "../lib/inbox/ingest";
import { queueOutbound, sendQueueOn } from "../lib/inbox/outbound";
import { migratedDatabase } from "./support/database";
import { eventually } from "./support/harness";
import { single } from "../lib/db/tables";

const migrated = migratedDatabase();
const { knex } = migrated;
const hosts: SessionHost[] = [];
const noMedia: MediaFetcher = async () => {
  throw new Error("These tests send no media");
};

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
  // Each test starts with no account asking for a connection.
  await knex()("whatsapp_accounts").update({ should_connect: false });
});

function host(
  nodeId: string,
  leases: LeaseStore,
  simulator: SimulatorProvider,
  overrides: { maxQrCodes?: number; db?: Knex; peers?: () => number; alive?: (nodeId: string) => boolean } = {},
) {
  const statuses: StatusChange[] = [];
  const qrs: string[] = [];
  const instance = new SessionHost(
    overrides.db ?? knex(),
    leases,
    sendQueueOn(overrides.db ?? knex()),
    { simulator },
    {
      nodeId,
      leaseTtlMs: 500,
      maxQrCodes: overrides.maxQrCodes ?? 5,
      maxReconnectAttempts: 3,
      reconnectBaseMs: 10,
      reconnectMaxMs: 50,
      sendIntervalMs: 5,
      peers: overrides.peers,
      alive: overrides.alive,
    },
    {
      status: (change) => void statuses.push(change),
      qr: (_id, qr) => void qrs.push(qr),
      inbound: async () => undefined,
      receipts: async () => undefined,
      quota: () => undefined,
      sent: () => undefined,
      log: () => undefined,
    },
  );
  hosts.push(instance);
  return { instance, statuses, qrs };
}

async function account(): Promise<string> {
  const { id } = single(await knex()("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator" }).returning("id"), "test row");
  return id;
}

/** An account this host connected and a phone paired. */
async function pairedAccount(instance: SessionHost, simulator: SimulatorProvider, phone: string): Promise<string> {
  const id = await account();
  await instance.tick();
  await eventually(() => instance.snapshot(id)?.status === "qr");
  await simulator.scan(id, phone);
  await eventually(() => instance.snapshot(id)?.status === "connected");
  return id;
}

const row = (id: string) => knex()("whatsapp_accounts").where({ id }).first();

/** A TCP proxy to PostgreSQL that, once frozen, lets nothing through in either direction: queries hang. */
async function freezableProxy(target: URL): Promise<{ port: number; freeze(): void; thaw(): void; close(): void }> {
  let frozen = false;
  const sockets: net.Socket[] = [];
  const server = net.createServer((client) => {
    sockets.push(client);
    if (frozen) return;
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    sockets.push(upstream);
    client.on("data", (chunk) => frozen || upstream.write(chunk));
    upstream.on("data", (chunk) => frozen || client.write(chunk));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => void (frozen = true),
    thaw: () => {
      for (const socket of sockets.splice(0)) socket.destroy();
      frozen = false;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe("WhatsApp session host", () => {
  it("shows a QR, pairs on scan (through the 515 restart) and records the connection", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance, statuses, qrs } = host("node-a", new MemoryLeaseStore(), simulator);
    const id = await account();
    await instance.tick();
    await eventually(() => instance.snapshot(id)?.status === "qr");
    expect(qrs).toHaveLength(1);
    expect(instance.snapshot(id)?.qr).toBe(qrs[0]);
    expect((await row(id))!.owner_node).toBe("node-a");

    await simulator.scan(id, "+52 55 1234 5678");
    await eventually(() => statuses.length === 4);
    expect(statuses.map((s) => s.status)).toEqual(["connecting", "qr", "connecting", "connected"]);
    await eventually(async () => (await row(id))!.status === "connected");
    expect(await row(id)).toMatchObject({ phone_number: "+525512345678", wa_jid: "525512345678@s.whatsapp.net", should_connect: true });
    expect((await row(id))!.wa_lid).toMatch(/@lid$/);
  });

  it("gives each account to one node, and the other takes it over, paired, when the owner stops", async () => {
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const a = host("node-a", leases, simulator);
    const b = host("node-b", leases, simulator);
    const id = await account();
    await Promise.all([a.instance.tick(), b.instance.tick()]);
    const owners = [a.instance.owns(id), b.instance.owns(id)];
    expect(owners.filter(Boolean)).toHaveLength(1);
    const [owner, other] = owners[0] ? [a, b] : [b, a];
    await eventually(() => owner.instance.snapshot(id)?.status === "qr");
    await simulator.scan(id, "+525500000001");
    await eventually(() => owner.instance.snapshot(id)?.status === "connected");

    await owner.instance.stop();
    await other.instance.tick();
    await eventually(() => other.instance.snapshot(id)?.status === "connected");
    expect(other.qrs).toHaveLength(0);
    expect((await row(id))!.owner_node).toBe(other === a ? "node-a" : "node-b");
  });

  it("shares the numbers out when another node joins, one at a time, and then keeps still", async () => {
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    let nodes = 1;
    const a = host("node-a", leases, simulator, { peers: () => nodes });
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) ids.push(await pairedAccount(a.instance, simulator, `+52 55 7000 000${i}`));
    expect(ids.every((id) => a.instance.owns(id))).toBe(true);

    // A second node comes up (a restarted one, say): both now count two.
    nodes = 2;
    const b = host("node-b", leases, simulator, { peers: () => nodes });
    const held = () => [ids.filter((id) => a.instance.owns(id)).length, ids.filter((id) => b.instance.owns(id)).length];
    for (let round = 0; round < 6; round += 1) {
      await a.instance.tick();
      // One number let go per round, never more.
      expect(held()[0]).toBeGreaterThanOrEqual(4 - (round + 1));
      await b.instance.tick();
    }
    await eventually(() => held().join() === "2,2");
    await eventually(async () => ids.filter((id) => b.instance.snapshot(id)?.status === "connected").length === 2);
    for (let round = 0; round < 4; round += 1) await Promise.all([a.instance.tick(), b.instance.tick()]);
    expect(held()).toEqual([2, 2]);
  });

  it("leaves a number whose lease Redis lost to its live holder, which takes it back", async () => {
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const alive = () => true;
    const a = host("node-a", leases, simulator, { alive, peers: () => 2 });
    const id = await pairedAccount(a.instance, simulator, "+525500000097");
    const b = host("node-b", leases, simulator, { alive, peers: () => 2 });
    const before = a.statuses.length;
    // Redis restarts empty: the lease is gone, its holder has not renewed yet.
    await leases.release("whatsapp:lease:" + id, "node-a");
    await b.instance.tick();
    expect(b.instance.owns(id)).toBe(false);
    await a.instance.tick();
    expect(await leases.owner("whatsapp:lease:" + id)).toBe("node-a");
    await b.instance.tick();
    expect(b.instance.owns(id)).toBe(false);
    expect(a.statuses.slice(before)).toEqual([]);
  });

  it("keeps its numbers, without reconnecting, while the database is down", async () => {
    const { db } = migrated;
    // The host's own pool, so the outage is this host's alone.
    const hostDb = knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 3 }, acquireConnectionTimeout: 200 });
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance, statuses } = host("node-a", leases, simulator, { db: hostDb });
    const id = await pairedAccount(instance, simulator, "+525500000099");
    const before = statuses.length;
    await hostDb.destroy();
    try {
      // Three lease lifetimes (500 ms) of ticks that cannot reach the database.
      for (let i = 0; i < 8; i += 1) {
        await expect(instance.tick()).rejects.toThrow();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await leases.owner("whatsapp:lease:" + id)).toBe("node-a");
      expect(instance.snapshot(id)?.status).toBe("connected");
      expect(statuses.slice(before)).toEqual([]);
    } finally {
      hostDb.initialize();
    }
  });

  it("keeps its numbers while the database hangs (a reconciliation stuck on it does not stop lease renewals)", async () => {
    const { db } = migrated;
    const proxy = await freezableProxy(new URL(db.url));
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const hostDb = knexFactory({ client: "pg", connection: url.toString(), pool: { min: 0, max: 3 }, acquireConnectionTimeout: 60_000 });
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance, statuses } = host("node-a", leases, simulator, { db: hostDb });
    try {
      const id = await pairedAccount(instance, simulator, "+525500000098");
      await instance.tick();
      expect(await leases.owner("whatsapp:lease:" + id)).toBe("node-a");
      const before = statuses.length;
      proxy.freeze();
      // Three lease lifetimes (500 ms) of ticks; the first one's database queries never come back.
      for (let i = 0; i < 10; i += 1) {
        instance.tick().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      expect(await leases.owner("whatsapp:lease:" + id)).toBe("node-a");
      expect(instance.snapshot(id)?.status).toBe("connected");
      expect(statuses.slice(before)).toEqual([]);
    } finally {
      // Cut what hung, let new connections through again, so the host can let go of its account.
      proxy.thaw();
      await instance.stop();
      await hostDb.destroy();
      proxy.close();
    }
  });

  it("stops showing codes nobody scans, and waits for an operator", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 20, fetchMedia: noMedia });
    const { instance, qrs } = host("node-a", new MemoryLeaseStore(), simulator, { maxQrCodes: 2 });
    const id = await account();
    await instance.tick();
    // The node lets go of the account right after storing why it ended.
    await eventually(async () => (await row(id))!.status_reason === "qr_not_scanned" && (await row(id))!.owner_node === null);
    expect(await row(id)).toMatchObject({ status: "disconnected", should_connect: false, owner_node: null });
    expect(qrs).toHaveLength(2);
    expect(instance.owns(id)).toBe(false);
  });

  it("reconnects after a lost connection", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance, statuses } = host("node-a", new MemoryLeaseStore(), simulator);
    const id = await pairedAccount(instance, simulator, "+525500000002");
    await simulator.disconnect(id, "connection_lost");
    const mine = () => statuses.filter((s) => s.accountId === id).map((s) => s.status);
    await eventually(() => mine().filter((status) => status === "connected").length === 2);
    expect(mine().slice(-3)).toEqual(["reconnecting", "connecting", "connected"]);
  });

  it("does not reopen a replaced connection once another node holds the account", async () => {
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance, statuses } = host("node-a", leases, simulator);
    const id = await pairedAccount(instance, simulator, "+525500000008");
    // Another node took the lease (say this one stalled), and WhatsApp reports 440 here.
    await leases.release(`whatsapp:lease:${id}`, "node-a");
    await leases.acquire(`whatsapp:lease:${id}`, "node-b", 60_000);
    await simulator.disconnect(id, "connection_replaced");
    await eventually(() => !instance.owns(id));
    await eventually(() => statuses.some((s) => s.accountId === id && s.status === "reconnecting"));
    // It let go instead of opening a new socket: no "connecting" after the 440.
    const after = statuses.filter((s) => s.accountId === id).map((s) => s.status);
    expect(after.slice(after.lastIndexOf("reconnecting"))).toEqual(["reconnecting"]);
  });

  it("forgets the pairing when WhatsApp logs the device out, and never reconnects by itself", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance } = host("node-a", new MemoryLeaseStore(), simulator);
    const id = await pairedAccount(instance, simulator, "+525500000003");
    await simulator.disconnect(id, "logged_out");
    await eventually(async () => (await row(id))!.status === "logged_out");
    expect((await row(id))!.should_connect).toBe(false);
    expect(await knex()("whatsapp_auth_state").where({ account_id: id })).toHaveLength(0);
    await instance.tick();
    expect(instance.owns(id)).toBe(false);
  });

  it("marks banned numbers and leaves them alone", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance } = host("node-a", new MemoryLeaseStore(), simulator);
    const id = await pairedAccount(instance, simulator, "+525500000004");
    await simulator.disconnect(id, "banned");
    await eventually(async () => (await row(id))!.status === "banned");
    expect((await row(id))!.should_connect).toBe(false);
  });

  it("sends a message queued while no node held the account exactly once, after the takeover", async () => {
    const leases = new MemoryLeaseStore();
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const a = host("node-a", leases, simulator);
    const id = await account();
    await a.instance.tick();
    await eventually(() => a.instance.snapshot(id)?.status === "qr");
    await simulator.scan(id, "+525500000006");
    await eventually(() => a.instance.snapshot(id)?.status === "connected");
    const inbound = await ingestMessage(knex(), id, {
      waMessageId: "IN1",
      fromMe: false,
      peer: { phone: "+525511119999", lid: null, pushName: "Ana" },
      type: "text",
      text: "Hola",
      metadata: {},
      timestamp: new Date(),
    });
    await a.instance.stop();

    const queued = await queueOutbound(knex(), { conversationId: inbound.conversationId, type: "text", content: "Seguimos aquí", senderType: "bot" });
    expect(queued.message.status).toBe("pending");
    const b = host("node-b", leases, simulator);
    await b.instance.tick();
    await eventually(async () => (await knex()("messages").where({ id: queued.message.id }).first())!.status === "sent");
    await b.instance.tick();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(simulator.outbound(id).filter((m) => m.content === "Seguimos aquí")).toHaveLength(1);
  });

  it("logs out a connection that was still opening when the operator asked", async () => {
    // A provider whose socket takes as long as the test says.
    let handOver: (connection: ProviderConnection) => void = () => undefined;
    const connection = {
      close: jest.fn(async () => undefined),
      logout: jest.fn(async () => undefined),
      send: jest.fn(),
      typing: jest.fn(async () => undefined),
    };
    const slow: WhatsAppProvider = { name: "simulator", connect: () => new Promise((resolve) => (handOver = resolve)) };
    const instance = new SessionHost(
      knex(),
      new MemoryLeaseStore(),
      sendQueueOn(knex()),
      { simulator: slow },
      { nodeId: "node-a", leaseTtlMs: 500, maxQrCodes: 5, maxReconnectAttempts: 3, reconnectBaseMs: 10, reconnectMaxMs: 50, sendIntervalMs: 5 },
      {
        status: () => undefined,
        qr: () => undefined,
        inbound: async () => undefined,
        receipts: async () => undefined,
        quota: () => undefined,
        sent: () => undefined,
        log: () => undefined,
      },
    );
    hosts.push(instance);
    const id = await account();
    await instance.tick();
    expect(instance.snapshot(id)?.status).toBe("connecting");
    const loggingOut = instance.logout(id);
    handOver(connection);
    await loggingOut;
    expect(connection.logout).toHaveBeenCalledTimes(1);
    expect(connection.close).not.toHaveBeenCalled();
    await eventually(async () => (await row(id))!.status === "disconnected");
  });

  it("logs a number out on an operator's request", async () => {
    const simulator = new SimulatorProvider(knex(), { qrIntervalMs: 5_000, fetchMedia: noMedia });
    const { instance } = host("node-a", new MemoryLeaseStore(), simulator);
    const id = await pairedAccount(instance, simulator, "+525500000005");
    await instance.logout(id);
    await eventually(async () => (await row(id))!.status === "disconnected");
    expect(await row(id)).toMatchObject({ status_reason: "logged_out_by_operator", should_connect: false });
    await eventually(async () => (await knex()("whatsapp_auth_state").where({ account_id: id })).length === 0);
  });
});
