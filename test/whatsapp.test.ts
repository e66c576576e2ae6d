import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "socket.io-client";
import { reloadConfig } from "../lib/config";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { single } from "../lib/db/tables";

const h = harness({
  env: { FETCH_ALLOW_HOSTS: "127.0.0.1", WHATSAPP_LEASE_TTL_MS: "3000", WHATSAPP_RECONNECT_BASE_MS: "50", WHATSAPP_RECONNECT_MAX_MS: "200" },
});
const MISSING = "00000000-0000-4000-8000-000000000000";

function collect(socket: Socket, event: string): Array<Record<string, unknown>> {
  const seen: Array<Record<string, unknown>> = [];
  socket.on(event, (payload: Record<string, unknown>) => seen.push(payload));
  return seen;
}

async function createAccount(admin: Client, name = "Ventas Principal") {
  const res = await admin.post("/api/whatsapp/accounts", { name, provider: "simulator" });
  expect(res.status).toBe(201);
  return res.body as { id: string; name: string; status: string; qr_code: null };
}

async function waitForStatus(admin: Client, id: string, status: string) {
  await eventually(async () => (await admin.get(`/api/whatsapp/accounts/${id}/status`)).body.status === status);
}

/** An account created, shown a QR, and paired by a phone. */
async function connectedAccount(admin: Client, phone: string, name = `Cuenta ${phone}`) {
  const account = await createAccount(admin, name);
  await waitForStatus(admin, account.id, "qr");
  await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: phone });
  await waitForStatus(admin, account.id, "connected");
  return account;
}

describe("connecting a number", () => {
  it("creates the account disconnected, then a QR follows, and a scan connects it, with socket events", async () => {
    const admin = await h.admin();
    const socket = await h.socket({ token: admin.token });
    const qrEvents = collect(socket, "qr_code");
    const statusEvents = collect(socket, "connection_status");

    const account = await createAccount(admin);
    expect(account).toMatchObject({ name: "Ventas Principal", status: "disconnected", qr_code: null });

    await eventually(() => qrEvents.some((e) => e.account_id === account.id));
    expect(qrEvents[0]!.qr_code).toMatch(/^data:image\/png;base64,/);
    const qr = await admin.get(`/api/whatsapp/accounts/${account.id}/qr`);
    expect(qr.status).toBe(200);
    expect(qr.body.qr_code).toMatch(/^data:image\/png;base64,/);
    // The account object carries its QR code while it waits for a scan, alone and in the list.
    await waitForStatus(admin, account.id, "qr");
    expect((await admin.get(`/api/whatsapp/accounts/${account.id}`)).body.qr_code).toMatch(/^data:image\/png;base64,/);
    const listed = (await admin.get("/api/whatsapp/accounts?limit=100")).body.items as Array<{ id: string; qr_code: string | null }>;
    expect(listed.find((a) => a.id === account.id)?.qr_code).toMatch(/^data:image\/png;base64,/);

    const scan = await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "+52 55 1234 5678" });
    expect(scan.status).toBe(200);
    await eventually(() => statusEvents.some((e) => e.account_id === account.id && e.status === "connected"));
    const status = await admin.get(`/api/whatsapp/accounts/${account.id}/status`);
    expect(status.body).toMatchObject({ account_id: account.id, status: "connected", phone_number: "+525512345678" });

    const noQr = await admin.get(`/api/whatsapp/accounts/${account.id}/qr`);
    expect(noQr.status).toBe(409);
    expect(noQr.body.detail.code).toBe("QR_NOT_AVAILABLE");
  });

  it("disconnects (logging the number out) and reconnects to a new QR", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000010", "Soporte");

    const off = await admin.post(`/api/whatsapp/accounts/${account.id}/disconnect`);
    expect(off.status).toBe(200);
    await waitForStatus(admin, account.id, "disconnected");
    expect(await database()("whatsapp_auth_state").where({ account_id: account.id })).toHaveLength(0);
    expect((await admin.get(`/api/whatsapp/accounts/${account.id}/qr`)).status).toBe(409);

    const again = await admin.post(`/api/whatsapp/accounts/${account.id}/reconnect`);
    expect(again.status).toBe(200);
    // The answer says what is happening now, not the state from before it acted.
    expect(["connecting", "qr"]).toContain(again.body.status);
    await waitForStatus(admin, account.id, "qr");
  });

  it("comes back by itself after the connection drops", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000011", "Cobranza");
    expect((await admin.post(`/api/simulator/accounts/${account.id}/disconnect`, { reason: "connection_lost" })).status).toBe(200);
    await eventually(async () => {
      const events = await database()("whatsapp_accounts").where({ id: account.id }).first();
      return events!.status === "connected" && events!.should_connect === true;
    });
  });

  it("shows a ban and stays down", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000012", "Promos");
    await admin.post(`/api/simulator/accounts/${account.id}/disconnect`, { reason: "banned" });
    await waitForStatus(admin, account.id, "banned");
  });
});

