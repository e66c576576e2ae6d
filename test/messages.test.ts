// A conversation's messages over REST: the timeline's pages, what agents send, notes.
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
let admin: Client;
let accountId: string;
let phones = 0;
const newPhone = () => `+5255710${String(++phones).padStart(5, "0")}`;
const outbound = async (to: string) =>
  (await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(to)}`)).body as Array<Record<string, any>>;

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
});

async function timelineOf(conversationId: string, count: number): Promise<string[]> {
  const base = Date.now() - count * 1000;
  const rows = Array.from({ length: count }, (_, i) => ({
    conversation_id: conversationId,
    whatsapp_account_id: accountId,
    direction: "inbound" as const,
    type: "text",
    content: `m${i}`,
    status: "received" as const,
    sender_type: "contact" as const,
    created_at: new Date(base + i * 1000),
  }));
  const inserted: Array<{ id: string }> = await database()("messages").insert(rows).returning("id");
  return inserted.map((row) => row.id);
}

describe("reading a conversation", () => {
  it("pages newest first with a cursor, each page oldest to newest, unmoved by new messages", async () => {
    const id = await customerWrites(admin, accountId, newPhone(), "m-first");
    await database()("messages")
      .where({ conversation_id: id })
      .update({ created_at: new Date(Date.now() - 10_000_000) });
    await timelineOf(id, 119);
    const contents = (page: { items: Array<{ content: string }> }) => page.items.map((m) => m.content);

    const first = (await admin.get(`/api/conversations/${id}/messages`)).body;
    expect(first).toMatchObject({ has_more: true, limit: 50 });
    expect(contents(first)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 69}`));
    // Messages arriving meanwhile do not shift the older pages.
    await customerWrites(admin, accountId, (await admin.get(`/api/conversations/${id}`)).body.contact.phone_number, "nuevo");
    const second = (await admin.get(`/api/conversations/${id}/messages?before=${first.items[0].id}`)).body;
    expect(contents(second)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i + 19}`));
    const last = (await admin.get(`/api/conversations/${id}/messages?before=${second.items[0].id}&limit=50`)).body;
    expect(contents(last)).toEqual(["m-first", ...Array.from({ length: 19 }, (_, i) => `m${i}`)]);
    expect(last.has_more).toBe(false);

    expect(first.items[0]).toEqual({
      id: expect.any(String),
      conversation_id: id,
      direction: "inbound",
      type: "text",
      content: "m69",
      metadata: {},
      status: "received",
      failure_reason: null,
      sender: { type: "contact", id: expect.any(String), name: null },
      is_internal: false,
      media_url: null,
      created_at: expect.any(String),
      sent_at: null,
      delivered_at: null,
      read_at: null,
      version: expect.any(Number),
    });
  });

  it("refuses a cursor from another conversation and limits out of range", async () => {
    const one = await customerWrites(admin, accountId, newPhone());
    const other = await customerWrites(admin, accountId, newPhone());
    const [foreign] = await timelineOf(other, 1);
    for (const query of [`before=${foreign}`, "before=abc", "limit=0", "limit=201", "limit=x"]) {
      const res = await admin.get(`/api/conversations/${one}/messages?${query}`);
      expect([res.status, res.body.detail.field]).toEqual([422, query.split("=")[0]]);
    }
    expect((await admin.get(`/api/conversations/${one}/messages/${foreign}`)).status).toBe(404);
  });
});

describe("writing to a customer", () => {
  it("sends the seed's text, image, buttons and list bodies through the outbox, and the first agent reply stamps the first response", async () => {
    const agent = await h.as("agent", "Rosa");
    const queue = await queueWith([{ id: agent.user.id }]);
    const phone = newPhone();
    const id = await customerWrites(admin, accountId, phone);
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });
    const bodies = [
      { type: "text", content: "Hola, ¿en qué te puedo ayudar?" },
      { type: "image", media_url: "https://example.com/image.jpg", content: "Caption opcional" },
      {
        type: "buttons",
        content: "¿Qué necesitas?",
        metadata: {
          buttons: [
            { id: "ventas", text: "Ventas" },
            { id: "soporte", text: "Soporte" },
            { id: "otro", text: "Otro" },
          ],
        },
      },
      {
        type: "list",
        content: "Selecciona una opción:",
        metadata: { button_text: "Ver opciones", sections: [{ title: "Productos", rows: [{ id: "laptop", title: "Laptops", description: "Ver laptops" }] }] },
      },
    ];
    const sent = [];
    for (const body of bodies) {
      const res = await agent.post(`/api/conversations/${id}/messages`, body);
      expect(res.status).toBe(201);
      expect(res.headers.get("location")).toBe(`/api/conversations/${id}/messages/${res.body.id}`);
      expect(res.body).toMatchObject({
        direction: "outbound",
        status: expect.stringMatching(/^(pending|sent)$/),
        type: body.type,
        sender: { type: "agent", id: agent.user.id, name: "Rosa" },
      });
      sent.push(res.body);
    }
    expect(sent[1].metadata.media_url).toBe("https://example.com/image.jpg");
    // The top-level field carries it too, in the answer and in the timeline.
    expect(sent[1].media_url).toBe("https://example.com/image.jpg");
    const imageId: string = sent[1].id;
    const timeline = (await agent.get(`/api/conversations/${id}/messages`)).body.items as Array<{ id: string; media_url: string | null }>;
    expect(timeline.find((m) => m.id === imageId)?.media_url).toBe("https://example.com/image.jpg");
    const received = await eventually(async () => {
      const list = await outbound(phone);
      return list.length === 4 && list;
    });
    expect(received.map((m) => m.type)).toEqual(["text", "image", "buttons", "list"]);

    const conversation = (await agent.get(`/api/conversations/${id}`)).body;
    expect(conversation.first_response_at).not.toBeNull();
    const stamped = conversation.first_response_at;
    await agent.post(`/api/conversations/${id}/messages`, { type: "text", content: "¿Algo más?" });
    expect((await agent.get(`/api/conversations/${id}`)).body.first_response_at).toBe(stamped);
  });

  it("queues one message for a retried request with the same idempotency key", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const body = { type: "text", content: "Una vez", idempotency_key: "req-1" };
    const first = await admin.post(`/api/conversations/${id}/messages`, body);
    const again = await admin.post(`/api/conversations/${id}/messages`, body);
    expect(again.body.id).toBe(first.body.id);
    expect(await database()("messages").where({ conversation_id: id, content: "Una vez" }).count()).toEqual([{ count: "1" }]);
  });

  it("validates each type and names the field", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const row = (i: number) => ({ id: `r${i}`, title: `Fila ${i}` });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: "text" }, "content"],
      [{ type: "text", content: "x".repeat(4097) }, "content"],
      [{ type: "fax", content: "x" }, "type"],
      [{ type: "image", media_url: "ftp://example.com/a.jpg" }, "media_url"],
      [{ type: "image", media_url: "javascript:alert(1)" }, "media_url"],
      [{ type: "buttons", content: "?", metadata: { buttons: [] } }, "metadata.buttons"],
      [{ type: "buttons", content: "?", metadata: { buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, text: "B" })) } }, "metadata.buttons"],
      [
        {
          type: "buttons",
          content: "?",
          metadata: {
            buttons: [
              { id: "a", text: "A" },
              { id: "a", text: "B" },
            ],
          },
        },
        "metadata.buttons",
      ],
      [
        { type: "list", content: "?", metadata: { button_text: "Ver", sections: [{ rows: Array.from({ length: 11 }, (_, i) => row(i)) }] } },
        "metadata.sections",
      ],
      [{ type: "list", content: "?", metadata: { sections: [{ rows: [row(1)] }] } }, "metadata.button_text"],
      [{ type: "text", content: "x", metadata: "no" }, "metadata"],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post(`/api/conversations/${id}/messages`, body);
      expect([res.status, res.body.detail.field, JSON.stringify(body).slice(0, 60)]).toEqual([422, field, JSON.stringify(body).slice(0, 60)]);
    }
    expect(await database()("messages").where({ conversation_id: id, direction: "outbound" }).count()).toEqual([{ count: "0" }]);
  });

  it("refuses resolved conversations and conversations the caller may not see", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const outsider = await h.as("agent");
    const hidden = await outsider.post(`/api/conversations/${id}/messages`, { type: "text", content: "hola" });
    expect(hidden.status).toBe(403);
    await admin.post(`/api/conversations/${id}/resolve`, {});
    const res = await admin.post(`/api/conversations/${id}/messages`, { type: "text", content: "hola" });
    expect([res.status, res.body.detail.code]).toEqual([409, "CONVERSATION_RESOLVED"]);
    expect((await h.request("POST", `/api/conversations/${id}/messages`, { body: { type: "text", content: "x" } })).status).toBe(401);
  });
});

describe("internal notes", () => {
  it("stay in the timeline for the team and never reach WhatsApp", async () => {
    const phone = newPhone();
    const id = await customerWrites(admin, accountId, phone);
    const note = await admin.post(`/api/conversations/${id}/notes`, { content: "Cliente interesado, dar seguimiento" });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({
      type: "note",
      is_internal: true,
      content: "Cliente interesado, dar seguimiento",
      sender: { type: "agent", id: admin.user.id },
    });
    await admin.post(`/api/conversations/${id}/messages`, { type: "text", content: "después de la nota" });
    await eventually(async () => (await outbound(phone)).length === 1);
    expect((await outbound(phone)).map((m) => m.content)).toEqual(["después de la nota"]);
    const timeline = (await admin.get(`/api/conversations/${id}/messages`)).body.items.map((m: { type: string }) => m.type);
    expect(timeline).toEqual(["text", "note", "text"]);
    for (const body of [{}, { content: "" }, { content: "   " }, { content: "x".repeat(4097) }, { content: 5 }]) {
      const res = await admin.post(`/api/conversations/${id}/notes`, body);
      expect([res.status, res.body.detail.field]).toEqual([422, "content"]);
    }
  });
});

describe("media", () => {
  it("is served only to those who may see its conversation", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const [message] = await database()("messages")
      .insert({
        conversation_id: id,
        whatsapp_account_id: accountId,
        direction: "inbound",
        type: "image",
        status: "received",
        sender_type: "contact",
        media_path: "nowhere/x.jpg",
      })
      .returning("id");
    const outsider = await h.as("agent");
    expect((await outsider.get(`/api/media/${message!.id}`)).status).toBe(403);
    // Visible to the admin: the file itself is missing here, so 404.
    expect((await admin.get(`/api/media/${message!.id}`)).status).toBe(404);
  });
});
