// /api/contacts: the people who write in (seed endpoints, plus removing a tag).
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { RequestMeta } from "../lib/auth/request-meta";
import { config } from "../lib/config";
import { Contacts, type ContactFilter, type ContactInput } from "../lib/contacts";
import { pageParams } from "../lib/pagination";
import { usesDatabase } from "../mixins/database.mixin";
import { ODOO_CALL_ERRORS } from "../lib/odoo/client";

interface ContactsService extends Service {
  contacts: Contacts;
}

const STAFF = "authenticated";
const tag = { type: "string", trim: true, min: 1, max: 50 } as const;
const tagList = { type: "array", items: tag, max: 50 } as const;
const fields = {
  name: { type: "string", trim: true, max: 200, optional: true, nullable: true },
  email: { type: "email", normalize: true, max: 254, optional: true, nullable: true },
  company: { type: "string", trim: true, max: 200, optional: true, nullable: true },
  tags: { ...tagList, optional: true },
  metadata: { type: "object", optional: true },
} as const;
const phone = { type: "string", trim: true, min: 3, max: 32 } as const;

const ContactsServiceSchema: ServiceSchema<ServiceSettingSchema, ContactsService> = {
  name: "contacts",
  mixins: [
    usesDatabase<ContactsService>(function (knex) {
      this.contacts = new Contacts(knex, config().defaultPhoneRegion);
    }),
  ],
  settings: { rest: "/contacts" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List contacts",
      response: { body: "ContactPage" },
      permissions: STAFF,
      params: {
        search: { type: "string", trim: true, max: 100, optional: true },
        // ?tags=a&tags=b or ?tags=a,b
        tags: {
          type: "multi",
          optional: true,
          rules: [
            { type: "array", items: "string", max: 50 },
            { type: "string", max: 500 },
          ],
        },
        has_odoo: { type: "boolean", convert: true, optional: true },
        ...pageParams,
        $$strict: "remove",
      },
      handler(this: ContactsService, ctx: Context<Omit<ContactFilter, "tags"> & { tags?: string | string[] }>) {
        const { tags, ...filter } = ctx.params;
        return this.contacts.list({ ...filter, tags: typeof tags === "string" ? tags.split(",") : tags });
      },
    },

    create: {
      rest: "POST /",
      summary: "Create a contact",
      response: { status: 201, body: "Contact" },
      errors: { 409: ["CONFLICT"] },
      permissions: STAFF,
      audit: "contacts.create",
      params: { phone_number: phone, ...fields, $$strict: "remove" },
      async handler(this: ContactsService, ctx: Context<ContactInput & { phone_number: string }, RequestMeta>) {
        const contact = await this.contacts.create(ctx.params);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/contacts/${contact.id}`;
        return contact;
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a contact",
      response: { body: "Contact" },
      permissions: STAFF,
      params: { id: "uuid" },
      handler(this: ContactsService, ctx: Context<{ id: string }>) {
        return this.contacts.get(ctx.params.id);
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a contact",
      response: { body: "Contact" },
      errors: { 409: ["CONFLICT"] },
      permissions: STAFF,
      audit: "contacts.update",
      params: { id: "uuid", phone_number: { ...phone, optional: true }, ...fields, $$strict: "remove" },
      handler(this: ContactsService, ctx: Context<ContactInput & { id: string }>) {
        const { id, ...input } = ctx.params;
        return this.contacts.update(id, input);
      },
    },

    addTags: {
      rest: "POST /:id/tags",
      summary: "Add tags to a contact",
      response: { body: "Contact" },
      permissions: STAFF,
      audit: "contacts.tag",
      params: { id: "uuid", tags: { ...tagList, min: 1 }, $$strict: "remove" },
      handler(this: ContactsService, ctx: Context<{ id: string; tags: string[] }>) {
        return this.contacts.addTags(ctx.params.id, ctx.params.tags);
      },
    },

    removeTag: {
      rest: "DELETE /:id/tags/:tag",
      summary: "Remove a tag from a contact",
      response: { body: "Contact" },
      permissions: STAFF,
      audit: "contacts.untag",
      params: { id: "uuid", tag },
      handler(this: ContactsService, ctx: Context<{ id: string; tag: string }>) {
        return this.contacts.removeTag(ctx.params.id, ctx.params.tag);
      },
    },

    /** Links the contact to its Odoo partner (found by phone or email, or created there). */
    syncOdoo: {
      rest: "POST /:id/sync-odoo",
      summary: "Link a contact to its Odoo partner (creating it when missing)",
      response: { body: "Contact" },
      errors: ODOO_CALL_ERRORS,
      permissions: STAFF,
      audit: "contacts.sync-odoo",
      params: { id: "uuid" },
      async handler(this: ContactsService, ctx: Context<{ id: string }>) {
        await this.contacts.get(ctx.params.id);
        await ctx.call("odoo.syncContact", { contact_id: ctx.params.id });
        return this.contacts.get(ctx.params.id);
      },
    },
  },
};

export default ContactsServiceSchema;
