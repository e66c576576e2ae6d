// Closes the database after every service of the node has stopped: services
// stop in parallel, and some still write on their way out (session states).
import type { Middleware, ServiceBroker } from "moleculer";
import { closeDatabase } from "../lib/db/connection";

export const DatabaseShutdownMiddleware: Middleware = {
  async stopped(broker: ServiceBroker) {
    // Only the node that opened it (the one running the db service) closes it.
    if (broker.getLocalService("db")) await closeDatabase();
  },
};
