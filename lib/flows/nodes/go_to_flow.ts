import { defineNode } from "../node-type";

export default defineNode<{ flow_id: string }>({
  type: "go_to_flow",
  category: "logic",
  description: "Continues at the start of another flow (its current version).",
  fields: { flow_id: { type: "uuid", required: true } },
  handles: () => [],
  run: async (_ctx, data) => ({ goto: { flowId: data.flow_id } }),
});
