// One client over Odoo's three external APIs — JSON-RPC (/jsonrpc), XML-RPC
// (/xmlrpc/2/*) and JSON-2 (/json/2/<model>/<method>, Odoo 19+) — so one build
// works with Odoo 16 to 19. It probes the version at connect, maps Odoo's
// errors to what they mean for us, retries only what may succeed next time,
// and stops calling a server that keeps failing (circuit breaker).
import { decodeResponse, encodeCall, XmlRpcFault } from "./xmlrpc";
import type { OdooErrorKind } from "../i18n/catalog/odoo";

export type OdooProtocol = "jsonrpc" | "xmlrpc" | "json2";

export interface OdooConnectionSettings {
  url: string;
  database: string;
  username: string;
  apiKey: string;
  protocol: "auto" | OdooProtocol;
  timeoutMs: number;
}

/** What went wrong, in our terms (docs/odoo.md lists each with what to do). */
export type { OdooErrorKind };

/** What an endpoint that calls Odoo may answer besides its own errors (the codes of services/odoo.service.ts's odooFailure). */
export const ODOO_CALL_ERRORS = {
  409: ["ODOO_NOT_CONFIGURED"],
  502: ["ODOO_UNREACHABLE", "ODOO_TIMEOUT", "ODOO_CREDENTIALS", "ODOO_PERMISSION", "ODOO_DATABASE_NOT_FOUND", "ODOO_NOT_FOUND", "ODOO_PAUSED", "ODOO_ERROR"],
} as const;

const RETRYABLE = new Set<OdooErrorKind>(["unreachable", "timeout"]);

export class OdooError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly kind: OdooErrorKind,
    message: string,
    readonly odooName?: string,
  ) {
    super(message);
    this.name = "OdooError";
    this.retryable = RETRYABLE.has(kind);
  }
}

/** An Odoo exception name (`data.name`) in our terms. */
export function kindOfOdooException(name: string, message = ""): OdooErrorKind {
  if (name.endsWith("AccessDenied")) return "credentials";
  if (name.endsWith("AccessError")) return "permission";
  if (name.endsWith("MissingError")) return "not_found";
  if (name.endsWith("ValidationError") || name.endsWith("UserError") || name === "builtins.ValueError")
    return /doesn't exist/.test(message) ? "not_found" : "bad_data";
  if (/OperationalError/.test(name) && /database .* does not exist/.test(message)) return "database";
  if (name.endsWith("SerializationFailure")) return "unreachable";
  return "upstream";
}

/** XML-RPC fault codes on /xmlrpc/2 (rpc.py): 3 credentials, 4 permission, 2 bad data, 1 anything else. */
function kindOfFault(fault: XmlRpcFault): OdooErrorKind {
  if (fault.faultCode === 3) return "credentials";
  if (fault.faultCode === 4) return "permission";
  if (fault.faultCode === 2) return /doesn't exist|does not exist or has been deleted/.test(fault.faultString) ? "not_found" : "bad_data";
  if (/database .* does not exist/.test(fault.faultString)) return "database";
  if (/ValueError: Invalid field/.test(fault.faultString)) return "bad_data";
  return "upstream";
}

/** The endpoint does not exist on this server (a protocol it does not speak). */
class EndpointMissing extends Error {}

export interface OdooVersionInfo {
  /** "17.0", "saas~17.2", "19.0+e"… */
  serverVersion: string;
  /** The major version as a number when it is one (SaaS builds may say "saas~17"). */
  major: number | null;
}

export interface CircuitBreaker {
  failures: number;
  openUntil: number;
}

const BREAKER_THRESHOLD = 5;
const BREAKER_COOLDOWN_MS = 30_000;
const RETRIES = 2;

export class OdooClient {
  protocol: OdooProtocol | null = null;
  version: OdooVersionInfo | null = null;
  private uid: number | null = null;
  private connecting: Promise<{ protocol: OdooProtocol; version: OdooVersionInfo; uid: number | null }> | undefined;
  private readonly fields = new Map<string, Set<string>>();
  private requestId = 0;

