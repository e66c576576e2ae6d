import { defineNode } from "../node-type";
import { callOdoo, saveTo } from "./kit/odoo";

type Data = { partner_var?: string; state?: string; limit?: number; save_to: string };

export default defineNode<Data>({
  type: "odoo_list_orders",
  category: "odoo",
  description:
    "Lists a partner's sale orders (the partner in vars.<partner_var>, else the contact's); stores [{name, state, amount_total, date_order, currency}].",
  fields: {
    partner_var: { type: "string", pattern: /^[A-Za-z_]\w{0,63}$/ },
    state: { type: "string", max: 32 },
    limit: { type: "number", integer: true, min: 1, max: 50 },
    ...saveTo,
  },
  handles: () => ["found", "not_found", "error"],
  run(ctx, data) {
    const partner = data.partner_var ? ctx.vars[data.partner_var] : undefined;
    const partnerId = partner && typeof partner === "object" ? (partner as { id?: unknown }).id : partner;
    return callOdoo(
      ctx,
      data.save_to,
      "listOrders",
      { partner_id: partnerId ?? null, phone: ctx.contact.phone_number, state: data.state ?? null, limit: data.limit ?? 5 },
      (orders) => {
        const list = Array.isArray(orders) ? orders : [];
        return { value: list, handle: list.length ? "found" : "not_found" };
      },
    );
  },
});
