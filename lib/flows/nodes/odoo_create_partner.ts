import { defineNode, NEXT } from "../node-type";
import { callOdoo, saveTo } from "./kit/odoo";

type Data = { name?: string; email?: string; phone?: string; save_to: string };

export default defineNode<Data>({
  type: "odoo_create_partner",
  category: "odoo",
  description: "Creates a partner in Odoo (default: the contact's name, email and phone); stores its id.",
  fields: {
    name: { type: "string", max: 200, template: true },
    email: { type: "string", max: 254, template: true },
    phone: { type: "string", max: 32, template: true },
    ...saveTo,
  },
  handles: () => [...NEXT, "error"],
  run(ctx, data) {
    const pick = (template: string | undefined, own: string | null) => (template ? ctx.render(template) : own) || null;
    const params = { name: pick(data.name, ctx.contact.name), email: pick(data.email, ctx.contact.email), phone: pick(data.phone, ctx.contact.phone_number) };
    return callOdoo(ctx, data.save_to, "createPartner", params, (id) => ({ value: id, handle: "next" }));
  },
});
