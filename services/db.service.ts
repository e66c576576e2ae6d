// The database: starts the embedded PostgreSQL when no DATABASE_URL is given,
// migrates under an advisory lock, and creates the first admin on an empty
// database. Every service that touches the database depends on this one. The
// database is closed (and the embedded one stopped) by the DatabaseShutdown
// middleware, once every service of the node has stopped.
import type { ServiceSchema } from "moleculer";
import { ensureFirstAdmin } from "../lib/bootstrap-admin";
import { config } from "../lib/config";
import { database, databaseUrl, pingDatabase, setDatabaseUrl } from "../lib/db/connection";
import { embeddedPort, startEmbeddedPostgres } from "../lib/db/embedded";
import { migrateLatest } from "../lib/db/migrate";
import { engineSecrets } from "../lib/secrets";

const DbServiceSchema: ServiceSchema = {
  name: "db",

  actions: {
    health: {
      visibility: "public",
      async handler(): Promise<{ ok: true }> {
        await pingDatabase();
        return { ok: true };
      },
    },
  },

  async started() {
    const settings = config();
    if (!settings.databaseUrl) {
      const started = Date.now();
      const warn = (line: string) => this.logger.warn(line);
      const port = await embeddedPort(settings.embeddedPostgresPort, warn);
      const embedded = await startEmbeddedPostgres(settings.dataDir, port, warn);
      setDatabaseUrl(embedded.url, async () => {
        await embedded.stop();
        this.logger.info("Embedded PostgreSQL stopped");
      });
      this.logger.info(`Embedded PostgreSQL ready on 127.0.0.1:${port} in ${Date.now() - started} ms (data in ${settings.dataDir})`);
    }
    const applied = await migrateLatest(database(), databaseUrl());
    this.logger.info(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date");

    const { generated } = await engineSecrets(database());
    if (generated.length) {
      this.logger.warn(
        `Generated ${generated.join(" and ")} (none was set) and stored them in the database, shared by every node on it; see docs/security.md to set or rotate them.`,
      );
    }

    const admin = await ensureFirstAdmin(database(), {
      email: settings.adminEmail,
      password: settings.adminPassword,
      name: settings.adminName,
    });
    if (admin?.generatedPassword) {
      this.logger.warn(`First run: created admin ${admin.email} with password ${admin.generatedPassword} — it is shown only now; change it after logging in.`);
    } else if (admin) {
      this.logger.info(`First run: created admin ${admin.email} from ADMIN_EMAIL/ADMIN_PASSWORD`);
    }
  },
};

export default DbServiceSchema;
