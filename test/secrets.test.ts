// With no JWT_SECRET or SECRETS_KEY in the environment, a fresh install makes
// its own strong keys once, keeps them in the database for every node, and never
// falls back to a value anyone could look up.
import jwt from "jsonwebtoken";
import knexFactory from "knex";
import { reloadConfig } from "../lib/config";
import { database } from "../lib/db/connection";
import { engineSecrets } from "../lib/secrets";
import { ADMIN, harness } from "./support/harness";

const h = harness({ env: { JWT_SECRET: "", SECRETS_KEY: "" } });

afterAll(() => {
  delete process.env.JWT_SECRET;
  delete process.env.SECRETS_KEY;
});

it("signs tokens with a generated key kept in the database, not a public default", async () => {
  const login = await h.request("POST", "/api/auth/login", { body: ADMIN });
  expect(login.status).toBe(200);
  const stored = await database()("engine_secrets").orderBy("name").select("name", "value");
  expect(stored.map((row: { name: string }) => row.name)).toEqual(["jwt_secret", "secrets_key"]);
  for (const row of stored as Array<{ value: string }>) expect(row.value).toMatch(/^[\w-]{64}$/);
  const jwtSecret = (stored as Array<{ name: string; value: string }>).find((row) => row.name === "jwt_secret")!.value;
  expect(() => jwt.verify(login.body.access_token, jwtSecret)).not.toThrow();
  expect(() => jwt.verify(login.body.access_token, "change-me-in-production")).toThrow();
  const forged = jwt.sign({ sid: "00000000-0000-4000-8000-000000000000" }, "change-me-in-production", { subject: login.body.user.id, issuer: "charla" });
  expect((await h.request("GET", "/api/auth/me", { token: forged })).status).toBe(401);
});

it("gives every node on the database the same keys, and keeps the ones set in the environment", async () => {
  const other = knexFactory({ client: "pg", connection: h.database.url, pool: { min: 0, max: 1 } });
  try {
    const first = await engineSecrets(database());
    const second = await engineSecrets(other);
    expect(second).toMatchObject({ jwtSecret: first.jwtSecret, secretsKey: first.secretsKey, generated: [] });
    process.env.JWT_SECRET = "an-operator-chosen-secret-of-enough-length";
    reloadConfig();
    const third = knexFactory({ client: "pg", connection: h.database.url, pool: { min: 0, max: 1 } });
    const fromEnv = await engineSecrets(third);
    await third.destroy();
    expect(fromEnv.jwtSecret).toBe("an-operator-chosen-secret-of-enough-length");
    expect(fromEnv.secretsKey).toBe(first.secretsKey);
  } finally {
    await other.destroy();
    delete process.env.JWT_SECRET;
    reloadConfig();
  }
});
