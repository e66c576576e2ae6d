// /api/changes: the catch-up for socket clients (docs/api.md, "Catching up
// after a reconnect"). Socket.IO does not replay what a socket missed; this
// answers, from PostgreSQL, everything that changed since the client's cursor.
import type { Context, ServiceSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { CURSOR_PATTERN } from "../lib/inbox/change-cursor";
import { DEFAULT_CHANGES_LIMIT, MAX_CHANGES_LIMIT, readChanges } from "../lib/inbox/changes";
import { usesDatabase } from "../mixins/database.mixin";

const ChangesServiceSchema: ServiceSchema = {
  name: "changes",
  mixins: [usesDatabase()],
  settings: { rest: "/changes" },

  actions: {
    list: {
      rest: "GET /",
      summary: "What changed since a cursor (catch up after a disconnect)",
      response: { body: "ChangesPage" },
      permissions: "authenticated",
      params: {
        // A cursor holds a snapshot of the transactions running (a few dozen numbers at most).
        since: { type: "string", max: 8192, pattern: CURSOR_PATTERN, optional: true },
        limit: { type: "number", integer: true, min: 1, max: MAX_CHANGES_LIMIT, default: DEFAULT_CHANGES_LIMIT, convert: true },
        $$strict: "remove",
      },
      handler(ctx: Context<{ since?: string; limit: number }, RequestMeta>) {
        return readChanges(database(), callerOf(ctx), ctx.params.since, ctx.params.limit);
      },
    },
  },
};

export default ChangesServiceSchema;
