import { ValidationFailed } from "../../errors";
import { msg } from "../../i18n/message";
import { chosenOption, type ListSection } from "../../whatsapp/outbound";
import { assertUniqueIds, OPTION_ID } from "./kit/ids";
import { questionNode, type QuestionData } from "./kit/question";

type Data = QuestionData & { button_text: string; sections: ListSection[] };

const rowsOf = (data: Data) => data.sections.flatMap((section) => section.rows);

export default questionNode<Data>({
  type: "ask_list",
  catalogueHandles: ["<row id>", "invalid", "timeout"],
  description: "Offers a list of up to 10 rows in sections; stores the chosen row's id and leaves by it.",
  fields: {
    button_text: { type: "string", required: true, min: 1, max: 20 },
    sections: {
      type: "array",
      required: true,
      min: 1,
      max: 10,
      items: {
        type: "object",
        props: {
          title: { type: "string", max: 24 },
          rows: {
            type: "array",
            required: true,
            min: 1,
            max: 10,
            items: {
              type: "object",
              props: { id: OPTION_ID, title: { type: "string", required: true, min: 1, max: 24 }, description: { type: "string", max: 72 } },
            },
          },
        },
      },
    },
  },
  choices: (data) => rowsOf(data).map((row) => row.id),
  validate(data, path) {
    const ids = rowsOf(data).map((row) => row.id);
    if (ids.length > 10) throw new ValidationFailed(`${path}.sections`, msg("common.listRows"));
    assertUniqueIds(ids, `${path}.sections`, "row", ["invalid", "timeout"]);
  },
  ask: (ctx, data) => ctx.effects.send({ type: "list", content: ctx.render(data.text), metadata: { button_text: data.button_text, sections: data.sections } }),
  parse(input, data) {
    const rows = rowsOf(data);
    const picked = typeof input.metadata.row_id === "string" ? input.metadata.row_id : undefined;
    if (picked && rows.some((row) => row.id === picked)) return picked;
    return input.text ? chosenOption(rows, input.text)?.id : undefined;
  },
  handleFor: (value) => String(value),
});
