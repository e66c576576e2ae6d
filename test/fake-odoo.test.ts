// The fake Odoo itself follows Odoo's domain semantics (odoo/osv/expression.py),
// so the integration tests mean what they say.
import { FakeOdoo } from "./support/fake-odoo";

const odoo = new FakeOdoo({ version: 17 });
beforeAll(() => odoo.start());
afterAll(() => odoo.stop());

async function ids(domain: unknown[], context: Record<string, unknown> = {}): Promise<number[]> {
  const res = await fetch(`${odoo.url}/jsonrpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      method: "call",
      params: { service: "object", method: "execute_kw", args: ["mydb", 7, "KEY", "res.partner", "search", [domain], { context }] },
      id: 1,
    }),
  });
  const body = (await res.json()) as { result?: number[]; error?: { data: { name: string } } };
  if (body.error) throw new Error(body.error.data.name);
  return body.result!;
}

describe("the fake Odoo's domains", () => {
  it("joins adjacent leaves with AND and reads prefix operators", async () => {
    expect(await ids([])).toEqual([40, 42]);
    expect(await ids(["|", ["name", "ilike", "acme"], ["name", "ilike", "ana"], ["is_company", "=", false]])).toEqual([42]);
    expect(await ids(["!", ["is_company", "=", true]])).toEqual([42]);
  });

  it("follows like/=ilike, false as NULL, negatives matching NULL, =? and child_of", async () => {
    expect(await ids([["email", "=ilike", "ANA@ACME.MX"]])).toEqual([42]);
    expect(await ids([["email", "=ilike", "ana"]])).toEqual([]);
    expect(await ids([["parent_id", "=", false]])).toEqual([40]);
    expect(await ids([["parent_id", "!=", 40]])).toEqual([40]);
    expect(await ids([["name", "ilike", ""]])).toEqual([40, 42]);
    expect(await ids([["parent_id", "=?", false]])).toEqual([40, 42]);
    expect(await ids([["id", "child_of", 40]])).toEqual([40, 42]);
    expect(await ids([["parent_id", "ilike", "acme"]])).toEqual([42]);
  });

  it("hides archived records unless asked, and refuses unknown fields", async () => {
    expect(await ids([["name", "ilike", "beto"]])).toEqual([]);
    expect(await ids([["name", "ilike", "beto"]], { active_test: false })).toEqual([44]);
    expect(await ids([["active", "=", false]])).toEqual([44]);
    await expect(ids([["nope", "=", 1]])).rejects.toThrow("builtins.ValueError");
    await expect(ids([["phone_mobile_search", "ilike", "12"]])).rejects.toThrow("odoo.exceptions.UserError");
  });
});