  constructor(
    private readonly settings: OdooConnectionSettings,
    /** Shared between clients of the same settings, so a failing server is left alone. */
    private readonly breaker: CircuitBreaker = { failures: 0, openUntil: 0 },
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  private get base(): string {
    return this.settings.url.replace(/\/+$/, "");
  }

  /** Probes the version, picks the protocol and checks the credentials; concurrent callers share one attempt. */
  connect(): Promise<{ protocol: OdooProtocol; version: OdooVersionInfo; uid: number | null }> {
    this.connecting ??= this.handshake().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  private async handshake(): Promise<{ protocol: OdooProtocol; version: OdooVersionInfo; uid: number | null }> {
    const preferred: OdooProtocol[] = this.settings.protocol !== "auto" ? [this.settings.protocol] : ["json2", "jsonrpc", "xmlrpc"];
    let lastMissing: Error | undefined;
    for (const protocol of preferred) {
      try {
        const version = await this.guarded(() => this.probeVersion(protocol));
        // auto: JSON-2 only on 19+, where the older APIs are deprecated.
        if (this.settings.protocol === "auto" && protocol === "json2" && (version.major ?? 0) < 19) continue;
        const uid = await this.guarded(() => this.authenticate(protocol));
        // Set only once the whole handshake succeeded: calls never go out half-connected.
        Object.assign(this, { protocol, version, uid });
        return { protocol, version, uid };
      } catch (err) {
        if (!(err instanceof EndpointMissing)) throw err;
        lastMissing = err;
      }
    }
    throw new OdooError("unreachable", `No Odoo API answered at ${this.base} (${lastMissing?.message ?? "tried " + preferred.join(", ")}); check the URL`);
  }

  /** Calls `model.method` with Odoo's positional arguments and keyword arguments. */
  async call<T = unknown>(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<T> {
    await this.connect();
    return this.guarded(async () => {
      if (this.protocol === "json2") return (await this.json2(model, method, toNamed(method, args, kwargs))) as T;
      const params = [this.settings.database, this.uid, this.settings.apiKey, model, method, args, kwargs];
      return (this.protocol === "xmlrpc" ? await this.xmlrpc("object", "execute_kw", params) : await this.jsonrpc("object", "execute_kw", params)) as T;
    });
  }

  /** Which of these fields the model has (fields_get omits unknown names): one probe per model. */
  async hasFields(model: string, names: string[]): Promise<Set<string>> {
    let known = this.fields.get(model);
    const missing = names.filter((name) => !known?.has(name) && !known?.has(`!${name}`));
    if (missing.length) {
      const found = await this.call<Record<string, unknown>>(model, "fields_get", [], { allfields: missing, attributes: ["type"] });
      known = new Set([...(known ?? []), ...missing.map((name) => (name in found ? name : `!${name}`))]);
      this.fields.set(model, known);
    }
    return new Set(names.filter((name) => known!.has(name)));
  }

  /** Runs a request with retries for what may pass next time, behind the circuit breaker. */
  private async guarded<T>(request: () => Promise<T>): Promise<T> {
    if (Date.now() < this.breaker.openUntil) {
      throw new OdooError(
        "circuit_open",
        `Odoo failed ${BREAKER_THRESHOLD} times in a row; calls pause until ${new Date(this.breaker.openUntil).toISOString()}`,
      );
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await request();
        this.breaker.failures = 0;
        return result;
      } catch (err) {
        const retryable = err instanceof OdooError && err.retryable;
        if (retryable) {
          this.breaker.failures += 1;
          if (this.breaker.failures >= BREAKER_THRESHOLD) this.breaker.openUntil = Date.now() + BREAKER_COOLDOWN_MS;
        }
        if (!retryable || attempt >= RETRIES || Date.now() < this.breaker.openUntil) throw err;
        await this.sleep(200 * 3 ** attempt);
      }
    }
  }

  private async http(path: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
    try {
      const res = await fetch(`${this.base}${path}`, { ...init, signal: AbortSignal.timeout(this.settings.timeoutMs), redirect: "follow" });
      if (res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504) {
        throw new OdooError("unreachable", `Odoo answered HTTP ${res.status} (busy or behind a failing proxy)`);
      }
      return res;
    } catch (err) {
      if (err instanceof OdooError) throw err;
      const name = (err as { name?: string }).name;
      if (name === "TimeoutError" || name === "AbortError") throw new OdooError("timeout", `Odoo did not answer within ${this.settings.timeoutMs} ms`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new OdooError("unreachable", `Cannot reach Odoo at ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  }

  private async jsonrpc(service: string, method: string, args: unknown[]): Promise<unknown> {
    this.requestId += 1;
    const res = await this.http("/jsonrpc", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", method: "call", params: { service, method, args }, id: this.requestId }),
    });
    if (res.status === 404) throw new EndpointMissing("/jsonrpc is not served");
    const text = await res.text();
    let body: { result?: unknown; error?: { message?: string; data?: { name?: string; message?: string } } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new OdooError("upstream", `Odoo's /jsonrpc answered HTTP ${res.status} with something that is not JSON`);
    }
    // Errors come with HTTP 200: the envelope decides. Match on data.name, never on code.
    if (body.error) {
      const name = body.error.data?.name ?? "";
      const message = body.error.data?.message ?? body.error.message ?? "Odoo error";
      throw new OdooError(kindOfOdooException(name, message), message, name);
    }
    // A method returning None leaves neither result nor error (16–18).
    return body.result ?? null;
  }

  private async xmlrpc(service: "common" | "object", method: string, params: unknown[]): Promise<unknown> {
    const res = await this.http(`/xmlrpc/2/${service}`, { method: "POST", headers: { "content-type": "text/xml" }, body: encodeCall(method, params) });
    if (res.status === 404) throw new EndpointMissing(`/xmlrpc/2/${service} is not served`);
    const text = await res.text();
    try {
      return decodeResponse(text);
    } catch (err) {
      if (err instanceof XmlRpcFault) {
        const kind = kindOfFault(err);
        // Fault 1 carries a whole traceback: keep its last line.
        const message = kind === "upstream" ? (err.faultString.trim().split("\n").at(-1) ?? err.faultString) : err.faultString;
        throw new OdooError(kind, message);
      }
      throw new OdooError("upstream", `Odoo's XML-RPC answer could not be read: ${(err as Error).message}`);
    }
  }

  private async json2(model: string, method: string, body: Record<string, unknown>): Promise<unknown> {
    const res = await this.http(`/json/2/${model}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `bearer ${this.settings.apiKey}`, "x-odoo-database": this.settings.database },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      if (res.status === 404) throw new EndpointMissing("/json/2 is not served");
      throw new OdooError("upstream", `Odoo's JSON-2 answered HTTP ${res.status} with something that is not JSON`);
    }
    if (res.ok) return parsed;
    const error = (parsed ?? {}) as { name?: string; message?: string };
    const name = error.name ?? "";
    const message = error.message ?? `HTTP ${res.status}`;
    if (res.status === 401) throw new OdooError("credentials", message, name);
    if (res.status === 404 && /database/i.test(message)) throw new OdooError("database", message, name);
    if (res.status === 404 && !name.startsWith("odoo.")) throw new OdooError("not_found", message, name);
    if (res.status === 403) throw new OdooError(name.endsWith("AccessDenied") ? "credentials" : "permission", message, name);
    if (res.status === 422) throw new OdooError("bad_data", message, name);
    throw new OdooError(kindOfOdooException(name, message), message, name);
  }

  private async probeVersion(protocol: OdooProtocol): Promise<OdooVersionInfo> {
    if (protocol === "json2") {
      const res = await this.http("/web/version", { method: "GET", headers: {} });
      if (res.status === 404) throw new EndpointMissing("/web/version is not served");
      const body = (await res.json().catch(() => ({}))) as { version?: string; version_info?: unknown[] };
      return versionInfo(body.version ?? "", body.version_info?.[0]);
    }
    const info = (protocol === "xmlrpc" ? await this.xmlrpc("common", "version", []) : await this.jsonrpc("common", "version", [])) as {
      server_version?: string;
      server_version_info?: unknown[];
    };
    return versionInfo(info.server_version ?? "", info.server_version_info?.[0]);
  }

  private async authenticate(protocol: OdooProtocol): Promise<number | null> {
    if (protocol === "json2") {
      // The key is the credential; any model call checks it.
      await this.json2("res.users", "context_get", {});
      return null;
    }
    const args = [this.settings.database, this.settings.username, this.settings.apiKey, {}];
    const uid = protocol === "xmlrpc" ? await this.xmlrpc("common", "authenticate", args) : await this.jsonrpc("common", "authenticate", args);
    // false: a wrong login or key, or the login cooldown after repeated failures.
    if (typeof uid !== "number" || uid <= 0)
      throw new OdooError("credentials", "Odoo refused the username or API key (or is pausing logins after too many failures)");
    return uid;
  }
}

function versionInfo(serverVersion: string, first: unknown): OdooVersionInfo {
  const major = typeof first === "number" ? first : Number.parseInt(/(\d+)/.exec(typeof first === "string" ? first : serverVersion)?.[1] ?? "", 10);
  return { serverVersion, major: Number.isFinite(major) ? major : null };
}

/** JSON-2 has no positional arguments: each method's become named ones. */
function toNamed(method: string, args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  switch (method) {
    case "search":
    case "search_read":
    case "search_count":
      return { domain: args[0] ?? [], ...kwargs };
    case "read":
      return { ids: args[0], ...kwargs };
    case "create":
      return { vals_list: Array.isArray(args[0]) ? args[0] : [args[0]], ...kwargs };
    case "write":
      return { ids: args[0], vals: args[1], ...kwargs };
    case "name_search":
      return { name: args[0] ?? "", ...(args[1] ? { domain: args[1] } : {}), ...kwargs };
    default:
      return kwargs;
  }
}
