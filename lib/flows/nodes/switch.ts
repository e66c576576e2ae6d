import { defineNode } from "../node-type";
import { assertUsableComparisons, compare, OPERATORS, type Operator } from "./kit/compare";
import { assertUniqueIds, OPTION_ID } from "./kit/ids";

type Case = { id: string; op: Operator; value?: string };

export default defineNode<{ value: string; cases: Case[] }>({
  type: "switch",
  category: "logic",
  description: "Leaves by the first case whose comparison with the value holds, else by default.",
  fields: {
    value: { type: "string", required: true, max: 1000, template: true },
    cases: {
      type: "array",
      required: true,
      min: 1,
      max: 20,
      items: {
        type: "object",
        props: { id: OPTION_ID, op: { type: "enum", values: OPERATORS, required: true }, value: { type: "string", max: 1000, template: true } },
      },
    },
  },
  catalogueHandles: ["<case id>", "default"],
  handles: (data) => [...data.cases.map((c) => c.id), "default"],
  validate: (data, path) => {
    assertUniqueIds(
      data.cases.map((c) => c.id),
      `${path}.cases`,
      "case",
      ["default"],
    );
    assertUsableComparisons(
      data.cases.map((c) => ({ op: c.op, right: c.value })),
      (i) => `${path}.cases[${i}].value`,
    );
  },
  async run(ctx, data) {
    const value = ctx.render(data.value);
    const hit = data.cases.find((c) => compare(value, c.op, ctx.render(c.value ?? "")));
    return { handle: hit?.id ?? "default" };
  },
});
