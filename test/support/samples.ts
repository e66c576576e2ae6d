// A value a rule of the OpenAPI document accepts: for tests that send every
// field valid but the one under test.
export type JsonSchema = {
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  pattern?: string;
};

export interface SampleOptions {
  /** Values by field name, for rules a generic value does not meet (a phone number, a shortcut). */
  named: Record<string, unknown>;
  email?: string;
  uri?: string;
}

export function sampleOf(name: string, rule: JsonSchema, options: SampleOptions): unknown {
  if (name in options.named) return options.named[name];
  if (rule.oneOf) return sampleOf(name, rule.oneOf[0]!, options);
  if (rule.enum) return rule.enum[0];
  switch (rule.format) {
    case "uuid":
      return "00000000-0000-4000-8000-000000000000";
    case "email":
      return options.email ?? "muestra@example.com";
    case "uri":
      return options.uri ?? "https://example.com/";
  }
  switch (rule.type) {
    case "string":
      return "x".repeat(Math.max(rule.minLength ?? 1, 1));
    case "integer":
    case "number":
      return rule.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return Array.from({ length: rule.minItems ?? 0 }, () => sampleOf("", rule.items ?? { type: "string" }, options));
    default:
      return {};
  }
}
