import type { Caller } from "./caller";

/** What the gateway puts in ctx.meta for every call it makes. */
export interface RequestMeta {
  caller?: Caller;
  clientIp?: string;
  userAgent?: string;
  $statusCode?: number;
  $location?: string;
  $responseHeaders?: Record<string, string>;
}
