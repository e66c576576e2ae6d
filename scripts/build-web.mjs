// Builds the web console (web/ → web/dist) when its sources or the lockfile
// changed since the last build: their hash is kept next to the build
// (web/dist/.source-hash), so an unchanged console costs one hash. Run by
// `npm run build` (and so by `npm start`, `npm run dev`, `npm test` and the
// Docker image's build stage).
//
// Without the build tools (an install without dev dependencies) an existing
// build is served as it is; with none at all the engine still starts, and
// this says so in one line.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "web");
const dist = path.join(web, "dist");
const stamp = path.join(dist, ".source-hash");

/** Every file under web/ but the build itself, in a stable order. */
function sources(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !(dir === web && entry.name === "dist") && entry.name !== "node_modules")
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => (entry.isDirectory() ? sources(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

const hash = createHash("sha256");
for (const file of [...sources(web), path.join(root, "package-lock.json")]) {
  hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0");
}
const digest = hash.digest("hex");

const built = fs.existsSync(path.join(dist, "index.html"));
if (built && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8").trim() === digest) process.exit(0);

let vite;
try {
  vite = await import("vite");
} catch {
  console.warn(
    built
      ? "web console: its build tools are not installed (dev dependencies); serving the build in web/dist as it is."
      : "web console: not built, and its build tools are not installed (run `npm ci` with dev dependencies, then `npm run build`); the API runs without it.",
  );
  process.exit(0);
}

/** A gzipped copy next to each text file worth it: the gateway sends it to clients that take gzip. */
function compress(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) compress(file);
    else if (/\.(js|css|html|svg|json)$/.test(entry.name) && fs.statSync(file).size >= 1024) {
      const gzipped = gzipSync(fs.readFileSync(file), { level: 9 });
      if (gzipped.length < fs.statSync(file).size) fs.writeFileSync(`${file}.gz`, gzipped);
    }
  }
}

const started = Date.now();
await vite.build({ root: web, logLevel: "warn" });
compress(dist);
fs.writeFileSync(stamp, `${digest}\n`);
console.log(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s (web/dist)`);
