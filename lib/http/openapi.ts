// The OpenAPI 3.1 description of the REST API, built from the routes the
// gateway really serves and each action's declared parameters and
// permissions, so it cannot drift from the code.
import type { Access } from "../auth/permissions";
import { RESPONSE_BODIES, type ResponseBody } from "../contract/resources";

/** One REST route as the gateway serves it. */
export interface RestRoute {
  method: string;
  /** moleculer-web's form: /api/conversations/:id */
  path: string;
  action: string;
  params?: Record<string, unknown>;
  permissions?: Access;
  summary?: string;
  response?: ActionContract["response"];
  errors?: ActionContract["errors"];
}

type JsonSchema = Record<string, unknown>;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);
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
      // Without props any keys are accepted (metadata, business hours checked by their own parser).
      schema = rule.props ? objectSchema(rule.props as Record<string, unknown>) : { type: "object", additionalProperties: true };
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

/** What an action answers with, besides the errors every route of its kind can give. */
export interface ActionContract {
  /** One line for the operation list of a generated client. */
  summary?: string;
  /** Success: its status (200 unless said) and body (a component of lib/contract/resources; none for 204). */
  response?: { status?: SuccessStatus | readonly SuccessStatus[]; body?: ResponseBody; binary?: true };
  /** Errors only this action gives, by status, each with the codes it may carry. */
  errors?: Partial<Record<ErrorStatus, readonly string[]>>;
}
type SuccessStatus = 200 | 201 | 202 | 204;
type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 429 | 502 | 503;

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/** Errors shared by many operations, referenced from each (components.responses). */
const COMMON_ERRORS = {
  BadRequest: errorResponse("The request cannot be read: `MALFORMED_JSON`, `BODY_NOT_OBJECT`, `UNABLE_DECODE_PARAM`, `BAD_REQUEST`"),
  Unauthorized: errorResponse("No valid token: `TOKEN_MISSING`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `SESSION_REVOKED`, `USER_DISABLED`"),
  Forbidden: errorResponse("The caller's role or visibility does not allow it: `FORBIDDEN`"),
  NotFound: errorResponse("No such resource (or the caller may not see it): `NOT_FOUND`"),
  PayloadTooLarge: errorResponse("The body is over the size limit: `PAYLOAD_TOO_LARGE`"),
  UnsupportedMediaType: errorResponse("The body is not JSON: `UNSUPPORTED_MEDIA_TYPE`"),
  ValidationFailed: errorResponse("An input is wrong; `field` names it: `VALIDATION_ERROR`"),
  Unavailable: {
    ...errorResponse(
      "The node is starting or stopping, or what it needs is down for a moment; retry after `Retry-After` seconds: `NOT_READY`, `SERVICE_UNAVAILABLE`",
    ),
    headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } },
  },
  Timeout: errorResponse("The engine did not answer in time: `TIMEOUT`"),
} as const;
type CommonError = keyof typeof COMMON_ERRORS;

const STATUS_NAMES: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  422: "Validation failed",
  429: "Too many requests",
  502: "Upstream failed",
  503: "Unavailable",
};
const ref = (name: CommonError) => ({ $ref: `#/components/responses/${name}` });

const SUCCESS: Record<SuccessStatus, string> = {
  200: "Success",
  201: "Created (its address in `Location`)",
  202: "Accepted; the work goes on",
  204: "Done; no body",
};

function successOf(route: RestRoute): Record<string, unknown> {
  const { status = 200, body, binary } = route.response ?? {};
  const content = binary
    ? { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } }
    : body && { "application/json": { schema: { $ref: `#/components/schemas/${body}` } } };
  const statuses: readonly SuccessStatus[] = typeof status === "number" ? [status] : status;
  return Object.fromEntries(
    statuses.map((code) => [code, { description: binary ? "The file, as its own content type" : SUCCESS[code], ...(content ? { content } : {}) }]),
  );
}

/** The statuses a route can answer with: its own, and those of every route of its kind. */
function responsesOf(route: RestRoute, pathNames: string[]): Record<string, unknown> {
  const responses: Record<string, unknown> = successOf(route);
  const hasBody = BODY_METHODS.has(route.method);
  const common: Array<[number, CommonError]> = [];
  if (hasBody || pathNames.length) common.push([400, "BadRequest"]);
  if (route.permissions !== "public") common.push([401, "Unauthorized"], [403, "Forbidden"]);
  if (pathNames.length) common.push([404, "NotFound"]);
  if (hasBody) common.push([413, "PayloadTooLarge"], [415, "UnsupportedMediaType"]);
  if (Object.keys(route.params ?? {}).some((name) => !name.startsWith("$$"))) common.push([422, "ValidationFailed"]);
  common.push([503, "Unavailable"], [504, "Timeout"]);
  for (const [status, name] of common) responses[status] = ref(name);
  for (const [status, codes] of Object.entries(route.errors ?? {})) {
    const shared = responses[status]
      ? ` (besides the usual: ${COMMON_ERRORS[(responses[status] as { $ref: string }).$ref.split("/").pop() as CommonError].description})`
      : "";
    const extra = status === "429" ? { headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } } } : {};
    responses[status] = { ...errorResponse(`${STATUS_NAMES[Number(status)] ?? "Error"}: ${codes.map((code) => `\`${code}\``).join(", ")}${shared}`), ...extra };
  }
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
}

function operationOf(route: RestRoute): Record<string, unknown> {
  const params = route.params ?? {};
  const pathNames = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const parameters: Array<Record<string, unknown>> = pathNames.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: schemaOf(params[name] ?? "string"),
  }));
  const hasBody = BODY_METHODS.has(route.method);
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
    responses: responsesOf(route, pathNames),
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
      license: { name: "MIT", identifier: "MIT" },
      description: "WhatsApp customer service engine. Reference with examples: docs/api.md. Realtime events travel over Socket.IO on the same port.",
    },
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      responses: COMMON_ERRORS,
      schemas: {
        ...RESPONSE_BODIES,
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
