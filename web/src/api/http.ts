// One HTTP exchange with the engine: JSON in and out, errors as ApiError. The
// typed client (client.ts) adds the session's token and its refresh on top.
import { currentLanguage } from "../i18n";
import type { ErrorDetail } from "./types";

/**
 * An answer that is not a success, in the engine's error format
 * (`{"detail": {"code", "message", "field"}}`, docs/api.md#errors). `message` is
 * already in the console's language (the request's Accept-Language); decide on
 * `code` and `field`. Answers that never reached the engine get status 0 and
 * code NETWORK_ERROR; one that is not in the format (a proxy's page) keeps its
 * status with code UNEXPECTED_RESPONSE.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  /** Seconds to wait before trying again (Retry-After on 429 and 503), when the engine says. */
  readonly retryAfter: number | null;

  constructor(status: number, detail: ErrorDetail, retryAfter: number | null = null) {
    super(detail.message);
    this.name = "ApiError";
    this.status = status;
    this.code = detail.code;
    this.field = detail.field;
    this.retryAfter = retryAfter;
  }
}

export interface SendOptions {
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

function isErrorBody(value: unknown): value is { detail: ErrorDetail } {
  const detail = (value as { detail?: Partial<ErrorDetail> } | null)?.detail;
  return typeof detail?.code === "string" && typeof detail.message === "string";
}

/** Sends a request to the engine (same origin) and answers its JSON body, `undefined` for 204. */
export async function send(method: string, url: string, options: SendOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": currentLanguage() };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: "omit",
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiError(0, { code: "NETWORK_ERROR", message: String(err), field: null });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.ok) return body;
  const retryAfter = Number(response.headers.get("Retry-After")) || null;
  if (isErrorBody(body)) throw new ApiError(response.status, body.detail, retryAfter);
  throw new ApiError(response.status, { code: "UNEXPECTED_RESPONSE", message: `HTTP ${response.status}`, field: null }, retryAfter);
}
