import type { Caller } from "./caller";

/** What the gateway puts in ctx.meta for every call it makes. */
export interface RequestMeta {
  caller?: Caller;
  clientIp?: string;
  userAgent?: string;
  $statusCode?: number;
  $responseHeaders?: Record<string, string>;
}
