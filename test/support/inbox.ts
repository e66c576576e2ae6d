// Inbox scenery for tests that speak to a running broker: a connected
// simulated WhatsApp number, customers writing in, queues with members.
import { database } from "../../lib/db/connection";
import { eventually, type Client } from "./harness";

let queues = 0;

/** Creates a simulated account as the admin, scans its QR and waits until it is connected. */
export async function connectedAccount(admin: Client, name = "Ventas"): Promise<string> {
  const created = await admin.api.post("/api/whatsapp/accounts", { body: { name, provider: "simulator" } });
  if (created.status !== 201) throw new Error(`creating an account failed: ${created.status} ${JSON.stringify(created.body)}`);
  const path = { id: created.body.id };
  const statusIs = async (status: string) => {
    const res = await admin.api.get("/api/whatsapp/accounts/{id}/status", { path });
    return res.status === 200 && res.body.status === status;
  };
  await eventually(() => statusIs("qr"));
  await admin.api.post("/api/simulator/accounts/{id}/scan", { path, body: { phone_number: "+525500000100" } });
  await eventually(() => statusIs("connected"));
  return path.id;
}

/** A customer writes to the account; resolves with their open conversation's id. */
export async function customerWrites(admin: Client, accountId: string, from: string, text = "Hola", name?: string): Promise<string> {
  const res = await admin.api.post("/api/simulator/accounts/{id}/inbound", { path: { id: accountId }, body: { from, type: "text", text, name } });
  if (res.status >= 300) throw new Error(`inbound failed: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await eventually(() =>
    database()("conversations as c")
      .join("contacts as k", "k.id", "c.contact_id")
      .where({ "c.whatsapp_account_id": accountId, "k.phone_number": from })
      .whereNot("c.status", "resolved")
      .first("c.id"),
  );
  return row.id as string;
}

/**
 * A queue with these members, written as rows. Manual assignment, so the
 * assignment engine leaves the conversations to the test.
 */
export async function queueWith(members: Array<{ id: string; supervisor?: boolean }>, name?: string): Promise<string> {
  queues += 1;
  const [queue] = await database()("queues")
    .insert({ name: name ?? `Cola ${queues} ${Date.now()}`, assignment_method: "manual" })
    .returning("id");
  const id = (queue as { id: string }).id;
  if (members.length) {
    await database()("queue_agents").insert(members.map((member) => ({ queue_id: id, user_id: member.id, is_supervisor: member.supervisor ?? false })));
  }
  return id;
}
