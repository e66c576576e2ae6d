// The ordered list of migrations. Listing them here (rather than letting knex
// scan a folder) works the same from TypeScript sources and compiled output.
import type { Knex } from "knex";
import * as init from "./20261127_001_init";
import * as odooSync from "./20261127_002_odoo_sync";
import * as pendingQueueOrder from "./20261127_003_pending_queue_order";
import * as engineSecrets from "./20261201_001_engine_secrets";
import * as flowInbox from "./20261202_001_flow_inbox";
import * as changeFeed from "./20261203_001_change_feed";
import * as hotPathFunctions from "./20261204_001_hot_path_functions";
import * as deadWeight from "./20261205_001_dead_weight";

export interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: ReadonlyArray<[name: string, migration: Migration]> = [
  ["20261127_001_init", init],
  ["20261127_002_odoo_sync", odooSync],
  ["20261127_003_pending_queue_order", pendingQueueOrder],
  ["20261201_001_engine_secrets", engineSecrets],
  ["20261202_001_flow_inbox", flowInbox],
  ["20261203_001_change_feed", changeFeed],
  ["20261204_001_hot_path_functions", hotPathFunctions],
  ["20261205_001_dead_weight", deadWeight],
];
