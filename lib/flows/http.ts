// http_request's HTTP client: only public addresses (unless the operator
// allows a host in FLOW_HTTP_ALLOW_HOSTS), checked on the address the
// connection actually uses (so a name cannot resolve to a public address for
// the check and a private one for the request), redirects followed by hand and
// checked the same way, a time limit and a size cap on the answer.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";
import type { HttpResult } from "./node-type";

const MAX_REDIRECTS = 3;
export const MAX_RESPONSE_BYTES = 1024 * 1024;

// Loopback, private, shared, link-local, benchmarking, multicast, reserved; IPv4-mapped IPv6 is checked against the IPv4 rules.
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) PRIVATE.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["2002::", 16]] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

const refused = (host: string) => new Error(`${host} is a private or local address; allow it in FLOW_HTTP_ALLOW_HOSTS to call it`);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that fails when the name resolves to a private address. */
function publicLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) return callback(refused(hostname) as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

interface Answer {
  status: number;
  location: string | undefined;
  contentType: string;
  body: string;
}

function send(url: URL, request: { method: string; headers: Record<string, string>; body: string | undefined }, allowed: boolean, deadline: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, { method: request.method, headers: request.headers, ...(allowed ? {} : { lookup: publicLookup }), timeout: Math.max(1, deadline - Date.now()) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`The response is larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, contentType: res.headers["content-type"] ?? "", body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("The request took too long")));
    req.on("error", reject);
    req.end(request.body);
  });
}

export async function guardedRequest(
  request: { method: string; url: string; headers: Record<string, string>; body: unknown; timeoutMs: number },
  allowHosts: readonly string[],
): Promise<HttpResult> {
  const deadline = Date.now() + request.timeoutMs;
  const hasBody = request.body !== undefined && request.body !== null && request.method !== "GET";
  const body = hasBody ? (typeof request.body === "string" ? request.body : JSON.stringify(request.body)) : undefined;
  const headers = { ...(hasBody && typeof request.body !== "string" ? { "content-type": "application/json" } : {}), ...request.headers };
  let url = new URL(request.url);
  for (let hop = 0; ; hop += 1) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`Only http and https URLs are allowed (${url.protocol})`);
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const allowed = allowHosts.includes(host);
    // An address written in the URL is not looked up: check it here.
    if (!allowed && isIP(host) && isPrivateAddress(host)) throw refused(host);
    const answer = await send(url, { method: request.method, headers, body }, allowed, deadline);
    if (answer.status >= 300 && answer.status < 400 && answer.location) {
      if (hop >= MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects`);
      url = new URL(answer.location, url);
      continue;
    }
    let parsed: unknown = answer.body;
    if (answer.contentType.includes("json")) {
      try {
        parsed = JSON.parse(answer.body);
      } catch {
        // Not the JSON it claimed: keep the text.
      }
    }
    return { status: answer.status, body: parsed };
  }
}
