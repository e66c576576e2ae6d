// The provider port: how an account session talks to WhatsApp. Baileys
// (WhatsApp Web) and the in-process simulator both implement it, so nothing
// above this port knows which one is in use.

import type { InboundMessage } from "./inbound";
import type { OutgoingMessage } from "./outbound";

/** Why a connection closed, in the engine's words (Baileys' status codes are mapped by its adapter). */
export type CloseReason =
  | "restart_required" // 515: normal right after pairing; reopen at once
  | "logged_out" // 401: never reconnect; the stored auth is void
  | "connection_replaced" // 440: another socket holds the account
  | "banned" // 403
  | "multidevice_mismatch" // 411: pair again
  | "connection_lost"; // 408, 428, 500, 503 and anything else: retry with backoff

export type ConnectionUpdate =
  { kind: "qr"; qr: string } | { kind: "open"; phoneNumber: string; jid: string; lid: string | null } | { kind: "close"; reason: CloseReason; detail?: string };

export interface ProviderListener {
  connection(update: ConnectionUpdate): void;
  /** Messages received (or sent from the phone itself); resolves once they are stored. */
  messages(messages: InboundMessage[]): Promise<void>;
  /** Delivery news about messages we sent. */
  receipts(receipts: Receipt[]): Promise<void>;
  /** WhatsApp's warning that the number nears or hit its quota of new chats. */
  quota(warning: QuotaWarning): void;
}

export interface QuotaWarning {
  used: number | null;
  total: number | null;
  status: string | null;
  cycleEndsAt: string | null;
}

export interface Receipt {
  waMessageId: string;
  status: "delivered" | "read" | "failed";
  reason?: string;
}

/** One live connection of one account. */
export interface ProviderConnection {
  /** Closes the connection, keeping the pairing (the next connect resumes without a QR). */
  close(): Promise<void>;
  /** Logs the device out of WhatsApp: the pairing is gone, the next connect shows a QR. */
  logout(): Promise<void>;
  /** Sends one message; resolves with its WhatsApp id once WhatsApp has taken it. */
  send(message: OutgoingMessage): Promise<{ waMessageId: string }>;
  /** Shows the contact that someone is writing ("composing"); WhatsApp clears it by itself. */
  typing(to: OutgoingMessage["to"]): Promise<void>;
}

export interface WhatsAppProvider {
  readonly name: "baileys" | "simulator";
  connect(accountId: string, listener: ProviderListener): Promise<ProviderConnection>;
}
