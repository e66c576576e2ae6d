// Every action reachable from outside must say who may call it; the gateway
// enforces it (before parameter validation, so a caller without a token gets
// 401, not 422). This check refuses to start a service that forgot.
import type { ActionHandler, ActionSchema, Middleware } from "moleculer";
import { isAccess } from "../lib/auth/permissions";

export const PermissionsMiddleware: Middleware = {
  localAction(next: ActionHandler, action: ActionSchema) {
    // Typed for our own services; checked anyway, since a schema may come from plain JavaScript.
    const access: unknown = action.permissions;
    if (action.rest && access === undefined) {
      throw new Error(`Action ${String(action.name)} has a REST route but no "permissions"`);
    }
    if (access !== undefined && !isAccess(access)) {
      throw new Error(`Action ${String(action.name)} has invalid "permissions"`);
    }
    return next;
  },
};
