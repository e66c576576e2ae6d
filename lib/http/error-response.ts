// Turns anything thrown while serving a request into the wire format
// {"detail": {"code", "message", "field"}} with the right HTTP status.
// Client mistakes keep their message; anything else becomes an opaque 500.
// The message is worded here, in the language the client asked for: errors
// thrown on any node carry a catalog key (lib/i18n), not a finished sentence.
import type { Language } from "../i18n/language";
import { inWords, messageOf, msg, render, type Message } from "../i18n/message";
import { validationText, type ValidationIssue } from "../i18n/validation";

export interface ErrorDetail {
  code: string;
  message: string;
  field: string | null;
}

export interface ErrorResponse {
  status: number;
  body: { detail: ErrorDetail };
  headers: Record<string, string>;
  /** True when the cause is ours, not the client's: worth logging with its stack. */
  internal: boolean;
}

interface ErrorLike {
  code?: unknown;
  status?: unknown;
  type?: unknown;
  message?: unknown;
  data?: unknown;
}

// body-parser and moleculer-web name their failures; map them to our codes.
interface KnownFailure {
  status: number;
  code: string;
  message: Message;
  retryAfterSeconds?: number;
}

const SERVICE_UNAVAILABLE: KnownFailure = { status: 503, code: "SERVICE_UNAVAILABLE", message: msg("gateway.serviceUnavailable") };

const KNOWN_TYPES: Record<string, KnownFailure> = {
  "entity.parse.failed": { status: 400, code: "MALFORMED_JSON", message: msg("gateway.malformedJson") },
  "entity.bom": { status: 400, code: "MALFORMED_JSON", message: msg("gateway.byteOrderMark") },
  "entity.too.large": { status: 413, code: "PAYLOAD_TOO_LARGE", message: msg("gateway.bodyTooLarge") },
  "request.aborted": { status: 400, code: "BAD_REQUEST", message: msg("gateway.requestAborted") },
  "request.size.invalid": { status: 400, code: "BAD_REQUEST", message: msg("gateway.bodySizeMismatch") },
  "encoding.unsupported": { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: msg("gateway.encodingUnsupported") },
  "charset.unsupported": { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: msg("gateway.charsetUnsupported") },
  PAYLOAD_TOO_LARGE: { status: 413, code: "PAYLOAD_TOO_LARGE", message: msg("gateway.bodyTooLarge") },
  NO_TOKEN: { status: 401, code: "TOKEN_MISSING", message: msg("gateway.authRequired") },
  INVALID_TOKEN: { status: 401, code: "TOKEN_INVALID", message: msg("gateway.tokenInvalid") },
  UNABLE_DECODE_PARAM: { status: 400, code: "UNABLE_DECODE_PARAM", message: msg("gateway.badPathEncoding") },
  ORIGIN_NOT_ALLOWED: { status: 403, code: "ORIGIN_NOT_ALLOWED", message: msg("gateway.originNotAllowed") },
  NOT_FOUND: { status: 404, code: "NOT_FOUND", message: msg("gateway.notFound") },
  // The route exists but the service behind it is not running on any node.
  SERVICE_NOT_FOUND: SERVICE_UNAVAILABLE,
  SERVICE_NOT_AVAILABLE: SERVICE_UNAVAILABLE,
  REQUEST_TIMEOUT: { status: 504, code: "TIMEOUT", message: msg("gateway.timeout") },
  // The node serving the call went away (REQUEST_REJECTED) or this node lost the transporter (BAD_GATEWAY):
  // one answer for both, since the client's remedy is the same.
  REQUEST_REJECTED: { status: 503, code: "SERVICE_UNAVAILABLE", message: msg("gateway.nodeWentAway"), retryAfterSeconds: 2 },
  BAD_GATEWAY: { status: 503, code: "SERVICE_UNAVAILABLE", message: msg("gateway.clusterLost"), retryAfterSeconds: 2 },
  RATE_LIMIT: { status: 429, code: "RATE_LIMITED", message: msg("gateway.tooManyRequests") },
};

// A body whose Content-Encoding (gzip, deflate) does not decompress: zlib names its failure in `code`
// (Z_DATA_ERROR, Z_BUF_ERROR), and the gateway passes that code on instead of the parser's 400.
const UNDECOMPRESSABLE: KnownFailure = { status: 400, code: "MALFORMED_JSON", message: msg("gateway.undecompressable") };
const isZlibCode = (code: unknown): boolean => typeof code === "string" && /^Z_[A-Z_]+$/.test(code);

function statusOf(err: ErrorLike): number {
  for (const candidate of [err.code, err.status]) {
    if (typeof candidate === "number" && candidate >= 400 && candidate <= 599) return candidate;
  }
  return 500;
}

function firstValidationIssue(data: unknown, language: Language): { field: string | null; message: string } | undefined {
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const issue = (typeof data[0] === "object" && data[0] !== null ? data[0] : {}) as ValidationIssue;
  const field = typeof issue.field === "string" && issue.field ? issue.field : null;
  const message = validationText(issue, language) ?? validationText(issue, "en") ?? inWords(msg("gateway.validationFailed"), language);
  return { field, message };
}

/** Renders `error` for a client reading `language`; `Content-Language` says which. */
export function toErrorResponse(error: unknown, language: Language): ErrorResponse {
  const err: ErrorLike = typeof error === "object" && error !== null ? error : {};
  const type = typeof err.type === "string" ? err.type : undefined;
  const known = (type ? KNOWN_TYPES[type] : undefined) ?? (isZlibCode(err.code) ? UNDECOMPRESSABLE : undefined);
  let status = known?.status ?? statusOf(err);
  const headers: Record<string, string> = { "Content-Language": language };

  // 502 (an upstream such as Odoo failed), 503 and 504 are answers we chose; any other 5xx is a fault of ours.
  if (status >= 500 && status !== 502 && status !== 503 && status !== 504) {
    return {
      status: 500,
      body: { detail: { code: "INTERNAL_ERROR", message: inWords(msg("gateway.internal"), language), field: null } },
      headers,
      internal: true,
    };
  }

  let code = known?.code ?? type ?? "ERROR";
  // An error that says what happened in the catalog's terms is worded so; a failure known by its type
  // gets that type's message; anything else (a library's 4xx) keeps its own English.
  let message =
    render(messageOf(error), language) ??
    (known ? inWords(known.message, language) : typeof err.message === "string" ? err.message : inWords(msg("gateway.requestFailed"), language));
  let field: string | null = null;

  const validation = status === 422 ? firstValidationIssue(err.data, language) : undefined;
  if (validation) {
    code = "VALIDATION_ERROR";
    ({ field, message } = validation);
  } else if (err.data && typeof err.data === "object" && !Array.isArray(err.data)) {
    const data = err.data as { field?: unknown; retryAfterSeconds?: unknown };
    if (typeof data.field === "string") field = data.field;
    if (typeof data.retryAfterSeconds === "number") {
      headers["Retry-After"] = String(Math.max(1, Math.ceil(data.retryAfterSeconds)));
    }
  }
  if (known?.retryAfterSeconds) headers["Retry-After"] = String(known.retryAfterSeconds);
  if (status === 429 && !headers["Retry-After"]) headers["Retry-After"] = "60";
  if (code === "ERROR") code = status === 404 ? "NOT_FOUND" : `HTTP_${status}`;
  status = Math.trunc(status);
  // 502/503/504 are answers we chose (an upstream failed, not ready yet): a log line, not a fault of ours with its stack.
  return { status, body: { detail: { code, message, field } }, headers, internal: false };
}
