import { MAX_TEXT } from "../../whatsapp/outbound";
import { defineNode, NEXT } from "../node-type";

export default defineNode<{ text: string }>({
  type: "send_text",
  category: "messages",
  description: "Sends a text (templates allowed).",
  fields: { text: { type: "string", required: true, min: 1, max: MAX_TEXT, template: true } },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.send({ type: "text", content: ctx.render(data.text) });
    return { handle: "next" };
  },
});
