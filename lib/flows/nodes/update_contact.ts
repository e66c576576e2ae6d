import { defineNode, NEXT } from "../node-type";

type Data = { name?: string; email?: string; company?: string; metadata?: Record<string, string> };

export default defineNode<Data>({
  type: "update_contact",
  category: "people",
  description: "Updates the contact's name, email, company or metadata keys (templates, e.g. {{vars.email}}). Empty results are skipped.",
  fields: {
    name: { type: "string", max: 200, template: true },
    email: { type: "string", max: 254, template: true },
    company: { type: "string", max: 200, template: true },
    metadata: { type: "object" },
  },
  handles: () => NEXT,
  async run(ctx, data) {
    const patch: Record<string, unknown> = {};
    for (const key of ["name", "email", "company"] as const) {
      const value = data[key] === undefined ? "" : ctx.render(data[key]).trim();
      if (value) patch[key] = value;
    }
    if (data.metadata) {
      patch.metadata = Object.fromEntries(Object.entries(data.metadata).map(([key, value]) => [key, typeof value === "string" ? ctx.render(value) : value]));
    }
    if (Object.keys(patch).length) await ctx.effects.updateContact(patch);
    return { handle: "next" };
  },
});
