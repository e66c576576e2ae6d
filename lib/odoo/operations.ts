// What Charla asks of Odoo, written once for versions 16–19: fields are probed
// (`mobile` is gone in 19, `locked` replaced the `done` state in 17), empty
// values come back as `false`, many2one as [id, name], phones are matched by
// digits however they were typed.
import type { OdooClient } from "./client";
import type { Static } from "@sinclair/typebox";
import type { Partner as PartnerSchema, Order as OrderSchema, Stock as StockSchema } from "../contract/resources";

type M2o = [number, string] | false;
type OdooText = string | false;

export type Partner = Static<typeof PartnerSchema>;

interface PartnerRow {
  id: number;
  name: OdooText;
  email: OdooText;
  phone: OdooText;
  mobile?: OdooText;
  is_company: boolean;
  parent_id: M2o;
  active: boolean;
  write_date: OdooText;
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const pair = (value: M2o) => (value ? { id: value[0], name: value[1] } : null);
/** Odoo's naive UTC "YYYY-MM-DD HH:MM:SS" as ISO 8601. */
export const isoOf = (value: unknown): string | null => (typeof value === "string" && value ? `${value.replace(" ", "T")}Z` : null);
export const digitsOf = (phone: string) => phone.replace(/\D/g, "");
/** National numbers differ in prefixes (+52, 0052, +52 1): the last ten digits are what match. */
const lastTen = (phone: string) => digitsOf(phone).slice(-10);

async function partnerFields(client: OdooClient): Promise<string[]> {
  const optional = await client.hasFields("res.partner", ["mobile"]);
  return ["name", "email", "phone", ...optional, "is_company", "parent_id", "active", "write_date"];
}

export function presentPartner(row: PartnerRow): Partner {
  return {
    id: row.id,
    name: text(row.name) ?? "",
    email: text(row.email),
    phone: text(row.phone),
    mobile: text(row.mobile),
    is_company: Boolean(row.is_company),
    parent: pair(row.parent_id),
    active: row.active !== false,
    write_date: isoOf(row.write_date),
  };
}

export interface PartnerQuery {
  phone?: string;
  email?: string;
  name?: string;
  limit?: number;
  includeArchived?: boolean;
}

/** Partners matching any of phone (by digits), email (ignoring case) or name (`ilike`). */
export async function searchPartners(client: OdooClient, query: PartnerQuery): Promise<Partner[]> {
  const leaves: unknown[] = [];
  let phoneCheck: ((partner: Partner) => boolean) | undefined;
  if (query.phone && lastTen(query.phone).length >= 3) {
    const wanted = lastTen(query.phone);
    if ((await client.hasFields("res.partner", ["phone_mobile_search"])).size) {
      leaves.push(["phone_mobile_search", "ilike", wanted]);
    } else {
      // No phone mixin: narrow by the last digits, then compare whole numbers here.
      leaves.push(["phone", "ilike", wanted.slice(-4)]);
      phoneCheck = (partner) => [partner.phone, partner.mobile].some((phone) => phone !== null && lastTen(phone) === wanted);
    }
  }
  if (query.email) leaves.push(["email", "=ilike", query.email.replace(/[%_\\]/g, (c) => `\\${c}`)]);
  if (query.name) leaves.push(["name", "ilike", query.name]);
  if (leaves.length === 0) return [];
  const domain = [...Array<string>(leaves.length - 1).fill("|"), ...leaves];
  const limit = query.limit ?? 20;
  const rows = await client.call<PartnerRow[]>("res.partner", "search_read", [domain], {
    fields: await partnerFields(client),
    // The loose phone match is narrowed here: ask for more so the limit counts real matches.
    limit: phoneCheck ? Math.max(limit * 10, 200) : limit,
    order: "id asc",
    context: query.includeArchived ? { active_test: false } : {},
  });
  const partners = rows.map(presentPartner);
  if (!phoneCheck) return partners;
  const matches = (partner: Partner) =>
    phoneCheck(partner) ||
    (query.email !== undefined && partner.email?.toLowerCase() === query.email.toLowerCase()) ||
    (query.name !== undefined && partner.name.toLowerCase().includes(query.name.toLowerCase()));
  return partners.filter(matches).slice(0, limit);
}

export async function readPartner(client: OdooClient, id: number): Promise<Partner | null> {
  const [row] = await client.call<PartnerRow[]>("res.partner", "read", [[id]], { fields: await partnerFields(client) });
  return row ? presentPartner(row) : null;
}

/** Creates a partner; Odoo never gets a null (it has no nil): empty values are left out. */
export async function createPartner(client: OdooClient, values: { name: string; email?: string | null; phone?: string | null }): Promise<number> {
  const vals = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && value !== undefined && value !== ""));
  const created = await client.call<number | number[]>("res.partner", "create", [vals]);
  return Array.isArray(created) ? created[0]! : created;
}

