// The socket side of the response hook: every event a test's socket hears, and
// every acknowledgement it gets, is checked against the AsyncAPI document the
// node serves, so an event the document does not declare, or a payload that
// does not match its schema, fails the test that saw it.
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";

export interface AsyncApiDocument {
  components: { messages: Record<string, { payload: unknown }> };
}

const validators = new WeakMap<AsyncApiDocument, Map<string, ValidateFunction>>();

function validatorOf(doc: AsyncApiDocument, message: string): ValidateFunction | undefined {
  let byName = validators.get(doc);
  if (!byName) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    byName = new Map(Object.entries(doc.components.messages).map(([name, declared]) => [name, ajv.compile(declared.payload as object)]));
    validators.set(doc, byName);
  }
  return byName.get(message);
}

// Socket.IO's own events, not the engine's.
const RESERVED = new Set(["connect", "connect_error", "disconnect"]);

/** What is wrong with an event (or an ack: `<event>_ack`) by the document, or undefined. */
export function socketProblem(doc: AsyncApiDocument, message: string, payload: unknown): string | undefined {
  if (RESERVED.has(message)) return undefined;
  // An acknowledgement of an event the document does not declare can only be a refusal.
  const validate = validatorOf(doc, message) ?? (message.endsWith("_ack") ? validatorOf(doc, "refusal_ack") : undefined);
  if (!validate) return `the socket got "${message}", which the AsyncAPI document does not declare`;
  if (validate(payload)) return undefined;
  const errors = (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (error) =>
        `${error.instancePath || "/"} ${error.message ?? ""}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""}`,
    );
  return `"${message}" does not match its schema: ${errors.join("; ")} — ${JSON.stringify(payload).slice(0, 300)}`;
}
