// Contact sync in both directions.
// Pull: partners changed in Odoo since the stored cursor (write_date, archived
// ones included) update the linked contact, link a contact with the same
// phone or email, or become new contacts when they have a phone. Push:
// contacts changed in Charla since their last sync update their partner, or
// are linked to (or create) one. Odoo wins for what changed there since the
// last sync; Charla's changes go to Odoo. Our own writes are recognised by the
// partner's write_date we stored (loop guard), so they are not pulled back.
import type { Knex } from "knex";
import { config } from "../config";
import { toE164 } from "../phone";
import type { OdooClient } from "./client";
import { createPartner, digitsOf, presentPartner, readPartner, searchPartners, writePartner, type Partner } from "./operations";
import type { Static } from "@sinclair/typebox";
import type { SyncJob as SyncJobSchema } from "../contract/resources";

export type SyncJob = Static<typeof SyncJobSchema>;
/** What a running sync reports as it goes (the rest of the job is its row's). */
export type SyncProgress = Omit<SyncJob, "started_by" | "started_at" | "finished_at">;

/** A row of odoo_sync_jobs as the API shows it (its heartbeat is the engine's own). */
export function presentSyncJob(row: Omit<SyncJob, "job_id"> & { id: string }): SyncJob {
  return {
    job_id: row.id,
    status: row.status,
    phase: row.phase,
    total: row.total,
    processed: row.processed,
    created: row.created,
    updated: row.updated,
    pushed: row.pushed,
    skipped: row.skipped,
    failed: row.failed,
    failures: row.failures,
    error: row.error,
    started_by: row.started_by,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}

const PAGE = 200;
const MAX_FAILURES_KEPT = 20;
/** Odoo's naive UTC timestamp, as its domains and write_date use it. */
const odooStamp = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");

export interface ContactRow {
  id: string;
  phone_number: string | null;
  name: string | null;
  email: string | null;
  odoo_partner_id: number | null;
  odoo_write_date: string | null;
  metadata: Record<string, unknown>;
}

export class ContactSync {
  private readonly progress: SyncProgress;

  constructor(
    private readonly knex: Knex,
    private readonly client: OdooClient,
    jobId: string,
    private readonly report: (progress: SyncProgress) => Promise<void>,
  ) {
    this.progress = {
      job_id: jobId,
      status: "running",
      phase: "pull",
      total: 0,
      processed: 0,
      created: 0,
      updated: 0,
      pushed: 0,
      skipped: 0,
      failed: 0,
      failures: [],
      error: null,
    };
  }

  async run(): Promise<SyncProgress> {
    try {
      await this.pull();
      await this.push();
      Object.assign(this.progress, { status: "done", phase: "done" });
    } catch (err) {
      Object.assign(this.progress, { status: "failed", error: err instanceof Error ? err.message : String(err) });
    }
    await this.report({ ...this.progress });
    return this.progress;
  }

  /** One record's work; its failure is counted and kept, and the sync goes on with the others. */
  private async each(record: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.progress.failed += 1;
      if (this.progress.failures.length < MAX_FAILURES_KEPT) this.progress.failures.push({ record, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async pull(): Promise<void> {
    const settings = await this.knex("odoo_settings").where({ id: 1 }).first("sync_cursor");
    const cursor: Date | null = settings?.sync_cursor ?? null;
    // >= : write_date is returned without its microseconds; already-seen rows are recognised below.
    const base: unknown[] = cursor ? [["write_date", ">=", odooStamp(cursor)]] : [];
    const context = { active_test: false };
    this.progress.total = await this.client.call<number>("res.partner", "search_count", [base], { context });
    await this.report({ ...this.progress });
    const fields = ["name", "email", "phone", ...(await this.client.hasFields("res.partner", ["mobile"])), "is_company", "parent_id", "active", "write_date"];
    // Keyset pages on (write_date, id): partners edited meanwhile cannot shift a page and be skipped.
    let last: { stamp: string; id: number } | null = null;
    for (;;) {
      const after: unknown[] = last ? ["|", ["write_date", ">", last.stamp], "&", ["write_date", "=", last.stamp], ["id", ">", last.id]] : [];
      const rows: Array<Parameters<typeof presentPartner>[0]> = await this.client.call("res.partner", "search_read", [[...base, ...after]], {
        fields,
        order: "write_date asc, id asc",
        limit: PAGE,
        context,
      });
      for (const row of rows) {
        const stamp: string | null = typeof row.write_date === "string" ? row.write_date : null;
        await this.each(`res.partner ${row.id}`, () => this.pullOne(presentPartner(row), stamp));
        if (stamp) last = { stamp, id: row.id };
        this.progress.processed += 1;
      }
      // The cursor follows each page: a sync that stops halfway does not start over.
      if (last)
        await this.knex("odoo_settings")
          .where({ id: 1 })
          .update({ sync_cursor: new Date(`${last.stamp.replace(" ", "T")}Z`) });
      await this.report({ ...this.progress });
      if (rows.length < PAGE) return;
    }
  }

  private async pullOne(partner: Partner, writeDate: string | null): Promise<void> {
    const phone = partner.phone ?? partner.mobile;
    let contact: ContactRow | undefined = await this.knex("contacts").where({ odoo_partner_id: partner.id }).whereNull("deleted_at").first();
    if (contact && contact.odoo_write_date === writeDate) {
      // Nothing new: our own write, or a row the last run already saw.
      this.progress.skipped += 1;
      return;
    }
    if (!contact) contact = await this.matchContact(phone, partner.email);
    const now = new Date();
    if (contact) {
      await this.knex("contacts")
        .where({ id: contact.id })
        .update({
          ...(partner.name ? { name: partner.name } : {}),
          ...(partner.email ? { email: partner.email.toLowerCase() } : {}),
          odoo_partner_id: partner.id,
          odoo_write_date: writeDate,
          metadata: { ...contact.metadata, odoo_archived: !partner.active },
          odoo_synced_at: now,
          updated_at: now,
        });
      this.progress.updated += 1;
      return;
    }
    // Only people who can write on WhatsApp become contacts: a phone that parses, an active partner.
    let e164: string | null;
    try {
      e164 = phone ? toE164(phone, config().defaultPhoneRegion) : null;
    } catch {
      e164 = null;
    }
    // A contact with this number is linked to another partner already (duplicates in Odoo): left as it is.
    const taken = e164 ? await this.knex("contacts").where({ phone_number: e164 }).whereNull("deleted_at").first("id") : undefined;
    if (!e164 || !partner.active || partner.is_company || taken) {
      this.progress.skipped += 1;
      return;
    }
    await this.knex("contacts").insert({
      phone_number: e164,
      name: partner.name || null,
      email: partner.email?.toLowerCase() ?? null,
      odoo_partner_id: partner.id,
      odoo_write_date: writeDate,
      odoo_synced_at: now,
      created_at: now,
      updated_at: now,
    });
    this.progress.created += 1;
  }

  /** A contact that is the same person: same phone (by its last ten digits) or same email. */
  private async matchContact(phone: string | null, email: string | null): Promise<ContactRow | undefined> {
    const digits = phone ? digitsOf(phone).slice(-10) : "";
    if (digits.length >= 7) {
      const byPhone = await this.knex("contacts")
        .whereNull("deleted_at")
        .whereNull("odoo_partner_id")
        .whereRaw("right(regexp_replace(phone_number, '\\D', '', 'g'), 10) = ?", [digits])
        .first();
      if (byPhone) return byPhone;
    }
    if (email) return this.knex("contacts").whereNull("deleted_at").whereNull("odoo_partner_id").whereRaw("lower(email) = lower(?)", [email]).first();
    return undefined;
  }

  private async push(): Promise<void> {
    this.progress.phase = "push";
    await this.report({ ...this.progress });
    let lastId: string | null = null;
    for (;;) {
      // Changed here since the last sync (or never linked), a page at a time in id order.
      const query = this.knex("contacts")
        .whereNull("deleted_at")
        .whereNotNull("phone_number")
        .where((q) => {
          q.whereNull("odoo_synced_at").orWhereRaw("updated_at > odoo_synced_at");
        })
        .orderBy("id")
        .limit(PAGE);
      if (lastId) query.where("id", ">", lastId);
      const contacts: ContactRow[] = await query;
      for (const contact of contacts) await this.each(`contact ${contact.id}`, () => this.pushOne(contact));
      await this.report({ ...this.progress });
      if (contacts.length < PAGE) return;
      lastId = contacts.at(-1)!.id;
    }
  }

  private async pushOne(contact: ContactRow): Promise<void> {
    await pushContact(this.knex, this.client, contact);
    this.progress.pushed += 1;
  }
}

/**
 * Sends a contact to Odoo: updates its partner, or links it to the partner
 * with the same phone or email, or creates one. Returns the partner id.
 */
export async function pushContact(knex: Knex, client: OdooClient, contact: ContactRow): Promise<number> {
  let partnerId = contact.odoo_partner_id;
  const values = { name: contact.name ?? contact.phone_number ?? "WhatsApp", email: contact.email, phone: contact.phone_number };
  if (partnerId) {
    await writePartner(client, partnerId, values);
  } else {
    const [existing] = await searchPartners(client, { phone: contact.phone_number ?? undefined, email: contact.email ?? undefined, limit: 1 });
    partnerId = existing ? existing.id : await createPartner(client, values);
  }
  // Remember the partner as we left it: pulling it next time is not news.
  const partner = await readPartner(client, partnerId);
  const now = new Date();
  await knex("contacts")
    .where({ id: contact.id })
    .update({
      odoo_partner_id: partnerId,
      odoo_write_date: partner?.write_date ? odooStamp(new Date(partner.write_date)) : null,
      odoo_synced_at: now,
      updated_at: now,
    });
  return partnerId;
}
