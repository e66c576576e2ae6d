import { defineNode } from "../node-type";

export default defineNode<{ note?: string }>({
  type: "resolve_conversation",
  category: "people",
  description: "Resolves the conversation (with an optional note) and ends the flow.",
  fields: { note: { type: "string", max: 2000, template: true } },
  handles: () => [],
  run: async (ctx, data) => ({ end: { resolve: true, note: data.note ? ctx.render(data.note) : null } }),
});
