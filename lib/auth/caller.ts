import { Unauthorized } from "../errors";
import type { Role } from "../models/users";

/** Who is calling: the small user object that travels in ctx.meta and on sockets. */
export interface Caller {
  id: string;
  role: Role;
  name: string;
  email: string;
  sessionId: string;
  /** When the access token it came with expires (ms since the epoch): a socket closes then. */
  tokenExpiresAt: number;
}

/** The caller of an action that requires authentication; the gateway guarantees it is there. */
export function callerOf(ctx: { meta: { caller?: Caller } }): Caller {
  const caller = ctx.meta.caller;
  if (!caller) throw new Unauthorized("TOKEN_MISSING");
  return caller;
}
