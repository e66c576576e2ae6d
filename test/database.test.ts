// The schema and start-up steps against a real, empty PostgreSQL database.
import knexFactory, { type Knex } from "knex";
import { ensureFirstAdmin } from "../lib/bootstrap-admin";
import { migrateLatest, rollbackAll } from "../lib/db/migrate";
import { verifyPassword } from "../lib/auth/passwords";
import { testDatabase } from "./support/database";
import { migrations } from "../migrations";
import * as models from "../lib/models";
import { single } from "../lib/db/tables";

const db = testDatabase();
const connect = () => knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 4 } });
let knex: Knex;

beforeAll(async () => {
  await db.create();
  knex = connect();
});

afterAll(async () => {
  await knex.destroy();
  await db.drop();
});

const ALL = migrations.map(([name]) => name);

describe("migrations", () => {
  it("run once when several nodes start together", async () => {
    const nodes = [connect(), connect(), connect()];
    const results = await Promise.all(nodes.map((node) => migrateLatest(node, db.url)));
    await Promise.all(nodes.map((node) => node.destroy()));
    expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
    expect(results.flat()).toEqual(ALL);
    const { rows } = await knex.raw("SELECT count(*)::int AS n FROM knex_migrations");
    expect(rows[0].n).toBe(ALL.length);
  });

  it("create the tables of the models, and only those", async () => {
    const { rows } = await knex.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%'");
    const tables = rows.map((row: { table_name: string }) => row.table_name).sort();
    const modelled = Object.values(models)
      .filter((value): value is typeof models.BaseModel => typeof value === "function" && value.prototype instanceof models.BaseModel)
      .map((model) => model.tableName)
      .sort();
    expect(tables).toEqual(modelled);
    expect(tables).toEqual(
      expect.arrayContaining([
        "users",
        "whatsapp_accounts",
        "contacts",
        "conversations",
        "messages",
        "flows",
        "flow_versions",
        "queues",
        "queue_agents",
        "quick_replies",
        "odoo_settings",
      ]),
    );
  });

  it("can be rolled back and applied again", async () => {
    await rollbackAll(knex);
    const { rows } = await knex.raw("SELECT to_regclass('public.users') AS t");
    expect(rows[0].t).toBeNull();
    expect(await migrateLatest(knex, db.url)).toEqual(ALL);
  });
});

describe("schema rules", () => {
  let accountId: string;
  let contactId: string;

  beforeAll(async () => {
    ({ id: accountId } = single(await knex("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator" }).returning("id"), "test row"));
    ({ id: contactId } = single(await knex("contacts").insert({ phone_number: "+525551234567", name: "Juan" }).returning("id"), "test row"));
  });

  it("keeps one open conversation per contact and account", async () => {
    const open = { contact_id: contactId, whatsapp_account_id: accountId, status: "bot" } as const;
    const { id } = single(await knex("conversations").insert(open).returning("id"), "test row");
    await expect(knex("conversations").insert({ ...open, status: "waiting" })).rejects.toMatchObject({ code: "23505" });
    await knex("conversations").where({ id }).update({ status: "resolved" });
    await knex("conversations").insert(open);
  });

  it("stores a WhatsApp message once per account", async () => {
    const { id: conversationId } = single(await knex("conversations").where({ contact_id: contactId }).whereNot("status", "resolved").select("id"), "test row");
    const message = {
      conversation_id: conversationId,
      whatsapp_account_id: accountId,
      wa_message_id: "ABC",
      direction: "inbound",
      type: "text",
      status: "received",
      sender_type: "contact",
    } as const;
    await knex("messages").insert(message);
    await expect(knex("messages").insert(message)).rejects.toMatchObject({ code: "23505" });
  });

  it("refuses to change a flow version", async () => {
    const { id: flowId } = single(await knex("flows").insert({ name: "Bienvenida", trigger_type: "welcome" }).returning("id"), "test row");
    const { id } = single(
      await knex("flow_versions")
        .insert({ flow_id: flowId, version: 1, graph: { nodes: [], edges: [] } })
        .returning("id"),
      "test row",
    );
    await expect(
      knex("flow_versions")
        .where({ id })
        .update({ graph: { nodes: [], edges: [] } }),
    ).rejects.toThrow(/immutable/);
  });

  it("folds accents and case for search", async () => {
    const { rows } = await knex.raw("SELECT charla_fold('José PÉREZ Ñandú') AS folded");
    expect(rows[0].folded).toBe("jose perez nandu");
  });

  it("rejects values outside the enumerations", async () => {
    await expect(knex.raw("INSERT INTO users (email, name, password_hash, role) VALUES ('x@y.z', 'X', 'h', 'owner')")).rejects.toMatchObject({ code: "23514" });
  });
});

describe("first admin", () => {
  beforeEach(async () => {
    await knex.raw("TRUNCATE users CASCADE");
  });

  it("is created once on an empty database, with a generated password when none is configured", async () => {
    const results = await Promise.all([1, 2, 3].map(() => ensureFirstAdmin(knex, { email: undefined, password: undefined, name: "Admin" })));
    const created = results.filter((result) => result !== undefined);
    expect(created).toHaveLength(1);
    const [{ email, generatedPassword }] = created as [{ email: string; generatedPassword: string }];
    expect(email).toBe("admin@charla.local");
    const user = await knex("users").where({ email }).first();
    expect(user!.role).toBe("admin");
    expect(await verifyPassword(generatedPassword, user!.password_hash)).toBe(true);
  });

  it("uses ADMIN_EMAIL and ADMIN_PASSWORD, and does nothing once users exist", async () => {
    const result = await ensureFirstAdmin(knex, { email: "boss@example.com", password: "configured-pass", name: "Boss" });
    expect(result).toEqual({ email: "boss@example.com" });
    expect(await ensureFirstAdmin(knex, { email: "other@example.com", password: "configured-pass", name: "Other" })).toBeUndefined();
    expect(await knex("users").count({ n: "*" }).first()).toEqual({ n: "1" });
  });
});
