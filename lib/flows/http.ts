// http_request's side of the guarded fetch: JSON in, JSON (or text) out, with
// the flow's limits.
import { guardedFetch } from "../net/guarded-fetch";
import type { HttpResult } from "./node-type";

const MAX_RESPONSE_BYTES = 1024 * 1024;

export async function guardedRequest(
  request: { method: string; url: string; headers: Record<string, string>; body: unknown; timeoutMs: number },
  allowHosts: readonly string[],
): Promise<HttpResult> {
  const hasBody = request.body !== undefined && request.body !== null && request.method !== "GET";
  const body = hasBody ? (typeof request.body === "string" ? request.body : JSON.stringify(request.body)) : undefined;
  const headers = { ...(hasBody && typeof request.body !== "string" ? { "content-type": "application/json" } : {}), ...request.headers };
  const answer = await guardedFetch(
    { method: request.method, url: request.url, headers, body, timeoutMs: request.timeoutMs, maxBytes: MAX_RESPONSE_BYTES },
    allowHosts,
  );
  const text = answer.body.toString("utf8");
  let parsed: unknown = text;
  if (answer.contentType.includes("json")) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not the JSON it claimed: keep the text.
    }
  }
  return { status: answer.status, body: parsed };
}
