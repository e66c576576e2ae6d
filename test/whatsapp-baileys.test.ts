// The Baileys adapter against a fake socket fed with Baileys' own payload
// shapes, and its auth state against the real database.
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { BaileysProvider, closeReasonOf, mapConnectionUpdate, type BaileysKit } from "../lib/whatsapp/baileys-provider";
import { loadAuthState } from "../lib/whatsapp/auth-state";
import type { InboundMessage } from "../lib/whatsapp/inbound";
import type { ConnectionUpdate } from "../lib/whatsapp/provider";
import { migratedDatabase } from "./support/database";
import { single } from "../lib/db/tables";

const { knex } = migratedDatabase();
// Stands for the guarded download: a file per URL, or the guard's refusal.
const fetchMedia = jest.fn(async (url: string) => {
  if (url.includes("127.0.0.1")) throw new Error("127.0.0.1 is a private or local address; allow it in FETCH_ALLOW_HOSTS to call it");
  return { data: Buffer.from(`bytes of ${url}`), mimetype: "image/jpeg" };
});
const quiet = { connection: () => undefined, messages: async () => undefined, receipts: async () => undefined, quota: () => undefined };

// Baileys' BufferJSON, as its source defines it (untyped JSON helpers there, hence `any` here).
const BufferJSON = {
  replacer: (_k: string, value: any) => {
    if (Buffer.isBuffer(value) || value instanceof Uint8Array || value?.type === "Buffer") {
      return { type: "Buffer", data: Buffer.from(value?.data || value).toString("base64") };
    }
    return value;
  },
  reviver: (_k: string, value: any) => {
    if (typeof value === "object" && value !== null && (value.buffer === true || value.type === "Buffer")) {
      const val = value.data || value.value;
      return typeof val === "string" ? Buffer.from(val, "base64") : Buffer.from(val || []);
    }
    return value;
  },
};

function fakeKit() {
  const sockets: Array<{ ev: EventEmitter; config: any; user?: { id: string; lid?: string }; end: jest.Mock; logout: jest.Mock }> = [];
  const kit: BaileysKit = {
    makeWASocket: (config) => {
      const socket = {
        ev: new EventEmitter(),
        config,
        user: undefined as { id: string; lid?: string } | undefined,
        end: jest.fn(),
        logout: jest.fn(async () => undefined),
        sendPresenceUpdate: jest.fn(async () => undefined),
      };
      sockets.push(socket);
      return socket as never;
    },
    initAuthCreds: () => ({ noiseKey: { private: randomBytes(32), public: randomBytes(32) }, registrationId: 7, registered: false }) as never,
    BufferJSON,
    reviveAppStateSyncKey: (value) => ({ revived: true, ...(value as object) }),
    downloadMedia: async (message) => {
      if (message.key.id === "BROKEN") throw new Error("media expired");
      return Buffer.from(`bytes of ${message.key.id}`);
    },
  };
  return { kit, sockets };
}

async function account(): Promise<string> {
  const { id } = single(await knex()("whatsapp_accounts").insert({ name: "Real", provider: "baileys" }).returning("id"), "test row");
  return id;
}

const disconnect = (statusCode?: number) => ({
  connection: "close" as const,
  lastDisconnect: { error: Object.assign(new Error("Connection Failure"), statusCode ? { output: { statusCode } } : {}), date: new Date() },
});

describe("Baileys disconnect reasons", () => {
  it.each([
    [515, "restart_required"],
    [401, "logged_out"],
    [440, "connection_replaced"],
    [403, "banned"],
    [411, "multidevice_mismatch"],
    [408, "connection_lost"],
    [428, "connection_lost"],
    [500, "connection_lost"],
    [503, "connection_lost"],
    [undefined, "connection_lost"],
  ])("maps %s to %s", (code, reason) => {
    expect(closeReasonOf(code)).toBe(reason);
    expect(mapConnectionUpdate(disconnect(code), undefined)).toMatchObject({ kind: "close", reason });
  });

  it("ignores updates that change nothing for the engine", () => {
    expect(mapConnectionUpdate({ connection: "connecting" }, undefined)).toBeUndefined();
    expect(mapConnectionUpdate({ isNewLogin: true }, undefined)).toBeUndefined();
    expect(mapConnectionUpdate({ receivedPendingNotifications: true }, undefined)).toBeUndefined();
  });
});

