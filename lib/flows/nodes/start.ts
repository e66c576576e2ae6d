import { defineNode, NEXT } from "../node-type";

export default defineNode({
  type: "start",
  category: "messages",
  description: "Where the flow begins; exactly one per flow.",
  fields: {},
  handles: () => NEXT,
  run: async () => ({ handle: "next" }),
});
