import { MAX_TEXT } from "../../whatsapp/outbound";
import { defineNode } from "../node-type";

export default defineNode<{ user_id: string; message?: string }>({
  type: "assign_agent",
  category: "people",
  description: "Assigns the conversation to one agent (optionally saying so first); the bot's turn ends.",
  fields: { user_id: { type: "uuid", required: true }, message: { type: "string", max: MAX_TEXT, template: true } },
  handles: () => [],
  async run(ctx, data) {
    if (data.message) await ctx.effects.send({ type: "text", content: ctx.render(data.message) });
    await ctx.effects.handoff({ userId: data.user_id });
    return { handoff: true };
  },
});
