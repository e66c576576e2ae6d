// /api/odoo: the company's Odoo — settings, a connection test, contact sync,
// partner, order and stock lookups, leads — and the calls flows make
// (docs/odoo.md). Odoo's failures are 502 with a code saying which.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { AppError, Conflict, NotFound, ValidationFailed } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import { OdooClient, OdooError, type CircuitBreaker, type OdooConnectionSettings } from "../lib/odoo/client";
import { checkStock, createLead, createPartner, listOrders, ORDER_STATES, searchPartners, type LeadInput, type OrderState } from "../lib/odoo/operations";
import { NotConfigured, OdooSettingsStore, type OdooSettingsInput } from "../lib/odoo/settings";
import { ContactSync, pushContact, type SyncProgress } from "../lib/odoo/sync";
import { findSyncJob, recordSyncProgress, startSyncJob } from "../lib/odoo/sync-jobs";
import { emitEvent } from "../lib/contract/events";
import { findContact } from "../lib/contacts";
import { usesDatabase } from "../mixins/database.mixin";
import { ODOO_CALL_ERRORS } from "../lib/odoo/client";

interface OdooService extends Service {
  store: OdooSettingsStore;
  cached?: { key: string; client: OdooClient };
  breaker: CircuitBreaker;
  client(): Promise<OdooClient>;
  odoo<T>(work: (client: OdooClient) => Promise<T>): Promise<T>;
}

type Ctx<P> = Context<P, RequestMeta>;
const STAFF = "authenticated";

/** Odoo's failure as an HTTP answer: 502 (or 422 when Odoo refused our data) with a code saying which. */
export function odooFailure(err: OdooError): AppError {
  const codes: Record<OdooError["kind"], [number, string]> = {
    credentials: [502, "ODOO_CREDENTIALS"],
    permission: [502, "ODOO_PERMISSION"],
    bad_data: [422, "ODOO_REJECTED"],
    not_found: [502, "ODOO_NOT_FOUND"],
    database: [502, "ODOO_DATABASE_NOT_FOUND"],
    unreachable: [502, "ODOO_UNREACHABLE"],
    timeout: [502, "ODOO_TIMEOUT"],
    circuit_open: [502, "ODOO_PAUSED"],
    upstream: [502, "ODOO_ERROR"],
  };
  const [status, code] = codes[err.kind];
  return new AppError(status, code, msg("odoo.failure", { kind: err.kind, detail: err.message }));
}

const settingsParams = {
  url: { type: "url" },
  database: { type: "string", trim: true, min: 1, max: 200 },
  username: { type: "string", trim: true, min: 1, max: 200 },
  api_key: { type: "string", min: 1, max: 500, optional: true },
  protocol: { type: "enum", values: ["auto", "jsonrpc", "xmlrpc", "json2"], optional: true },
  timeout_ms: { type: "number", integer: true, min: 500, max: 120_000, optional: true },
} as const;

