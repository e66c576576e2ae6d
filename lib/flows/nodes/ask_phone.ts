import { config } from "../../config";
import { toE164 } from "../../phone";
import { questionNode, textOf, type QuestionData } from "./kit/question";

export default questionNode<QuestionData & { default_country?: string }>({
  type: "ask_phone",
  description: "Asks for a phone number; stores it in E.164 (+525512345678).",
  fields: { default_country: { type: "string", pattern: /^[A-Za-z]{2}$/, description: "ISO country of numbers written without a country code" } },
  parse(input, data) {
    const text = textOf(input);
    if (!text) return undefined;
    try {
      return toE164(text, (data.default_country ?? config().defaultPhoneRegion).toUpperCase());
    } catch {
      return undefined;
    }
  },
});
