// The web console (web/, built into web/dist by scripts/build-web.mjs) at `/`,
// beside the API at /api. Vite names every file under assets/ after a hash of
// its content, so those are cached for a year; everything else (index.html
// above all, which names the current assets) is revalidated on every load.
// A path with no file extension is a page of the console's own router
// (/inbox/123): it gets index.html. Anything else is not found.
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The console's pages may load and reach only this origin (and its Socket.IO over
 * ws:/wss:). Styles may be inline: the component library sets its CSS variables
 * and some sizes in style attributes. Images may be data: URLs (WhatsApp QR codes)
 * and blob: (media fetched with the token), as may audio and video.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/** web/dist of the checkout (or image) this module runs from: next to the package.json above it. */
export function consoleDirectory(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, "web", "dist");
}

/** The file a URL path names under `root`, or undefined when it names none we serve (hidden files, `..`, bad encoding). */
function fileOf(root: string, pathname: string): { file: string; extension: string } | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const segments = decoded.split("/").filter(Boolean);
  if (segments.some((segment) => segment.startsWith(".") || segment.includes("\\") || segment.includes("\0"))) return undefined;
  return { file: path.join(root, ...segments), extension: path.extname(segments.at(-1) ?? "") };
}

async function statFile(file: string): Promise<fs.Stats | undefined> {
  const stats = await fs.promises.stat(file).catch(() => undefined);
  return stats?.isFile() ? stats : undefined;
}

/** Sends a file with its validators; answers 304 when the client's copy is current. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, cacheControl: string): Promise<void> {
  const type = TYPES[path.extname(file)] ?? "application/octet-stream";
  // The build writes a gzipped copy next to the larger files: sent to clients that take gzip.
  const variant = await statFile(`${file}.gz`);
  const gzipped = variant && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) ? variant : undefined;
  const stats = gzipped ?? (await statFile(file));
  if (!stats) throw new Error(`${file} disappeared`);
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}${gzipped ? "-gz" : ""}"`;
  res.setHeader("Content-Type", type);
  res.setHeader("Cache-Control", cacheControl);
  res.setHeader("ETag", etag);
  if (variant) res.setHeader("Vary", "Accept-Encoding");
  if (type.startsWith("text/html")) {
    res.setHeader("Content-Security-Policy", CONSOLE_CSP);
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
  }
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  if (gzipped) res.setHeader("Content-Encoding", "gzip");
  res.setHeader("Content-Length", stats.size);
  res.writeHead(200);
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  fs.createReadStream(gzipped ? `${file}.gz` : file)
    .on("error", () => res.destroy())
    .pipe(res);
}

/** The short page `/` answers on a server where the console has not been built. */
function sendNotBuilt(req: IncomingMessage, res: ServerResponse, language: string, text: string): void {
  const escaped = text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  const body = `<!doctype html><html lang="${language}"><meta charset="utf-8"><title>Charla</title><p>${escaped}</p></html>\n`;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", REVALIDATE);
  res.setHeader("Content-Security-Policy", CONSOLE_CSP);
  res.setHeader("Content-Length", Buffer.byteLength(body));
  res.writeHead(404);
  res.end(req.method === "HEAD" ? undefined : body);
}

export interface ConsoleRequest {
  root: string;
  /** The API's prefix (/api): nothing under it is the console's, so an unknown API route stays a JSON 404. */
  apiPath: string;
  language: string;
  /** What `/` says in `language` when there is no build. */
  notBuilt: string;
}

/**
 * Answers a request outside /api from the console's files. Resolves false when
 * it names nothing the console has (the caller answers the API's 404).
 */
export async function serveConsole(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, options: ConsoleRequest): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  // moleculer-web rewrites req.url to the part after a route's prefix; originalUrl is what the client asked.
  const { pathname } = new URL(req.originalUrl ?? req.url ?? "/", "http://localhost");
  if (pathname === options.apiPath || pathname.startsWith(`${options.apiPath}/`)) return false;
  const target = fileOf(options.root, pathname);
  if (!target) return false;
  if (target.extension) {
    if (!TYPES[target.extension] || !(await statFile(target.file))) return false;
    const hashed = path.relative(options.root, target.file).startsWith(`assets${path.sep}`);
    await sendFile(req, res, target.file, hashed ? IMMUTABLE : REVALIDATE);
    return true;
  }
  const index = path.join(options.root, "index.html");
  if (await statFile(index)) await sendFile(req, res, index, REVALIDATE);
  else sendNotBuilt(req, res, options.language, options.notBuilt);
  return true;
}
