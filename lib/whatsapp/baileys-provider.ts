// The Baileys provider: WhatsApp Web through @whiskeysockets/baileys 7. Every
// runtime use of Baileys is in this module (loaded on first connect: the
// package is ESM); the rest of the engine sees only the provider port.
import type { Knex } from "knex";
import type { AuthenticationCreds, AuthenticationState, ConnectionState, UserFacingSocketConfig, WAMessage, WASocket } from "@whiskeysockets/baileys";
import { MAX_MEDIA_BYTES } from "../media-store";
import type { MediaFetcher } from "../net/guarded-fetch";
import { loadAuthState, wipeAuthState, type AuthCodec } from "./auth-state";
import { normaliseBaileysMessage, type InboundMessage } from "./inbound";
import { numberedMenu, type OutgoingMessage } from "./outbound";
import type { CloseReason, ConnectionUpdate, ProviderConnection, ProviderListener, Receipt, WhatsAppProvider } from "./provider";
import { redact } from "../log-format";

type BaileysSocket = Pick<WASocket, "ev" | "end" | "logout" | "user" | "sendMessage" | "sendPresenceUpdate" | "updateMediaMessage">;

/** The parts of Baileys this adapter uses; tests hand in a fake with the same shape. */
export interface BaileysKit {
  makeWASocket(config: UserFacingSocketConfig): BaileysSocket;
  /** The bytes of a received media message (re-requesting them from the phone if the link expired). */
  downloadMedia(message: WAMessage, socket: BaileysSocket): Promise<Buffer>;
  initAuthCreds(): AuthenticationCreds;
  BufferJSON: { replacer(key: string, value: unknown): unknown; reviver(key: string, value: unknown): unknown };
  /** Revives an app-state sync key into the protobuf object Baileys expects. */
  reviveAppStateSyncKey(value: unknown): unknown;
}

const quietLogger = baileysLogger(() => undefined);

export async function loadBaileys(): Promise<BaileysKit> {
  const baileys = await import("@whiskeysockets/baileys");
  return {
    makeWASocket: baileys.default,
    initAuthCreds: baileys.initAuthCreds,
    downloadMedia: (message, socket) =>
      baileys.downloadMediaMessage(message, "buffer", {}, { logger: quietLogger, reuploadRequest: socket.updateMediaMessage }),
    BufferJSON: baileys.BufferJSON,
    reviveAppStateSyncKey: (value) => baileys.proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>),
  };
}

export function baileysCodec(kit: BaileysKit): AuthCodec {
  return {
    encode: (value) => JSON.stringify(value, (key: string, item: unknown) => kit.BufferJSON.replacer(key, item)),
    decode: (type, text) => {
      const value: unknown = JSON.parse(text, (key: string, item: unknown) => kit.BufferJSON.reviver(key, item));
      return type === "app-state-sync-key" ? kit.reviveAppStateSyncKey(value) : value;
    },
  };
}

/** Baileys' disconnect status codes (DisconnectReason) in the engine's words. */
export function closeReasonOf(statusCode: number | undefined): CloseReason {
  switch (statusCode) {
    case 515:
      return "restart_required";
    case 401:
      return "logged_out";
    case 440:
      return "connection_replaced";
    case 403:
      return "banned";
    case 411:
      return "multidevice_mismatch";
    default:
      return "connection_lost"; // 408, 428, 500, 503, network errors
  }
}

const phoneOf = (jid: string) => `+${jid.split("@")[0]!.split(":")[0]}`;
const normalised = (jid: string) => `${jid.split("@")[0]!.split(":")[0]}@${jid.split("@")[1] ?? "s.whatsapp.net"}`;

/** What a `connection.update` means for the engine, if anything. */
export function mapConnectionUpdate(update: Partial<ConnectionState>, user: { id: string; lid?: string } | undefined): ConnectionUpdate | undefined {
  if (update.qr) return { kind: "qr", qr: update.qr };
  if (update.connection === "open" && user) {
    return { kind: "open", phoneNumber: phoneOf(user.id), jid: normalised(user.id), lid: user.lid ? normalised(user.lid) : null };
  }
  if (update.connection === "close") {
    const error = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
    return { kind: "close", reason: closeReasonOf(error?.output?.statusCode), detail: error?.message };
  }
  return undefined;
}

