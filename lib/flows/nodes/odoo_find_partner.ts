import { defineNode } from "../node-type";
import { callOdoo, saveTo } from "./kit/odoo";

type Data = { by: "phone" | "email" | "name"; value?: string; save_to: string };

export default defineNode<Data>({
  type: "odoo_find_partner",
  category: "odoo",
  description: "Looks the contact up among Odoo's partners by phone, email or name (default: the contact's own); stores {id, name, email, phone}.",
  fields: { by: { type: "enum", values: ["phone", "email", "name"], required: true }, value: { type: "string", max: 200, template: true }, ...saveTo },
  handles: () => ["found", "not_found", "error"],
  run(ctx, data) {
    const own = { phone: ctx.contact.phone_number, email: ctx.contact.email, name: ctx.contact.name }[data.by];
    const value = data.value ? ctx.render(data.value) : own;
    return callOdoo(ctx, data.save_to, "findPartner", { by: data.by, value }, (partner) => ({
      value: partner ?? null,
      handle: partner ? "found" : "not_found",
    }));
  },
});
