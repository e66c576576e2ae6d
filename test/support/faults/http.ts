// What sits in front of the nodes in production: a load balancer that sends
// each request to a node it believes up, and moves on to the next one when a
// connection is refused or reset. It also counts every outcome per purpose,
// so the report can show what clients saw during the faults (500s, 503s,
// timeouts) next to what the engine stored.
import { randomBytes } from "node:crypto";
import type { EngineNode } from "./processes";

export type Outcome<T> = { ok: true; status: number; body: T; node: string } | { ok: false; error: string };

export interface RequestOptions {
  token?: string;
  body?: unknown;
  timeoutMs?: number;
}

interface ErrorBody {
  detail?: { code?: string };
}

// A different client address per request keeps the per-address login limit out of the way (TRUST_PROXY=true on the nodes).
const randomIp = (): string => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

/** Whether a fetch failed before any answer came (refused, reset): another node may take the request. */
function connectionFailure(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (err instanceof Error && err.name === "TimeoutError") return undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class Balancer {
  /** purpose → outcome ("200", "503 SERVICE_UNAVAILABLE", "timeout", "ECONNREFUSED", …) → count. */
  readonly outcomes = new Map<string, Map<string, number>>();
  private turn = 0;

  constructor(private readonly nodes: () => EngineNode[]) {}

  async request<T = unknown>(purpose: string, method: string, path: string, options: RequestOptions = {}): Promise<Outcome<T>> {
    const candidates = this.nodes().filter((node) => node.state === "up");
    if (candidates.length === 0) return this.count(purpose, { ok: false, error: "no node up" });
    this.turn += 1;
    let last = "";
    for (let i = 0; i < candidates.length; i += 1) {
      const node = candidates[(this.turn + i) % candidates.length]!;
      try {
        return this.count(purpose, await this.send<T>(node, method, path, options));
      } catch (err) {
        if (err instanceof Error && err.name === "TimeoutError") return this.count(purpose, { ok: false, error: "timeout" });
        last = connectionFailure(err) ?? "network error";
      }
    }
    return this.count(purpose, { ok: false, error: last });
  }

  /** The outcomes of one purpose, most frequent first, as "200×310, 500 INTERNAL_ERROR×12". */
  summary(purpose: string): string {
    const counts = [...(this.outcomes.get(purpose) ?? new Map<string, number>()).entries()].sort((a, b) => b[1] - a[1]);
    return counts.map(([outcome, n]) => `${outcome}×${n}`).join(", ") || "none";
  }

  private async send<T>(node: EngineNode, method: string, path: string, options: RequestOptions): Promise<Outcome<T>> {
    const headers: Record<string, string> = { "x-forwarded-for": randomIp() };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${node.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: kept as text
    }
    return { ok: true, status: res.status, body: body as T, node: node.name };
  }

  private count<T>(purpose: string, outcome: Outcome<T>): Outcome<T> {
    const key = outcome.ok
      ? [outcome.status, outcome.status >= 400 ? (outcome.body as ErrorBody | null)?.detail?.code : undefined].filter(Boolean).join(" ")
      : outcome.error;
    const counts = this.outcomes.get(purpose) ?? new Map<string, number>();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    this.outcomes.set(purpose, counts);
    return outcome;
  }
}

/** A 2xx answer. */
export const success = (status: number): boolean => status >= 200 && status < 300;

export const explain = <T>(outcome: Outcome<T>): string => (outcome.ok ? `${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}` : outcome.error);
