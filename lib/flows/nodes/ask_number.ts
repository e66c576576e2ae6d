import { questionNode, textOf, type QuestionData } from "./kit/question";

/** "1234", "1,5", "1.234,5" and "1,234.5" as people write them. */
export function parseNumber(text: string): number | undefined {
  let clean = text.replace(/[\s$€]/g, "");
  if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(clean)) clean = clean.replace(/\./g, "").replace(",", ".");
  else if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(clean)) clean = clean.replace(/,/g, "");
  else clean = clean.replace(",", ".");
  if (!/^-?\d+(\.\d+)?$/.test(clean)) return undefined;
  return Number(clean);
}

export default questionNode<QuestionData & { min?: number; max?: number; integer?: boolean }>({
  type: "ask_number",
  description: "Asks for a number, optionally whole and within bounds.",
  fields: { min: { type: "number" }, max: { type: "number" }, integer: { type: "boolean" } },
  parse(input, data) {
    const text = textOf(input);
    const value = text === undefined ? undefined : parseNumber(text);
    if (value === undefined || (data.integer && !Number.isInteger(value))) return undefined;
    if ((data.min !== undefined && value < data.min) || (data.max !== undefined && value > data.max)) return undefined;
    return value;
  },
});
