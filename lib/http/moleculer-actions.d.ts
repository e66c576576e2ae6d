// The keys our actions add to Moleculer's action schema for the REST contract
// (lib/http/openapi.ts reads them), typed so a wrong body name or status fails
// to compile instead of drifting into the published document.
import type { ActionContract } from "./openapi";

declare module "moleculer" {
  interface ActionSchema {
    summary?: ActionContract["summary"];
    response?: ActionContract["response"];
    errors?: ActionContract["errors"];
  }
}