/** The JID a message goes to: the phone number's when known, else the LID. */
export function recipientJid(to: OutgoingMessage["to"]): string {
  if (to.phone) return `${to.phone.replace(/\D/g, "")}@s.whatsapp.net`;
  if (to.lid) return to.lid;
  throw new Error("The contact has neither a phone number nor a LID");
}

const MEDIA_TYPES = new Set<OutgoingMessage["type"]>(["image", "video", "audio", "document", "sticker"]);

/**
 * Our message as Baileys' sendMessage content, with the file of a media message already downloaded (Baileys would
 * fetch a URL itself, past the address guard). Buttons and lists, which WhatsApp Web lacks, become a numbered menu.
 */
export function baileysContent(message: OutgoingMessage, jid: string, media?: Buffer): Record<string, unknown> {
  const m = message.metadata;
  if (MEDIA_TYPES.has(message.type) && !media) throw new Error(`A ${message.type} message needs its file`);
  const caption = message.content ?? undefined;
  switch (message.type) {
    case "text":
      return { text: message.content ?? "" };
    case "image":
      return { image: media, caption };
    case "video":
      return { video: media, caption };
    case "audio":
      return { audio: media, mimetype: m.mimetype ?? "audio/mp4" };
    case "document":
      return { document: media, fileName: m.filename ?? "document", mimetype: m.mimetype ?? "application/octet-stream", caption };
    case "sticker":
      return { sticker: media };
    case "location":
      return { location: { degreesLatitude: m.latitude, degreesLongitude: m.longitude, name: m.name, address: m.address } };
    case "contact": {
      const digits = String(m.phone).replace(/\D/g, "");
      const vcard = `BEGIN:VCARD\nVERSION:3.0\nFN:${String(m.name)}\nTEL;type=CELL;waid=${digits}:+${digits}\nEND:VCARD`;
      return { contacts: { displayName: m.name, contacts: [{ vcard }] } };
    }
    case "reaction":
      return { react: { text: message.content ?? "", key: { remoteJid: jid, id: m.target_wa_message_id, fromMe: Boolean(m.target_from_me) } } };
    case "buttons":
    case "list":
      return { text: numberedMenu(message) };
  }
}

// Baileys' message status numbers (proto.WebMessageInfo.Status).
const RECEIPT_OF: Record<number, Receipt["status"]> = { 0: "failed", 3: "delivered", 4: "read", 5: "read" };

type ILogger = NonNullable<UserFacingSocketConfig["logger"]>;
type Log = (level: "debug" | "info" | "warn" | "error", message: string) => void;

// Baileys logs through a pino-shaped logger; route what matters to ours.
function baileysLogger(log: Log, level = "warn"): ILogger {
  // Its objects may carry message keys and contents: masked like any logged object.
  const text = (obj: unknown, msg?: string) => msg ?? (typeof obj === "string" ? obj : JSON.stringify(redact(obj)));
  const logger: ILogger = {
    level,
    child: () => logger,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj: unknown, msg?: string) => log("warn", `baileys: ${text(obj, msg)}`),
    error: (obj: unknown, msg?: string) => log("error", `baileys: ${text(obj, msg)}`),
  };
  return logger;
}

export class BaileysProvider implements WhatsAppProvider {
  /** Normalises received messages and fetches their media; a download that fails leaves the message without bytes. */
  private async receive(accountId: string, kit: BaileysKit, socket: BaileysSocket, raw: WAMessage[]): Promise<InboundMessage[]> {
    const received: InboundMessage[] = [];
    for (const message of raw) {
      const normalised = normaliseBaileysMessage(message);
      if (!normalised) continue;
      if (normalised.metadata.has_media) {
        try {
          // Announced size first: a huge file must not be pulled into memory.
          if (Number(normalised.metadata.size ?? 0) > MAX_MEDIA_BYTES) throw new Error(`larger than ${MAX_MEDIA_BYTES} bytes`);
          const data = await kit.downloadMedia(message, socket);
          normalised.media = { data, mimetype: (normalised.metadata.mimetype as string | null) ?? null };
        } catch (err) {
          normalised.metadata.media_error = err instanceof Error ? err.message : String(err);
          this.log("warn", `Could not download media of ${normalised.waMessageId} on ${accountId}: ${String(err)}`);
        }
      }
      received.push(normalised);
    }
    return received;
  }

