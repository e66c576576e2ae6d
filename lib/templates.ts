// {{placeholders}} in texts written by people (quick replies, flow messages).
// Rendered by looking values up, never by running code, and without HTML
// escaping (WhatsApp shows plain text). A missing value renders as "".

export interface TemplateContext {
  contact?: { name?: string | null; phone_number?: string | null; email?: string | null; company?: string | null; metadata?: Record<string, unknown> };
  vars?: Record<string, unknown>;
  message?: { text?: string | null };
  conversation?: { id?: string };
  agent?: { name?: string | null };
  queue?: { name?: string | null };
  now?: Date;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w]*(?:\.[\w-]+)*)\s*\}\}/g;

function show(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function lookup(context: TemplateContext, path: string[]): unknown {
  if (path.length === 1 && path[0] === "now") return (context.now ?? new Date()).toISOString();
  let value: unknown = context;
  for (const key of path) {
    // Own properties only: "{{contact.constructor}}" must not reach into prototypes.
    if (value === null || typeof value !== "object" || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function renderTemplate(template: string, context: TemplateContext): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => show(lookup(context, path.split("."))));
}