describe("managing accounts", () => {
  it("lists, reads, renames and deletes", async () => {
    const admin = await h.admin();
    const account = await createAccount(admin, "Temporal");
    const list = await admin.get("/api/whatsapp/accounts");
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(account.id);
    expect((await admin.get(`/api/whatsapp/accounts/${account.id}`)).body).toMatchObject({ id: account.id, provider: "simulator" });
    expect((await admin.put(`/api/whatsapp/accounts/${account.id}`, { name: "Renombrada" })).body.name).toBe("Renombrada");
    expect((await admin.delete(`/api/whatsapp/accounts/${account.id}`)).status).toBe(204);
    expect((await admin.get(`/api/whatsapp/accounts/${account.id}`)).status).toBe(404);
    const row = await database()("whatsapp_accounts").where({ id: account.id }).first();
    expect(row).toMatchObject({ should_connect: false });
    expect(row!.deleted_at).not.toBeNull();
  });

  it("validates input", async () => {
    const admin = await h.admin();
    expect((await admin.post("/api/whatsapp/accounts", {})).body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "name" });
    expect((await admin.post("/api/whatsapp/accounts", { name: "X", provider: "twilio" })).body.detail.field).toBe("provider");
    expect((await admin.get(`/api/whatsapp/accounts/${MISSING}`)).status).toBe(404);
    expect((await admin.get("/api/whatsapp/accounts/nope/status")).status).toBe(422);
    expect((await admin.post(`/api/whatsapp/accounts/${MISSING}/reconnect`)).status).toBe(404);
    expect((await admin.put(`/api/whatsapp/accounts/${MISSING}`, { name: "X" })).status).toBe(404);
  });

  it("lets supervisors read and only admins change", async () => {
    const admin = await h.admin();
    const account = await createAccount(admin, "Lectura");
    const supervisor = await h.as("supervisor");
    const agent = await h.as("agent");
    expect((await supervisor.get("/api/whatsapp/accounts")).status).toBe(200);
    expect((await supervisor.get(`/api/whatsapp/accounts/${account.id}`)).status).toBe(200);
    expect((await supervisor.get(`/api/whatsapp/accounts/${account.id}/status`)).status).toBe(200);
    for (const res of [
      await supervisor.post("/api/whatsapp/accounts", { name: "X", provider: "simulator" }),
      await supervisor.put(`/api/whatsapp/accounts/${account.id}`, { name: "X" }),
      await supervisor.delete(`/api/whatsapp/accounts/${account.id}`),
      await supervisor.post(`/api/whatsapp/accounts/${account.id}/disconnect`),
      await supervisor.post(`/api/whatsapp/accounts/${account.id}/reconnect`),
      await supervisor.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "+525500000099" }),
      await agent.get("/api/whatsapp/accounts"),
      await agent.get(`/api/whatsapp/accounts/${account.id}/qr`),
    ]) {
      expect(res.status).toBe(403);
    }
    expect((await h.request("GET", "/api/whatsapp/accounts")).status).toBe(401);
  });

  it("moves an open socket to its user's new role", async () => {
    const admin = await h.admin();
    const supervisor = await h.as("supervisor");
    const socket = await h.socket({ token: supervisor.token });
    const events = collect(socket, "connection_status");
    expect((await admin.put(`/api/users/${supervisor.user.id}`, { role: "agent" })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const account = await createAccount(admin, "Degradado");
    await waitForStatus(admin, account.id, "qr");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(events.filter((e) => e.account_id === account.id)).toHaveLength(0);
  });

  it("sends connection news only to admins and supervisors", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const supervisor = await h.as("supervisor");
    const agentSocket = await h.socket({ token: agent.token });
    const supervisorSocket = await h.socket({ token: supervisor.token });
    const agentEvents = collect(agentSocket, "connection_status");
    const supervisorEvents = collect(supervisorSocket, "connection_status");
    const account = await createAccount(admin, "Eventos");
    await eventually(() => supervisorEvents.some((e) => e.account_id === account.id));
    expect(agentEvents).toHaveLength(0);
  });
});

