import { MAX_TEXT } from "../../whatsapp/outbound";
import { defineNode } from "../node-type";

export default defineNode<{ queue_id: string; message?: string }>({
  type: "transfer_to_queue",
  category: "people",
  description: "Hands the conversation to a queue (optionally saying so first); the bot's turn ends.",
  fields: { queue_id: { type: "uuid", required: true }, message: { type: "string", max: MAX_TEXT, template: true } },
  handles: () => [],
  async run(ctx, data) {
    if (data.message) await ctx.effects.send({ type: "text", content: ctx.render(data.message) });
    await ctx.effects.handoff({ queueId: data.queue_id });
    return { handoff: true };
  },
});
