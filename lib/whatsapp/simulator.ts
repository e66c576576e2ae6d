// An in-process WhatsApp for development, tests, demos and benchmarks. It
// speaks the provider port exactly as the Baileys adapter does: QR codes that
// rotate, a pairing kept in the same auth-state table (so another node can
// resume it), the 515 restart right after pairing, and disconnects with the
// same reasons. What it cannot do by itself (a phone scanning the code, the
// network dropping) is driven through its control methods.
import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import type { MediaFetcher } from "../net/guarded-fetch";
import { Conflict, NotFound, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { bufferJsonCodec, loadAuthState, wipeAuthState } from "./auth-state";
import type { InboundMessage } from "./inbound";
import type { OutgoingMessage } from "./outbound";
import type { CloseReason, ProviderConnection, ProviderListener, Receipt, WhatsAppProvider } from "./provider";
import type { Static } from "@sinclair/typebox";
import type { SimulatedSend as SimulatedSendSchema } from "../contract/resources";

export interface SimulatorOptions {
  /** How often the QR code rotates while nobody scans it. */
  qrIntervalMs: number;
  /** Downloads an inbound media_url, behind the same guard as every server-side fetch. */
  fetchMedia: MediaFetcher;
}

interface Pairing {
  simulator: true;
  phoneNumber: string;
  jid: string;
  lid: string;
}

export type SentRecord = Static<typeof SimulatedSendSchema>;

const isPairing = (creds: unknown): creds is Pairing => (creds as Partial<Pairing> | undefined)?.simulator === true;

class SimulatedConnection implements ProviderConnection {
  private qrTimer: NodeJS.Timeout | undefined;
  private qrCount = 0;
  closed = false;
  opened = false;

  constructor(
    readonly accountId: string,
    private readonly listener: ProviderListener,
    private readonly onEnd: (connection: SimulatedConnection) => void,
    private readonly forget: () => Promise<void>,
    private readonly record: (sent: SentRecord) => void,
    private readonly recordTyping: (to: string | null) => void,
  ) {}

  async typing(to: OutgoingMessage["to"]): Promise<void> {
    if (!this.opened || this.closed) throw new Error("The simulated connection is not open");
    this.recordTyping(to.phone ?? to.lid);
  }

  async send(message: OutgoingMessage): Promise<{ waMessageId: string }> {
    if (!this.opened || this.closed) throw new Error("The simulated connection is not open");
    const { waMessageId } = message;
    // Buttons and lists arrive natively on the simulator; WhatsApp Web would show a numbered menu.
    this.record({
      wa_message_id: waMessageId,
      to: message.to.phone ?? message.to.lid,
      type: message.type,
      content: message.content,
      metadata: message.metadata,
      sent_at: new Date(),
    });
    return { waMessageId };
  }

  /** Delivery and read receipts from the other phone. */
  receive(receipts: Receipt[]): Promise<void> {
    return this.listener.receipts(receipts);
  }

  get showingQr(): boolean {
    return this.qrTimer !== undefined;
  }

  showQr(intervalMs: number): void {
    const emit = () => {
      this.qrCount += 1;
      this.emit({ kind: "qr", qr: `charla-simulator:${this.accountId}:${this.qrCount}:${randomBytes(8).toString("hex")}` });
    };
    emit();
    this.qrTimer = setInterval(emit, intervalMs);
    this.qrTimer.unref();
  }

  open(pairing: Pairing): void {
    this.stopQr();
    this.opened = true;
    this.emit({ kind: "open", phoneNumber: pairing.phoneNumber, jid: pairing.jid, lid: pairing.lid });
  }

  /** Messages arrive, as a socket's "messages.upsert" would bring them. */
  deliver(messages: InboundMessage[]): Promise<void> {
    return this.listener.messages(messages);
  }

  /** The connection ends from WhatsApp's side. */
  drop(reason: CloseReason): void {
    this.end();
    this.emit({ kind: "close", reason });
  }

  async close(): Promise<void> {
    this.end();
  }

  async logout(): Promise<void> {
    this.end();
    await this.forget();
  }

  private emit(update: Parameters<ProviderListener["connection"]>[0]): void {
    // Delivered asynchronously, as a socket would.
    setImmediate(() => this.listener.connection(update));
  }

  private stopQr(): void {
    if (this.qrTimer) clearInterval(this.qrTimer);
    this.qrTimer = undefined;
  }

  private end(): void {
    this.stopQr();
    if (!this.closed) {
      this.closed = true;
      this.onEnd(this);
    }
  }
}

export type SimulatedDisconnect = "connection_lost" | "logged_out" | "banned" | "connection_replaced";

export const SIMULATED_INBOUND_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "document",
  "location",
  "contact",
  "sticker",
  "reaction",
  "button_reply",
  "list_reply",
] as const;

/** What a customer's phone sends, as the simulator's control API describes it. */
export interface SimulatedInbound {
  from: string;
  name?: string;
  type: (typeof SIMULATED_INBOUND_TYPES)[number];
  text?: string;
  media_url?: string;
  latitude?: number;
  longitude?: number;
  button_id?: string;
  row_id?: string;
  wa_message_id?: string;
}

const MEDIA_TYPES = new Set(["image", "video", "audio", "document", "sticker"]);

function required<T>(value: T | undefined, field: string, type: string): T {
  if (value === undefined || value === "") throw new ValidationFailed(field, msg("whatsapp.simulatedNeeds", { type, field }));
  return value;
}

