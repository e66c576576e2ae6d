// Turns anything thrown while serving a request into the wire format
// {"detail": {"code", "message", "field"}} with the right HTTP status.
// Client mistakes keep their message; anything else becomes an opaque 500.

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
  message?: string;
  retryAfterSeconds?: number;
}

const KNOWN_TYPES: Record<string, KnownFailure> = {
  "entity.parse.failed": { status: 400, code: "MALFORMED_JSON", message: "The request body is not valid JSON" },
  "entity.bom": { status: 400, code: "MALFORMED_JSON", message: "The request body must not start with a byte order mark" },
  "entity.too.large": { status: 413, code: "PAYLOAD_TOO_LARGE", message: "The request body is too large" },
  "request.aborted": { status: 400, code: "BAD_REQUEST", message: "The request was aborted before its body arrived" },
  "request.size.invalid": { status: 400, code: "BAD_REQUEST", message: "The request body does not match its Content-Length" },
  "encoding.unsupported": { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  "charset.unsupported": { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  PAYLOAD_TOO_LARGE: { status: 413, code: "PAYLOAD_TOO_LARGE", message: "The request body is too large" },
  NO_TOKEN: { status: 401, code: "TOKEN_MISSING", message: "Authentication required" },
  INVALID_TOKEN: { status: 401, code: "TOKEN_INVALID", message: "The access token is not valid" },
  NOT_FOUND: { status: 404, code: "NOT_FOUND" },
  // The route exists but the service behind it is not running on any node.
  SERVICE_NOT_FOUND: { status: 503, code: "SERVICE_UNAVAILABLE", message: "The service is not available right now" },
  SERVICE_NOT_AVAILABLE: { status: 503, code: "SERVICE_UNAVAILABLE", message: "The service is not available right now" },
  REQUEST_TIMEOUT: { status: 504, code: "TIMEOUT", message: "The request took too long" },
  // The node serving the call went away (REQUEST_REJECTED) or this node lost the transporter (BAD_GATEWAY):
  // one answer for both, since the client's remedy is the same.
  REQUEST_REJECTED: { status: 503, code: "SERVICE_UNAVAILABLE", message: "The node serving this request went away; try again", retryAfterSeconds: 2 },
  BAD_GATEWAY: { status: 503, code: "SERVICE_UNAVAILABLE", message: "This node lost touch with the cluster; try again", retryAfterSeconds: 2 },
  RATE_LIMIT: { status: 429, code: "RATE_LIMITED", message: "Too many requests" },
};

// A body whose Content-Encoding (gzip, deflate) does not decompress: zlib names its failure in `code`
// (Z_DATA_ERROR, Z_BUF_ERROR), and the gateway passes that code on instead of the parser's 400.
const UNDECOMPRESSABLE: KnownFailure = { status: 400, code: "MALFORMED_JSON", message: "The request body could not be decompressed (Content-Encoding)" };
const isZlibCode = (code: unknown): boolean => typeof code === "string" && /^Z_[A-Z_]+$/.test(code);

function statusOf(err: ErrorLike): number {
  for (const candidate of [err.code, err.status]) {
    if (typeof candidate === "number" && candidate >= 400 && candidate <= 599) return candidate;
  }
  return 500;
}

function firstValidationIssue(data: unknown): { field: string | null; message: string } | undefined {
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const issue = data[0] as { field?: unknown; message?: unknown };
  const field = typeof issue.field === "string" && issue.field ? issue.field : null;
  const message = typeof issue.message === "string" ? issue.message.replace(/'/g, "") : "Validation failed";
  return { field, message };
}

export function toErrorResponse(error: unknown): ErrorResponse {
  const err: ErrorLike = typeof error === "object" && error !== null ? (error as ErrorLike) : {};
  const type = typeof err.type === "string" ? err.type : undefined;
  const known = (type ? KNOWN_TYPES[type] : undefined) ?? (isZlibCode(err.code) ? UNDECOMPRESSABLE : undefined);
  let status = known?.status ?? statusOf(err);
  const headers: Record<string, string> = {};

  // 502 (an upstream such as Odoo failed), 503 and 504 are answers we chose; any other 5xx is a fault of ours.
  if (status >= 500 && status !== 502 && status !== 503 && status !== 504) {
    return {
      status: 500,
      body: { detail: { code: "INTERNAL_ERROR", message: "Internal server error", field: null } },
      headers,
      internal: true,
    };
  }

  let code = known?.code ?? type ?? "ERROR";
  let message = known?.message ?? (typeof err.message === "string" ? err.message : "Request failed");
  let field: string | null = null;

  const validation = status === 422 ? firstValidationIssue(err.data) : undefined;
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
