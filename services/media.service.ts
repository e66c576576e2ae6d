// /api/media/{message_id}: the file of a received image, video, audio,
// document or sticker, for those who may see its conversation.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { Conversations } from "../lib/inbox/conversations";
import { database } from "../lib/db/connection";
import { NotFound } from "../lib/errors";
import { configuredMediaStore, type MediaStore } from "../lib/media-store";
import { mediaOf } from "../lib/inbox/messages";
import { usesDatabase } from "../mixins/database.mixin";

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
  mixins: [
    usesDatabase<MediaService>(function (knex) {
      this.store = configuredMediaStore();
      this.conversations = new Conversations(knex);
    }),
  ],
  settings: { rest: "/media" },

  actions: {
    get: {
      rest: "GET /:id",
      summary: "Download a message's media file",
      response: { binary: true },
      permissions: "authenticated",
      params: { id: "uuid" },
      async handler(this: MediaService, ctx: Context<{ id: string }, MediaMeta>) {
        const media = await mediaOf(database(), ctx.params.id);
        if (!media) throw new NotFound("messageMedia", ctx.params.id);
        await this.conversations.assertVisible(callerOf(ctx), media.conversationId);
        const file = await this.store.open(media.path).catch(() => {
          throw new NotFound("messageMedia", ctx.params.id);
        });
        // The sender chose the type: only plain media is shown inline, anything else is a download.
        const type = (media.mimetype ?? "").split(";")[0]!.trim().toLowerCase();
        const inline = INLINE_TYPES.test(type) && !media.filename;
        const filename = (media.filename ?? "file").replace(/[^\w .-]/g, "_");
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
};

export default MediaServiceSchema;
