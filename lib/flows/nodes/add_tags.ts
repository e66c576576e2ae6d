import { defineNode, NEXT } from "../node-type";
import { tagsField } from "./kit/tags";

export default defineNode<{ tags: string[] }>({
  type: "add_tags",
  category: "people",
  description: "Adds tags to the contact (no duplicates).",
  fields: { tags: tagsField },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.addTags(data.tags.map((tag) => ctx.render(tag).trim()).filter(Boolean));
    return { handle: "next" };
  },
});
