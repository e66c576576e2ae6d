import { defineNode, NEXT } from "../node-type";

const NUMBER = /^-?\d+(\.\d+)?$/;

export default defineNode<{ variable: string; value: string }>({
  type: "set_variable",
  category: "logic",
  description: "Sets vars.<variable> to a template's value; a value that is a number stays a number.",
  fields: {
    variable: { type: "string", required: true, pattern: /^[A-Za-z_]\w{0,63}$/ },
    value: { type: "string", required: true, max: 4096, template: true },
  },
  handles: () => NEXT,
  async run(ctx, data) {
    const value = ctx.render(data.value);
    ctx.vars[data.variable] = NUMBER.test(value.trim()) ? Number(value) : value;
    return { handle: "next" };
  },
});
