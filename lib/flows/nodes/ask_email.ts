import { questionNode, textOf } from "./kit/question";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

export default questionNode({
  type: "ask_email",
  description: "Asks for an email address; stores it in lower case.",
  parse(input) {
    const text = textOf(input)?.toLowerCase();
    return text && text.length <= 254 && EMAIL.test(text) ? text : undefined;
  },
});