  readonly name = "baileys" as const;
  private kit: Promise<BaileysKit> | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly log: Log,
    private readonly fetchMedia: MediaFetcher,
    private readonly load: () => Promise<BaileysKit> = loadBaileys,
  ) {}

  async connect(accountId: string, listener: ProviderListener): Promise<ProviderConnection> {
    this.kit ??= this.load();
    const kit = await this.kit;
    const stored = await loadAuthState(this.knex, accountId, baileysCodec(kit));
    const creds = (stored.creds as AuthenticationCreds | undefined) ?? kit.initAuthCreds();
    const socket = kit.makeWASocket({
      auth: { creds, keys: stored.keys } as AuthenticationState,
      logger: baileysLogger(this.log),
      printQRInTerminal: false,
      // Ban avoidance: do not appear online just because the engine connected.
      markOnlineOnConnect: false,
      browser: ["Charla", "Chrome", "1.0.0"],
      syncFullHistory: false,
    });

    // Creds change during pairing and afterwards; every change is saved before it matters.
    socket.ev.on("creds.update", (update) => {
      Object.assign(creds, update);
      stored.saveCreds(creds).catch((err: unknown) => this.log("error", `Could not save WhatsApp creds of ${accountId}: ${String(err)}`));
    });
    socket.ev.on("connection.update", (update) => {
      const mapped = mapConnectionUpdate(update, socket.user);
      if (mapped) listener.connection(mapped);
    });

    // "notify" is what arrives now; "append" is history replayed on connect, not for the inbox.
    socket.ev.on("messages.upsert", ({ messages, type }) => {
      if (type !== "notify") return;
      this.receive(accountId, kit, socket, messages)
        .then((received) => (received.length ? listener.messages(received) : undefined))
        .catch((err: unknown) => this.log("error", `Could not store messages of ${accountId}: ${String(err)}`));
    });

    socket.ev.on("message-capping.update", (info) => {
      listener.quota({
        used: info.used_quota ?? null,
        total: info.total_quota ?? null,
        status: info.capping_status ? String(info.capping_status) : null,
        cycleEndsAt: info.cycle_end_timestamp ?? null,
      });
    });
    socket.ev.on("messages.update", (updates) => {
      const receipts = updates
        .filter(({ key, update }) => key.fromMe && key.id && typeof update.status === "number" && RECEIPT_OF[update.status])
        .map(({ key, update }) => ({ waMessageId: key.id!, status: RECEIPT_OF[update.status as number]! }));
      if (receipts.length) listener.receipts(receipts).catch((err: unknown) => this.log("error", `Could not record receipts of ${accountId}: ${String(err)}`));
    });

    return {
      send: async (message) => {
        const jid = recipientJid(message.to);
        const messageId = message.waMessageId;
        // People type before they answer; so does Charla (ban avoidance).
        await socket.sendPresenceUpdate("composing", jid).catch(() => undefined);
        const media = MEDIA_TYPES.has(message.type) ? (await this.fetchMedia(String(message.metadata.media_url))).data : undefined;
        const sent = await socket.sendMessage(jid, baileysContent(message, jid, media) as never, { messageId });
        return { waMessageId: sent?.key.id ?? messageId };
      },
      typing: async (to) => {
        await socket.sendPresenceUpdate("composing", recipientJid(to));
      },
      close: async () => socket.end(undefined),
      logout: async () => {
        try {
          await socket.logout();
        } finally {
          await wipeAuthState(this.knex, accountId);
        }
      },
    };
  }
}
