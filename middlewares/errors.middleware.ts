// Database errors caused by client input (unique, foreign key, bad format)
// leave every action as 409/422 domain errors, never as 500s; a database that
// cannot be reached is a 503 with Retry-After (reported once, in availability).
import type { ActionHandler, Context, Middleware } from "moleculer";
import { DATABASE_RETRY_AFTER_SECONDS, noteDatabaseFailure } from "../lib/db/availability";
import { translatePgError } from "../lib/db/pg-errors";
import { ServiceUnavailable } from "../lib/errors";
import { msg } from "../lib/i18n/message";

export const ErrorsMiddleware: Middleware = {
  localAction(next: ActionHandler) {
    return async function translateErrors(ctx: Context) {
      try {
        return (await next(ctx)) as unknown;
      } catch (err) {
        if (noteDatabaseFailure(err)) throw new ServiceUnavailable(msg("database.unavailable"), DATABASE_RETRY_AFTER_SECONDS);
        throw translatePgError(err);
      }
    };
  },
};
