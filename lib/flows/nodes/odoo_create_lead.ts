import { defineNode, NEXT } from "../node-type";
import { callOdoo, saveTo } from "./kit/odoo";

type Data = { name: string; description?: string; expected_revenue?: number; save_to: string };

export default defineNode<Data>({
  type: "odoo_create_lead",
  category: "odoo",
  description: "Creates a CRM lead for the contact; stores its id.",
  fields: {
    name: { type: "string", required: true, min: 1, max: 200, template: true },
    description: { type: "string", max: 4096, template: true },
    expected_revenue: { type: "number", min: 0 },
    ...saveTo,
  },
  handles: () => [...NEXT, "error"],
  run(ctx, data) {
    const params = {
      name: ctx.render(data.name),
      description: data.description ? ctx.render(data.description) : null,
      expected_revenue: data.expected_revenue ?? null,
      contact_name: ctx.contact.name,
      email: ctx.contact.email,
      phone: ctx.contact.phone_number,
    };
    return callOdoo(ctx, data.save_to, "leadFromFlow", params, (id) => ({ value: id, handle: "next" }));
  },
});