describe("receiving messages", () => {
  // Where the simulated phones upload their files from: this machine, never the internet.
  let files: Server;
  let filesUrl = "";
  beforeAll(async () => {
    files = createServer((req, res) => {
      if (req.url === "/missing.jpg") return void res.writeHead(404).end();
      if (req.url === "/page.html") return void res.writeHead(200, { "content-type": "text/html" }).end("<script>alert(1)</script>");
      res.writeHead(200, { "content-type": req.url?.endsWith(".pdf") ? "application/pdf" : "image/jpeg" }).end(`file ${req.url}`);
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => files.close(resolve)));

  it("stores every kind once, even when redelivered, and announces it (a redelivery again)", async () => {
    const received: Array<Record<string, unknown>> = [];
    const probe = h.broker.createService({
      name: "probe",
      events: {
        "message.received"(ctx: { params: Record<string, unknown> }) {
          received.push(ctx.params);
        },
      },
    });
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000020");
    const kinds = [
      { type: "text", text: "Hola, quiero una laptop" },
      { type: "image", media_url: `${filesUrl}/factura.jpg`, text: "Mi factura" },
      { type: "video", media_url: `${filesUrl}/v.mp4` },
      { type: "audio", media_url: `${filesUrl}/nota.ogg` },
      { type: "document", media_url: `${filesUrl}/cotizacion.pdf`, text: "cotización" },
      { type: "sticker", media_url: `${filesUrl}/s.webp` },
      { type: "location", latitude: 19.4326, longitude: -99.1332, text: "Zócalo" },
      { type: "contact", text: "Ana López" },
      { type: "reaction", text: "👍" },
      { type: "button_reply", button_id: "ventas", text: "Ventas" },
      { type: "list_reply", row_id: "laptop", text: "Laptops" },
    ];
    const ids: string[] = [];
    for (const kind of kinds) {
      const res = await admin.post(`/api/simulator/accounts/${account.id}/inbound`, { from: "+52 55 9876 5432", name: "Juan Pérez", ...kind });
      expect(res.status).toBe(200);
      ids.push(res.body.wa_message_id);
    }
    const again = await admin.post(`/api/simulator/accounts/${account.id}/inbound`, {
      from: "+525598765432",
      type: "text",
      text: "otra vez",
      wa_message_id: ids[0],
    });
    expect(again.body.wa_message_id).toBe(ids[0]);

    const rows = await database()("messages").where({ whatsapp_account_id: account.id }).orderBy("created_at");
    expect(rows.map((row) => row.type)).toEqual(kinds.map((kind) => kind.type));
    expect(rows[0]).toMatchObject({ content: "Hola, quiero una laptop", direction: "inbound", status: "received" });
    expect(rows[6]!.metadata).toMatchObject({ latitude: 19.4326, longitude: -99.1332 });
    expect(rows[9]!.metadata).toMatchObject({ button_id: "ventas" });
    expect(new Set(rows.map((row) => row.conversation_id)).size).toBe(1);
    const contact = await database()("contacts").where({ phone_number: "+525598765432" }).first();
    expect(contact).toMatchObject({ push_name: "Juan Pérez" });

    // The image's file is kept and served behind authentication.
    const media = await fetch(`${h.baseUrl}/api/media/${rows[1]!.id}`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/jpeg");
    expect(await media.text()).toBe("file /factura.jpg");
    expect(rows[1]!.metadata).toMatchObject({ mimetype: "image/jpeg", size: 17 });
    expect((await h.request("GET", `/api/media/${rows[1]!.id}`)).status).toBe(401);
    expect((await admin.get(`/api/media/${rows[0]!.id}`)).status).toBe(404);

    // The redelivery is told again (its first delivery may have been stored by a node that died before telling).
    await eventually(() => received.filter((event) => event.account_id === account.id).length === kinds.length + 1);
    expect(received[0]).toMatchObject({ account_id: account.id, type: "text", direction: "inbound", new_conversation: true });
    expect(received[kinds.length]).toMatchObject({ message_id: received[0]!.message_id, new_conversation: false });
    await h.broker.destroyService(probe);
  });

  it("serves files of risky types only as downloads", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000023");
    await admin.post(`/api/simulator/accounts/${account.id}/inbound`, { from: "+525598765402", type: "document", media_url: `${filesUrl}/page.html` });
    const row = await database()("messages").where({ whatsapp_account_id: account.id }).first();
    const res = await fetch(`${h.baseUrl}/api/media/${row!.id}`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment/);
    expect(res.headers.get("content-security-policy")).toMatch(/sandbox/);
  });

  it("keeps a message whose media could not be fetched, saying why", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000022");
    await admin.post(`/api/simulator/accounts/${account.id}/inbound`, { from: "+525598765401", type: "image", media_url: `${filesUrl}/missing.jpg` });
    const row = await database()("messages").where({ whatsapp_account_id: account.id }).first();
    expect(row!.media_path).toBeNull();
    expect(row!.metadata.media_error).toMatch(/404/);
    expect((await admin.get(`/api/media/${row!.id}`)).status).toBe(404);
  });

  it("fetches media only behind the address guard", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000024");
    // FETCH_ALLOW_HOSTS lists 127.0.0.1 for the file server above, not the name that leads to it.
    await admin.post(`/api/simulator/accounts/${account.id}/inbound`, {
      from: "+525598765403",
      type: "image",
      media_url: filesUrl.replace("127.0.0.1", "localhost") + "/x.jpg",
    });
    const row = await database()("messages").where({ whatsapp_account_id: account.id }).first();
    expect(row!.media_path).toBeNull();
    expect(row!.metadata.media_error).toMatch(/localhost is a private or local address/);
  });

  it("refuses malformed messages and disconnected accounts", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000021");
    const post = (body: Record<string, unknown>) => admin.post(`/api/simulator/accounts/${account.id}/inbound`, { from: "+525598765400", ...body });
    expect((await post({ type: "text" })).body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "text" });
    expect((await post({ type: "image" })).body.detail.field).toBe("media_url");
    expect((await post({ type: "image", media_url: "ftp://x/y.jpg" })).body.detail.field).toBe("media_url");
    expect((await post({ type: "location", latitude: 100, longitude: 0 })).body.detail.field).toBe("latitude");
    expect((await post({ type: "button_reply" })).body.detail.field).toBe("button_id");
    expect((await post({ type: "gif", text: "x" })).body.detail.field).toBe("type");
    expect((await admin.post(`/api/simulator/accounts/${account.id}/inbound`, { from: "nope", type: "text", text: "x" })).body.detail.field).toBe("from");

    await admin.post(`/api/whatsapp/accounts/${account.id}/disconnect`);
    await waitForStatus(admin, account.id, "disconnected");
    const offline = await post({ type: "text", text: "¿hola?" });
    expect(offline.status).toBe(409);
    expect(offline.body.detail.code).toBe("NOT_CONNECTED");
  });
});

