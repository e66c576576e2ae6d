import { defineNode, NEXT } from "../node-type";
import { tagsField } from "./kit/tags";

export default defineNode<{ tags: string[] }>({
  type: "remove_tags",
  category: "people",
  description: "Removes tags from the contact.",
  fields: { tags: tagsField },
  handles: () => NEXT,
  async run(ctx, data) {
    await ctx.effects.removeTags(data.tags.map((tag) => ctx.render(tag).trim()).filter(Boolean));
    return { handle: "next" };
  },
});
