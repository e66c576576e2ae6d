// Every message an API client can read, by area, in each language. An area's
// Spanish is typed against its English (catalog/types.ts), so a message added
// in one language only does not compile.
import type { Language } from "../language";
import * as auth from "./auth";
import * as common from "./common";
import * as flows from "./flows";
import * as gateway from "./gateway";
import * as inbox from "./inbox";
import * as odoo from "./odoo";
import * as queues from "./queues";
import * as quickReplies from "./quick-replies";
import * as whatsapp from "./whatsapp";
import type { Param, Translation } from "./types";

/** The areas apart, so a test can check that no two define the same key. */
export const AREAS = { auth, common, flows, gateway, inbox, odoo, queues, quickReplies, whatsapp };

const en = { ...auth.en, ...common.en, ...flows.en, ...gateway.en, ...inbox.en, ...odoo.en, ...queues.en, ...quickReplies.en, ...whatsapp.en };
export type Catalog = typeof en;

const es: Translation<Catalog> = {
  ...auth.es,
  ...common.es,
  ...flows.es,
  ...gateway.es,
  ...inbox.es,
  ...odoo.es,
  ...queues.es,
  ...quickReplies.es,
  ...whatsapp.es,
};

export const CATALOG: Record<Language, Translation<Catalog>> = { en, es };

// Parameters travel between nodes as JSON: a template taking anything else (a Date, a Map) would
// arrive broken. The key of such a template turns up in the compiler's error here.
type NotJson = {
  [K in keyof Catalog]: Catalog[K] extends (params: infer P) => string ? (P extends Readonly<Record<string, Param>> ? never : K) : never;
}[keyof Catalog];
export const PARAMS_ARE_JSON: [NotJson] extends [never] ? true : NotJson = true;
