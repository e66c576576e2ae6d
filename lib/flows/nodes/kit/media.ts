// The send_<media> nodes differ only in the media kind and whether a caption applies.
import type { Fields } from "../../fields";
import { defineNode, NEXT, type NodeType } from "../../node-type";

export function sendMediaNode(type: string, media: "image" | "video" | "audio" | "document" | "sticker", extra: Fields = {}): NodeType {
  return defineNode<{ url: string; caption?: string; filename?: string }>({
    type,
    category: "messages",
    description: `Sends ${media === "image" ? "an image" : media === "audio" ? "an audio" : `a ${media}`} from a URL.`,
    fields: { url: { type: "url", required: true, template: true }, ...extra },
    handles: () => NEXT,
    async run(ctx, data) {
      const metadata: Record<string, unknown> = { media_url: ctx.render(data.url) };
      if (data.filename) metadata.filename = ctx.render(data.filename);
      await ctx.effects.send({ type: media, content: data.caption ? ctx.render(data.caption) : null, metadata });
      return { handle: "next" };
    },
  });
}

export const caption = { caption: { type: "string", max: 1024, template: true } } as const;
