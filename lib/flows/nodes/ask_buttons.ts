import { chosenOption, type Button } from "../../whatsapp/outbound";
import { assertUniqueIds, OPTION_ID } from "./kit/ids";
import { questionNode, type QuestionData } from "./kit/question";

type Data = QuestionData & { buttons: Button[] };

export default questionNode<Data>({
  type: "ask_buttons",
  catalogueHandles: ["<button id>", "invalid", "timeout"],
  description: "Offers 1–3 buttons; stores the chosen button's id and leaves by it.",
  fields: {
    buttons: {
      type: "array",
      required: true,
      min: 1,
      max: 3,
      items: { type: "object", props: { id: OPTION_ID, text: { type: "string", required: true, min: 1, max: 20 } } },
    },
  },
  choices: (data) => data.buttons.map((button) => button.id),
  validate: (data, path) =>
    assertUniqueIds(
      data.buttons.map((button) => button.id),
      `${path}.buttons`,
      "button",
      ["invalid", "timeout"],
    ),
  ask: (ctx, data) => ctx.effects.send({ type: "buttons", content: ctx.render(data.text), metadata: { buttons: data.buttons } }),
  parse(input, data) {
    const options = data.buttons.map((button) => ({ id: button.id, title: button.text }));
    const pressed = typeof input.metadata.button_id === "string" ? input.metadata.button_id : undefined;
    if (pressed && options.some((option) => option.id === pressed)) return pressed;
    return input.text ? chosenOption(options, input.text)?.id : undefined;
  },
  handleFor: (value) => String(value),
});
