import { defineNode, type NodeContext } from "../node-type";

type Data = { method: string; url: string; headers?: Record<string, string>; body?: unknown; timeout_ms?: number; save_to: string };

/** Renders templates in strings, deep inside objects and lists. */
function renderDeep(ctx: NodeContext, value: unknown): unknown {
  if (typeof value === "string") return ctx.render(value);
  if (Array.isArray(value)) return value.map((item) => renderDeep(ctx, item));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(ctx, item)]));
  return value;
}

export default defineNode<Data>({
  type: "http_request",
  category: "people",
  description:
    "Calls an HTTP API; stores {status, body} in vars.<save_to>. Leaves by success (2xx) or error. Private addresses are refused unless FLOW_HTTP_ALLOW_HOSTS lists them.",
  fields: {
    method: { type: "enum", values: ["GET", "POST", "PUT", "PATCH", "DELETE"], required: true },
    url: { type: "url", required: true, template: true },
    headers: { type: "object" },
    body: { type: "any" },
    timeout_ms: { type: "number", integer: true, min: 100, max: 10_000 },
    save_to: { type: "string", required: true, pattern: /^[A-Za-z_]\w{0,63}$/ },
  },
  handles: () => ["success", "error"],
  async run(ctx, data) {
    try {
      const headers = Object.fromEntries(Object.entries(data.headers ?? {}).map(([name, value]) => [name, ctx.render(String(value))]));
      const result = await ctx.effects.http({
        method: data.method,
        url: ctx.render(data.url),
        headers,
        body: renderDeep(ctx, data.body),
        timeoutMs: data.timeout_ms ?? 10_000,
      });
      ctx.vars[data.save_to] = result;
      return { handle: result.status >= 200 && result.status < 300 ? "success" : "error" };
    } catch (err) {
      ctx.vars[data.save_to] = { status: null, error: err instanceof Error ? err.message : String(err) };
      return { handle: "error" };
    }
  },
});
