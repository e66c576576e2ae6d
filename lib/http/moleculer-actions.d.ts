// The keys our actions add to Moleculer's action schema, typed so a wrong
// value fails to compile instead of being read as `unknown` at run time:
// who may call it (middlewares/permissions.middleware.ts), what the audit log
// records (middlewares/audit.middleware.ts), and its REST contract
// (lib/http/openapi.ts).
import type { Access } from "../auth/permissions";
import type { ActionContract } from "./openapi";

declare module "moleculer" {
  interface ActionSchema {
    permissions?: Access;
    /** "resource.verb": one audit row after each success. */
    audit?: string;
    summary?: ActionContract["summary"];
    response?: ActionContract["response"];
    errors?: ActionContract["errors"];
  }
}
