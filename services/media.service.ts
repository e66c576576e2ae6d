// /api/media/{message_id}: the file of a received image, video, audio,
// document or sticker, for those who may see its conversation.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { Conversations } from "../lib/inbox/conversations";
import { database } from "../lib/db/connection";
import { NotFound } from "../lib/errors";
import { configuredMediaStore, type MediaStore } from "../lib/media-store";

const INLINE_TYPES = /^(image\/(jpeg|png|webp|gif)|video\/(mp4|3gpp)|audio\/(ogg|mpeg|mp4|aac|amr))$/;

interface MediaService extends Service {
  store: MediaStore;
  conversations: Conversations;
}

interface MediaMeta extends RequestMeta {
  $responseType?: string;
}

const MediaServiceSchema: ServiceSchema<ServiceSettingSchema, MediaService> = {
  name: "media",
  dependencies: ["db"],
  settings: { rest: "/media" },

  actions: {
    get: {
      rest: "GET /:id",
      summary: "Download a message's media file",
      response: { binary: true },
      permissions: "authenticated",
      params: { id: "uuid" },
      async handler(this: MediaService, ctx: Context<{ id: string }, MediaMeta>) {
        const message = await database()("messages").where({ id: ctx.params.id }).first("conversation_id", "media_path", "metadata");
        if (!message?.media_path) throw new NotFound("messageMedia", ctx.params.id);
        await this.conversations.assertVisible(callerOf(ctx), message.conversation_id);
        const file = await this.store.open(message.media_path).catch(() => {
          throw new NotFound("messageMedia", ctx.params.id);
        });
        const metadata = message.metadata as { mimetype?: string | null; filename?: string | null };
        // The sender chose the type: only plain media is shown inline, anything else is a download.
        const type = (metadata.mimetype ?? "").split(";")[0]!.trim().toLowerCase();
        const inline = INLINE_TYPES.test(type) && !metadata.filename;
        const filename = (metadata.filename ?? "file").replace(/[^\w .-]/g, "_");
        ctx.meta.$responseType = inline ? type : "application/octet-stream";
        ctx.meta.$responseHeaders = {
          "Content-Length": String(file.size),
          "Cache-Control": "private, max-age=3600",
          "X-Content-Type-Options": "nosniff",
          "Content-Security-Policy": "sandbox; default-src 'none'",
          ...(inline ? {} : { "Content-Disposition": `attachment; filename="${filename}"` }),
        };
        return file.stream;
      },
    },
  },

  started(this: MediaService) {
    this.store = configuredMediaStore();
    this.conversations = new Conversations(database());
    return Promise.resolve();
  },
};

export default MediaServiceSchema;
