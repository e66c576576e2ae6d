// How log lines look. In production each line is one JSON object (LOG_FORMAT=json) that a
// collector can index: time, level, node, service, message, the ids known where the line
// was written (request, user, account, conversation) and the error, if any. Values under
// names that hold secrets or message bodies are never written, whatever object is logged.
import { inspect } from "node:util";

/** Ids a line is about; pass `logContext({...})` as the last argument of a log call. */
export interface LogContext {
  request?: string;
  user?: string;
  account?: string;
  conversation?: string;
}

const CONTEXT = Symbol("log context");
type TaggedContext = LogContext & { [CONTEXT]: true };

export function logContext(context: LogContext): LogContext {
  return { ...context, [CONTEXT]: true } as TaggedContext;
}

const isContext = (value: unknown): value is TaggedContext => typeof value === "object" && value !== null && CONTEXT in value;

const FIELD_NAMES: Record<keyof LogContext, string> = { request: "request_id", user: "user_id", account: "account_id", conversation: "conversation_id" };
const TEXT_NAMES: Record<keyof LogContext, string> = { request: "req", user: "user", account: "account", conversation: "conversation" };

// Key names whose values are never written: credentials, and what customers and agents wrote.
const SECRET_KEY = /pass(word)?|secret|token|api_?key|authorization|cookie|credential|private_?key|^(creds|keys|auth)$/i;
const BODY_KEY = /^(content|text|body|caption|message_?body|conversation)$/i;

/** A copy of a logged value with secrets and bodies masked (depth-limited, cycles cut). */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[circular]";
  if (depth > 4) return "[…]";
  seen.add(value);
  if (value instanceof Error) return errorFields(value);
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => redact(item, depth + 1, seen));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) out[key] = "[redacted]";
    else if (BODY_KEY.test(key) && item !== null && item !== undefined) out[key] = "[omitted]";
    else out[key] = redact(item, depth + 1, seen);
  }
  return out;
}

interface ErrorLike extends Error {
  code?: unknown;
  type?: unknown;
}

// An error's name, message, code and stack; never its `data` or params (they may hold a request's body).
function errorFields(err: ErrorLike): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: err.name, message: err.message };
  if (err.code !== undefined) fields.code = err.code;
  if (typeof err.type === "string") fields.type = err.type;
  if (err.stack) fields.stack = err.stack;
  return fields;
}

/** Where a line comes from, as Moleculer's logger factory describes it. */
export interface LogBindings {
  nodeID: string;
  mod: string;
  svc?: string;
}

interface Parts {
  message: string;
  context: LogContext;
  error?: ErrorLike;
}

function split(args: readonly unknown[], printObject: (value: unknown) => string): Parts {
  const words: string[] = [];
  let context: LogContext = {};
  let error: ErrorLike | undefined;
  for (const arg of args) {
    if (isContext(arg)) context = { ...context, ...arg };
    else if (arg instanceof Error && !error) error = arg;
    else if (typeof arg === "object" && arg !== null) words.push(printObject(redact(arg)));
    else words.push(String(arg));
  }
  return { message: words.join(" "), context, error };
}

const compact = (value: unknown): string => {
  try {
    return JSON.stringify(value);
  } catch {
    return inspect(value, { depth: 2, breakLength: Infinity });
  }
};

/** One JSON object for a log call. */
export function jsonLine(level: string, args: readonly unknown[], bindings: LogBindings, now = new Date()): string {
  const { message, context, error } = split(args, compact);
  const line: Record<string, unknown> = {
    time: now.toISOString(),
    level,
    node: bindings.nodeID,
    service: bindings.svc ?? bindings.mod.toLowerCase(),
    msg: error && !message ? error.message : message,
  };
  for (const key of Object.keys(FIELD_NAMES) as Array<keyof LogContext>) {
    if (context[key]) line[FIELD_NAMES[key]] = context[key];
  }
  if (error) line.err = errorFields(error);
  return JSON.stringify(line);
}

/** A readable line for a log call: the message, the ids as key=value, then the error with its stack. */
export function textLine(prefix: string, args: readonly unknown[]): string {
  const { message, context, error } = split(args, (value) => inspect(value, { depth: 2, breakLength: Infinity }));
  let line = `${prefix} ${message}`;
  for (const key of Object.keys(TEXT_NAMES) as Array<keyof LogContext>) {
    if (context[key]) line += ` ${TEXT_NAMES[key]}=${context[key]}`;
  }
  if (error) line += ` ${error.stack ?? `${error.name}: ${error.message}`}`;
  return line;
}
