// Flows' state writes shared by many conversations in one statement: each
// write is all or nothing on its own, and one that loses (stale) or is refused
// leaves the others written.
import { ingestMessage } from "../lib/inbox/ingest";
import { findMessage, relayedFromJson, type MessageJson } from "../lib/inbox/messages";
import { migratedDatabase } from "./support/database";
import { single } from "../lib/db/tables";

const { knex } = migratedDatabase();

let accountId: string;
let counter = 0;

beforeAll(async () => {
  ({ id: accountId } = single(
    await knex()("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator", should_connect: true }).returning("id"),
    "test row",
  ));
});

async function conversationWithInput(): Promise<{ conversationId: string; messageId: string }> {
  counter += 1;
  const stored = await ingestMessage(knex(), accountId, {
    waMessageId: `W${counter}-${Date.now()}`,
    fromMe: false,
    peer: { phone: `+5255000${String(counter).padStart(5, "0")}`, lid: null, pushName: null },
    type: "text",
    text: "hola",
    metadata: {},
    timestamp: new Date(),
  });
  return { conversationId: stored.conversationId, messageId: stored.messageId };
}

const write = (conversationId: string, version: number, consuming: string | null, text: string) => ({
  conversation_id: conversationId,
  version,
  snapshot: { value: "waiting_input", context: {} },
  flow_version_id: null,
  owner_node: "n1",
  consuming,
  outbox: [{ type: "text", content: text, metadata: {}, idempotency_key: `k:${conversationId}:${version}` }],
  timer: { kind: "conversation-actors.flow", due_at: new Date(Date.now() + 60_000), payload: { token: "t" } },
  timer_key: `flow:${conversationId}`,
  current_flow: null,
});

async function writeMany(writes: unknown[]): Promise<Array<Record<string, unknown>>> {
  const { rows } = await knex().raw("SELECT charla_flow_write_many(?::jsonb) AS r", [JSON.stringify(writes)]);
  return rows[0].r;
}

it("writes each conversation's state, sends, timer and consumed input, and keeps a stale or refused one out", async () => {
  const a = await conversationWithInput();
  const b = await conversationWithInput();
  const c = await conversationWithInput();
  await knex()("conversation_actor_snapshots").insert({ conversation_id: b.conversationId, version: 3, snapshot: {} });

  const results = await writeMany([
    write(a.conversationId, 0, a.messageId, "para A"),
    write(b.conversationId, 1, b.messageId, "para B"), // another node wrote version 3 meanwhile
    write(c.conversationId, 0, "00000000-0000-0000-0000-000000000000", "para C"), // its input was consumed elsewhere
  ]);
  expect(results[0]).toMatchObject({ version: 1, queued: [expect.objectContaining({ conversation_id: a.conversationId, whatsapp_account_id: accountId })] });
  expect(results[0]).toMatchObject({ placement: { queue_id: null, assigned_to: null } });
  // The queued message as its relay tells it, without reading back, is what a read gives.
  const queued = (results[0] as { queued: Array<{ id: string; row: MessageJson }> }).queued[0]!;
  expect(relayedFromJson(queued.row, { queue_id: null, assigned_to: null }).message).toEqual(await findMessage(knex(), queued.id));
  expect(results[1]).toMatchObject({ code: "CH001" });
  expect(results[2]).toMatchObject({ code: "CH001" });

  const outbound = await knex()("messages").where({ direction: "outbound" }).pluck("content");
  expect(outbound).toEqual(["para A"]);
  expect(await knex()("flow_inbox").whereIn("message_id", [a.messageId, b.messageId, c.messageId]).pluck("message_id")).toEqual(
    expect.arrayContaining([b.messageId, c.messageId]),
  );
  expect(await knex()("flow_inbox").where({ message_id: a.messageId }).first()).toBeUndefined();
  expect(await knex()("timers").whereNull("cancelled_at").pluck("dedupe_key")).toEqual([`flow:${a.conversationId}`]);
  expect(await knex()("conversation_actor_snapshots").where({ conversation_id: c.conversationId }).first()).toBeUndefined();

  // Written again with the same keys (a run repeated after a crash), nothing new is queued.
  const again = await writeMany([
    { ...write(a.conversationId, 1, null, "para A"), outbox: [{ type: "text", content: "para A", metadata: {}, idempotency_key: `k:${a.conversationId}:0` }] },
  ]);
  expect(again[0]).toMatchObject({ version: 2, queued: [] });
  expect(await knex()("timers").whereNull("cancelled_at").count({ n: "*" }).first()).toEqual({ n: "1" });

  // An account switched off refuses the sends, with its state.
  await knex()("whatsapp_accounts").where({ id: accountId }).update({ should_connect: false, status: "logged_out" });
  const refused = await writeMany([write(a.conversationId, 2, null, "tarde")]);
  expect(refused[0]).toMatchObject({ code: "CH409", detail: "logged_out" });
  expect((await knex()("conversation_actor_snapshots").where({ conversation_id: a.conversationId }).first())!.version).toBe(2);
});
