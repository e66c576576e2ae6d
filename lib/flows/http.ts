// http_request's HTTP client: only public addresses (unless the operator
// allows a host in FLOW_HTTP_ALLOW_HOSTS), redirects followed by hand and
// checked the same way, a time limit and a size cap on the answer.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import type { HttpResult } from "./node-type";

const MAX_REDIRECTS = 3;
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Loopback, private, link-local, unspecified, multicast and other non-public ranges. */
export function isPrivateAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  const v6 = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return isPrivateAddress(mapped[1]!);
  return v6 === "::" || v6 === "::1" || v6.startsWith("fe8") || v6.startsWith("fe9") || v6.startsWith("fea") || v6.startsWith("feb") || v6.startsWith("fc") || v6.startsWith("fd") || v6.startsWith("ff");
}

async function assertPublic(url: URL, allowHosts: readonly string[]): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`Only http and https URLs are allowed (${url.protocol})`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (allowHosts.includes(host.toLowerCase())) return;
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw new Error(`${host} is a private or local address; allow it in FLOW_HTTP_ALLOW_HOSTS to call it`);
  }
}

async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error(`The response is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function guardedRequest(
  request: { method: string; url: string; headers: Record<string, string>; body: unknown; timeoutMs: number },
  allowHosts: readonly string[],
): Promise<HttpResult> {
  const signal = AbortSignal.timeout(request.timeoutMs);
  const hasBody = request.body !== undefined && request.body !== null && request.method !== "GET";
  const headers = { ...(hasBody && typeof request.body !== "string" ? { "content-type": "application/json" } : {}), ...request.headers };
  let url = new URL(request.url);
  for (let hop = 0; ; hop += 1) {
    await assertPublic(url, allowHosts);
    const res = await fetch(url, {
      method: request.method,
      headers,
      body: hasBody ? (typeof request.body === "string" ? request.body : JSON.stringify(request.body)) : undefined,
      redirect: "manual",
      signal,
    });
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      if (hop >= MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url);
      continue;
    }
    const text = await readCapped(res);
    let body: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        // Not the JSON it claimed: keep the text.
      }
    }
    return { status: res.status, body };
  }
}
