// The response hook of the test harness: every answer a test receives is checked
// against the operation the OpenAPI document declares for it, so a field added,
// renamed or dropped without the document, or a status the document does not
// list, fails the test that saw it.
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

type Reference = { $ref: string };
interface Response {
  content?: Record<string, { schema?: Reference }>;
}
interface Operation {
  responses: Record<string, Response | Reference>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, Response> };
}

interface Route {
  template: string;
  pattern: RegExp;
  literalSegments: number;
}

interface Checker {
  routes: Route[];
  ajv: Ajv2020;
}

const checkers = new WeakMap<OpenApiDocument, Checker>();

function checkerOf(doc: OpenApiDocument): Checker {
  let checker = checkers.get(doc);
  if (!checker) {
    const routes = Object.keys(doc.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(
          `^${template
            .split(/\{\w+\}/)
            .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
            .join("[^/]+")}$`,
        ),
        literalSegments: template.split("/").filter((segment) => segment && !segment.startsWith("{")).length,
      }))
      // A literal segment beats a parameter: /api/flows/node-types before /api/flows/{id}.
      .sort((a, b) => b.literalSegments - a.literalSegments);
    // The document's own formats (uuid, date-time, email, …) are checked too; its annotations are not keywords to refuse.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: "openapi", components: doc.components });
    checker = { routes, ajv };
    checkers.set(doc, checker);
  }
  return checker;
}

const resolve = <T>(doc: OpenApiDocument, value: T | Reference): T => {
  if (value && typeof value === "object" && "$ref" in value) {
    const [, , kind, name] = value.$ref.split("/") as [string, string, "responses", string];
    return doc.components[kind][name] as T;
  }
  return value;
};

function validatorFor(checker: Checker, reference: Reference): ValidateFunction {
  const validate = checker.ajv.getSchema(`openapi${reference.$ref}`);
  if (!validate) throw new Error(`The document has no ${reference.$ref}`);
  return validate;
}

export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

/** What is wrong with an answer by the document, or undefined when it is as declared. */
export function contractProblem(doc: OpenApiDocument, answer: Answer): string | undefined {
  const checker = checkerOf(doc);
  const path = new URL(answer.url, "http://localhost").pathname;
  const route = checker.routes.find((candidate) => candidate.pattern.test(path));
  const operation = route && doc.paths[route.template]?.[answer.method.toLowerCase()];
  const where = `${answer.method} ${route?.template ?? path} answered ${answer.status}`;
  let declared: Response | undefined;
  if (operation) {
    const response = operation.responses[String(answer.status)];
    if (!response) return `${where}, a status the document does not list (it lists ${Object.keys(operation.responses).join(", ")})`;
    declared = resolve(doc, response);
  } else if (answer.status < 400) {
    // Preflights are answered by the CORS layer, not an operation.
    return answer.method === "OPTIONS" ? undefined : `${where}, but the document has no such operation`;
  }
  const json = (answer.contentType ?? "").startsWith("application/json");
  const schema = declared ? declared.content?.["application/json"]?.schema : { $ref: "#/components/schemas/Error" };
  if (!schema) return declared?.content && json ? `${where} with JSON, but the document declares ${Object.keys(declared.content).join(", ")}` : undefined;
  if (!json) return `${where} with ${answer.contentType ?? "no content type"}, not JSON`;
  const validate = validatorFor(checker, schema);
  if (validate(answer.body)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath || "/"} ${error.message ?? ""}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""}`,
    );
  return `${where}, a body that does not match ${schema.$ref}: ${errors.join("; ")}`;
}