export async function writePartner(client: OdooClient, id: number, values: Record<string, string | null>): Promise<void> {
  const vals = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? false]));
  await client.call("res.partner", "write", [[id], vals]);
}

// --- Sale orders ---

export const ORDER_STATES = ["draft", "sent", "sale", "locked", "cancel"] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export type Order = Static<typeof OrderSchema>;

/**
 * A partner's sale orders (the company's and its contacts', via child_of),
 * newest first. States are the same on every version: 16's `done` ("Locked")
 * is `locked`, as is a confirmed order with `locked` set on 17+.
 */
export async function listOrders(client: OdooClient, query: { partnerId: number; state?: OrderState; limit?: number }): Promise<Order[]> {
  const hasLocked = (await client.hasFields("sale.order", ["locked"])).has("locked");
  const domain: unknown[] = [["partner_id", "child_of", query.partnerId]];
  if (query.state === "locked")
    domain.push(
      ...(hasLocked
        ? [
            ["state", "=", "sale"],
            ["locked", "=", true],
          ]
        : [["state", "=", "done"]]),
    );
  else if (query.state === "sale") domain.push(["state", "in", hasLocked ? ["sale"] : ["sale", "done"]]);
  else if (query.state) domain.push(["state", "=", query.state]);
  const rows = await client.call<Array<Record<string, unknown>>>("sale.order", "search_read", [domain], {
    fields: ["name", "partner_id", "state", "amount_total", "date_order", "currency_id", ...(hasLocked ? ["locked"] : [])],
    order: "date_order desc",
    limit: query.limit ?? 20,
  });
  return rows.map((row) => {
    const locked = row.state === "done" || row.locked === true;
    return {
      id: row.id as number,
      name: String(row.name),
      state: (locked && (row.state === "done" || row.state === "sale") ? "locked" : row.state) as OrderState,
      locked,
      amount_total: Number(row.amount_total ?? 0),
      date_order: isoOf(row.date_order),
      currency: pair(row.currency_id as M2o)?.name ?? null,
      partner: pair(row.partner_id as M2o),
    };
  });
}

// --- Stock ---

export type Stock = Static<typeof StockSchema>;

/** A product's stock by default_code (or by id when no code matches), optionally in one warehouse. */
export async function checkStock(client: OdooClient, product: string, warehouseId?: number): Promise<Stock | null> {
  const optional = await client.hasFields("product.product", ["free_qty"]);
  const fields = ["name", "default_code", "qty_available", "virtual_available", ...optional];
  // 16 reads `warehouse`, 17+ `warehouse_id`: sending both is harmless.
  const context = warehouseId ? { warehouse: warehouseId, warehouse_id: warehouseId } : {};
  let [row] = await client.call<Array<Record<string, unknown>>>("product.product", "search_read", [[["default_code", "=", product]]], {
    fields,
    limit: 1,
    context,
  });
  if (!row && /^\d+$/.test(product))
    [row] = await client.call<Array<Record<string, unknown>>>("product.product", "search_read", [[["id", "=", Number(product)]]], {
      fields,
      limit: 1,
      context,
    });
  if (!row) return null;
  return {
    id: row.id as number,
    name: String(row.name),
    default_code: text(row.default_code),
    qty_available: Number(row.qty_available ?? 0),
    virtual_available: Number(row.virtual_available ?? 0),
    free_qty: optional.has("free_qty") ? Number(row.free_qty ?? 0) : null,
    warehouse_id: warehouseId ?? null,
  };
}

// --- Leads ---

const escapeHtml = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

/** Plain text as Odoo's Html field expects it: escaped, one paragraph per line. */
export const textToHtml = (value: string) =>
  value
    .split(/\r?\n/)
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join("");

export interface LeadInput {
  name: string;
  contact_name?: string | null;
  partner_name?: string | null;
  email?: string | null;
  phone?: string | null;
  description?: string | null;
  expected_revenue?: number | null;
  partner_id?: number | null;
}

export async function createLead(client: OdooClient, input: LeadInput): Promise<number> {
  const vals: Record<string, unknown> = { name: input.name, type: "lead" };
  if (input.contact_name) vals.contact_name = input.contact_name;
  if (input.partner_name) vals.partner_name = input.partner_name;
  if (input.description) vals.description = textToHtml(input.description);
  if (input.expected_revenue != null) vals.expected_revenue = input.expected_revenue;
  if (input.partner_id) {
    // With a partner, Odoo fills email and phone from it; sending others would overwrite the partner's.
    vals.partner_id = input.partner_id;
  } else {
    if (input.email) vals.email_from = input.email;
    if (input.phone) vals.phone = input.phone;
  }
  const created = await client.call<number | number[]>("crm.lead", "create", [vals]);
  return Array.isArray(created) ? created[0]! : created;
}
