// null is a value: accepted where a rule is nullable, refused (naming the field) everywhere else.
import { ServiceBroker } from "moleculer";
import { NullRefusingFastestValidator, ParamsValidator } from "../../lib/http/validator";

const v = new NullRefusingFastestValidator();
const errorsOf = (schema: Record<string, unknown>, value: Record<string, unknown>) => {
  const result = v.compile(schema)(value);
  return result === true ? [] : (result as Array<{ type: string; field: string; message: string }>);
};

describe("the null-refusing validator", () => {
  it("refuses null for an optional field, naming it", () => {
    expect(errorsOf({ provider: { type: "enum", values: ["a", "b"], optional: true } }, { provider: null })).toEqual([
      expect.objectContaining({ type: "notNullable", field: "provider", message: "The 'provider' field must not be null." }),
    ]);
  });

  it("says which values an enum field takes", () => {
    expect(errorsOf({ role: { type: "enum", values: ["admin", "supervisor", "agent"] } }, { role: "boss" })).toEqual([
      expect.objectContaining({ type: "enumValue", field: "role", message: "The 'role' field must be one of: admin, supervisor, agent." }),
    ]);
  });

  it("still lets an optional field be left out", () => {
    expect(errorsOf({ note: { type: "string", optional: true } }, {})).toEqual([]);
  });

  it("accepts null where the rule is nullable", () => {
    expect(errorsOf({ queue_id: { type: "uuid", optional: true, nullable: true } }, { queue_id: null })).toEqual([]);
    expect(errorsOf({ phone: { type: "string", nullable: true } }, { phone: null })).toEqual([]);
  });

  it("refuses null instead of applying a default", () => {
    const check = v.compile({ send: { type: "boolean", optional: true, default: false } });
    expect(check({ send: null })).toEqual([expect.objectContaining({ type: "notNullable", field: "send" })]);
    const params: Record<string, unknown> = {};
    expect(check(params)).toBe(true);
    expect(params.send).toBe(false);
  });

  it("refuses null for a required field", () => {
    expect(errorsOf({ name: "string" }, { name: null })).toEqual([expect.objectContaining({ field: "name" })]);
  });

  it("applies to nested properties, array items, multi and any rules", () => {
    const schema = {
      filter: { type: "object", optional: true, props: { tag: { type: "string", optional: true } } },
      tags: { type: "array", optional: true, items: "string" },
      either: { type: "multi", optional: true, rules: [{ type: "string" }, { type: "number" }] },
      anything: { type: "any", optional: true },
    };
    expect(errorsOf(schema, { filter: { tag: null } }).map((e) => e.field)).toEqual(["filter.tag"]);
    // fastest-validator names the array, not the item, for a missing item.
    expect(errorsOf(schema, { tags: ["a", null] }).map((e) => e.field)).toEqual(["tags"]);
    expect(errorsOf(schema, { either: null }).map((e) => e.field)).toEqual(["either"]);
    expect(errorsOf(schema, { anything: null }).map((e) => e.field)).toEqual(["anything"]);
    expect(errorsOf({ anything: { type: "any", optional: true, nullable: true } }, { anything: null })).toEqual([]);
  });
});

describe("NUL characters", () => {
  it("are refused in any string, naming the field, wherever the rule is", () => {
    expect(errorsOf({ tag: "string" }, { tag: "a\u0000b" })).toEqual([
      expect.objectContaining({ type: "nulCharacter", field: "tag", message: "The 'tag' field must not contain NUL characters." }),
    ]);
    expect(errorsOf({ note: { type: "string", optional: true, nullable: true } }, { note: "\u0000" }).map((e) => e.field)).toEqual(["note"]);
    expect(errorsOf({ tags: { type: "array", items: "string" } }, { tags: ["ok", "\u0000"] }).map((e) => e.type)).toEqual(["nulCharacter"]);
    expect(errorsOf({ anything: "any" }, { anything: "x\u0000" }).map((e) => e.field)).toEqual(["anything"]);
    expect(errorsOf({ tag: "string" }, { tag: "a\\u0000b" })).toEqual([]);
  });
});

describe("odd values in error messages", () => {
  it("refuses an array holding an object with a toString that is not a function, instead of throwing", () => {
    const schema = { id: "uuid", latitude: { type: "number", optional: true } };
    expect(errorsOf(schema, { id: "00000000-0000-4000-8000-000000000000", latitude: [{ toString: "x" }] })).toEqual([
      expect.objectContaining({ type: "number", field: "latitude" }),
    ]);
    expect(errorsOf(schema, { id: [[JSON.parse('{"valueOf": 1, "toString": null}')]] })).toEqual([expect.objectContaining({ field: "id" })]);
  });
});

describe("the broker's params validator", () => {
  const broker = new ServiceBroker({ logger: false, validator: new ParamsValidator() });
  broker.createService({
    name: "things",
    actions: {
      create: {
        params: { name: "string", kind: { type: "enum", values: ["x", "y"], optional: true }, parent_id: { type: "uuid", optional: true, nullable: true } },
        handler: (ctx) => ctx.params,
      },
    },
  });
  beforeAll(() => broker.start());
  afterAll(() => broker.stop());

  it("answers a validation error (422) naming the null field", async () => {
    await expect(broker.call("things.create", { name: "n", kind: null })).rejects.toMatchObject({
      code: 422,
      type: "VALIDATION_ERROR",
      data: [expect.objectContaining({ field: "kind", type: "notNullable" })],
    });
  });

  it("passes a declared-nullable null through to the handler", async () => {
    await expect(broker.call("things.create", { name: "n", parent_id: null })).resolves.toEqual({ name: "n", parent_id: null });
  });
});
