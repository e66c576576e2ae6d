import { randomBytes } from "node:crypto";
import { bufferJsonCodec, loadAuthState, wipeAuthState, type AuthCodec } from "../lib/whatsapp/auth-state";
import { migratedDatabase } from "./support/database";
import { single } from "../lib/db/tables";

const { knex } = migratedDatabase();

async function account(): Promise<string> {
  const { id } = single(
    await knex()("whatsapp_accounts")
      .insert({ name: `acc-${randomBytes(3).toString("hex")}`, provider: "baileys" })
      .returning("id"),
    "test row",
  );
  return id;
}

// Shapes as Baileys 7 writes them (creds with key pairs, and each key type).
const creds = {
  noiseKey: { private: randomBytes(32), public: randomBytes(32) },
  signedIdentityKey: { private: randomBytes(32), public: randomBytes(32) },
  registrationId: 4242,
  advSecretKey: randomBytes(32).toString("base64"),
  me: { id: "525551234567:12@s.whatsapp.net", lid: "1234567890:12@lid", name: "Ventas" },
  registered: true,
};

describe("WhatsApp auth state in PostgreSQL", () => {
  it("starts empty, then keeps creds with their binary keys", async () => {
    const id = await account();
    const fresh = await loadAuthState(knex(), id, bufferJsonCodec);
    expect(fresh.creds).toBeUndefined();
    await fresh.saveCreds(creds);
    await fresh.saveCreds({ ...creds, registrationId: 4343 });
    const again = await loadAuthState(knex(), id, bufferJsonCodec);
    expect(again.creds).toEqual({ ...creds, registrationId: 4343 });
    expect(Buffer.isBuffer((again.creds as typeof creds).noiseKey.private)).toBe(true);
  });

  it("stores every key type, v7's included, and deletes on null", async () => {
    const id = await account();
    const { keys } = await loadAuthState(knex(), id, bufferJsonCodec);
    await keys.set({
      "pre-key": { "1": { private: randomBytes(32), public: randomBytes(32) }, "2": { private: randomBytes(32), public: randomBytes(32) } },
      session: { "525551234567.0": new Uint8Array([1, 2, 3]) },
      "sender-key-memory": { "group@g.us": { "525551234567@s.whatsapp.net": true } },
      "app-state-sync-key": { AAAA: { keyData: new Uint8Array([9, 9]), timestamp: "1700000000" } },
      "lid-mapping": { "525551234567": "1234567890", "1234567890_reverse": "525551234567" },
      "device-list": { "525551234567": ["0", "12"] },
      tctoken: { "525551234567@s.whatsapp.net": { token: Buffer.from("tok"), timestamp: "1700000000" } },
    });
    expect(Object.keys(await keys.get("pre-key", ["1", "2", "3"])).sort()).toEqual(["1", "2"]);
    expect(await keys.get("session", ["525551234567.0"])).toEqual({ "525551234567.0": Buffer.from([1, 2, 3]) });
    expect(await keys.get("lid-mapping", ["525551234567"])).toEqual({ "525551234567": "1234567890" });
    expect(await keys.get("device-list", ["525551234567"])).toEqual({ "525551234567": ["0", "12"] });
    expect((await keys.get("tctoken", ["525551234567@s.whatsapp.net"]))["525551234567@s.whatsapp.net"]).toMatchObject({ token: Buffer.from("tok") });

    await keys.set({ "pre-key": { "1": null } });
    expect(Object.keys(await keys.get("pre-key", ["1", "2"]))).toEqual(["2"]);
    expect(await keys.get("pre-key", [])).toEqual({});
  });

  it("writes a batch all or nothing", async () => {
    const id = await account();
    const failing: AuthCodec = {
      ...bufferJsonCodec,
      encode: (value) => {
        if (value === "poison") throw new Error("cannot encode");
        return bufferJsonCodec.encode(value);
      },
    };
    const { keys } = await loadAuthState(knex(), id, failing);
    await expect(keys.set({ "lid-mapping": { a: "1" }, "device-list": { b: "poison" } })).rejects.toThrow("cannot encode");
    expect(await keys.get("lid-mapping", ["a"])).toEqual({});
  });

  it("keeps accounts apart, and a wipe forgets one account's pairing", async () => {
    const one = await account();
    const two = await account();
    const first = await loadAuthState(knex(), one, bufferJsonCodec);
    const second = await loadAuthState(knex(), two, bufferJsonCodec);
    await first.saveCreds(creds);
    await second.saveCreds(creds);
    await first.keys.set({ "lid-mapping": { x: "1" } });
    expect(await second.keys.get("lid-mapping", ["x"])).toEqual({});

    await wipeAuthState(knex(), one);
    expect((await loadAuthState(knex(), one, bufferJsonCodec)).creds).toBeUndefined();
    expect((await loadAuthState(knex(), two, bufferJsonCodec)).creds).toBeDefined();
  });
});
