import type { Language } from "../i18n/language";
import type { Caller } from "./caller";

/** What the gateway puts in ctx.meta for every call it makes. */
export interface RequestMeta {
  caller?: Caller;
  clientIp?: string;
  userAgent?: string;
  /** What the client reads (Accept-Language): for texts an action writes for people, such as the flow test's. */
  language?: Language;
  $statusCode?: number;
  $location?: string;
  $responseHeaders?: Record<string, string>;
}
