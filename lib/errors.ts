// Domain errors. They carry the HTTP status in `code`, the wire code in `type`
// and the offending field in `data` — the same shape moleculer gives its own
// errors, so they survive the trip between nodes and render the same way.
// Their message is a catalog key with parameters, kept in `data.i18n`: the
// gateway words it in the client's language (lib/i18n); `message` is the
// English, for logs.
import type { Resource } from "./i18n/catalog/common";
import { msg, render, type Message } from "./i18n/message";

export interface ErrorData {
  field?: string | null;
  retryAfterSeconds?: number;
  i18n?: Message;
}

export class AppError extends Error {
  readonly code: number;
  readonly type: string;
  readonly data: ErrorData;

  constructor(status: number, type: string, message: Message, data: Omit<ErrorData, "i18n"> = {}) {
    super(render(message, "en") ?? message.key);
    this.name = "AppError";
    this.code = status;
    this.type = type;
    this.data = { ...data, i18n: message };
  }
}

export class Unauthorized extends AppError {
  constructor(type = "UNAUTHORIZED", message: Message = msg("gateway.authRequired")) {
    super(401, type, message);
  }
}

export class Forbidden extends AppError {
  constructor(message: Message = msg("gateway.forbidden"), field?: string) {
    super(403, "FORBIDDEN", message, { field });
  }
}

export class NotFound extends AppError {
  constructor(resource: Resource, id?: string) {
    super(404, "NOT_FOUND", msg("common.notFound", { resource, id }));
  }
}

export class Conflict extends AppError {
  /** `field`: the input the conflict is about, when there is one (the email already taken). */
  constructor(message: Message, type = "CONFLICT", field?: string) {
    super(409, type, message, { field });
  }
}

export class ValidationFailed extends AppError {
  constructor(field: string, message: Message) {
    super(422, "VALIDATION_ERROR", message, { field });
  }
}

export class TooManyRequests extends AppError {
  constructor(retryAfterSeconds: number, message: Message = msg("auth.tooManyAttempts")) {
    super(429, "RATE_LIMITED", message, { retryAfterSeconds });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message: Message, retryAfterSeconds?: number) {
    super(503, "SERVICE_UNAVAILABLE", message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }
}
