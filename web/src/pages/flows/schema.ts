// The node form's fields, read from the JSON Schema of a node type's `data`
// (GET /api/flows/node-types). Only the shapes the catalogue publishes are read
// (lib/flows/fields.ts): anything else is edited as JSON, so no setting is out of reach.

/** A JSON Schema is open-ended: each part is read with a check before it is trusted. */
export type JsonSchema = Record<string, unknown>;

/** Which list a reference field picks from, by its name (the catalogue marks them only as uuids). */
export const REFERENCES = { queue_id: "queues", flow_id: "flows", user_id: "users" } as const;
export type Reference = (typeof REFERENCES)[keyof typeof REFERENCES];

export type FieldSpec =
  | { kind: "text"; multiline: boolean; template: boolean; minLength?: number; maxLength?: number }
  | { kind: "reference"; resource: Reference }
  | { kind: "number"; integer: boolean; minimum?: number; maximum?: number }
  | { kind: "boolean" }
  | { kind: "enum"; values: (string | number)[] }
  | { kind: "list"; item: FieldSpec; minItems?: number; maxItems?: number }
  | { kind: "object"; properties: Property[] }
  | { kind: "json" };

export interface Property {
  name: string;
  required: boolean;
  description?: string;
  spec: FieldSpec;
}

/** Longer texts than this get a multi-line box (a message is up to 4096 characters; a button's text 20). */
const MULTILINE_FROM = 256;

const numberAt = (schema: JsonSchema, key: string): number | undefined => (typeof schema[key] === "number" ? schema[key] : undefined);
const isSchema = (value: unknown): value is JsonSchema => Boolean(value) && typeof value === "object" && !Array.isArray(value);

function specOf(name: string, schema: JsonSchema): FieldSpec {
  if (Array.isArray(schema.enum))
    return { kind: "enum", values: schema.enum.filter((v): v is string | number => typeof v === "string" || typeof v === "number") };
  switch (schema.type) {
    case "string": {
      if (schema.format === "uuid" && name in REFERENCES) return { kind: "reference", resource: REFERENCES[name as keyof typeof REFERENCES] };
      const maxLength = numberAt(schema, "maxLength");
      return {
        kind: "text",
        multiline: maxLength === undefined ? schema["x-template"] === true : maxLength >= MULTILINE_FROM,
        template: schema["x-template"] === true,
        minLength: numberAt(schema, "minLength"),
        maxLength,
      };
    }
    case "number":
    case "integer":
      return { kind: "number", integer: schema.type === "integer", minimum: numberAt(schema, "minimum"), maximum: numberAt(schema, "maximum") };
    case "boolean":
      return { kind: "boolean" };
    case "array":
      return isSchema(schema.items)
        ? { kind: "list", item: specOf(name, schema.items), minItems: numberAt(schema, "minItems"), maxItems: numberAt(schema, "maxItems") }
        : { kind: "json" };
    case "object":
      return isSchema(schema.properties) ? { kind: "object", properties: propertiesOf(schema) } : { kind: "json" };
    default:
      return { kind: "json" };
  }
}

/** The fields of an object schema, in the catalogue's order. */
export function propertiesOf(schema: JsonSchema): Property[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties)
    .filter((entry): entry is [string, JsonSchema] => isSchema(entry[1]))
    .map(([name, property]) => ({
      name,
      required: required.has(name),
      description: typeof property.description === "string" ? property.description : undefined,
      spec: specOf(name, property),
    }));
}

/** A new item of a list: an option (button, row, case, branch) gets an id of its own, since its id names an exit. */
export function newItem(spec: FieldSpec, existing: readonly unknown[]): unknown {
  if (spec.kind !== "object") return spec.kind === "enum" ? spec.values[0] : "";
  const item: Record<string, unknown> = {};
  for (const property of spec.properties) {
    if (property.name === "id") {
      const taken = new Set(existing.map((other) => (isSchema(other) ? other.id : undefined)));
      let n = existing.length + 1;
      while (taken.has(`option_${n}`)) n++;
      item.id = `option_${n}`;
    } else if (property.required) {
      const value = initialValue(property.spec);
      if (value !== undefined) item[property.name] = value;
    }
  }
  return item;
}

/** What a required field starts as in a new node: the first choice, or nothing (the engine then says it is missing). */
function initialValue(spec: FieldSpec): unknown {
  if (spec.kind === "enum") return spec.values[0];
  if (spec.kind === "boolean") return false;
  if (spec.kind === "list" && spec.item.kind === "object") return [newItem(spec.item, [])];
  return undefined;
}

/** The configuration of a node just added from the palette. */
export function initialConfig(schema: JsonSchema): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const property of propertiesOf(schema)) {
    if (!property.required) continue;
    const value = initialValue(property.spec);
    if (value !== undefined) config[property.name] = value;
  }
  return config;
}

/** Sets (or, for `undefined`, removes) one key: an optional field left empty is left out, not sent as "". */
export function withValue(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...object };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}
