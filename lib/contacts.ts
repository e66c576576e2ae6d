// Contacts: the people who write in. One contact per phone number (E.164),
// however the number was typed; tags without duplicates; search that ignores
// case and accents.
import type { Knex } from "knex";
import { single, type Row } from "./db/tables";
import { Conflict, NotFound } from "./errors";
import { msg } from "./i18n/message";
import { Contact } from "./models/contacts";
import { paginate, type Page } from "./pagination";
import { toE164 } from "./phone";
import type { Static } from "@sinclair/typebox";
import type { Contact as ContactSchema } from "./contract/resources";

export type PublicContact = Static<typeof ContactSchema>;

export interface ContactFilter {
  search?: string;
  tags?: string[];
  has_odoo?: boolean;
  page: number;
  limit: number;
}

export interface ContactInput {
  phone_number?: string;
  name?: string | null;
  email?: string | null;
  company?: string | null;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export function presentContact(contact: Row<Contact>): PublicContact {
  return {
    id: contact.id,
    phone_number: contact.phone_number,
    name: contact.name,
    push_name: contact.push_name,
    email: contact.email,
    company: contact.company,
    tags: contact.tags,
    metadata: contact.metadata,
    has_odoo: contact.odoo_partner_id !== null,
    odoo_partner_id: contact.odoo_partner_id,
    created_at: contact.created_at,
    updated_at: contact.updated_at,
  };
}

/** Trimmed, non-empty, each once, in the order given. */
export function cleanTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A contact's row; 404 when there is none (or it was deleted). */
export async function findContact(knex: Knex, id: string): Promise<Row<Contact>> {
  const contact = await knex("contacts").where({ id }).whereNull("deleted_at").first();
  if (!contact) throw new NotFound("contact", id);
  return contact;
}

export class Contacts {
  constructor(
    private readonly knex: Knex,
    private readonly defaultRegion: string,
  ) {}

  list(filter: ContactFilter): Promise<Page<PublicContact>> {
    const query = this.knex("contacts")
      .whereNull("deleted_at")
      .orderBy([
        { column: "updated_at", order: "desc" },
        { column: "id", order: "desc" },
      ]);
    if (filter.search) {
      const term = `%${escapeLike(filter.search)}%`;
      const digits = filter.search.replace(/\D/g, "");
      query.where((q) => {
        // Served by the trigram index on the folded name, email and phone.
        q.whereRaw("charla_fold(coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone_number, '')) LIKE charla_fold(?)", [term]);
        if (digits.length >= 3) q.orWhere("phone_number", "like", `%${digits}%`);
      });
    }
    if (filter.tags?.length) query.whereRaw("tags && ?::text[]", [cleanTags(filter.tags)]);
    if (filter.has_odoo !== undefined) query[filter.has_odoo ? "whereNotNull" : "whereNull"]("odoo_partner_id");
    return paginate(query, filter.page, filter.limit, presentContact);
  }

  async get(id: string): Promise<PublicContact> {
    return presentContact(await this.find(id));
  }

  async create(input: ContactInput & { phone_number: string }): Promise<PublicContact> {
    const phone = toE164(input.phone_number, this.defaultRegion);
    await this.assertPhoneFree(phone);
    const contact = single(
      await this.knex("contacts")
        .insert({
          phone_number: phone,
          name: input.name ?? null,
          email: input.email ?? null,
          company: input.company ?? null,
          tags: cleanTags(input.tags ?? []),
          metadata: input.metadata ?? {},
        })
        .returning("id"),
      "new contact",
    );
    return this.get(contact.id);
  }

  async update(id: string, input: ContactInput): Promise<PublicContact> {
    const contact = await this.find(id);
    const patch: Partial<Row<Contact>> = {};
    // name, email and company may be cleared with null; the number, tags and metadata may not.
    if (input.phone_number != null) {
      patch.phone_number = toE164(input.phone_number, this.defaultRegion);
      if (patch.phone_number !== contact.phone_number) await this.assertPhoneFree(patch.phone_number);
    }
    for (const field of ["name", "email", "company"] as const) if (input[field] !== undefined) patch[field] = input[field];
    if (input.tags != null) patch.tags = cleanTags(input.tags);
    if (input.metadata != null) patch.metadata = input.metadata;
    if (Object.keys(patch).length)
      await this.knex("contacts")
        .update({ ...patch, updated_at: this.knex.fn.now() })
        .where("id", id);
    return this.get(id);
  }

  /** Adds tags the contact does not have yet, in one statement (concurrent adds lose nothing). */
  async addTags(id: string, tags: string[]): Promise<PublicContact> {
    await this.find(id);
    await this.knex("contacts")
      .where({ id })
      .update({
        // Existing tags keep their place; new ones follow in the order given.
        tags: this.knex.raw("ARRAY(SELECT t FROM unnest(tags || ?::text[]) WITH ORDINALITY AS x(t, n) GROUP BY t ORDER BY min(n))", [cleanTags(tags)]),
        updated_at: this.knex.fn.now(),
      });
    return this.get(id);
  }

  async removeTag(id: string, tag: string): Promise<PublicContact> {
    await this.find(id);
    await this.knex("contacts")
      .where({ id })
      .update({ tags: this.knex.raw("array_remove(tags, ?)", [tag]), updated_at: this.knex.fn.now() });
    return this.get(id);
  }

  private find(id: string): Promise<Row<Contact>> {
    return findContact(this.knex, id);
  }

  private async assertPhoneFree(phone: string): Promise<void> {
    const taken = await this.knex("contacts").where("phone_number", phone).whereNull("deleted_at").first();
    if (taken) throw new Conflict(msg("contacts.phoneTaken", { phone, id: taken.id }), "CONFLICT", "phone_number");
  }
}
