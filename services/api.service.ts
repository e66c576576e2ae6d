// The gateway: REST under /api (moleculer-web) and Socket.IO (moleculer-io)
// on one port. It authenticates every request, enforces each action's declared
// permissions, and renders every error as {"detail": {"code", "message", "field"}}.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context, type ServiceSchema, type ServiceSettingSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import SocketIOMixin from "moleculer-io";
import type { Caller } from "../lib/auth/caller";
import { checkAccess, type Access } from "../lib/auth/permissions";
import type { RequestMeta } from "../lib/auth/request-meta";
import { config } from "../lib/config";
import { toErrorResponse } from "../lib/http/error-response";
import { answerClientErrors } from "../lib/http/client-errors";
import { findInputProblem } from "../lib/http/input-guard";
import { consoleDirectory, serveConsole } from "../lib/http/console";
import { asyncApiDocument } from "../lib/contract/asyncapi";
import { openApiDocument, type RestRoute } from "../lib/http/openapi";
import { VERSION } from "../lib/version";
import { createRedis } from "../lib/redis";
import { logContext } from "../lib/log-format";
import { metricsOn } from "../lib/metrics";
import { RealtimeFanoutMixin } from "../mixins/realtime-fanout.mixin";
import { SocketGatewayMixin, type SocketGateway } from "../mixins/socket-gateway.mixin";
import { AppError, ServiceUnavailable, ValidationFailed } from "../lib/errors";
import { chooseLanguage, type Language } from "../lib/i18n/language";
import { inWords, msg } from "../lib/i18n/message";

interface GatewayRequest extends IncomingMessage {
  $ctx?: Context<unknown, RequestMeta>;
  $action?: { permissions?: Access };
  /** The alias that matched: its path template labels the request in metrics. */
  $alias?: { fullPath: string };
  $startTime?: [number, number];
  originalUrl?: string;
}

type Next = (err?: unknown) => void;

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** Bodies, when sent, must be JSON: anything else is refused before it reaches an action. */
function requireJson(req: IncomingMessage, _res: ServerResponse, next: Next): void {
  const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  const type = req.headers["content-type"] ?? "";
  if (BODY_METHODS.has(req.method ?? "") && hasBody && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    next(new AppError(415, "UNSUPPORTED_MEDIA_TYPE", msg("gateway.notJson")));
    return;
  }
  next();
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** JSON must not start with a byte order mark (RFC 8259); the parser would drop it silently. */
function refuseByteOrderMark(_req: IncomingMessage, _res: ServerResponse, raw: Buffer): void {
  if (raw.subarray(0, 3).equals(BOM)) throw Object.assign(new Error("The request body starts with a byte order mark"), { type: "entity.bom" });
}

/** Bodies are JSON objects, and no body or query holds what `findInputProblem` refuses. */
function checkInput(req: IncomingMessage & { body?: unknown; query?: unknown }, _res: ServerResponse, next: Next): void {
  const { body } = req;
  // An array or a bare value would be merged into the parameters as if it were `{}`.
  if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
    next(new AppError(400, "BODY_NOT_OBJECT", msg("gateway.bodyNotObject")));
    return;
  }
  const problem = findInputProblem(body, "body") ?? findInputProblem(req.query, "query");
  if (problem) next(new ValidationFailed(problem.field, problem.message));
  else next();
}

// Always answered, even while the node starts or stops: they say how it is.
const PROBES = new Set(["/health", "/ready"]);

/**
 * While this node starts or stops, every route but the probes answers 503
 * NOT_READY: never a 404 for a route whose service has not registered it yet,
 * nor a half-served request from a node on its way out.
 */
function refuseUntilServing(this: ApiService, req: IncomingMessage, _res: ServerResponse, next: Next): void {
  if (this.serving() || PROBES.has((req.url ?? "").split("?")[0] ?? "")) return next();
  next(asGatewayError(new AppError(503, "NOT_READY", msg("gateway.notReady"), { retryAfterSeconds: 1 })));
}

/** moleculer-web keeps an error's data (the field, the message's key) only from its own error class. */
function asGatewayError(err: unknown): unknown {
  return err instanceof AppError ? new Errors.MoleculerClientError(err.message, err.code, err.type, err.data) : err;
}

/**
 * A middleware that throws hands the error on instead of letting it escape into
 * the event loop (where it would end the process), as moleculer-web's own error class.
 */
function guarded(middleware: (req: IncomingMessage, res: ServerResponse, next: Next) => void) {
  return (req: IncomingMessage, res: ServerResponse, next: Next): void => {
    const pass: Next = (err) => next(asGatewayError(err));
    try {
      middleware(req, res, pass);
    } catch (err) {
      pass(err);
    }
  };
}

const PLAIN_REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * Before each request is routed: a client's request id is kept only when short
 * and plain (it is written into log lines), and no answer may be sniffed as
 * another content type.
 */
function prepareRequest(options: { requestID?: unknown }, _req: IncomingMessage, res: ServerResponse): void {
  if (typeof options.requestID !== "string" || !PLAIN_REQUEST_ID.test(options.requestID)) delete options.requestID;
  res.setHeader("X-Content-Type-Options", "nosniff");
}

