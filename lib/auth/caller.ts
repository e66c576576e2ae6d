import { Unauthorized } from "../errors";
import type { Role } from "../models/users";

/** Who is calling: the small user object that travels in ctx.meta and on sockets. */
export interface Caller {
  id: string;
  role: Role;
  name: string;
  email: string;
  sessionId: string;
}

/** The caller of an action that requires authentication; the gateway guarantees it is there. */
export function callerOf(ctx: { meta: { caller?: Caller } }): Caller {
  const caller = ctx.meta.caller;
  if (!caller) throw new Unauthorized("TOKEN_MISSING", "Authentication required");
  return caller;
}
