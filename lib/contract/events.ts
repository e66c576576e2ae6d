// Every event of the engine, in one place: the broker events services and
// nodes tell each other (each with its payload type), and the Socket.IO
// events clients hear and send (each with its payload schema, published as
// the AsyncAPI document at GET /api/asyncapi.json). Emitting goes through
// `emitEvent` / `broadcastEvent` and `toSockets`, so an event name or payload
// this module does not declare does not compile.
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { CONVERSATION_STATUSES, PRIORITIES, type ConversationStatus, type Priority } from "../models/conversations";
import { MESSAGE_STATUSES, type MessageStatus } from "../models/messages";
import type { Role, UserStatus } from "../models/users";
import { ACCOUNT_STATUSES } from "../models/whatsapp";
import { Message, SyncJob } from "./resources";
import { Nullable, OneOf, Strict, Uuid } from "./schema";

// ---------------------------------------------------------------------------
// Socket.IO: what clients hear (server → client)
// ---------------------------------------------------------------------------

/** Who hears a socket event: which rooms (docs/api.md, "Rooms: who hears what"). */
const EVERYONE_WHO_SEES = "admins, the conversation's queue and its assignee (and, on a move, those who saw it before)";
const NUMBER_MANAGERS = "admins and supervisors";

interface SocketEventDeclaration {
  description: string;
  rooms: string;
  payload: TSchema;
}

const SlaKind = () => OneOf(["first_response", "resolution"] as const);

export const SOCKET_EVENTS = {
  new_message: {
    description: "A message was stored in a conversation: the customer's, an agent's, a flow's, a note, one sent from the phone.",
    rooms: EVERYONE_WHO_SEES,
    payload: Strict({ conversation_id: Uuid(), message: Message }),
  },
  message_status: {
    description: "A message moved on: sent, delivered, read or failed. Of two copies keep the one with the greater version.",
    rooms: EVERYONE_WHO_SEES,
    payload: Strict({ message_id: Uuid(), conversation_id: Uuid(), status: OneOf(MESSAGE_STATUSES), version: Type.Integer() }),
  },
  conversation_updated: {
    description: "A conversation changed: status, priority, queue or assignee. `change` names what happened (assigned, transferred, resolved, …).",
    rooms: EVERYONE_WHO_SEES,
    payload: Strict({
      conversation_id: Uuid(),
      status: OneOf(CONVERSATION_STATUSES),
      priority: OneOf(PRIORITIES),
      queue_id: Nullable(Uuid()),
      assigned_to: Nullable(Uuid()),
      change: Type.String(),
      version: Type.Integer(),
    }),
  },
  conversation_assigned: {
    description: "A conversation's assignee changed (null: nobody).",
    rooms: EVERYONE_WHO_SEES,
    payload: Strict({ conversation_id: Uuid(), assigned_to: Nullable(Uuid()), version: Type.Integer() }),
  },
  typing: {
    description: "Someone else watching the conversation is writing.",
    rooms: "the other sockets that joined the conversation (join_conversation)",
    payload: Strict({ conversation_id: Uuid(), user: Strict({ id: Uuid(), name: Type.String() }) }),
  },
  connection_status: {
    description: "A WhatsApp number's connection changed.",
    rooms: NUMBER_MANAGERS,
    payload: Strict({ account_id: Uuid(), status: OneOf(ACCOUNT_STATUSES), reason: Nullable(Type.String()) }),
  },
  qr_code: {
    description: "A new QR code to scan for a number being paired (it rotates every ~20 s).",
    rooms: NUMBER_MANAGERS,
    payload: Strict({ account_id: Uuid(), qr_code: Type.String({ description: "A data: URL of a PNG" }) }),
  },
  whatsapp_quota: {
    description: "WhatsApp warned about a number's quota of new chats.",
    rooms: NUMBER_MANAGERS,
    payload: Strict({
      account_id: Uuid(),
      used: Nullable(Type.Integer()),
      total: Nullable(Type.Integer()),
      status: Nullable(Type.String()),
      cycle_ends_at: Nullable(Type.String({ format: "date-time" })),
    }),
  },
  sla_warning: {
    description: "A conversation's SLA deadline is near.",
    rooms: "admins and the supervisors of the conversation's queue",
    payload: Strict({ conversation_id: Uuid(), kind: SlaKind(), due_at: Type.String({ format: "date-time" }) }),
  },
  sla_breached: {
    description: "A conversation's SLA deadline passed unmet.",
    rooms: "admins and the supervisors of the conversation's queue",
    payload: Strict({ conversation_id: Uuid(), kind: SlaKind() }),
  },
  odoo_sync_progress: {
    description: "A contact sync with Odoo moved on (as GET /api/odoo/sync-contacts/{id} tells it, without its timestamps).",
    rooms: "admins",
    payload: Type.Omit(SyncJob, ["started_by", "started_at", "finished_at"], { additionalProperties: false }),
  },
  session_revoked: {
    description: "The socket's session ended (logout, password change, disabled user); the server disconnects it next.",
    rooms: "the socket itself",
    payload: Strict({ reason: Type.Literal("session_ended") }),
  },
  token_expired: {
    description: "The socket's access token expired; the server disconnects it next: refresh and reconnect.",
    rooms: "the socket itself",
    payload: Strict({ reason: Type.Literal("token_expired") }),
  },
  catch_up: {
    description: "Events may have been missed (a node was lost, or this node's realtime link was interrupted): ask GET /api/changes from your last cursor.",
    rooms: "every socket of the node",
    payload: Strict({ reason: OneOf(["node_lost", "realtime_interrupted"] as const) }),
  },
} satisfies Record<string, SocketEventDeclaration>;

