// /api/media/{message_id}: the file of a received image, video, audio,
// document or sticker, for signed-in users only.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { NotFound } from "../lib/errors";
import { configuredMediaStore, type MediaStore } from "../lib/media-store";

interface MediaService extends Service {
  store: MediaStore;
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
      permissions: "authenticated",
      params: { id: "uuid" },
      async handler(this: MediaService, ctx: Context<{ id: string }, MediaMeta>) {
        const message = await database()("messages").where({ id: ctx.params.id }).first("media_path", "metadata");
        if (!message?.media_path) throw new NotFound("media of message", ctx.params.id);
        const file = await this.store.open(message.media_path).catch(() => {
          throw new NotFound("media of message", ctx.params.id);
        });
        const metadata = message.metadata as { mimetype?: string | null; filename?: string | null };
        ctx.meta.$responseType = metadata.mimetype ?? "application/octet-stream";
        ctx.meta.$responseHeaders = {
          "Content-Length": String(file.size),
          "Cache-Control": "private, max-age=3600",
          "X-Content-Type-Options": "nosniff",
          ...(metadata.filename ? { "Content-Disposition": `attachment; filename="${metadata.filename.replace(/["\\\r\n]/g, "_")}"` } : {}),
        };
        return file.stream;
      },
    },
  },

  started(this: MediaService) {
    this.store = configuredMediaStore();
    return Promise.resolve();
  },
};

export default MediaServiceSchema;