function clientIp(req: IncomingMessage): string | undefined {
  if (config().trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? undefined;
}

/** The language the client reads (Accept-Language), else the installation's. */
function languageOf(req: IncomingMessage): Language {
  return chooseLanguage(req.headers["accept-language"], config().defaultLanguage);
}

/** Adds to a Vary header another part of the request the answer depends on (CORS may have set Origin). */
function varyOn(res: ServerResponse, header: string): void {
  const current = res.getHeader("Vary");
  const names = (Array.isArray(current) ? current.join(",") : String(current ?? ""))
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (!names.some((name) => name.toLowerCase() === header.toLowerCase() || name === "*")) res.setHeader("Vary", [...names, header].join(", "));
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? header.trim();
}

interface ApiService extends SocketGateway {
  restRoutes(): RestRoute[];
  serving(): boolean;
  redisProbe?: ReturnType<typeof createRedis>;
  /** Where the web console's build is (web/dist). */
  consoleRoot: string;
  /** moleculer-web's route table. */
  aliases: Array<{ action?: string; method: string; fullPath: string }>;
  /** moleculer-web's own: the error answer through onError, and its request log line. */
  sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void;
  logResponse(req: IncomingMessage, res: ServerResponse): void;
}

const settings = config();

const ApiServiceSchema: ServiceSchema<ServiceSettingSchema, ApiService> = {
  name: "api",
  // The first mixin wins on settings and starts last (after the Socket.IO server exists).
  // moleculer's typings cannot express mixins whose `this` is a richer service type.
  mixins: [SocketGatewayMixin, RealtimeFanoutMixin, ApiGateway, SocketIOMixin] as unknown as Partial<ServiceSchema>[],

  settings: {
    port: settings.port,
    ip: settings.host,
    path: "/api",
    cors: settings.corsOrigins.length
      ? {
          origin: settings.corsOrigins.includes("*") ? "*" : settings.corsOrigins,
          methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
          credentials: !settings.corsOrigins.includes("*"),
          maxAge: 3600,
        }
      : undefined,
    // Our own request log line (with request id and user) replaces the default two.
    rootCallOptions: prepareRequest,
    logRequest: null,
    logResponse: null,
    logRequestParams: null,
    logResponseData: null,
    log4XXResponses: false,
    routes: [
      {
        path: "",
        authentication: true,
        authorization: true,
        autoAliases: true,
        mappingPolicy: "restrict",
        aliases: {
          "GET /health": "api.health",
          "GET /ready": "api.ready",
          "GET /openapi.json": "api.openapi",
          "GET /asyncapi.json": "api.asyncapi",
        },
        bodyParsers: { json: { strict: true, limit: settings.bodyLimit, verify: refuseByteOrderMark }, urlencoded: false },
        use: [refuseUntilServing, guarded(requireJson), guarded(checkInput)],
        onBeforeCall(ctx: Context<unknown, RequestMeta>, _route: unknown, req: IncomingMessage) {
          ctx.meta.clientIp = clientIp(req);
          ctx.meta.language = languageOf(req);
          const agent = req.headers["user-agent"];
          if (agent) ctx.meta.userAgent = agent;
        },
      },
    ],

    onError(this: ApiService, req: GatewayRequest, res: ServerResponse, err: unknown) {
      const response = toErrorResponse(err, languageOf(req));
      if (response.internal)
        this.logger.error("Request failed", err, logContext({ request: req.$ctx?.requestID ?? undefined, user: req.$ctx?.meta.caller?.id }));
      if (res.headersSent) return;
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      varyOn(res, "Accept-Language");
      res.writeHead(response.status);
      res.end(JSON.stringify(response.body));
      this.logResponse(req, res);
    },
  },

  actions: {
    // moleculer-web's route listing would expose the whole API map to anyone.
    listAliases: false,

    health: {
      summary: "Whether this node is up",
      response: { body: "Health" },
      permissions: "public",
      handler() {
        return { status: "ok" };
      },
    },

    /** The OpenAPI 3.1 description of the routes this gateway serves. */
    openapi: {
      summary: "This document",
      response: { body: "OpenApiDocument" },
      permissions: "public",
      handler(this: ApiService) {
        return openApiDocument(this.restRoutes(), VERSION);
      },
    },

    /** The AsyncAPI 3.0 description of the Socket.IO events. */
    asyncapi: {
      summary: "The realtime events (AsyncAPI 3.0)",
      response: { body: "AsyncApiDocument" },
      permissions: "public",
      handler() {
        return asyncApiDocument(VERSION);
      },
    },

    ready: {
      summary: "Whether this node serves requests (every local service started, database and Redis reachable)",
      response: { body: "Ready" },
      permissions: "public",
      async handler(this: ApiService, ctx: Context<unknown, RequestMeta>) {
        const checks: Record<string, "ok" | "failing"> = {};
        checks.routes = this.serving() ? "ok" : "failing";
        checks.database = await ctx.call("db.health").then(
          () => "ok" as const,
          () => "failing" as const,
        );
        if (this.redisProbe)
          checks.redis = await this.redisProbe.ping().then(
            () => "ok" as const,
            () => "failing" as const,
          );
        if (Object.values(checks).includes("failing")) {
          const failing = Object.keys(checks).filter((name) => checks[name] === "failing");
          throw new ServiceUnavailable(msg("gateway.notReadyChecks", { failing }));
        }
        return { status: "ready", checks };
      },
    },
  },

  methods: {
    /**
     * Whether this node serves requests: every local service has started, it is not stopping, and
     * the routes are built (from the registry, a moment after the services appear).
     */
    serving(this: ApiService): boolean {
      return this.broker.started && this.aliases.some((alias) => alias.action === "auth.login");
    },

    /** The routes being served, each with its action's declared parameters and permissions. */
    restRoutes(this: ApiService): RestRoute[] {
      type Declared = Omit<RestRoute, "method" | "path" | "action">;
      const actions = new Map<string, Declared>();
      for (const { name, action } of this.broker.registry.getActionList({ skipInternal: true, withEndpoints: false }) as Array<{
        name: string;
        action?: Declared;
      }>) {
        if (action) actions.set(name, action);
      }
      return this.aliases
        .filter((alias) => alias.action && alias.method !== "*")
        .map((alias) => ({ method: alias.method, path: alias.fullPath, action: alias.action!, ...actions.get(alias.action!) }));
    },

    /** Resolves the bearer token to a caller. A bad token is ignored on public routes. */
    async authenticate(this: ApiService, ctx: Context<unknown, RequestMeta>, _route: unknown, req: GatewayRequest) {
      const token = bearerToken(req);
      if (!token) return null;
      try {
        ctx.meta.caller = await ctx.call<Caller, { token: string }>("auth.authenticate", { token });
      } catch (err) {
        if (req.$action?.permissions !== "public") throw err;
      }
      return null;
    },

    /** Enforces the action's declared permissions, before its parameters are even validated. */
    authorize(this: ApiService, ctx: Context<unknown, RequestMeta>, _route: unknown, req: GatewayRequest) {
      const access = req.$action?.permissions;
      // The permissions middleware guarantees every routed action declares access; refuse if one slips through.
      checkAccess(access ?? ["admin"], ctx.meta.caller);
    },

    // moleculer-web logs, as ERROR with a stack, any failure whose code is not a number (a zlib error on a
    // bad gzip body, say). onError decides instead: client mistakes are one info line, our faults an error.
    errorHandler(this: ApiService, req: GatewayRequest, res: ServerResponse, err: unknown) {
      this.sendError(req, res, err);
    },

    logRequest() {
      // One line per request is written when the response goes out (logResponse).
    },

    // moleculer-web's hook for a request no route took (anything outside /api): the web console
    // (lib/http/console.ts), and the API's 404 for what the console does not have either.
    send404(this: ApiService, req: GatewayRequest, res: ServerResponse) {
      const language = languageOf(req);
      serveConsole(req, res, {
        root: this.consoleRoot,
        apiPath: String(this.settings.path),
        language,
        notBuilt: inWords(msg("gateway.consoleNotBuilt"), language),
      })
        .then((served) => {
          if (!served) this.sendError(req, res, new AppError(404, "NOT_FOUND", msg("gateway.notFound")));
        })
        .catch((err: unknown) => this.sendError(req, res, err));
    },

    logResponse(this: ApiService, req: GatewayRequest, res: ServerResponse) {
      const started = req.$startTime;
      const ms = started ? Number(process.hrtime.bigint() - BigInt(started[0]) * 1_000_000_000n - BigInt(started[1])) / 1e6 : undefined;
      const ctx = req.$ctx;
      const line = `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}${ms !== undefined ? ` ${ms.toFixed(1)}ms` : ""}`;
      const context = logContext({ request: ctx?.requestID ?? undefined, user: ctx?.meta.caller?.id });
      // A 503 is an answer we chose (the database or a service is away, reported once where it is noticed).
      if (res.statusCode >= 500 && res.statusCode !== 503) this.logger.error(line, context);
      else this.logger.info(line, context);
      const metrics = metricsOn(this.broker.metrics);
      if (!metrics.enabled) return;
      // The route's template, not the path: ids in paths would make a series per conversation.
      const route = req.$alias?.fullPath ?? "unmatched";
      const method = req.method ?? "GET";
      metrics.count("httpRequests", { method, route, status: String(res.statusCode) });
      if (ms !== undefined) metrics.observe("httpDuration", ms / 1000, { method, route });
    },
  },

  created(this: ApiService) {
    this.consoleRoot = consoleDirectory();
    answerClientErrors(this.server, () => config().defaultLanguage);
    if (settings.redisUrl) this.redisProbe = createRedis(settings.redisUrl, "ready-probe", this.logger);
  },

  async stopped(this: ApiService) {
    await this.redisProbe?.quit();
  },
};

export default ApiServiceSchema;
