// Customers' files on disk: readable by the engine's user only.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MediaStore } from "../../lib/media-store";

it("writes media files 0600 in directories 0700, whatever the umask", async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "charla-media-"));
  const previous = process.umask(0o000);
  try {
    const relative = await new MediaStore(root).save("acc-1", "WAID1", Buffer.from("jpg"), "image/jpeg");
    expect((await fs.stat(path.join(root, relative))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(root, path.dirname(relative)))).mode & 0o777).toBe(0o700);
    expect(await fs.readFile(path.join(root, relative), "utf8")).toBe("jpg");
  } finally {
    process.umask(previous);
    await fs.rm(root, { recursive: true, force: true });
  }
});
