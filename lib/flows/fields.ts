// The configuration schema of a node type: a small description language that
// validates a node's `data` (422 with the path of the offending field) and is
// published as JSON Schema to the flow builder (GET /api/flows/node-types).
import { ValidationFailed } from "../errors";
import { msg, type Message } from "../i18n/message";

export type Field =
  | { type: "string"; required?: boolean; max?: number; min?: number; template?: boolean; pattern?: RegExp; description?: string }
  | { type: "number"; required?: boolean; min?: number; max?: number; integer?: boolean; description?: string }
  | { type: "boolean"; required?: boolean; description?: string }
  | { type: "enum"; values: readonly (string | number)[]; required?: boolean; description?: string }
  | { type: "uuid"; required?: boolean; description?: string }
  | { type: "url"; required?: boolean; template?: boolean; description?: string }
  | { type: "array"; items: Field; required?: boolean; min?: number; max?: number; description?: string }
  | { type: "object"; props?: Record<string, Field>; required?: boolean; description?: string }
  | { type: "any"; required?: boolean; description?: string };

export type Fields = Record<string, Field>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(field: Field, value: unknown, path: string): void {
  const fail = (problem: Message): never => {
    throw new ValidationFailed(path, problem);
  };
  const at = { field: path };
  switch (field.type) {
    case "string":
      if (typeof value !== "string") fail(msg("common.mustBeText", at));
      if (field.min !== undefined && (value as string).trim().length < field.min)
        fail(field.min === 1 ? msg("fields.notEmpty", at) : msg("fields.minLength", { ...at, min: field.min }));
      if (field.max !== undefined && (value as string).length > field.max) fail(msg("fields.maxLength", { ...at, max: field.max }));
      if (field.pattern && !field.pattern.test(value as string)) fail(msg("fields.format", at));
      return;
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) fail(msg("fields.number", at));
      if (field.integer && !Number.isInteger(value)) fail(msg("fields.integer", at));
      if (field.min !== undefined && (value as number) < field.min) fail(msg("fields.min", { ...at, min: field.min }));
      if (field.max !== undefined && (value as number) > field.max) fail(msg("fields.max", { ...at, max: field.max }));
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(msg("common.mustBeBoolean", at));
      return;
    case "enum":
      if (!field.values.includes(value as string)) fail(msg("fields.oneOf", { ...at, values: field.values.map(String) }));
      return;
    case "uuid":
      if (typeof value !== "string" || !UUID.test(value)) fail(msg("common.mustBeUuid", at));
      return;
    case "url": {
      if (typeof value !== "string" || value.length > 2048) fail(msg("fields.url", at));
      // A template may build the URL at run time; only a literal one can be checked now.
      if (field.template && (value as string).includes("{{")) return;
      let url: URL | undefined;
      try {
        url = new URL(value as string);
      } catch {
        fail(msg("fields.url", at));
      }
      if (url!.protocol !== "http:" && url!.protocol !== "https:") fail(msg("common.mustBeHttpUrl", at));
      return;
    }
    case "array":
      if (!Array.isArray(value)) fail(msg("fields.list", at));
      if (field.min !== undefined && (value as unknown[]).length < field.min) fail(msg("fields.minItems", { ...at, min: field.min }));
      if (field.max !== undefined && (value as unknown[]).length > field.max) fail(msg("fields.maxItems", { ...at, max: field.max }));
      (value as unknown[]).forEach((item, i) => check(field.items, item, `${path}[${i}]`));
      return;
    case "object":
      if (!value || typeof value !== "object" || Array.isArray(value)) fail(msg("common.mustBeObject", at));
      if (field.props) validateFields(field.props, value as Record<string, unknown>, path);
      return;
    case "any":
      return;
  }
}

/** Validates `data` against the fields; the error names the path (`nodes[3].data.buttons[1].id`). */
export function validateFields(fields: Fields, data: Record<string, unknown>, path: string): void {
  for (const [name, field] of Object.entries(fields)) {
    const value = data[name];
    if (value === undefined || value === null) {
      if (field.required) throw new ValidationFailed(`${path}.${name}`, msg("common.required", { field: `${path}.${name}` }));
      continue;
    }
    check(field, value, `${path}.${name}`);
  }
}

/** The fields as JSON Schema, for the builder. */
export function jsonSchemaOf(fields: Fields): Record<string, unknown> {
  const one = (field: Field): Record<string, unknown> => {
    const base: Record<string, unknown> = field.description ? { description: field.description } : {};
    switch (field.type) {
      case "string":
        return {
          ...base,
          type: "string",
          ...(field.min !== undefined ? { minLength: field.min } : {}),
          ...(field.max !== undefined ? { maxLength: field.max } : {}),
          ...(field.template ? { "x-template": true } : {}),
        };
      case "number":
        return {
          ...base,
          type: field.integer ? "integer" : "number",
          ...(field.min !== undefined ? { minimum: field.min } : {}),
          ...(field.max !== undefined ? { maximum: field.max } : {}),
        };
      case "boolean":
        return { ...base, type: "boolean" };
      case "enum":
        return { ...base, enum: field.values };
      case "uuid":
        return { ...base, type: "string", format: "uuid" };
      case "url":
        return { ...base, type: "string", format: "uri", ...(field.template ? { "x-template": true } : {}) };
      case "array":
        return {
          ...base,
          type: "array",
          items: one(field.items),
          ...(field.min !== undefined ? { minItems: field.min } : {}),
          ...(field.max !== undefined ? { maxItems: field.max } : {}),
        };
      case "object":
        return field.props ? { ...base, ...jsonSchemaOf(field.props) } : { ...base, type: "object" };
      case "any":
        return base;
    }
  };
  const properties = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, one(field)]));
  const required = Object.entries(fields)
    .filter(([, field]) => field.required)
    .map(([name]) => name);
  return { type: "object", properties, ...(required.length ? { required } : {}) };
}