/** The normalised message a real phone's message of that kind would become. */
export function simulatedMessage(input: SimulatedInbound): InboundMessage {
  const metadata: Record<string, unknown> = {};
  let text = input.text ?? null;
  if (input.type === "text") required(input.text, "text", input.type);
  if (MEDIA_TYPES.has(input.type)) Object.assign(metadata, { media_url: required(input.media_url, "media_url", input.type), has_media: true });
  if (input.type === "location") {
    Object.assign(metadata, { latitude: required(input.latitude, "latitude", input.type), longitude: required(input.longitude, "longitude", input.type) });
  }
  if (input.type === "button_reply") metadata.button_id = required(input.button_id, "button_id", input.type);
  if (input.type === "list_reply") metadata.row_id = required(input.row_id, "row_id", input.type);
  if (input.type === "contact") metadata.contacts = [{ name: required(input.text, "text", input.type), vcard: null }];
  if (input.type === "reaction") {
    text = required(input.text, "text", input.type);
    metadata.target_wa_message_id = null;
  }
  const digits = input.from.replace(/\D/g, "");
  return {
    waMessageId: input.wa_message_id ?? `SIM${randomBytes(8).toString("hex").toUpperCase()}`,
    fromMe: false,
    peer: { phone: `+${digits}`, lid: null, pushName: input.name ?? null },
    type: input.type,
    text,
    metadata,
    timestamp: new Date(),
  };
}

export class SimulatorProvider implements WhatsAppProvider {
  readonly name = "simulator" as const;
  private readonly live = new Map<string, SimulatedConnection>();
  // Kept on the node that owns the account, for the control API.
  private readonly sent = new Map<string, SentRecord[]>();
  private readonly typingTo = new Map<string, Array<string | null>>();

  constructor(
    private readonly knex: Knex,
    private readonly options: SimulatorOptions,
  ) {}

  async connect(accountId: string, listener: ProviderListener): Promise<ProviderConnection> {
    const { creds } = await loadAuthState(this.knex, accountId, bufferJsonCodec);
    // A connection still open for the account is replaced: closing it cannot fail the new one.
    this.live
      .get(accountId)
      ?.close()
      .catch(() => undefined);
    const connection = new SimulatedConnection(
      accountId,
      listener,
      (ended) => {
        if (this.live.get(accountId) === ended) this.live.delete(accountId);
      },
      () => wipeAuthState(this.knex, accountId),
      (record) => {
        const list = this.sent.get(accountId) ?? [];
        list.push(record);
        this.sent.set(accountId, list.slice(-1000));
      },
      (to) => {
        const list = this.typingTo.get(accountId) ?? [];
        list.push(to);
        this.typingTo.set(accountId, list.slice(-1000));
      },
    );
    this.live.set(accountId, connection);
    if (isPairing(creds)) connection.open(creds);
    else connection.showQr(this.options.qrIntervalMs);
    return connection;
  }

  /** A phone scans the QR code: the account is paired, and (as on WhatsApp Web) the socket restarts. */
  async scan(accountId: string, phoneNumber: string): Promise<void> {
    const connection = this.live.get(accountId);
    if (!connection?.showingQr) throw new Conflict(msg("whatsapp.notShowingQr"), "NOT_WAITING_FOR_SCAN");
    const digits = phoneNumber.replace(/\D/g, "");
    const pairing: Pairing = {
      simulator: true,
      phoneNumber: `+${digits}`,
      jid: `${digits}@s.whatsapp.net`,
      lid: `${BigInt(`0x${randomBytes(6).toString("hex")}`)}@lid`,
    };
    const state = await loadAuthState(this.knex, accountId, bufferJsonCodec);
    await state.saveCreds(pairing);
    connection.drop("restart_required");
  }

  /** A customer writes to the account; returns the message's WhatsApp id (re-sending it simulates a redelivery). */
  async inbound(accountId: string, input: SimulatedInbound): Promise<string> {
    const connection = this.live.get(accountId);
    if (!connection?.opened) throw new Conflict(msg("whatsapp.notConnected"), "NOT_CONNECTED");
    const message = simulatedMessage(input);
    // The phone uploads the file: fetch it, as Baileys downloads a real one.
    if (input.media_url) {
      try {
        message.media = await this.options.fetchMedia(input.media_url);
      } catch (err) {
        message.metadata.media_error = err instanceof Error ? err.message : String(err);
      }
    }
    await connection.deliver([message]);
    return message.waMessageId;
  }

  /** To whom the engine showed "typing…" on an account, oldest first. */
  typingShownTo(accountId: string): Array<string | null> {
    return [...(this.typingTo.get(accountId) ?? [])];
  }

  /** What the engine sent on an account, oldest first, optionally to one number. */
  outbound(accountId: string, to?: string): SentRecord[] {
    const all = this.sent.get(accountId) ?? [];
    const digits = to?.replace(/\D/g, "");
    return digits ? all.filter((record) => record.to?.replace(/\D/g, "") === digits) : all;
  }

  /** The recipient's phone reports a message delivered or read. */
  async receipt(accountId: string, waMessageId: string, status: "delivered" | "read"): Promise<void> {
    const connection = this.live.get(accountId);
    if (!connection?.opened) throw new Conflict(msg("whatsapp.notConnected"), "NOT_CONNECTED");
    if (!this.outbound(accountId).some((record) => record.wa_message_id === waMessageId)) throw new NotFound("outboundMessage", waMessageId);
    await connection.receive([{ waMessageId, status }]);
  }

  /** WhatsApp ends the connection: the network drops, the phone logs the device out, or the number is banned. */
  async disconnect(accountId: string, reason: SimulatedDisconnect): Promise<void> {
    const connection = this.live.get(accountId);
    if (!connection) throw new Conflict(msg("whatsapp.noConnection"), "NOT_CONNECTED");
    if (reason === "logged_out") await wipeAuthState(this.knex, accountId);
    connection.drop(reason);
  }
}
