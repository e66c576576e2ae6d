import { ValidationFailed } from "../../errors";
import { msg } from "../../i18n/message";
import { defineNode } from "../node-type";
import { assertUniqueIds, OPTION_ID } from "./kit/ids";

type Branch = { id: string; weight: number };

export default defineNode<{ branches: Branch[] }>({
  type: "ab_split",
  category: "logic",
  description: "Sends each conversation down one branch at random, in proportion to the weights.",
  fields: {
    branches: {
      type: "array",
      required: true,
      min: 2,
      max: 10,
      items: { type: "object", props: { id: OPTION_ID, weight: { type: "number", required: true, min: 0, max: 1000 } } },
    },
  },
  catalogueHandles: ["<branch id>"],
  handles: (data) => data.branches.map((branch) => branch.id),
  validate(data, path) {
    assertUniqueIds(
      data.branches.map((b) => b.id),
      `${path}.branches`,
      "branch",
    );
    if (data.branches.every((b) => b.weight === 0)) throw new ValidationFailed(`${path}.branches`, msg("nodes.weightsAllZero"));
  },
  async run(ctx, data) {
    const total = data.branches.reduce((sum, b) => sum + b.weight, 0);
    let pick = ctx.random() * total;
    for (const branch of data.branches) {
      if (branch.weight > 0 && pick < branch.weight) return { handle: branch.id };
      pick -= branch.weight;
    }
    return { handle: data.branches.filter((b) => b.weight > 0).at(-1)!.id };
  },
});
