import { defineNode, NEXT } from "../node-type";

export default defineNode<{ seconds: number }>({
  type: "wait",
  category: "logic",
  description: "Waits before going on (a durable timer: it survives restarts).",
  fields: { seconds: { type: "number", required: true, integer: true, min: 1, max: 30 * 86_400 } },
  handles: () => NEXT,
  run: async (_ctx, data) => ({ waitTimer: { seconds: data.seconds, handle: "next" } }),
});
