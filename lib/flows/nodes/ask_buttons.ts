import { ValidationFailed } from "../../errors";
import { chosenOption, type Button } from "../../whatsapp/outbound";
import { questionNode, type QuestionData } from "./question";

type Data = QuestionData & { buttons: Button[] };

export default questionNode<Data>({
  type: "ask_buttons",
  description: "Offers 1–3 buttons; stores the chosen button's id and leaves by it.",
  fields: {
    buttons: {
      type: "array",
      required: true,
      min: 1,
      max: 3,
      items: { type: "object", props: { id: { type: "string", required: true, min: 1, max: 64, pattern: /^[\w-]+$/ }, text: { type: "string", required: true, min: 1, max: 20 } } },
    },
  },
  choices: (data) => data.buttons.map((button) => button.id),
  validate(data, path) {
    const ids = data.buttons.map((button) => button.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new ValidationFailed(`${path}.buttons`, `The button id "${twice}" is used twice`);
    if (ids.some((id) => id === "invalid" || id === "timeout")) throw new ValidationFailed(`${path}.buttons`, "Button ids invalid and timeout are reserved");
  },
  ask: (ctx, data) => ctx.effects.send({ type: "buttons", content: ctx.render(data.text), metadata: { buttons: data.buttons } }),
  parse(input, data) {
    const options = data.buttons.map((button) => ({ id: button.id, title: button.text }));
    const pressed = typeof input.metadata.button_id === "string" ? input.metadata.button_id : undefined;
    if (pressed && options.some((option) => option.id === pressed)) return pressed;
    return input.text ? chosenOption(options, input.text)?.id : undefined;
  },
  handleFor: (value) => String(value),
});
