// PostgreSQL failures that are the client's doing become domain errors; the
// rest stay internal. Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
import { AppError, Conflict, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";

interface PgError {
  /** Objection wraps the driver's error; the PostgreSQL fields stay on the original. */
  nativeError?: PgError;
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
}

// The field each unique index protects, where its name does not say it plainly.
const UNIQUE_FIELDS: Record<string, string> = {
  quick_replies_global_unique: "shortcut",
  quick_replies_queue_unique: "shortcut",
};

// Otherwise unique indexes are named <table>_<field>_unique.
function fieldOfConstraint(constraint: unknown): string | undefined {
  if (typeof constraint !== "string") return undefined;
  return UNIQUE_FIELDS[constraint] ?? /^[a-z]+_([a-z_]+?)_unique$/.exec(constraint)?.[1];
}

export function translatePgError(err: unknown): unknown {
  if (typeof err !== "object" || err === null || err instanceof AppError) return err;
  const wrapped = err as PgError;
  const { code, constraint, column } = wrapped.nativeError ?? wrapped;
  switch (code) {
    case "23505":
      return new Conflict(msg("database.duplicate"), "CONFLICT", fieldOfConstraint(constraint));
    case "23503":
      return new ValidationFailed(typeof column === "string" ? column : "id", msg("database.missingReference"));
    case "22P02":
    case "22007":
    case "22008":
      return new ValidationFailed(typeof column === "string" ? column : "params", msg("database.badFormat"));
    case "23514":
      return new ValidationFailed(typeof column === "string" ? column : "params", msg("database.notAllowed"));
    default:
      return err;
  }
}
