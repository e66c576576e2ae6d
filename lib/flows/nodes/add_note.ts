import { MAX_TEXT } from "../../whatsapp/outbound";
import { defineNode, NEXT } from "../node-type";

export default defineNode<{ text: string }>({
  type: "add_note",
  category: "people",
  description: "Adds an internal note for the team (never sent to the contact).",
  fields: { text: { type: "string", required: true, min: 1, max: MAX_TEXT, template: true } },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.addNote(ctx.render(data.text));
    return { handle: "next" };
  },
});
