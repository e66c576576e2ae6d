import { PRIORITIES } from "../../models/conversations";
import { defineNode, NEXT } from "../node-type";

export default defineNode<{ priority: string }>({
  type: "set_priority",
  category: "people",
  description: "Sets the conversation's priority (it orders the queue).",
  fields: { priority: { type: "enum", values: PRIORITIES, required: true } },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.setPriority(data.priority);
    return { handle: "next" };
  },
});
