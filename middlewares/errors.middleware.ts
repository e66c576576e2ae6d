// Database errors caused by client input (unique, foreign key, bad format)
// leave every action as 409/422 domain errors, never as 500s.
import type { ActionHandler, Context, Middleware } from "moleculer";
import { translatePgError } from "../lib/db/pg-errors";

export const ErrorsMiddleware: Middleware = {
  localAction(next: ActionHandler) {
    return async function translateErrors(ctx: Context) {
      try {
        return await next(ctx);
      } catch (err) {
        throw translatePgError(err);
      }
    };
  },
};
