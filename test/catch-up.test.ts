// Catching up after a reconnect (GET /api/changes): what a socket missed comes
// back over REST, on any node, within what the caller may see; a client that
// merges it with live events by version ends up with every message once.
import type { Socket } from "socket.io-client";
import type { RedisAdapter } from "@socket.io/redis-adapter";
import type { Server } from "socket.io";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client, type Node } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const h = harness({ cluster: true, env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
let admin: Client;
let accountId: string;
let gateway: Node;
let phones = 0;

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
  gateway = await h.startNode("gateway", ["api", "changes"]);
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A customer's new conversation, waiting in a queue. */
async function conversationIn(queueId: string): Promise<{ id: string; phone: string }> {
  phones += 1;
  const phone = `+52551888${String(phones).padStart(4, "0")}`;
  const id = await customerWrites(admin, accountId, phone, "Hola");
  expect((await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queueId })).status).toBe(200);
  return { id, phone };
}

interface Item {
  type: "message" | "conversation" | "conversation_left";
  version: number;
  conversation_id: string;
  message?: { id: string; status: string; version: number };
}

/** Every page from `since` on, as the documented client walks them. */
async function walk(client: Client, since: string, limit = 100, baseUrl = h.baseUrl): Promise<{ items: Item[]; cursor: string; pages: number }> {
  const items: Item[] = [];
  let cursor = since;
  for (let pages = 1; ; pages += 1) {
    const res = await h.request("GET", `${baseUrl}/api/changes?since=${cursor}&limit=${limit}`, { token: client.token });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.cursor;
    if (!res.body.has_more) return { items, cursor, pages };
  }
}

async function cursorOf(client: Client): Promise<string> {
  const res = await client.get("/api/changes");
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ items: [], has_more: false });
  return res.body.cursor as string;
}

