// Services that reach the database start after the db service (which, on a
// single node, first starts the embedded PostgreSQL), and build what they use
// of lib/ once the database exists.
import type { Knex } from "knex";
import type { Service, ServiceSchema } from "moleculer";
import { database } from "../lib/db/connection";

export function usesDatabase<S extends Service>(build?: (this: S, knex: Knex) => void): Partial<ServiceSchema> {
  if (!build) return { dependencies: ["db"] };
  return {
    dependencies: ["db"],
    // Moleculer calls it with the service the mixin is part of: S.
    started(this: Service) {
      build.call(this as S, database());
      return Promise.resolve();
    },
  };
}
