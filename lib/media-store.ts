// Files of received media, under DATA_DIR/media/<account>/<WhatsApp id>. The
// name comes from the WhatsApp id, so a redelivered message rewrites the same
// file instead of adding one. In a cluster DATA_DIR must be shared storage.
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { config } from "./config";

export const MAX_MEDIA_BYTES = 64 * 1024 * 1024;

const EXTENSIONS: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "video/mp4": "mp4",
  "audio/ogg": "ogg",
  "audio/mpeg": "mp3",
  "audio/mp4": "m4a",
  "application/pdf": "pdf",
};

const safe = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, "_");

export class MediaStore {
  constructor(private readonly root: string) {}

  /** Writes the bytes; returns the path to store on the message, relative to the store. */
  async save(accountId: string, waMessageId: string, data: Buffer, mimetype: string | null): Promise<string> {
    const extension = EXTENSIONS[(mimetype ?? "").split(";")[0]!.trim()] ?? "bin";
    const relative = path.join(safe(accountId), `${safe(waMessageId)}.${extension}`);
    const file = path.join(this.root, relative);
    // Customers' files: readable by the engine's user only, whatever the umask.
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    // Write then rename: a reader never sees half a file.
    await fs.writeFile(`${file}.part`, data, { mode: 0o600 });
    await fs.rename(`${file}.part`, file);
    return relative;
  }

  async open(relative: string): Promise<{ stream: Readable; size: number }> {
    const file = path.join(this.root, relative);
    if (!file.startsWith(path.join(this.root, path.sep))) throw new Error("Media path outside the store");
    const { size } = await fs.stat(file);
    return { stream: createReadStream(file), size };
  }
}

/** The store under this installation's DATA_DIR. */
export function configuredMediaStore(): MediaStore {
  return new MediaStore(path.join(config().dataDir, "media"));
}