describe("GET /api/changes", () => {
  it("starts from the cursor of now, and refuses what is not a cursor it gave", async () => {
    const agent = await h.as("agent");
    expect((await h.request("GET", "/api/changes")).status).toBe(401);
    const cursor = await cursorOf(agent);
    expect(cursor).toMatch(/^\d+:\d+:[\d,]*$/);
    const ahead = BigInt(cursor.split(":")[1]!) + 1_000_000n;
    for (const since of [
      "abc",
      "",
      "-1",
      "1.x",
      "12345678901234567890",
      "20:10:",
      "10:20:15,12",
      `${ahead}:${ahead}:`,
      `${cursor}~${ahead}:${ahead}:~${ahead - 1n}.00000000-0000-4000-8000-000000000000`,
    ]) {
      const res = await agent.get(`/api/changes?since=${encodeURIComponent(since)}`);
      expect([since, res.status, res.body]).toEqual([since, 422, { detail: { code: "VALIDATION_ERROR", message: expect.any(String), field: "since" } }]);
    }
    for (const limit of ["0", "501", "x"]) {
      const res = await agent.get(`/api/changes?since=${cursor}&limit=${limit}`);
      expect([limit, res.status, res.body.detail?.field]).toEqual([limit, 422, "limit"]);
    }
    expect((await agent.get(`/api/changes?since=${cursor}&since=${cursor}`)).status).toBe(422);
    // A cursor it gave stays good, here and on the other node.
    expect((await agent.get(`/api/changes?since=${cursor}`)).status).toBe(200);
    expect((await h.request("GET", `${gateway.baseUrl}/api/changes?since=${cursor}`, { token: agent.token })).status).toBe(200);
  });

  it("shows each person only what they may see, and tells those who lose sight of a conversation", async () => {
    const [member, outsider, supervisorElsewhere] = await Promise.all([h.as("agent"), h.as("agent"), h.as("supervisor")]);
    const q1 = await queueWith([{ id: member.user.id }]);
    const q2 = await queueWith([{ id: outsider.user.id }, { id: supervisorElsewhere.user.id, supervisor: true }]);
    const since = { member: await cursorOf(member), outsider: await cursorOf(outsider), admin: await cursorOf(admin) };

    const { id, phone } = await conversationIn(q1);
    await customerWrites(admin, accountId, phone, "¿Hay alguien?");
    const note = (await member.post(`/api/conversations/${id}/notes`, { content: "Lo veo yo" })).body as { id: string };

    const about = (items: Item[]) => items.filter((item) => item.conversation_id === id);
    const seenBy = async (client: Client, cursor: string) => about((await walk(client, cursor)).items);
    const memberSees = await seenBy(member, since.member);
    expect(memberSees.filter((item) => item.type === "message").map((item) => item.message!.id)).toContain(note.id);
    expect(memberSees.filter((item) => item.type === "message")).toHaveLength(3);
    expect(memberSees.filter((item) => item.type === "conversation")).toHaveLength(1);
    expect(await seenBy(outsider, since.outsider)).toEqual([]);
    expect((await seenBy(admin, since.admin)).filter((item) => item.type === "message")).toHaveLength(3);

    // Moved to the other queue: its old watchers hear it left, its new ones get it, admins keep it.
    const beforeMove = {
      member: (await walk(member, since.member)).cursor,
      outsider: (await walk(outsider, since.outsider)).cursor,
      admin: (await walk(admin, since.admin)).cursor,
    };
    expect((await admin.post(`/api/conversations/${id}/transfer`, { queue_id: q2 })).status).toBe(200);
    const left = await seenBy(member, beforeMove.member);
    expect(left.map((item) => item.type)).toEqual(["conversation_left"]);
    expect(left[0]!.version).toBe(((await admin.get(`/api/conversations/${id}`)).body as { version: number }).version);
    const kinds = async (client: Client, cursor: string) => (await seenBy(client, cursor)).map((item) => item.type);
    expect(await kinds(outsider, beforeMove.outsider)).toEqual(["conversation"]);
    expect(await kinds(supervisorElsewhere, beforeMove.outsider)).toEqual(["conversation"]);
    expect(await kinds(admin, beforeMove.admin)).toEqual(["conversation"]);
    // Assigned back to the first agent: they see it again, and the departure is not told any more.
    expect((await admin.post(`/api/conversations/${id}/assign`, { user_id: member.user.id })).status).toBe(200);
    expect(await kinds(member, beforeMove.member)).toEqual(["conversation"]);
  });

  it("pages in order, each change once, and a message's later change comes again with a greater version", async () => {
    const member = await h.as("agent");
    const queue = await queueWith([{ id: member.user.id }]);
    const since = await cursorOf(member);
    const { id, phone } = await conversationIn(queue);
    for (let i = 0; i < 6; i += 1) await customerWrites(admin, accountId, phone, `Mensaje ${i}`);
    const whole = await walk(member, since);
    const paged = await walk(member, since, 2);
    expect(paged.pages).toBeGreaterThan(3);
    expect(paged.items).toEqual(whole.items);
    const keys = whole.items.map((item) => `${item.type}:${item.message?.id ?? item.conversation_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(whole.items.filter((item) => item.type === "message")).toHaveLength(7);

    const reply = (await member.post(`/api/conversations/${id}/messages`, { type: "text", content: "Hola, te atiendo" })).body as {
      id: string;
      version: number;
    };
    const sent = await eventually(async () =>
      (await walk(member, whole.cursor)).items.find((item) => item.message?.id === reply.id && item.message.status === "sent"),
    );
    expect(sent.version).toBeGreaterThan(reply.version);
    expect(sent.message!.version).toBe(sent.version);
  });
});

/**
 * A client as docs/api.md describes it: it takes a cursor, then loads its
 * inbox; it keeps messages by id, applies a copy only when its version is not
 * older than the one it holds, and on every connect asks for what changed
 * since its cursor.
 */
class InboxClient {
  readonly messages = new Map<string, { status: string; version: number; conversation_id: string }>();
  /** Statuses heard before their message: a status relay can overtake the message's own event. */
  private readonly early = new Map<string, { status: string; version: number }>();
  /** The order messages first appeared in: a message shown twice would be here twice. */
  readonly shown: string[] = [];
  readonly loaded = new Set<string>();
  readonly heardLive = new Set<string>();
  readonly caughtUp = new Set<string>();
  private socket?: Socket;

  private cursor = "";

  constructor(private readonly client: Client) {}

  async load(): Promise<void> {
    this.cursor = await cursorOf(this.client);
    const conversations = (await this.client.get("/api/conversations?limit=100")).body.items as Array<{ id: string }>;
    for (const { id } of conversations) {
      const page = (await this.client.get(`/api/conversations/${id}/messages?limit=200`)).body as {
        items: Array<{ id: string; status: string; version: number; conversation_id: string }>;
      };
      for (const message of page.items) {
        this.loaded.add(message.id);
        this.keep(message);
      }
    }
  }

  private keep(message: { id: string; status: string; version: number; conversation_id: string }): void {
    const held = this.messages.get(message.id) ?? this.early.get(message.id);
    if (!this.messages.has(message.id)) this.shown.push(message.id);
    this.early.delete(message.id);
    const newest = held && held.version > message.version ? held : message;
    this.messages.set(message.id, { status: newest.status, version: newest.version, conversation_id: message.conversation_id });
  }

  async connect(baseUrl: string): Promise<void> {
    this.socket = await h.socket({ token: this.client.token }, baseUrl);
    this.socket.on("new_message", (payload: { message: { id: string; status: string; version: number; conversation_id: string } }) => {
      this.heardLive.add(payload.message.id);
      this.keep(payload.message);
    });
    this.socket.on("message_status", (payload: { message_id: string; status: string; version: number; conversation_id: string }) => {
      const held = this.messages.get(payload.message_id);
      if (!held) {
        const early = this.early.get(payload.message_id);
        if (!early || early.version < payload.version) this.early.set(payload.message_id, payload);
      } else if (held.version <= payload.version) {
        this.messages.set(payload.message_id, { ...held, status: payload.status, version: payload.version });
      }
    });
    await this.catchUp(baseUrl);
  }

  disconnect(): void {
    this.socket?.disconnect();
  }

  async catchUp(baseUrl: string): Promise<void> {
    const { items, cursor } = await walk(this.client, this.cursor, 5, baseUrl);
    for (const item of items) {
      if (item.type !== "message") continue;
      this.caughtUp.add(item.message!.id);
      this.keep({ ...item.message!, conversation_id: item.conversation_id });
    }
    this.cursor = cursor;
  }
}

describe("a socket dropped while messages keep arriving", () => {
  it("ends up, after reconnecting to another node and catching up, with every message once and in its latest state", async () => {
    const agent = await h.as("agent");
    const queue = await queueWith([{ id: agent.user.id }]);
    const elsewhere = await queueWith([]);
    const mine = await Promise.all([conversationIn(queue), conversationIn(queue), conversationIn(queue)]);
    const other = await conversationIn(elsewhere);
    const inbox = new InboxClient(agent);
    await inbox.load();
    await inbox.connect(h.baseUrl);

    // Customers write, the agent answers (each answer then goes sent) and takes notes; another queue chats too.
    let step = 0;
    const traffic = (async () => {
      for (; step < 60; step += 1) {
        const { id, phone } = mine[step % mine.length]!;
        if (step % 3 === 0) await customerWrites(admin, accountId, phone, `Cliente ${step}`);
        if (step % 3 === 1) expect((await agent.post(`/api/conversations/${id}/messages`, { type: "text", content: `Respuesta ${step}` })).status).toBe(201);
        if (step % 3 === 2) expect((await agent.post(`/api/conversations/${id}/notes`, { content: `Nota ${step}` })).status).toBe(201);
        if (step % 10 === 0) await customerWrites(admin, accountId, other.phone, `Otra cola ${step}`);
        await pause(15);
      }
    })();

    await eventually(() => step >= 15);
    inbox.disconnect();
    await eventually(() => step >= 35, 15_000);
    // Back on the other node, while the traffic goes on.
    await inbox.connect(gateway.baseUrl);
    await traffic;

    const visible = await database()("messages")
      .whereIn(
        "conversation_id",
        mine.map((c) => c.id),
      )
      .select("id", "status", "change_xid");
    await eventually(() => visible.every((row) => inbox.messages.get(row.id)?.version === Number(row.change_xid)), 10_000);
    expect(new Map([...inbox.messages].map(([id, held]) => [id, held.status]))).toEqual(new Map(visible.map((row) => [row.id, row.status as string])));
    // Shown once each, nothing of the other queue.
    expect(inbox.shown).toHaveLength(visible.length);
    expect([...inbox.messages.values()].filter((held) => held.conversation_id === other.id)).toEqual([]);
    // Live events alone left a gap (the messages written while it was away); the catch-up filled it.
    const missedLive = visible.map((row) => row.id).filter((id) => !inbox.heardLive.has(id) && !inbox.loaded.has(id));
    expect(missedLive.length).toBeGreaterThanOrEqual(10);
    expect(missedLive.every((id) => inbox.caughtUp.has(id))).toBe(true);
  }, 60_000);

  it("tells connected sockets to catch up when their node's link to Redis comes back", async () => {
    const agent = await h.as("agent");
    const socket = await h.socket({ token: agent.token });
    const told = new Promise((resolve) => socket.once("catch_up", resolve));
    const io = (h.broker.getLocalService("api") as unknown as { io: Server }).io;
    (io.of("/").adapter as unknown as RedisAdapter).subClient.disconnect(true);
    expect(await told).toEqual({ reason: "realtime_interrupted" });
  });
});
