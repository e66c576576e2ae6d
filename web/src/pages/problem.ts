import { ApiError } from "../api/http";
import type { Translate } from "../i18n";

/**
 * What to tell a person about a failed request: the engine's own message (in
 * the console's language, as the request asked), or ours when the engine was
 * not reached or did not answer in its format; and the input it is about.
 */
export function problemText(err: unknown, t: Translate): { field: string | null; text: string } {
  if (!(err instanceof ApiError)) return { field: null, text: t("error.unexpected", { status: String(err) }) };
  if (err.code === "NETWORK_ERROR") return { field: null, text: t("error.network") };
  if (err.code === "UNEXPECTED_RESPONSE") return { field: null, text: t("error.unexpected", { status: err.status }) };
  if (err.code === "RATE_LIMITED" && err.retryAfter) return { field: null, text: t("login.tooManyAttempts", { seconds: err.retryAfter }) };
  return { field: err.field, text: err.message };
}
