import { questionNode, textOf, type QuestionData } from "./kit/question";

export default questionNode<QuestionData & { min_length?: number; max_length?: number }>({
  type: "ask_text",
  description: "Asks for a free text answer.",
  fields: { min_length: { type: "number", integer: true, min: 0, max: 4096 }, max_length: { type: "number", integer: true, min: 1, max: 4096 } },
  parse(input, data) {
    const text = textOf(input);
    if (text === undefined || text.length < (data.min_length ?? 1) || text.length > (data.max_length ?? 4096)) return undefined;
    return text;
  },
});
