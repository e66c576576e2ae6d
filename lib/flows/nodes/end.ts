import { defineNode } from "../node-type";

export default defineNode<{ resolve?: boolean }>({
  type: "end",
  category: "logic",
  description: "Ends the flow; with resolve, resolves the conversation too.",
  fields: { resolve: { type: "boolean" } },
  handles: () => [],
  run: async (_ctx, data) => ({ end: { resolve: data.resolve ?? false } }),
});
