// The full path with the simulator and Socket.IO: a customer writes, the right
// sockets hear it, an agent answers, the phone receives it, receipts come back.
import type { Socket } from "socket.io-client";
import { database } from "../lib/db/connection";
import type { SimulatorProvider } from "../lib/whatsapp/simulator";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
let admin: Client;
let accountId: string;

type Heard = Array<[string, any]>;

/** A signed-in socket that remembers everything it hears. */
async function listening(client: Client): Promise<{ socket: Socket; heard: Heard }> {
  const socket = await h.socket({ token: `Bearer ${client.token}` });
  const heard: Heard = [];
  socket.onAny((event: string, payload: unknown) => heard.push([event, payload]));
  return { socket, heard };
}

const about = (heard: Heard, conversationId: string, event?: string) =>
  heard.filter(([name, payload]) => (!event || name === event) && payload?.conversation_id === conversationId);

const ask = (socket: Socket, event: string, payload: unknown) => new Promise<any>((resolve) => socket.emit(event, payload, resolve));

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
});

describe("the inbox in real time", () => {
  it("tells only those who may see a conversation, end to end through WhatsApp and back", async () => {
    const member = await h.as("agent", "Ana");
    const outsider = await h.as("agent");
    const queue = await queueWith([{ id: member.user.id }]);
    const [adminEar, memberEar, outsiderEar] = await Promise.all([listening(admin), listening(member), listening(outsider)]);
    const phone = "+525512340001";

    // A new customer: the bot holds it, in no queue yet — only admins see it.
    const id = await customerWrites(admin, accountId, phone, "Hola", "Cliente");
    await eventually(() => about(adminEar.heard, id, "new_message").length === 1);
    expect(about(adminEar.heard, id, "new_message")[0]![1]).toMatchObject({
      conversation_id: id,
      message: { content: "Hola", direction: "inbound", sender: { type: "contact", name: "Cliente" } },
    });

    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });
    await eventually(() => about(memberEar.heard, id, "conversation_updated").length === 1);
    expect(about(memberEar.heard, id, "conversation_updated")[0]![1]).toMatchObject({
      status: "waiting",
      queue_id: queue,
      assigned_to: null,
      change: "transferred",
    });

    await customerWrites(admin, accountId, phone, "¿Hay alguien?");
    await eventually(() => about(memberEar.heard, id, "new_message").length === 1);

    expect((await member.post(`/api/conversations/${id}/assign`, { user_id: member.user.id })).status).toBe(200);
    await eventually(() => about(memberEar.heard, id, "conversation_assigned").length === 1);
    expect(about(adminEar.heard, id, "conversation_assigned")).toEqual([
      ["conversation_assigned", { conversation_id: id, assigned_to: member.user.id, version: expect.any(Number) }],
    ]);

    // Watching the conversation: typing goes to the others there, and "typing…" to the customer.
    expect(await ask(memberEar.socket, "join_conversation", { conversation_id: id })).toEqual({ ok: true, conversation_id: id });
    expect(await ask(adminEar.socket, "join_conversation", { conversation_id: id })).toEqual({ ok: true, conversation_id: id });
    const refused = await ask(outsiderEar.socket, "join_conversation", { conversation_id: id });
    expect(refused).toMatchObject({ ok: false, detail: { code: "FORBIDDEN" } });
    expect(await ask(outsiderEar.socket, "typing", { conversation_id: id })).toMatchObject({ ok: false, detail: { code: "FORBIDDEN" } });
    expect(await ask(memberEar.socket, "join_conversation", { conversation_id: "x" })).toMatchObject({
      ok: false,
      detail: { code: "VALIDATION_ERROR", field: "conversation_id" },
    });
    expect(await ask(memberEar.socket, "typing", { conversation_id: id })).toEqual({ ok: true, conversation_id: id });
    await eventually(() => about(adminEar.heard, id, "typing").length === 1);
    expect(about(adminEar.heard, id, "typing")[0]![1]).toEqual({ conversation_id: id, user: { id: member.user.id, name: "Ana" } });
    expect(about(memberEar.heard, id, "typing")).toEqual([]);
    const simulator = (h.broker.getLocalService("whatsapp-sessions") as unknown as { simulator: SimulatorProvider }).simulator;
    await eventually(() => simulator.typingShownTo(accountId).includes(phone));

    // The answer reaches the phone; its receipts come back as message_status.
    const reply = await member.post(`/api/conversations/${id}/messages`, { type: "text", content: "Aquí estoy" });
    await eventually(() => about(adminEar.heard, id, "new_message").some(([, p]) => p.message.id === reply.body.id));
    const onPhone = await eventually(async () =>
      (
        (await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(phone)}`)).body as Array<{
          wa_message_id: string;
          content: string;
        }>
      ).find((m) => m.content === "Aquí estoy"),
    );
    for (const status of ["delivered", "read"]) {
      expect((await admin.post(`/api/simulator/accounts/${accountId}/receipts`, { wa_message_id: onPhone.wa_message_id, status })).status).toBe(200);
    }
    await eventually(
      () =>
        about(memberEar.heard, id, "message_status")
          .map(([, p]) => p.status)
          .join() === "sent,delivered,read",
    );
    expect(about(memberEar.heard, id, "message_status")[2]![1]).toEqual({
      message_id: reply.body.id,
      conversation_id: id,
      status: "read",
      version: expect.any(Number),
    });
    // Each status is a later version of the message: a client keeps the greatest it has seen.
    const versions = about(memberEar.heard, id, "message_status").map(([, p]) => p.version as number);
    expect(versions[0]).toBeGreaterThan(reply.body.version);
    expect(new Set(versions).size).toBe(3);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));

    // Heard once each, and nothing at all by the agent who may not see it.
    expect(about(memberEar.heard, id, "new_message").map(([, p]) => p.message.content)).toEqual(["¿Hay alguien?", "Aquí estoy"]);
    expect(about(adminEar.heard, id, "new_message").map(([, p]) => p.message.content)).toEqual(["Hola", "¿Hay alguien?", "Aquí estoy"]);
    expect(about(outsiderEar.heard, id)).toEqual([]);
  });

  it("stores 50 messages sent at once by a new number in one contact and one conversation, each announced once", async () => {
    const { heard } = await listening(admin);
    const phone = "+525512340050";
    const sends = Array.from({ length: 50 }, (_, i) =>
      admin.post(`/api/simulator/accounts/${accountId}/inbound`, { from: phone, type: "text", text: `ráfaga ${i}` }),
    );
    expect((await Promise.all(sends)).map((res) => res.status)).toEqual(Array(50).fill(200));
    const contacts = await database()("contacts").where({ phone_number: phone });
    expect(contacts).toHaveLength(1);
    const conversations = await database()("conversations").where({ contact_id: contacts[0]!.id });
    expect(conversations).toHaveLength(1);
    expect(await database()("messages").where({ conversation_id: conversations[0]!.id }).count()).toEqual([{ count: "50" }]);
    await eventually(() => about(heard, conversations[0]!.id, "new_message").length === 50);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(new Set(about(heard, conversations[0]!.id, "new_message").map(([, p]) => p.message.id)).size).toBe(50);
    expect(about(heard, conversations[0]!.id, "new_message")).toHaveLength(50);
  });

  it("moves an agent's sockets into a queue's room when they join it, and drops watchers who lose sight", async () => {
    const agent = await h.as("agent");
    const queue = await queueWith([]);
    const other = await queueWith([]);
    const ear = await listening(agent);
    const id = await customerWrites(admin, accountId, "+525512340077");
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });

    await database()("queue_agents").insert({ queue_id: queue, user_id: agent.user.id });
    await h.broker.emit("queue.membership.changed", { queue_id: queue, user_id: agent.user.id, member: true, is_supervisor: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await customerWrites(admin, accountId, "+525512340077", "¿Me atienden?");
    await eventually(() => about(ear.heard, id, "new_message").length === 1);

    expect(await ask(ear.socket, "join_conversation", { conversation_id: id })).toMatchObject({ ok: true });
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: other });
    await eventually(() => about(ear.heard, id, "conversation_updated").some(([, p]) => p.queue_id === other));
    await eventually(async () => (await ask(ear.socket, "typing", { conversation_id: id })).ok === false);

    // Watching a conversation of a queue, then taken out of that queue: the watching ends too.
    await database()("queue_agents").insert({ queue_id: other, user_id: agent.user.id });
    await h.broker.emit("queue.membership.changed", { queue_id: other, user_id: agent.user.id, member: true, is_supervisor: false });
    await eventually(async () => (await ask(ear.socket, "join_conversation", { conversation_id: id })).ok === true);
    await database()("queue_agents").where({ queue_id: other, user_id: agent.user.id }).delete();
    await h.broker.emit("queue.membership.changed", { queue_id: other, user_id: agent.user.id, member: false, is_supervisor: false });
    await eventually(async () => (await ask(ear.socket, "typing", { conversation_id: id })).ok === false);
  });
});