const OdooServiceSchema: ServiceSchema<ServiceSettingSchema, OdooService> = {
  name: "odoo",
  mixins: [
    usesDatabase<OdooService>(function (knex) {
      this.store = new OdooSettingsStore(knex);
    }),
  ],
  settings: { rest: "/odoo" },

  actions: {
    getSettings: {
      rest: "GET /settings",
      summary: "The Odoo connection settings",
      response: { body: "OdooSettings" },
      errors: { 409: ["ODOO_KEY_UNREADABLE"] },
      permissions: ["admin"],
      handler(this: OdooService) {
        return this.store.view();
      },
    },

    saveSettings: {
      rest: "PUT /settings",
      summary: "Save the Odoo connection settings",
      response: { body: "OdooSettings" },
      errors: { 409: ["ODOO_KEY_UNREADABLE"] },
      permissions: ["admin"],
      audit: "odoo.settings",
      params: { ...settingsParams, $$strict: "remove" },
      async handler(this: OdooService, ctx: Ctx<OdooSettingsInput>) {
        const view = await this.store.save(ctx.params, callerOf(ctx).id);
        this.cached = undefined;
        this.breaker = { failures: 0, openUntil: 0 };
        return view;
      },
    },

    /** Checks the stored settings, or the ones in the body before saving them. */
    testConnection: {
      rest: "POST /test-connection",
      summary: "Try an Odoo connection",
      response: { body: "OdooConnectionTest" },
      errors: { 409: ["ODOO_NOT_CONFIGURED", "ODOO_KEY_UNREADABLE"] },
      permissions: ["admin"],
      params: {
        ...settingsParams,
        url: { ...settingsParams.url, optional: true },
        database: { ...settingsParams.database, optional: true },
        username: { ...settingsParams.username, optional: true },
        $$strict: "remove",
      },
      async handler(this: OdooService, ctx: Ctx<Partial<OdooSettingsInput>>) {
        const stored = await this.store.current();
        const p = ctx.params;
        const candidate: OdooConnectionSettings | undefined = p.url
          ? {
              url: p.url,
              database: p.database ?? stored?.database ?? "",
              username: p.username ?? stored?.username ?? "",
              apiKey: p.api_key ?? stored?.apiKey ?? "",
              protocol: p.protocol ?? "auto",
              timeoutMs: p.timeout_ms ?? stored?.timeoutMs ?? 15_000,
            }
          : stored;
        if (!candidate) throw new NotConfigured();
        // The stored key goes only to the server it was saved for.
        if (p.url && !p.api_key && stored && stored.url !== p.url.replace(/\/+$/, "")) {
          throw new ValidationFailed("api_key", msg("odoo.keyToTest"));
        }
        try {
          const { protocol, version, uid } = await new OdooClient(candidate).connect();
          return { ok: true, server_version: version.serverVersion, major_version: version.major, protocol, uid };
        } catch (err) {
          if (!(err instanceof OdooError)) throw err;
          // A diagnosis, not a failure of this request: which of URL, database or credentials is wrong.
          return { ok: false, code: odooFailure(err).type, message: err.message };
        }
      },
    },

    syncContacts: {
      rest: "POST /sync-contacts",
      summary: "Start syncing contacts with Odoo",
      response: { status: 202, body: "SyncStarted" },
      errors: { 409: ["ODOO_NOT_CONFIGURED", "SYNC_RUNNING"] },
      permissions: ["admin"],
      audit: "odoo.sync",
      async handler(this: OdooService, ctx: Ctx<Record<string, never>>) {
        const client = await this.client();
        const job = await startSyncJob(database(), callerOf(ctx).id);
        if (!job) throw new Conflict(msg("odoo.syncRunning"), "SYNC_RUNNING");
        const report = async (progress: SyncProgress) => {
          await recordSyncProgress(database(), job.id, progress);
          await emitEvent(this.broker, "odoo.sync.progress", progress);
        };
        new ContactSync(database(), client, job.id, report).run().catch((err: unknown) => this.logger.error("Contact sync crashed", err));
        ctx.meta.$statusCode = 202;
        ctx.meta.$location = `/api/odoo/sync-contacts/${job.id}`;
        return { job_id: job.id, status: "running" };
      },
    },

    syncStatus: {
      rest: "GET /sync-contacts/:id",
      summary: "Follow a contact sync",
      response: { body: "SyncJob" },
      permissions: ["admin"],
      params: { id: "uuid" },
      async handler(this: OdooService, ctx: Ctx<{ id: string }>) {
        const job = await findSyncJob(database(), ctx.params.id);
        if (!job) throw new NotFound("syncJob", ctx.params.id);
        return job;
      },
    },

    searchPartners: {
      rest: "GET /partners/search",
      summary: "Search Odoo partners",
      response: { body: "PartnerList" },
      errors: ODOO_CALL_ERRORS,
      permissions: STAFF,
      params: {
        phone: { type: "string", trim: true, min: 3, max: 32, optional: true },
        email: { type: "string", trim: true, max: 254, optional: true },
        name: { type: "string", trim: true, min: 2, max: 200, optional: true },
        limit: { type: "number", integer: true, min: 1, max: 100, default: 20, convert: true },
        $$strict: "remove",
      },
      async handler(this: OdooService, ctx: Ctx<{ phone?: string; email?: string; name?: string; limit: number }>) {
        const { phone, email, name, limit } = ctx.params;
        if (!phone && !email && !name) throw new AppError(422, "VALIDATION_ERROR", msg("odoo.searchBy"), { field: "phone" });
        return { items: await this.odoo((client) => searchPartners(client, { phone, email, name, limit })) };
      },
    },

    orders: {
      rest: "GET /orders",
      summary: "A partner's sale orders",
      response: { body: "OrderList" },
      errors: ODOO_CALL_ERRORS,
      permissions: STAFF,
      params: {
        partner_id: { type: "number", integer: true, min: 1, convert: true },
        state: { type: "enum", values: [...ORDER_STATES], optional: true },
        limit: { type: "number", integer: true, min: 1, max: 100, default: 20, convert: true },
        $$strict: "remove",
      },
      async handler(this: OdooService, ctx: Ctx<{ partner_id: number; state?: OrderState; limit: number }>) {
        const { partner_id, state, limit } = ctx.params;
        return { items: await this.odoo((client) => listOrders(client, { partnerId: partner_id, state, limit })) };
      },
    },

    stock: {
      rest: "GET /products/:id/stock",
      summary: "A product's stock",
      response: { body: "Stock" },
      errors: ODOO_CALL_ERRORS,
      permissions: STAFF,
      params: {
        id: { type: "string", trim: true, min: 1, max: 100 },
        warehouse_id: { type: "number", integer: true, min: 1, convert: true, optional: true },
        $$strict: "remove",
      },
      async handler(this: OdooService, ctx: Ctx<{ id: string; warehouse_id?: number }>) {
        const stock = await this.odoo((client) => checkStock(client, ctx.params.id, ctx.params.warehouse_id));
        if (!stock) throw new NotFound("product", ctx.params.id);
        return stock;
      },
    },

    createLead: {
      rest: "POST /leads",
      summary: "Create a CRM lead in Odoo",
      response: { status: 201, body: "Created" },
      errors: ODOO_CALL_ERRORS,
      permissions: STAFF,
      audit: "odoo.lead",
      params: {
        name: { type: "string", trim: true, min: 1, max: 200 },
        contact_name: { type: "string", trim: true, max: 200, optional: true, nullable: true },
        partner_name: { type: "string", trim: true, max: 200, optional: true, nullable: true },
        email: { type: "email", max: 254, optional: true, nullable: true },
        phone: { type: "string", trim: true, max: 32, optional: true, nullable: true },
        description: { type: "string", max: 10_000, optional: true, nullable: true },
        expected_revenue: { type: "number", min: 0, max: 1e12, optional: true, nullable: true },
        partner_id: { type: "number", integer: true, min: 1, optional: true, nullable: true },
        $$strict: "remove",
      },
      async handler(this: OdooService, ctx: Ctx<LeadInput>) {
        const id = await this.odoo((client) => createLead(client, ctx.params));
        ctx.meta.$statusCode = 201;
        return { id };
      },
    },

    /** Links a contact to its Odoo partner (found by phone or email, or created); POST /api/contacts/{id}/sync-odoo. */
    syncContact: {
      visibility: "public",
      params: { contact_id: "uuid" },
      async handler(this: OdooService, ctx: Ctx<{ contact_id: string }>) {
        const contact = await findContact(database(), ctx.params.contact_id);
        const partnerId = await this.odoo((client) => pushContact(database(), client, contact));
        return { contact_id: contact.id, odoo_partner_id: partnerId, has_odoo: true };
      },
    },

    // Flow nodes (odoo_*): they take the contact's own data and answer in the shapes of the catalogue.
    findPartner: {
      visibility: "public",
      params: { by: { type: "enum", values: ["phone", "email", "name"] }, value: { type: "string", optional: true, nullable: true } },
      async handler(this: OdooService, ctx: Context<{ by: "phone" | "email" | "name"; value?: string | null }>) {
        if (!ctx.params.value) return null;
        const [partner] = await this.odoo((client) => searchPartners(client, { [ctx.params.by]: ctx.params.value!, limit: 1 }));
        return partner ? { id: partner.id, name: partner.name, email: partner.email, phone: partner.phone ?? partner.mobile } : null;
      },
    },

    createPartner: {
      visibility: "public",
      params: {
        name: { type: "string", optional: true, nullable: true },
        email: { type: "string", optional: true, nullable: true },
        phone: { type: "string", optional: true, nullable: true },
      },
      handler(this: OdooService, ctx: Context<{ name?: string | null; email?: string | null; phone?: string | null }>) {
        const { name, email, phone } = ctx.params;
        return this.odoo((client) => createPartner(client, { name: name || phone || "WhatsApp", email, phone }));
      },
    },

    listOrders: {
      visibility: "public",
      params: {
        partner_id: { type: "any", optional: true, nullable: true },
        phone: { type: "string", optional: true, nullable: true },
        state: { type: "string", optional: true, nullable: true },
        limit: { type: "number", optional: true },
      },
      async handler(this: OdooService, ctx: Context<{ partner_id?: unknown; phone?: string | null; state?: string | null; limit?: number }>) {
        return this.odoo(async (client) => {
          let partnerId = typeof ctx.params.partner_id === "number" ? ctx.params.partner_id : null;
          if (!partnerId && ctx.params.phone) partnerId = (await searchPartners(client, { phone: ctx.params.phone, limit: 1 }))[0]?.id ?? null;
          if (!partnerId) return [];
          const state = ORDER_STATES.includes(ctx.params.state as OrderState) ? (ctx.params.state as OrderState) : undefined;
          const orders = await listOrders(client, { partnerId, state, limit: ctx.params.limit ?? 5 });
          return orders.map((order) => ({
            name: order.name,
            state: order.state,
            amount_total: order.amount_total,
            date_order: order.date_order,
            currency: order.currency,
          }));
        });
      },
    },

    checkStock: {
      visibility: "public",
      params: { product: "string" },
      async handler(this: OdooService, ctx: Context<{ product: string }>) {
        const stock = await this.odoo((client) => checkStock(client, ctx.params.product));
        return stock && { name: stock.name, qty_available: stock.qty_available, virtual_available: stock.virtual_available };
      },
    },

    leadFromFlow: {
      visibility: "public",
      params: {
        name: "string",
        description: { type: "string", optional: true, nullable: true },
        expected_revenue: { type: "number", optional: true, nullable: true },
        contact_name: { type: "string", optional: true, nullable: true },
        email: { type: "string", optional: true, nullable: true },
        phone: { type: "string", optional: true, nullable: true },
      },
      handler(this: OdooService, ctx: Context<LeadInput>) {
        return this.odoo((client) => createLead(client, ctx.params));
      },
    },
  },

  methods: {
    async client(this: OdooService) {
      const settings = await this.store.current();
      if (!settings) throw new NotConfigured();
      const key = JSON.stringify(settings);
      if (this.cached?.key !== key) this.cached = { key, client: new OdooClient(settings, this.breaker) };
      return this.cached.client;
    },

    async odoo<T>(this: OdooService, work: (client: OdooClient) => Promise<T>): Promise<T> {
      const client = await this.client();
      try {
        return await work(client);
      } catch (err) {
        if (err instanceof OdooError) {
          // A failed connect is retried from scratch next time (the key may have been fixed in Odoo).
          if (err.kind === "credentials" || err.kind === "database") this.cached = undefined;
          throw odooFailure(err);
        }
        throw err;
      }
    },
  },

  created(this: OdooService) {
    this.breaker = { failures: 0, openUntil: 0 };
  },
};

export default OdooServiceSchema;
