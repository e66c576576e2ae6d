import { defineNode } from "../node-type";
import { assertUsableComparisons, compare, OPERATORS, type Operator } from "./kit/compare";

type Rule = { left: string; op: Operator; right?: string };

export default defineNode<{ match?: "all" | "any"; rules: Rule[] }>({
  type: "condition",
  category: "logic",
  description: "Leaves by true when all (or any) of the rules hold, else by false. Sides are templates.",
  fields: {
    match: { type: "enum", values: ["all", "any"] },
    rules: {
      type: "array",
      required: true,
      min: 1,
      max: 20,
      items: {
        type: "object",
        props: {
          left: { type: "string", required: true, max: 1000, template: true },
          op: { type: "enum", values: OPERATORS, required: true },
          right: { type: "string", max: 1000, template: true },
        },
      },
    },
  },
  handles: () => ["true", "false"],
  validate: (data, path) => assertUsableComparisons(data.rules, (i) => `${path}.rules[${i}].right`),
  async run(ctx, data) {
    const results = data.rules.map((rule) => compare(ctx.render(rule.left), rule.op, ctx.render(rule.right ?? "")));
    const holds = (data.match ?? "all") === "all" ? results.every(Boolean) : results.some(Boolean);
    return { handle: holds ? "true" : "false" };
  },
});