describe("the simulator's control API", () => {
  it("refuses malformed payloads and other providers' accounts", async () => {
    const admin = await h.admin();
    const account = await createAccount(admin, "Simulada");
    expect((await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "call me" })).body.detail.field).toBe("phone_number");
    expect((await admin.post(`/api/simulator/accounts/${account.id}/disconnect`, { reason: "meteor" })).body.detail.field).toBe("reason");
    expect((await admin.post(`/api/simulator/accounts/${MISSING}/scan`, { phone_number: "+525500000000" })).status).toBe(404);

    const { id: baileysId } = single(
      await database()("whatsapp_accounts").insert({ name: "Real", provider: "baileys", should_connect: false }).returning("id"),
      "test row",
    );
    const other = await admin.post(`/api/simulator/accounts/${baileysId}/scan`, { phone_number: "+525500000000" });
    expect(other.status).toBe(422);
  });

  it("refuses a scan when no QR is showing", async () => {
    const admin = await h.admin();
    const account = await connectedAccount(admin, "+525500000013", "Doble");
    const again = await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "+525500000013" });
    expect(again.status).toBe(409);
    expect(again.body.detail.code).toBe("NOT_WAITING_FOR_SCAN");
  });

  it("is not there when disabled", async () => {
    const admin = await h.admin();
    const account = await createAccount(admin, "Apagado");
    process.env.SIMULATOR_ENABLED = "false";
    reloadConfig();
    try {
      const res = await admin.post(`/api/simulator/accounts/${account.id}/scan`, { phone_number: "+525500000000" });
      expect(res.status).toBe(404);
      expect((await admin.post("/api/whatsapp/accounts", { name: "X", provider: "simulator" })).body.detail.field).toBe("provider");
    } finally {
      delete process.env.SIMULATOR_ENABLED;
      reloadConfig();
    }
  });
});
