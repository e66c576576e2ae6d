// The flow inbox: every stored inbound message reaches its flow exactly once,
// in order — when its event is lost on the way to the conversation's actor,
// and when an event is delivered again long after its message was answered.
import type { ServiceSchema } from "moleculer";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";
import ActorsSchema from "../services/conversation-actors.service";
import type { MessageReceivedEvent } from "../services/whatsapp-sessions.service";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0", FLOW_INBOX_RETRY_SECONDS: "1" } });
let admin: Client;
let accountId: string;

const sent = async (to: string): Promise<string[]> =>
  ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(to)}`)).body as Array<{ content: string }>).map((m) => m.content);
const pending = async (conversationId: string): Promise<number> => Number((await database()("flow_inbox").where({ conversation_id: conversationId }).count({ n: "*" }).first())?.n);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
  // Answers every message, echoing it: each reply names the message it answers.
  const echo = await admin.post("/api/flows", {
    name: "Eco",
    trigger_type: "default",
    is_active: true,
    nodes: { nodes: [{ id: "start", type: "start", data: {} }, { id: "echo", type: "send_text", data: { text: "Recibido: {{message.text}}" } }], edges: [{ source: "start", target: "echo" }] },
  });
  expect(echo.status).toBe(201);
});

it("answers, in order, every message whose event never reached the actor", async () => {
  const phone = "+525588900001";
  const conversationId = await customerWrites(admin, accountId, phone, "uno");
  await eventually(async () => (await sent(phone)).length === 1);
  // The node that should hand the next messages to their flow loses them (its actors are gone).
  await h.broker.destroyService(h.broker.getLocalService("conversation-actors")!);
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
  const replay: MessageReceivedEvent = { message_id: first.id, conversation_id: conversationId, contact_id: "", account_id: accountId, type: "text", direction: "inbound", new_conversation: false };
  await h.broker.broadcast("message.received", replay);
  await settle();
  expect(await sent(phone)).toEqual(["Recibido: primero", "Recibido: segundo"]);
});

it("answers each message once when many are handed over at the same time", async () => {
  const phone = "+525588900003";
  const conversationId = await customerWrites(admin, accountId, phone, "a");
  await eventually(async () => (await sent(phone)).length === 1);
  await h.broker.destroyService(h.broker.getLocalService("conversation-actors")!);
  for (const text of ["b", "c"]) await customerWrites(admin, accountId, phone, text);
  h.broker.createService(ActorsSchema as unknown as ServiceSchema);
  // Every way an input can be handed over, at once: the live event, again and again, and the sweep.
  for (let i = 0; i < 5; i += 1) await h.broker.call("conversation-actors.dispatch", { conversation_id: conversationId, event: { kind: "inbox" } }).catch(() => undefined);
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