export type SocketEvent = keyof typeof SOCKET_EVENTS;
export type SocketPayload<E extends SocketEvent> = Static<(typeof SOCKET_EVENTS)[E]["payload"]>;

/** Anything Socket.IO can emit to: the server, a room selection, one socket. */
interface Emitter {
  emit(event: string, payload: unknown): unknown;
}

/** Emits a declared socket event with its declared payload. */
export function toSockets<E extends SocketEvent>(target: Emitter, event: E, payload: SocketPayload<E>): void {
  target.emit(event, payload);
}

// ---------------------------------------------------------------------------
// Socket.IO: what clients send (client → server), each answered by an ack
// ---------------------------------------------------------------------------

const ConversationRef = Strict({ conversation_id: Uuid() });
/** The acknowledgement of a client event the server refuses (or does not know): the REST error format. */
export const Refusal = Strict({
  ok: Type.Literal(false),
  detail: Strict({ code: Type.String(), message: Type.String(), field: Nullable(Type.String()) }),
});

interface ClientEventDeclaration {
  description: string;
  payload: TSchema;
  ack: TSchema;
}

export const CLIENT_EVENTS = {
  join_conversation: {
    description: "Watch a conversation the caller may see: its typing reaches this socket.",
    payload: ConversationRef,
    ack: Type.Union([Strict({ ok: Type.Literal(true), conversation_id: Uuid() }), Refusal]),
  },
  leave_conversation: {
    description: "Stop watching a conversation.",
    payload: ConversationRef,
    ack: Type.Union([Strict({ ok: Type.Literal(true), conversation_id: Uuid() }), Refusal]),
  },
  typing: {
    description: "Tell the others watching a joined conversation (and, now and then, the customer on WhatsApp) that you are writing.",
    payload: ConversationRef,
    ack: Type.Union([Strict({ ok: Type.Literal(true), conversation_id: Uuid() }), Refusal]),
  },
} satisfies Record<string, ClientEventDeclaration>;

export type ClientEvent = keyof typeof CLIENT_EVENTS;

// ---------------------------------------------------------------------------
// The broker: what services and nodes tell each other
// ---------------------------------------------------------------------------

/** Where a conversation sits: who, besides admins, may see it. */
export interface Placement {
  queue_id: string | null;
  assigned_to: string | null;
}

/** A message as the inbox shows it and where its conversation sits: what a realtime relay needs. */
export interface RelayedMessage {
  message: Static<typeof Message>;
  placement: Placement;
}

/** Who may see a message, and its status as written. */
export interface MessageAudience {
  conversationId: string;
  rooms: string[];
  /** The message's status now, and the version that has it: a pair a client can merge safely. */
  status: MessageStatus;
  version: number;
}