describe("the Baileys provider", () => {
  it("pairs: QR, saved creds, open with phone and LID identities", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const updates: ConnectionUpdate[] = [];
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    await provider.connect(id, { ...quiet, connection: (update) => void updates.push(update) });

    const [socket] = sockets;
    expect(socket!.config).toMatchObject({ printQRInTerminal: false, markOnlineOnConnect: false });
    expect(socket!.config.auth.creds.registrationId).toBe(7);

    socket!.ev.emit("connection.update", { qr: "2@AbCdEf,noise,identity,adv" });
    socket!.ev.emit("creds.update", { me: { id: "525551234567:12@s.whatsapp.net", lid: "98765432101234:12@lid" }, registered: true });
    socket!.user = { id: "525551234567:12@s.whatsapp.net", lid: "98765432101234:12@lid" };
    socket!.ev.emit("connection.update", { connection: "open" });

    expect(updates).toEqual([
      { kind: "qr", qr: "2@AbCdEf,noise,identity,adv" },
      { kind: "open", phoneNumber: "+525551234567", jid: "525551234567@s.whatsapp.net", lid: "98765432101234@lid" },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stored = await loadAuthState(knex(), id, { encode: JSON.stringify, decode: (_t, text) => JSON.parse(text, BufferJSON.reviver) });
    expect(stored.creds).toMatchObject({ registrationId: 7, registered: true, me: { id: "525551234567:12@s.whatsapp.net" } });
    expect(Buffer.isBuffer((stored.creds as any).noiseKey.private)).toBe(true);
  });

  it("resumes with the stored creds and keys, reviving app-state sync keys", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    await provider.connect(id, quiet);
    sockets[0]!.ev.emit("creds.update", { registered: true, registrationId: 99 });
    await sockets[0]!.config.auth.keys.set({ "app-state-sync-key": { AAQ: { keyData: Buffer.from([1, 2]) } } });
    await new Promise((resolve) => setTimeout(resolve, 50));

    await provider.connect(id, quiet);
    const second = sockets[1]!;
    expect(second.config.auth.creds).toMatchObject({ registered: true, registrationId: 99 });
    const keys = await second.config.auth.keys.get("app-state-sync-key", ["AAQ"]);
    expect(keys.AAQ).toEqual({ revived: true, keyData: Buffer.from([1, 2]) });
  });

  it("passes on received messages, not replayed history", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const received: InboundMessage[][] = [];
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    await provider.connect(id, { ...quiet, messages: async (messages) => void received.push(messages) });
    const incoming = {
      key: { remoteJid: "98765432101234@lid", remoteJidAlt: "525551234567@s.whatsapp.net", fromMe: false, id: "3EB0AA" },
      messageTimestamp: 1_764_230_400,
      pushName: "Juan",
      message: { conversation: "Hola" },
    };
    const groupChatter = { key: { remoteJid: "1203@g.us", id: "G1", fromMe: false }, message: { conversation: "hola a todos" } };
    sockets[0]!.ev.emit("messages.upsert", { type: "append", messages: [incoming] });
    sockets[0]!.ev.emit("messages.upsert", { type: "notify", messages: [incoming, groupChatter] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received).toHaveLength(1);
    expect(received[0]).toEqual([
      expect.objectContaining({
        waMessageId: "3EB0AA",
        type: "text",
        text: "Hola",
        peer: { phone: "+525551234567", lid: "98765432101234@lid", pushName: "Juan" },
      }),
    ]);
  });

  it("downloads the media of received media messages", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const received: InboundMessage[] = [];
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    await provider.connect(id, { ...quiet, messages: async (messages) => void received.push(...messages) });
    const image = (waId: string) => ({
      key: { remoteJid: "525551234567@s.whatsapp.net", fromMe: false, id: waId },
      messageTimestamp: 1_764_230_400,
      message: { imageMessage: { mimetype: "image/jpeg", caption: "Factura" } },
    });
    sockets[0]!.ev.emit("messages.upsert", { type: "notify", messages: [image("IMG1"), image("BROKEN")] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(received[0]!.media).toEqual({ data: Buffer.from("bytes of IMG1"), mimetype: "image/jpeg" });
    expect(received[1]!.media).toBeUndefined();
    expect(received[1]!.metadata.media_error).toBe("media expired");
  });

  it("sends with a stable id, buttons as a numbered menu, and passes on receipts", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const receipts: unknown[] = [];
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    const connection = await provider.connect(id, { ...quiet, receipts: async (r) => void receipts.push(...r) });
    const socket = sockets[0]! as (typeof sockets)[number] & { sendMessage?: jest.Mock };
    (socket as unknown as { sendMessage: jest.Mock }).sendMessage = jest.fn(async (_jid: string, _content: unknown, options: { messageId: string }) => ({
      key: { id: options.messageId },
    }));
    const messageId = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const sent = await connection.send({
      id: messageId,
      waMessageId: "CH0F8FAD5BD9CB469FA16570867728950E",
      to: { phone: "+525551234567", lid: "98765432101234@lid" },
      type: "buttons",
      content: "¿Qué necesitas?",
      metadata: {
        buttons: [
          { id: "ventas", text: "Ventas" },
          { id: "soporte", text: "Soporte" },
        ],
      },
    });
    expect(sent.waMessageId).toBe("CH0F8FAD5BD9CB469FA16570867728950E");
    const [jid, content] = (socket as unknown as { sendMessage: jest.Mock }).sendMessage.mock.calls[0]!;
    expect(jid).toBe("525551234567@s.whatsapp.net");
    expect((socket as unknown as { sendPresenceUpdate: jest.Mock }).sendPresenceUpdate).toHaveBeenCalledWith("composing", jid);
    expect(content.text).toBe("¿Qué necesitas?\n\n1. Ventas\n2. Soporte\n\nResponde con el número de tu opción.");

    // A media message's file is downloaded through the guard and handed over as bytes, never as a URL Baileys would fetch.
    const image = { ...{ to: { phone: "+525551234567", lid: null }, type: "image" as const, content: "Tu factura" } };
    await connection.send({ ...image, id: messageId, waMessageId: "CHIMG1", metadata: { media_url: "https://cdn.example.com/f.jpg" } });
    expect((socket as unknown as { sendMessage: jest.Mock }).sendMessage.mock.calls[1]![1]).toEqual({
      image: Buffer.from("bytes of https://cdn.example.com/f.jpg"),
      caption: "Tu factura",
    });
    await expect(connection.send({ ...image, id: messageId, waMessageId: "CHIMG2", metadata: { media_url: "http://127.0.0.1/f.jpg" } })).rejects.toThrow(
      /private or local/,
    );
    expect((socket as unknown as { sendMessage: jest.Mock }).sendMessage).toHaveBeenCalledTimes(2);

    socket.ev.emit("messages.update", [
      { key: { id: sent.waMessageId, fromMe: true, remoteJid: jid }, update: { status: 3 } },
      { key: { id: sent.waMessageId, fromMe: true, remoteJid: jid }, update: { status: 4 } },
      { key: { id: "THEIRS", fromMe: false, remoteJid: jid }, update: { status: 4 } },
      { key: { id: sent.waMessageId, fromMe: true, remoteJid: jid }, update: { starred: true } },
    ]);
    expect(receipts).toEqual([
      { waMessageId: sent.waMessageId, status: "delivered" },
      { waMessageId: sent.waMessageId, status: "read" },
    ]);
  });

  it("passes on WhatsApp's quota warnings", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const warnings: unknown[] = [];
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    await provider.connect(id, { ...quiet, quota: (warning) => void warnings.push(warning) });
    sockets[0]!.ev.emit("message-capping.update", { used_quota: 240, total_quota: 250, capping_status: "CAPPED", cycle_end_timestamp: "1764316800" });
    expect(warnings).toEqual([{ used: 240, total: 250, status: "CAPPED", cycleEndsAt: "1764316800" }]);
  });

  it("closes without logging out, and logs out wiping the auth state", async () => {
    const id = await account();
    const { kit, sockets } = fakeKit();
    const provider = new BaileysProvider(
      knex(),
      () => undefined,
      fetchMedia,
      async () => kit,
    );
    const first = await provider.connect(id, quiet);
    sockets[0]!.ev.emit("creds.update", { registered: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await first.close();
    expect(sockets[0]!.end).toHaveBeenCalled();
    expect(await knex()("whatsapp_auth_state").where({ account_id: id })).toHaveLength(1);

    const second = await provider.connect(id, quiet);
    await second.logout();
    expect(sockets[1]!.logout).toHaveBeenCalled();
    expect(await knex()("whatsapp_auth_state").where({ account_id: id })).toHaveLength(0);
  });
});
