import { defineNode } from "../node-type";
import { callOdoo, saveTo } from "./kit/odoo";

type Data = { product: string; save_to: string };

export default defineNode<Data>({
  type: "odoo_check_stock",
  category: "odoo",
  description: "Checks a product's stock by default_code or id (template); stores {name, qty_available, virtual_available}.",
  fields: { product: { type: "string", required: true, min: 1, max: 100, template: true }, ...saveTo },
  handles: () => ["in_stock", "out_of_stock", "not_found", "error"],
  run(ctx, data) {
    return callOdoo(ctx, data.save_to, "checkStock", { product: ctx.render(data.product) }, (stock) => {
      if (!stock) return { value: null, handle: "not_found" };
      const available = Number((stock as { qty_available?: unknown }).qty_available ?? 0);
      return { value: stock, handle: available > 0 ? "in_stock" : "out_of_stock" };
    });
  },
});
