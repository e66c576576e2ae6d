import { questionNode, textOf, type QuestionData } from "./kit/question";

export default questionNode<QuestionData & { scale: 5 | 10 }>({
  type: "ask_rating",
  description: "Asks for a rating from 1 to 5 or 10 (a number or stars); stores it and records it as the conversation's CSAT.",
  fields: { scale: { type: "enum", values: [5, 10], required: true } },
  async parse(input, data, ctx) {
    const text = textOf(input);
    if (!text) return undefined;
    const stars = [...text].filter((c) => c === "⭐" || c === "★").length;
    const value = stars > 0 ? stars : /^\d{1,2}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(value) || value < 1 || value > data.scale) return undefined;
    await ctx.effects.setCsat(value);
    return value;
  },
});
