// Domain errors. They carry the HTTP status in `code`, the wire code in `type`
// and the offending field in `data` — the same shape moleculer gives its own
// errors, so they survive the trip between nodes and render the same way.

export interface ErrorData {
  field?: string | null;
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: number;
  readonly type: string;
  readonly data: ErrorData;

  constructor(status: number, type: string, message: string, data: ErrorData = {}) {
    super(message);
    this.name = "AppError";
    this.code = status;
    this.type = type;
    this.data = data;
  }
}

export class Unauthorized extends AppError {
  constructor(type = "UNAUTHORIZED", message = "Authentication required") {
    super(401, type, message);
  }
}

export class Forbidden extends AppError {
  constructor(message = "You do not have permission to do this", field?: string) {
    super(403, "FORBIDDEN", message, { field });
  }
}

export class NotFound extends AppError {
  constructor(resource: string, id?: string) {
    super(404, "NOT_FOUND", id ? `${resource} ${id} not found` : `${resource} not found`);
  }
}

export class Conflict extends AppError {
  constructor(field: string | undefined, message: string, type = "CONFLICT") {
    super(409, type, message, { field });
  }
}

export class ValidationFailed extends AppError {
  constructor(field: string, message: string) {
    super(422, "VALIDATION_ERROR", message, { field });
  }
}

export class TooManyRequests extends AppError {
  constructor(retryAfterSeconds: number, message = "Too many attempts, try again later") {
    super(429, "RATE_LIMITED", message, { retryAfterSeconds });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(message: string, retryAfterSeconds?: number) {
    super(503, "SERVICE_UNAVAILABLE", message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  }
}
