// The flow inbox: every stored inbound message reaches its flow exactly once,
// in order — when its event is lost on the way to the conversation's actor,
// and when an event is delivered again long after its message was answered.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServiceSchema } from "moleculer";
import { asServerAdmin } from "./support/database";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";
import ActorsSchema from "../services/conversation-actors.service";
import type { MessageReceivedEvent } from "../lib/contract/events";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0", FLOW_INBOX_RETRY_SECONDS: "1", FETCH_ALLOW_HOSTS: "127.0.0.1" } });
let admin: Client;
let accountId: string;

const sent = async (to: string): Promise<string[]> =>
  ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(to)}`)).body as Array<{ content: string }>).map((m) => m.content);
const pending = async (conversationId: string): Promise<number> =>
  Number((await database()("flow_inbox").where({ conversation_id: conversationId }).count({ n: "*" }).first())?.n);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
  // Answers every message, echoing it: each reply names the message it answers.
  const echo = await admin.post("/api/flows", {
    name: "Eco",
    trigger_type: "default",
    is_active: true,
    nodes: {
      nodes: [
        { id: "start", type: "start", data: {} },
        { id: "echo", type: "send_text", data: { text: "Recibido: {{message.text}}" } },
      ],
      edges: [{ source: "start", target: "echo" }],
    },
  });
  expect(echo.status).toBe(201);
});

it("answers, in order, every message whose event never reached the actor", async () => {
  const phone = "+525588900001";
  const conversationId = await customerWrites(admin, accountId, phone, "uno");
  await eventually(async () => (await sent(phone)).length === 1);
  // The node that should hand the next messages to their flow loses them (its actors are gone).
  await h.broker.destroyService(h.broker.getLocalService("conversation-actors"));
  for (const text of ["dos", "tres", "cuatro"]) await customerWrites(admin, accountId, phone, text);
  expect(await pending(conversationId)).toBe(3);
  h.broker.createService(ActorsSchema as unknown as ServiceSchema);
  await eventually(async () => (await sent(phone)).length >= 4, 8_000);
  await settle();
  expect(await sent(phone)).toEqual(["Recibido: uno", "Recibido: dos", "Recibido: tres", "Recibido: cuatro"]);
  expect(await pending(conversationId)).toBe(0);
});

it("answers a message once when its event arrives again after later messages were answered", async () => {
  const phone = "+525588900002";
  const conversationId = await customerWrites(admin, accountId, phone, "primero");
  await eventually(async () => (await sent(phone)).length === 1);
  await customerWrites(admin, accountId, phone, "segundo");
  await eventually(async () => (await sent(phone)).length === 2);
  // The first message's event is delivered again (a node replays what it was not sure went out).
  const first = await database()("messages").where({ conversation_id: conversationId, direction: "inbound", content: "primero" }).first("id");
  const replay: MessageReceivedEvent = {
    message_id: first!.id,
    conversation_id: conversationId,
    contact_id: "",
    account_id: accountId,
    type: "text",
    direction: "inbound",
    new_conversation: false,
  };
  await h.broker.broadcast("message.received", replay);
  await settle();
  expect(await sent(phone)).toEqual(["Recibido: primero", "Recibido: segundo"]);
});

it("answers each message once when many are handed over at the same time", async () => {
  const phone = "+525588900003";
  const conversationId = await customerWrites(admin, accountId, phone, "a");
  await eventually(async () => (await sent(phone)).length === 1);
  await h.broker.destroyService(h.broker.getLocalService("conversation-actors"));
  for (const text of ["b", "c"]) await customerWrites(admin, accountId, phone, text);
  h.broker.createService(ActorsSchema as unknown as ServiceSchema);
  // Every way an input can be handed over, at once: the live event, again and again, and the sweep.
  for (let i = 0; i < 5; i += 1)
    await h.broker.call("conversation-actors.dispatch", { conversation_id: conversationId, event: { kind: "inbox" } }).catch(() => undefined);
  await eventually(async () => (await sent(phone)).length >= 3, 8_000);
  await settle();
  expect(await sent(phone)).toEqual(["Recibido: a", "Recibido: b", "Recibido: c"]);
});

it("leaves messages of conversations people hold out of the inbox", async () => {
  const phone = "+525588900004";
  const conversationId = await customerWrites(admin, accountId, phone, "hola");
  await eventually(async () => (await sent(phone)).length === 1);
  await database()("conversations").where({ id: conversationId }).update({ status: "active" });
  await customerWrites(admin, accountId, phone, "¿hay alguien?");
  expect(await pending(conversationId)).toBe(0);
  await settle();
  expect(await sent(phone)).toEqual(["Recibido: hola"]);
});

it("finishes a run that failed midway on a live node (its database went away), answering once", async () => {
  // An API the flow calls; on its first call the database goes away for a moment, so the step after it cannot be written.
  let calls = 0;
  const api = http.createServer((_req, res) => {
    calls += 1;
    const outage =
      calls === 1
        ? asServerAdmin(`ALTER DATABASE ${h.database.name} ALLOW_CONNECTIONS false`).then(() =>
            asServerAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${h.database.name}' AND pid <> pg_backend_pid()`),
          )
        : Promise.resolve();
    outage.then(
      () => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
      () => res.destroy(),
    );
    if (calls === 1) {
      setTimeout(() => {
        asServerAdmin(`ALTER DATABASE ${h.database.name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      }, 1_500);
    }
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  try {
    const flow = await admin.post("/api/flows", {
      name: "Consulta",
      trigger_type: "keyword",
      trigger_value: "consulta",
      is_active: true,
      nodes: {
        nodes: [
          { id: "start", type: "start", data: {} },
          { id: "ask", type: "http_request", data: { method: "GET", url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/`, save_to: "r" } },
          { id: "done", type: "send_text", data: { text: "Consultado" } },
        ],
        edges: [
          { source: "start", target: "ask" },
          { source: "ask", sourceHandle: "success", target: "done" },
        ],
      },
    });
    expect(flow.status).toBe(201);
    const phone = "+525588900005";
    await customerWrites(admin, accountId, phone, "consulta");
    await eventually(async () => (await sent(phone).catch(() => [])).length >= 1, 15_000);
    await settle();
    expect(await sent(phone)).toEqual(["Consultado"]);
    expect(calls).toBe(2);
  } finally {
    await asServerAdmin(`ALTER DATABASE ${h.database.name} ALLOW_CONNECTIONS true`);
    await new Promise((resolve) => api.close(resolve));
  }
}, 30_000);
