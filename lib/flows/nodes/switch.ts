import { ValidationFailed } from "../../errors";
import { defineNode } from "../node-type";
import { compare, OPERATORS, type Operator } from "./compare";

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
      items: { type: "object", props: { id: { type: "string", required: true, min: 1, max: 64, pattern: /^[\w-]+$/ }, op: { type: "enum", values: OPERATORS, required: true }, value: { type: "string", max: 1000, template: true } } },
    },
  },
  handles: (data) => [...data.cases.map((c) => c.id), "default"],
  validate(data, path) {
    const ids = data.cases.map((c) => c.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i || id === "default");
    if (twice) throw new ValidationFailed(`${path}.cases`, `The case id "${twice}" is used twice or reserved`);
  },
  async run(ctx, data) {
    const value = ctx.render(data.value);
    const hit = data.cases.find((c) => compare(value, c.op, ctx.render(c.value ?? "")));
    return { handle: hit?.id ?? "default" };
  },
});
