// Every body the REST API answers with, by name. The OpenAPI document lists
// them as components; the modules that shape the responses take their types
// from here (PublicUser = Static<typeof User>, …).
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import { CONVERSATION_STATUSES, PRIORITIES } from "../models/conversations";
import { TRIGGER_TYPES } from "../models/flows";
import { MESSAGE_STATUSES } from "../models/messages";
import { ASSIGNMENT_METHODS } from "../models/queues";
import { ROLES, USER_STATUSES } from "../models/users";
import { ACCOUNT_STATUSES, PROVIDERS } from "../models/whatsapp";
import { Bag, DateTime, Items, Nullable, OneOf, Page, Ref, Strict, Uuid } from "./schema";

const Text = () => Type.String();
const Count = (description?: string) => Type.Integer({ minimum: 0, ...(description ? { description } : {}) });

// --- People ---

export const User = Strict({
  id: Uuid(),
  email: Type.String({ format: "email" }),
  name: Text(),
  role: OneOf(ROLES),
  status: OneOf(USER_STATUSES),
  is_active: Type.Boolean(),
  last_seen_at: Nullable(DateTime()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const Tokens = Strict({
  access_token: Text(),
  token_type: Type.Literal("bearer"),
  expires_in: Type.Integer({ minimum: 1, description: "Seconds the access token lives" }),
  refresh_token: Text(),
  user: Strict({ id: Uuid(), email: Type.String({ format: "email" }), name: Text(), role: OneOf(ROLES) }),
});

export const Contact = Strict({
  id: Uuid(),
  phone_number: Nullable(Text()),
  name: Nullable(Text()),
  push_name: Nullable(Type.String({ description: "The name the customer set in WhatsApp" })),
  email: Nullable(Text()),
  company: Nullable(Text()),
  tags: Type.Array(Text()),
  metadata: Bag(),
  has_odoo: Type.Boolean(),
  odoo_partner_id: Nullable(Type.Integer()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

// --- WhatsApp numbers ---

export const Account = Strict({
  id: Uuid(),
  name: Text(),
  provider: OneOf(PROVIDERS),
  status: OneOf(ACCOUNT_STATUSES),
  status_reason: Nullable(Text()),
  phone_number: Nullable(Text()),
  qr_code: Nullable(Type.String({ description: "While the status is `qr`: the code to scan, as a data: URL of a PNG" })),
  last_connected_at: Nullable(DateTime()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const AccountStatus = Strict({
  account_id: Uuid(),
  status: OneOf(ACCOUNT_STATUSES),
  status_reason: Nullable(Text()),
  phone_number: Nullable(Text()),
  last_connected_at: Nullable(DateTime()),
});

export const QrCode = Strict({ qr_code: Type.String({ description: "A data: URL of a PNG to show to the phone" }) });

// --- Conversations and messages ---

export const Conversation = Strict({
  id: Uuid(),
  contact: Strict({ id: Uuid(), name: Nullable(Text()), phone_number: Nullable(Text()) }),
  whatsapp_account: Strict({ id: Uuid(), name: Text() }),
  status: OneOf(CONVERSATION_STATUSES),
  priority: OneOf(PRIORITIES),
  assigned_to: Ref(),
  queue: Ref(),
  current_flow: Ref(),
  required_skills: Type.Array(Text()),
  sla_first_response_met: Nullable(Type.Boolean()),
  sla_first_response_due_at: Nullable(DateTime()),
  sla_resolution_met: Nullable(Type.Boolean()),
  sla_resolution_due_at: Nullable(DateTime()),
  queued_at: Nullable(DateTime()),
  assigned_at: Nullable(DateTime()),
  first_response_at: Nullable(DateTime()),
  resolved_at: Nullable(DateTime()),
  resolution_note: Nullable(Text()),
  last_message_at: DateTime(),
  created_at: DateTime(),
  updated_at: DateTime(),
  version: Type.Integer({ description: "Grows with every change: of two copies, keep the greater" }),
});

export const ConversationEvent = Strict({
  id: Uuid(),
  kind: Type.String({ description: "created, assigned, transferred, resolved, reopened, priority_changed, …" }),
  from_status: Nullable(OneOf(CONVERSATION_STATUSES)),
  to_status: Nullable(OneOf(CONVERSATION_STATUSES)),
  actor: Ref(),
  data: Bag(),
  created_at: DateTime(),
});

export const Message = Strict({
  id: Uuid(),
  conversation_id: Uuid(),
  direction: OneOf(["inbound", "outbound"] as const),
  type: Type.String({ description: "text, image, video, audio, document, location, contact, sticker, buttons, list, button_reply, list_reply, reaction, …" }),
  content: Nullable(Text()),
  metadata: Bag(),
  status: OneOf(MESSAGE_STATUSES),
  failure_reason: Nullable(Text()),
  sender: Strict({ type: OneOf(["contact", "agent", "bot", "system"] as const), id: Nullable(Uuid()), name: Nullable(Text()) }),
  is_internal: Type.Boolean({ description: "An internal note: never sent to the customer" }),
  media_url: Nullable(Type.String({ description: "Where to download the file of a media message" })),
  created_at: DateTime(),
  sent_at: Nullable(DateTime()),
  delivered_at: Nullable(DateTime()),
  read_at: Nullable(DateTime()),
  version: Type.Integer({ description: "Grows with every change: of two copies, keep the greater" }),
});

export const MessagePage = Strict({
  items: Type.Array(Message),
  has_more: Type.Boolean({ description: "Older messages exist: ask again with `before` set to the first item's id" }),
  limit: Type.Integer({ minimum: 1 }),
});

export const RenderedQuickReply = Strict({ text: Text(), message: Nullable(Message) });

const ChangeBase = { version: Type.Integer(), conversation_id: Uuid() };
export const ChangesPage = Strict({
  items: Type.Array(
    Type.Union([
      Strict({ ...ChangeBase, type: Type.Literal("message"), message: Message }),
      Strict({ ...ChangeBase, type: Type.Literal("conversation"), conversation: Conversation }),
      Strict({ ...ChangeBase, type: Type.Literal("conversation_left") }, { description: "It moved where the caller cannot see it: drop it" }),
    ]),
  ),
  cursor: Type.String({ description: "`since` of the next request" }),
  has_more: Type.Boolean(),
  limit: Type.Integer({ minimum: 1 }),
});

export const QuickReply = Strict({
  id: Uuid(),
  shortcut: Text(),
  content: Text(),
  queue_id: Nullable(Uuid()),
  created_by: Nullable(Uuid()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

// --- Queues ---

const Interval = Strict({
  start: Type.String({ pattern: "^\\d{2}:\\d{2}$" }),
  end: Type.String({ pattern: "^\\d{2}:\\d{2}$" }),
  overnight: Type.Optional(Type.Boolean()),
});

export const QueueAgent = Strict({
  user_id: Uuid(),
  name: Text(),
  role: OneOf(ROLES),
  status: OneOf(USER_STATUSES),
  is_supervisor: Type.Boolean(),
  skills: Type.Array(Text()),
});

export const Queue = Strict({
  id: Uuid(),
  name: Text(),
  description: Nullable(Text()),
  assignment_method: OneOf(ASSIGNMENT_METHODS),
  max_per_agent: Type.Integer({ minimum: 1 }),
  sla_first_response: Nullable(Type.Integer({ description: "Seconds" })),
  sla_resolution: Nullable(Type.Integer({ description: "Seconds" })),
  business_hours: Nullable(
    Type.Record(Type.String(), Nullable(Type.Union([Interval, Type.Array(Interval)])), { description: "Per weekday: one range, several, or null (closed)" }),
  ),
  timezone: Type.String({ description: "IANA zone, e.g. America/Bogota" }),
  holidays: Type.Array(Type.String({ format: "date" })),
  fallback_flow_id: Nullable(Uuid()),
  is_open: Type.Boolean({ description: "Open now, by its hours, zone and holidays" }),
  agents: Type.Array(QueueAgent),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const QueueStats = Strict({
  waiting: Count(),
  active: Count(),
  resolved_today: Count(),
  avg_first_response: Nullable(Type.Number({ description: "Seconds, over today's resolved" })),
  avg_resolution: Nullable(Type.Number({ description: "Seconds, over today's resolved" })),
  sla_compliance: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
  agents: Type.Array(Strict({ user_id: Uuid(), name: Text(), status: OneOf(USER_STATUSES), active_conversations: Count(), resolved_today: Count() })),
});

// --- Flows ---

export const FlowGraph = Strict({
  nodes: Type.Array(
    Strict({
      id: Text(),
      type: Text(),
      position: Type.Optional(Strict({ x: Type.Number(), y: Type.Number() })),
      data: Bag("The node's configuration, as its type's schema in GET /api/flows/node-types says"),
    }),
  ),
  edges: Type.Array(Strict({ id: Text(), source: Text(), target: Text(), sourceHandle: Type.Optional(Nullable(Text())) })),
  viewport: Type.Optional(Bag()),
});

export const Flow = Strict({
  id: Uuid(),
  name: Text(),
  description: Nullable(Text()),
  trigger_type: OneOf(TRIGGER_TYPES),
  trigger_value: Nullable(Text()),
  whatsapp_account_id: Nullable(Uuid()),
  is_active: Type.Boolean(),
  version: Nullable(Type.Integer()),
  current_version_id: Nullable(Uuid()),
  nodes: Type.Optional(FlowGraph),
  warnings: Type.Optional(Type.Array(Text(), { description: "What will not work as drawn (the flow is saved anyway)" })),
  created_by: Nullable(Uuid()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const NodeType = Strict({
  type: Text(),
  category: Text(),
  description: Text(),
  schema: Bag("JSON Schema of the node's `data`"),
  handles: Type.Array(Text(), { description: "The node's exits" }),
});

export const SandboxRun = Strict({
  status: OneOf(["waiting_input", "completed", "handoff", "error"] as const),
  transcript: Type.Array(Strict({ direction: OneOf(["out", "in"] as const), type: Text(), content: Nullable(Text()), metadata: Bag() })),
  variables: Bag(),
  trace: Type.Array(Strict({ node_id: Text(), type: Text(), handle: Nullable(Text()) })),
  error: Nullable(Text()),
});

// --- Odoo ---

export const OdooSettings = Strict({
  configured: Type.Boolean(),
  source: OneOf(["database", "environment", "none"] as const),
  url: Nullable(Text()),
  database: Nullable(Text()),
  username: Nullable(Text()),
  api_key_set: Type.Boolean(),
  protocol: OneOf(["auto", "jsonrpc", "xmlrpc", "json2"] as const, { description: "`auto` finds the best one the server speaks" }),
  timeout_ms: Type.Integer(),
  updated_at: Nullable(DateTime()),
});

export const OdooConnectionTest = Type.Union([
  Strict({
    ok: Type.Literal(true),
    server_version: Text(),
    major_version: Type.Integer(),
    protocol: OneOf(["jsonrpc", "xmlrpc", "json2"] as const),
    uid: Nullable(Type.Integer()),
  }),
  Strict({ ok: Type.Literal(false), code: Text(), message: Text() }),
]);

export const SyncJob = Strict({
  job_id: Uuid(),
  status: OneOf(["running", "done", "failed"] as const),
  phase: OneOf(["pull", "push", "done"] as const),
  total: Count(),
  processed: Count(),
  created: Count(),
  updated: Count(),
  pushed: Count(),
  skipped: Count(),
  failed: Count(),
  failures: Type.Array(Strict({ record: Text(), error: Text() }), {
    description: "The first records that could not be synced, and why (the others still are)",
  }),
  error: Nullable(Text()),
  started_by: Nullable(Uuid()),
  started_at: DateTime(),
  finished_at: Nullable(DateTime()),
});

export const SyncStarted = Strict({ job_id: Uuid(), status: Type.Literal("running") });

const OdooPair = () => Nullable(Strict({ id: Type.Integer(), name: Text() }));

export const Partner = Strict({
  id: Type.Integer(),
  name: Text(),
  email: Nullable(Text()),
  phone: Nullable(Text()),
  mobile: Nullable(Text()),
  is_company: Type.Boolean(),
  parent: OdooPair(),
  active: Type.Boolean(),
  write_date: Nullable(Text()),
});

export const Order = Strict({
  id: Type.Integer(),
  name: Text(),
  state: OneOf(["draft", "sent", "sale", "locked", "cancel"] as const),
  locked: Type.Boolean(),
  amount_total: Type.Number(),
  date_order: Nullable(Type.String({ format: "date-time" })),
  currency: Nullable(Text()),
  partner: OdooPair(),
});

export const Stock = Strict({
  id: Type.Integer(),
  name: Text(),
  default_code: Nullable(Text()),
  qty_available: Type.Number(),
  virtual_available: Type.Number(),
  free_qty: Nullable(Type.Number()),
  warehouse_id: Nullable(Type.Integer()),
});

export const Created = Strict({ id: Type.Integer({ description: "The new record's id in Odoo" }) });

// --- The simulator and the node itself ---

export const Done = Strict({ ok: Type.Literal(true) });
export const SimulatedDelivery = Strict({ wa_message_id: Text() });
export const SimulatedSend = Strict({
  wa_message_id: Text(),
  to: Nullable(Text()),
  type: Text(),
  content: Nullable(Text()),
  metadata: Bag(),
  sent_at: DateTime(),
});

export const OpenApiDocument = Type.Object(
  { openapi: Type.Literal("3.1.0"), info: Bag(), paths: Bag(), components: Bag() },
  { description: "This OpenAPI 3.1 document" },
);
export const AsyncApiDocument = Type.Object(
  { asyncapi: Type.Literal("3.0.0"), info: Bag(), channels: Bag(), operations: Bag(), components: Bag() },
  { description: "The AsyncAPI 3.0 document of the Socket.IO events" },
);
export const Health = Strict({ status: Type.Literal("ok") });
export const Ready = Strict({ status: Type.Literal("ready"), checks: Type.Record(Type.String(), OneOf(["ok", "failing"] as const)) });

/** The components of the OpenAPI document: every named body. */
export const RESPONSE_BODIES = {
  User,
  UserPage: Page(User),
  Tokens,
  Contact,
  ContactPage: Page(Contact),
  Account,
  AccountPage: Page(Account),
  AccountStatus,
  QrCode,
  Conversation,
  ConversationPage: Page(Conversation),
  ConversationEventPage: Page(ConversationEvent),
  Message,
  MessagePage,
  RenderedQuickReply,
  ChangesPage,
  QuickReply,
  QuickReplyPage: Page(QuickReply),
  Queue,
  QueuePage: Page(Queue),
  QueueAgent,
  QueueStats,
  Flow,
  FlowPage: Page(Flow),
  NodeTypeList: Items(NodeType),
  SandboxRun,
  OdooSettings,
  OdooConnectionTest,
  SyncStarted,
  SyncJob,
  PartnerList: Items(Partner),
  OrderList: Items(Order),
  Stock,
  Created,
  Done,
  SimulatedDelivery,
  SimulatedSendList: Type.Array(SimulatedSend),
  Health,
  Ready,
  OpenApiDocument,
  AsyncApiDocument,
} satisfies Record<string, TSchema>;

export type ResponseBody = keyof typeof RESPONSE_BODIES;
export type Body<N extends ResponseBody> = Static<(typeof RESPONSE_BODIES)[N]>;
