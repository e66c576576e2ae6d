// The OpenAPI 3.1 description of the REST API, built from the routes the
// gateway really serves and each action's declared parameters and
// permissions, so it cannot drift from the code.
import type { Access } from "../auth/permissions";

/** One REST route as the gateway serves it. */
export interface RestRoute {
  method: string;
  /** moleculer-web's form: /api/conversations/:id */
  path: string;
  action: string;
  params?: Record<string, unknown>;
  permissions?: Access;
  summary?: string;
}

type JsonSchema = Record<string, unknown>;
type Rule = Record<string, unknown> & { type?: string };

const FORMATS: Record<string, JsonSchema> = {
  uuid: { type: "string", format: "uuid" },
  email: { type: "string", format: "email" },
  url: { type: "string", format: "uri" },
  date: { type: "string", format: "date-time" },
  any: {},
};

// "string|min:3|optional|nullable" as fastest-validator reads it: flags are true, numbers numbers.
function shorthand(rule: string): Rule {
  const [type, ...modifiers] = rule.split("|");
  const parsed: Rule = { type };
  for (const modifier of modifiers) {
    const [name, value] = modifier.split(":") as [string, string | undefined];
    parsed[name] = value === undefined ? true : value === "true" ? true : value === "false" ? false : Number.isNaN(Number(value)) ? value : Number(value);
  }
  return parsed;
}

function ruleOf(rule: unknown): Rule {
  if (typeof rule === "string") return shorthand(rule);
  if (Array.isArray(rule)) return { type: "multi", rules: rule };
  return (rule ?? {}) as Rule;
}

/** A fastest-validator rule as JSON Schema (the subset our actions use). */
export function schemaOf(input: unknown): JsonSchema {
  const rule = ruleOf(input);
  let schema: JsonSchema;
  switch (rule.type) {
    case "string":
      schema = { type: "string" };
      if (typeof rule.min === "number") schema.minLength = rule.min;
      if (typeof rule.max === "number") schema.maxLength = rule.max;
      if (rule.pattern instanceof RegExp) schema.pattern = rule.pattern.source;
      else if (typeof rule.pattern === "string") schema.pattern = rule.pattern;
      break;
    case "number":
      schema = { type: rule.integer ? "integer" : "number" };
      if (typeof rule.min === "number") schema.minimum = rule.min;
      if (typeof rule.max === "number") schema.maximum = rule.max;
      break;
    case "boolean":
      schema = { type: "boolean" };
      break;
    case "enum":
      schema = { type: "string", enum: rule.values };
      break;
    case "array":
      schema = { type: "array" };
      if (rule.items !== undefined) schema.items = schemaOf(rule.items);
      if (typeof rule.max === "number") schema.maxItems = rule.max;
      if (typeof rule.min === "number") schema.minItems = rule.min;
      break;
    case "object":
      schema = rule.props ? objectSchema(rule.props as Record<string, unknown>) : { type: "object" };
      break;
    case "multi":
      schema = { oneOf: (rule.rules as unknown[]).map(schemaOf) };
      break;
    default:
      schema = { ...(FORMATS[rule.type ?? "any"] ?? {}) };
  }
  if (rule.nullable === true) schema = { oneOf: [schema, { type: "null" }] };
  if (rule.default !== undefined && typeof rule.default !== "function") schema.default = rule.default;
  return schema;
}

const isOptional = (rule: unknown): boolean => {
  const r = ruleOf(rule);
  return r.optional === true || r.default !== undefined;
};

function objectSchema(props: Record<string, unknown>, skip: ReadonlySet<string> = new Set()): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(props)) {
    if (name.startsWith("$$") || skip.has(name)) continue;
    properties[name] = schemaOf(rule);
    if (!isOptional(rule)) required.push(name);
  }
  return { type: "object", properties, ...(required.length ? { required } : {}) };
}

const ERROR_RESPONSE = { description: "An error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };

function responsesOf(route: RestRoute): Record<string, unknown> {
  const success: Record<string, unknown> =
    route.method === "DELETE" ? { "204": { description: "Done; no body" } } : { "200": { description: "Success (a resource is created: 201 with Location)", content: { "application/json": {} } } };
  if (route.method === "POST") success["201"] = { description: "Created", content: { "application/json": {} } };
  const errors: Record<string, unknown> = { "422": { ...ERROR_RESPONSE, description: "Validation failed; `field` names the offending field" } };
  if (route.permissions !== "public") {
    errors["401"] = { ...ERROR_RESPONSE, description: "Missing, invalid or expired token" };
    errors["403"] = { ...ERROR_RESPONSE, description: "The caller's role or visibility does not allow it" };
  }
  if (route.path.includes(":")) errors["404"] = { ...ERROR_RESPONSE, description: "No such resource" };
  return { ...success, ...errors };
}

function operationOf(route: RestRoute): Record<string, unknown> {
  const params = route.params ?? {};
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const parameters: Array<Record<string, unknown>> = pathNames.map((name) => ({ name, in: "path", required: true, schema: schemaOf(params[name] ?? "string") }));
  const hasBody = ["POST", "PUT", "PATCH"].includes(route.method);
  if (!hasBody) {
    for (const [name, rule] of Object.entries(params)) {
      if (name.startsWith("$$") || pathNames.includes(name)) continue;
      parameters.push({ name, in: "query", required: !isOptional(rule), schema: schemaOf(rule) });
    }
  }
  const body = hasBody ? objectSchema(params, new Set(pathNames)) : undefined;
  const access = route.permissions ?? ["admin"];
  return {
    operationId: route.action,
    ...(route.summary ? { summary: route.summary } : {}),
    tags: [route.path.split("/")[2] ?? "api"],
    ...(parameters.length ? { parameters } : {}),
    ...(body && Object.keys(body.properties as object).length
      ? { requestBody: { required: Array.isArray(body.required), content: { "application/json": { schema: body } } } }
      : {}),
    security: access === "public" ? [] : [{ bearer: [] }],
    "x-permissions": access,
    responses: responsesOf(route),
  };
}

export function openApiDocument(routes: RestRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Charla API",
      version,
      description: "WhatsApp customer service engine. Reference with examples: docs/api.md. Realtime events travel over Socket.IO on the same port.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Error: {
          type: "object",
          required: ["detail"],
          properties: {
            detail: {
              type: "object",
              required: ["code", "message", "field"],
              properties: { code: { type: "string" }, message: { type: "string" }, field: { type: ["string", "null"] } },
            },
          },
        },
      },
    },
  };
}
