import { BaseModel } from "./base";

export class Contact extends BaseModel {
  static override tableName = "contacts";
  id!: string;
  phone_number!: string | null;
  name!: string | null;
  push_name!: string | null;
  email!: string | null;
  company!: string | null;
  tags!: string[];
  metadata!: Record<string, unknown>;
  odoo_partner_id!: number | null;
  odoo_synced_at!: Date | null;
  /** Odoo's write_date of the partner when last synced: a newer one in Odoo means it changed there. */
  odoo_write_date!: string | null;
  created_at!: Date;
  updated_at!: Date;
  deleted_at!: Date | null;

  static override get relationMappings() {
    return {
      identities: {
        relation: BaseModel.HasManyRelation,
        modelClass: ContactIdentity,
        join: { from: "contacts.id", to: "contact_identities.contact_id" },
      },
    };
  }
}

/** A WhatsApp identity of a contact: its phone JID or its LID. */
export class ContactIdentity extends BaseModel {
  static override tableName = "contact_identities";
  id!: string;
  contact_id!: string;
  kind!: "phone" | "lid";
  value!: string;
  created_at!: Date;
}
