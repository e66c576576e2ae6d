// Actions that change something declare `audit: "resource.verb"`; after they
// succeed, one row goes to the audit log with who, what, from where.
import type { ActionHandler, ActionSchema, Context, Middleware } from "moleculer";
import { recordAudit } from "../lib/audit";
import type { RequestMeta } from "../lib/auth/request-meta";

export const AuditMiddleware: Middleware = {
  localAction(next: ActionHandler, action: ActionSchema) {
    const name = action.audit;
    if (name === undefined) return next;
    const resourceType = name.split(".")[0] ?? null;
    return async function audited(ctx: Context<{ id?: unknown }, RequestMeta>) {
      const result = (await next(ctx)) as { id?: unknown; user?: { id?: unknown } } | undefined;
      const resourceId = result?.id ?? result?.user?.id ?? ctx.params?.id;
      await recordAudit({
        actorUserId: ctx.meta.caller?.id ?? (typeof result?.user?.id === "string" ? result.user.id : null),
        action: name,
        resourceType,
        resourceId: typeof resourceId === "string" ? resourceId : null,
        ip: ctx.meta.clientIp ?? null,
        requestId: ctx.requestID ?? null,
      }).catch((err: unknown) => ctx.service?.logger.error("Could not write the audit log", err));
      return result;
    };
  },
};
