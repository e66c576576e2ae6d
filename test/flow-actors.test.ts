// Conversation actors running flows for real: through the simulator, with
// triggers, hand-off, durable timeouts that survive a restart, and snapshots.
import type { ServiceSchema } from "moleculer";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";
import { menuFlow } from "./fixtures/flows";
import ActorsSchema from "../services/conversation-actors.service";
import TimersSchema from "../services/timers.service";
import { liveActors, replCommands } from "../lib/repl-commands";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0", TIMER_POLL_INTERVAL_MS: "100", ACTOR_IDLE_SECONDS: "2" } });
let admin: Client;
let accountId: string;
let queueId: string;

const sent = async (to: string) =>
  ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(to)}`)).body as Array<{ type: string; content: string }>).map(
    (m) => m.content,
  );

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
  queueId = await queueWith([], "Ventas");
  const welcome = await admin.post("/api/flows", { name: "Bienvenida", trigger_type: "welcome", nodes: menuFlow(queueId), is_active: true });
  expect(welcome.status).toBe(201);
  const keyword = await admin.post("/api/flows", {
    name: "Precios",
    trigger_type: "keyword",
    trigger_value: "precio, ~precios",
    is_active: true,
    nodes: {
      nodes: [
        { id: "start", type: "start", data: {} },
        { id: "ask", type: "ask_text", data: { text: "¿De qué producto?", variable: "producto", timeout_seconds: 5 } },
        { id: "ok", type: "send_text", data: { text: "Busco {{vars.producto}}." } },
        { id: "late", type: "send_text", data: { text: "¿Sigues ahí?" } },
      ],
      edges: [
        { source: "start", target: "ask" },
        { source: "ask", target: "ok" },
        { source: "ask", sourceHandle: "timeout", target: "late" },
      ],
    },
  });
  expect(keyword.status).toBe(201);
});

describe("conversation actors", () => {
  it("greets a new contact with the welcome flow, reads typed choices, and finishes", async () => {
    const phone = "+525588800001";
    const id = await customerWrites(admin, accountId, phone, "Hola", "Juan");
    await eventually(async () => (await sent(phone)).length === 2);
    expect(await sent(phone)).toEqual(["¡Hola Juan!", "¿Qué necesitas?"]);
    expect((await admin.get(`/api/conversations/${id}`)).body.current_flow).toEqual({ id: expect.any(String), name: "Bienvenida" });
    const actor = await h.broker.call<Record<string, any>, { conversation_id: string }>("conversation-actors.inspect", { conversation_id: id });
    expect(actor).toMatchObject({ state: "waiting_input", current_node: "menu", owner: h.broker.nodeID });
    // What the REPL's `actors` and `actor <id>` show.
    expect(await liveActors(h.broker)).toContainEqual(
      expect.objectContaining({ conversation_id: id, node: h.broker.nodeID, state: "waiting_input", step: "menu" }),
    );
    const printed = jest.spyOn(console, "log").mockImplementation(() => undefined);
    await replCommands[1]!.action(h.broker, { conversation_id: id });
    expect(String(printed.mock.calls[0]![0])).toContain('"current_node": "menu"');
    printed.mockRestore();
    // A node running no conversation actors (an operator's REPL) coming and going moves no conversation.
    await h.broker.broadcastLocal("$node.connected", { node: { id: "repl", services: [{ name: "$node" }] }, reconnected: false });
    await h.broker.broadcastLocal("$node.disconnected", { node: { id: "repl", services: [{ name: "$node" }] }, unexpected: false });
    expect((await liveActors(h.broker)).map((live) => live.conversation_id)).toContain(id);

    // Idle, the actor leaves memory; the next message brings it back from the database.
    await eventually(async () => !(await liveActors(h.broker)).some((actor) => actor.conversation_id === id), 6000);
    await customerWrites(admin, accountId, phone, "2");
    await eventually(async () => (await sent(phone)).length === 3);
    await customerWrites(admin, accountId, phone, "Ana");
    await eventually(async () => (await sent(phone)).length === 4);
    expect((await sent(phone)).slice(2)).toEqual(["¿Cómo te llamas?", "Gracias, Ana."]);
    const done = await h.broker.call<Record<string, any>, { conversation_id: string }>("conversation-actors.inspect", { conversation_id: id });
    expect(done).toMatchObject({ state: "completed", variables: { menu: "soporte", nombre: "Ana" } });
    expect((await admin.get(`/api/conversations/${id}`)).body).toMatchObject({ status: "bot", current_flow: null });

    // The same keyword again: a new run of the flow, whose messages are new ones (not the first run's).
    await customerWrites(admin, accountId, phone, "precio");
    await eventually(async () => (await sent(phone)).length === 5);
    await customerWrites(admin, accountId, phone, "laptops");
    await eventually(async () => (await sent(phone)).length === 6);
    await customerWrites(admin, accountId, phone, "precio");
    await eventually(async () => (await sent(phone)).length === 7);
    expect((await sent(phone)).slice(4)).toEqual(["¿De qué producto?", "Busco laptops.", "¿De qué producto?"]);
  });

  it("hands off to a queue, and the bot stays out afterwards", async () => {
    const phone = "+525588800002";
    const id = await customerWrites(admin, accountId, phone, "Buenas");
    await eventually(async () => (await sent(phone)).length === 2);
    await customerWrites(admin, accountId, phone, "ventas");
    await eventually(async () => (await admin.get(`/api/conversations/${id}`)).body.status === "waiting");
    expect((await admin.get(`/api/conversations/${id}`)).body).toMatchObject({ queue: { id: queueId }, current_flow: null });
    expect(await sent(phone)).toEqual(["¡Hola !", "¿Qué necesitas?", "Te paso con ventas."]);
    const history = (await admin.get(`/api/conversations/${id}/events`)).body.items.map((e: { kind: string }) => e.kind);
    expect(history).toEqual(["opened", "handed_off"]);
    await customerWrites(admin, accountId, phone, "¿hola?");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sent(phone)).toHaveLength(3);
  });

  it("starts a keyword flow before the welcome one, and stops when an agent takes over", async () => {
    const phone = "+525588800003";
    const id = await customerWrites(admin, accountId, phone, "PRECIO");
    await eventually(async () => (await sent(phone)).join() === "¿De qué producto?");
    await admin.post(`/api/conversations/${id}/assign`, { user_id: admin.user.id });
    await eventually(
      async () =>
        (await h.broker.call<Record<string, any>, { conversation_id: string }>("conversation-actors.inspect", { conversation_id: id })).state === "handed_off",
    );
    await customerWrites(admin, accountId, phone, "laptops");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sent(phone)).toEqual(["¿De qué producto?"]);
  });

  it("hands a message that never reached its actor (the node died) to the flow when a node comes up", async () => {
    const phone = "+525588800005";
    await customerWrites(admin, accountId, phone, "Hola");
    await eventually(async () => (await sent(phone)).length === 2);
    // The answer is stored, but its node dies before passing it on to the actor.
    await h.broker.destroyService(h.broker.getLocalService("conversation-actors"));
    await customerWrites(admin, accountId, phone, "2");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sent(phone)).toHaveLength(2);
    h.broker.createService(ActorsSchema as unknown as ServiceSchema);
    await eventually(async () => (await sent(phone)).at(-1) === "¿Cómo te llamas?", 5000);
    expect(await sent(phone)).toHaveLength(3);
  });

  it("takes a question's timeout branch when the time passes while the node is down", async () => {
    const phone = "+525588800004";
    const id = await customerWrites(admin, accountId, phone, "quiero saber los precios de hoy");
    await eventually(async () => (await sent(phone)).join() === "¿De qué producto?");
    const before = (await database()("conversation_actor_snapshots").where({ conversation_id: id }).first())!.version;
    // The node's flow services go down (as in a restart) and stay down past the 5-second timeout.
    await h.broker.destroyService(h.broker.getLocalService("timers"));
    await h.broker.destroyService(h.broker.getLocalService("conversation-actors"));
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    expect(await sent(phone)).toEqual(["¿De qué producto?"]);
    h.broker.createService(ActorsSchema as unknown as ServiceSchema);
    h.broker.createService(TimersSchema as unknown as ServiceSchema);
    await eventually(async () => (await sent(phone)).length === 2, 5000);
    expect(await sent(phone)).toEqual(["¿De qué producto?", "¿Sigues ahí?"]);
    const row = await database()("conversation_actor_snapshots").where({ conversation_id: id }).first();
    expect(row!.version).toBeGreaterThan(before);
    expect(row!.snapshot.value).not.toBe("waiting_input");
  }, 20_000);
});