/** A conversation changed (lifecycle, queue, assignee, priority): written, and told once. */
export interface ConversationChange extends Placement {
  conversation_id: string;
  kind: string;
  from_status: ConversationStatus;
  status: ConversationStatus;
  priority: Priority;
  previous_queue_id: string | null;
  previous_assigned_to: string | null;
  /** The conversation's version once the change is written (the one its realtime events carry). */
  version: number;
}

/** A message stored by an agent, a note, or a flow (the socket relay reads it when `relay` is missing). */
export interface MessageCreatedEvent {
  message_id: string;
  conversation_id: string;
  relay?: RelayedMessage;
}

/** A message stored from WhatsApp: for the inbox and the flow engine. */
export interface MessageReceivedEvent extends MessageCreatedEvent {
  contact_id: string;
  account_id: string;
  type: string;
  direction: "inbound" | "outbound";
  new_conversation: boolean;
}

/** A sent message moved on: sent, delivered, read or failed. */
export interface MessageStatusEvent {
  message_id: string;
  conversation_id?: string;
  status: MessageStatus;
  /** Who may see the message and its status as written, when the writer knew (the gateway reads it otherwise). */
  audience?: MessageAudience;
}

/** An SLA deadline passed unmet (`sla.breached`) or is near (`sla.warning`). */
export interface SlaEvent {
  conversation_id: string;
  queue_id: string;
  kind: "first_response" | "resolution";
  due_at: string;
}

/** A queue's membership changed, for the sockets of that user. */
export interface QueueMembershipEvent {
  queue_id: string;
  user_id: string;
  member: boolean;
  is_supervisor: boolean;
}

export interface BrokerEvents {
  "auth.sessions.revoked": { user_id: string; session_ids: string[] };
  "user.role_changed": { user_id: string; role: Role };
  "user.status_changed": { user_id: string; status: UserStatus };
  "message.created": MessageCreatedEvent;
  "message.received": MessageReceivedEvent;
  "message.status": MessageStatusEvent;
  "conversation.changed": ConversationChange;
  "queue.changed": { queue_id: string };
  "queue.membership.changed": QueueMembershipEvent;
  "sla.warning": SlaEvent;
  "sla.breached": SlaEvent;
  "odoo.sync.progress": SocketPayload<"odoo_sync_progress">;
  "whatsapp.status": SocketPayload<"connection_status">;
  "whatsapp.qr": SocketPayload<"qr_code">;
  "whatsapp.quota": SocketPayload<"whatsapp_quota">;
  /** Numbers were added, removed or switched: nodes share them out again. */
  "whatsapp.accounts.changed": { account_id: string };
  /** Messages wait to be sent on a number: its holder sends them. */
  "whatsapp.outbound.queued": { account_id: string };
  /** A node took numbers whose holder let their leases lapse (dead or hung). */
  "whatsapp.holder_lost": { node_id: string };
}

export type BrokerEvent = keyof BrokerEvents;

/** What emitting needs of a broker (Moleculer's ServiceBroker has it). */
export interface EventBus {
  emit(event: string, payload: unknown): Promise<void> | void;
  broadcast(event: string, payload: unknown): Promise<void> | void;
}

/** Tells one instance of every service that listens (balanced). */
export async function emitEvent<E extends BrokerEvent>(broker: EventBus, event: E, payload: BrokerEvents[E]): Promise<void> {
  await broker.emit(event, payload);
}

/** Tells every instance of every service that listens, on every node. */
export async function broadcastEvent<E extends BrokerEvent>(broker: EventBus, event: E, payload: BrokerEvents[E]): Promise<void> {
  await broker.broadcast(event, payload);
}

/**
 * For callers that cannot wait (a listener of a session, a timer): the event is
 * told in the background, and a failure to tell it is logged, not lost.
 */
export function inBackground(telling: Promise<void>, log: { warn(message: string, err: unknown): void }): void {
  telling.catch((err: unknown) => log.warn("An event could not be told", err));
}

/** A broker event's handler context, as Moleculer passes it. */
export interface EventContext<E extends BrokerEvent> {
  params: BrokerEvents[E];
}
