import { defineNode, NEXT } from "../node-type";

export default defineNode<{ name: string; phone: string }>({
  type: "send_contact",
  category: "messages",
  description: "Sends a contact card.",
  fields: {
    name: { type: "string", required: true, min: 1, max: 200, template: true },
    phone: { type: "string", required: true, min: 3, max: 32, template: true },
  },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.send({ type: "contact", content: null, metadata: { name: ctx.render(data.name), phone: ctx.render(data.phone) } });
    return { handle: "next" };
  },
});
