// One real broker per test file: its own database, its own Redis key prefix,
// the gateway on a random port. Tests speak HTTP and Socket.IO to it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import type { AddressInfo } from "node:net";
import path from "node:path";
import jwt from "jsonwebtoken";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import type { Server } from "node:http";
import { io as connectSocket, type Socket } from "socket.io-client";
import { reloadConfig } from "../../lib/config";
import { brokerOptions } from "../../moleculer.config";
import { testDatabase, type TestDatabase } from "./database";
import { clearRedisPrefix, REDIS_URL } from "./redis";
import { typedApi, type TypedApi } from "./api-client";
import { contractProblem, type OpenApiDocument } from "./contract";
import { socketProblem, type AsyncApiDocument } from "./socket-contract";

export { REDIS_URL };
export const ADMIN = { email: "admin@test.local", password: "admin-password-1" };
const SERVICES_DIR = path.join(__dirname, "..", "..", "services");

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface Client {
  token: string;
  refreshToken: string;
  user: { id: string; email: string; name: string; role: string };
  /** The API through the OpenAPI document's types, with this client's token. */
  api: TypedApi;
  get<T = any>(url: string): Promise<HttpResult<T>>;
  post<T = any>(url: string, body?: unknown): Promise<HttpResult<T>>;
  put<T = any>(url: string, body?: unknown): Promise<HttpResult<T>>;
  delete<T = any>(url: string): Promise<HttpResult<T>>;
}

export interface HarnessOptions {
  /** Extra environment for this file's broker (limits, grace periods, …). */
  env?: Record<string, string>;
  /** Join the brokers over the Redis transporter, in a namespace of this file's own. */
  cluster?: boolean;
}

export interface Node {
  broker: ServiceBroker;
  /** Where its gateway listens; empty for a node without the api service. */
  baseUrl: string;
}

// A different client address per login keeps the per-address login limit out of unrelated tests.
const randomIp = () => `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;

export function harness(options: HarnessOptions = {}) {
  const database: TestDatabase = testDatabase();
  const redisPrefix = `charla-test:${database.name}:`;
  const dataDir = path.join(os.tmpdir(), `charla-test-${database.name}`);
  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisPrefix,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    JWT_SECRET: "test-secret-test-secret-test-secret",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TRUST_PROXY: "true",
    PRESENCE_GRACE_SECONDS: "0",
    // Tests never reach for WhatsApp itself.
    WHATSAPP_PROVIDER: "simulator",
    // Tests read messages in English unless they ask for Spanish (Accept-Language) or set the default.
    DEFAULT_LANGUAGE: "en",
    NAMESPACE: database.name,
    ...options.env,
  });
  if (options.cluster) process.env.TRANSPORTER = REDIS_URL;
  else delete process.env.TRANSPORTER;

  let broker: ServiceBroker;
  let baseUrl = "";
  const nodes: ServiceBroker[] = [];
  const sockets: Socket[] = [];
  let counter = 0;
  const documents = new Map<string, OpenApiDocument>();
  const asyncDocuments = new Map<string, AsyncApiDocument>();
  const socketProblems: string[] = [];

  /** The AsyncAPI document a node serves: what every socket event is checked against. */
  async function asyncDocumentOf(base: string): Promise<AsyncApiDocument | undefined> {
    if (!asyncDocuments.has(base)) {
      const served = await fetch(`${base}/api/asyncapi.json`).catch(() => undefined);
      if (served?.status === 200) asyncDocuments.set(base, (await served.json()) as AsyncApiDocument);
    }
    return asyncDocuments.get(base);
  }

  /** The OpenAPI document a node serves, once it serves it: what every answer is checked against. */
  async function documentOf(base: string): Promise<OpenApiDocument | undefined> {
    if (!documents.has(base)) {
      const served = await fetch(`${base}/api/openapi.json`).catch(() => undefined);
      if (served?.status === 200) documents.set(base, (await served.json()) as OpenApiDocument);
    }
    return documents.get(base);
  }

  /** Starts a broker with the named services (all by default) and waits until its gateway routes requests. */
  async function startNode(name: string, services?: string[]): Promise<Node> {
    const node = new ServiceBroker({ ...brokerOptions(), nodeID: `${database.name}-${name}` });
    for (const file of fs.readdirSync(SERVICES_DIR).filter((entry) => entry.endsWith(".service.ts"))) {
      if (services && !services.includes(file.replace(".service.ts", ""))) continue;
      node.createService((require(path.join(SERVICES_DIR, file)) as { default: ServiceSchema }).default);
    }
    nodes.push(node);
    await node.start();
    const api = node.getLocalService("api") as unknown as { server: Server } | undefined;
    if (!api) return { broker: node, baseUrl: "" };
    const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    // The gateway builds its routes from the service registry shortly after start.
    await eventually(async () => (await h.request("GET", `${url}/api/auth/me`)).status === 401);
    return { broker: node, baseUrl: url };
  }

  const h = {
    database,
    redisPrefix,
    get broker() {
      return broker;
    },
    get baseUrl() {
      return baseUrl;
    },

    async request<T = any>(method: string, url: string, opts: RequestOptions = {}): Promise<HttpResult<T>> {
      const headers: Record<string, string> = { "x-forwarded-for": randomIp(), ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await fetch(url.startsWith("http") ? url : baseUrl + url, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: tests see the raw text
      }
      const result = { status: res.status, body: parsed as T, headers: res.headers };
      const base = url.startsWith("http") ? new URL(url).origin : baseUrl;
      const doc = await documentOf(base);
      const problem = doc && contractProblem(doc, { method, url, status: res.status, contentType: res.headers.get("content-type"), body: parsed });
      if (problem) throw new Error(`Contract: ${problem}`);
      return result;
    },

    /** The API through the OpenAPI document's types, without a token. */
    get api(): TypedApi {
      return typedApi((method, url, opts) => h.request(method, url, opts));
    },

    async login(email: string, password: string): Promise<Client> {
      const res = await h.api.post("/api/auth/login", { body: { email, password } });
      if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return h.client(res.body.access_token, res.body.refresh_token, res.body.user);
    },

    client(token: string, refreshToken: string, user: Client["user"]): Client {
      const call = <T>(method: string, url: string, body?: unknown) => h.request<T>(method, url, { token, body });
      return {
        token,
        refreshToken,
        user,
        api: typedApi((method, url, opts) => h.request(method, url, opts), token),
        get: (url) => call("GET", url),
        post: (url, body) => call("POST", url, body ?? {}),
        put: (url, body) => call("PUT", url, body ?? {}),
        delete: (url) => call("DELETE", url),
      };
    },

    admin(): Promise<Client> {
      return h.login(ADMIN.email, ADMIN.password);
    },

    /** Creates a fresh user of the role (through the API, as the admin) and logs in as them. */
    async as(role: "admin" | "supervisor" | "agent", name?: string): Promise<Client> {
      const admin = await h.admin();
      counter += 1;
      const email = `${role}${counter}-${randomBytes(3).toString("hex")}@test.local`;
      const password = "password-123";
      const res = await admin.api.post("/api/users", { body: { email, password, name: name ?? `${role} ${counter}`, role } });
      if (res.status !== 201) throw new Error(`creating ${role} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return h.login(email, password);
    },

    /** Starts another node of the cluster (a gateway-only one with `["api"]`). */
    startNode,

    /**
     * Opens a Socket.IO connection; resolves once connected, rejects with the server's refusal. Every event
     * it hears and every acknowledgement it gets is checked against the node's AsyncAPI document.
     */
    async socket(auth: Record<string, unknown>, url = baseUrl, headers?: Record<string, string>): Promise<Socket> {
      const doc = await asyncDocumentOf(url);
      const socket = connectSocket(url, { auth, transports: ["websocket"], reconnection: false, forceNew: true, extraHeaders: headers });
      sockets.push(socket);
      const check = (message: string, payload: unknown) => {
        const problem = doc && socketProblem(doc, message, payload);
        if (problem) socketProblems.push(problem);
      };
      socket.onAny((event: string, payload: unknown) => check(event, payload));
      const emit = socket.emit.bind(socket);
      socket.emit = ((event: string, ...args: unknown[]) => {
        const ack = args[args.length - 1];
        // With socket.timeout(), the acknowledgement comes second, after the timeout's error (null when in time).
        if (typeof ack === "function") {
          args[args.length - 1] = (...answer: unknown[]) => {
            const response = answer.length > 1 ? answer[1] : answer[0];
            if (!(response instanceof Error)) check(`${event}_ack`, response);
            return (ack as (...values: unknown[]) => unknown)(...answer);
          };
        }
        return emit(event, ...args);
      }) as typeof socket.emit;
      return new Promise((resolve, reject) => {
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", (err) => reject(err));
      });
    },
  };

  // A socket event off the contract fails the test during which it arrived.
  afterEach(() => {
    const found = socketProblems.splice(0);
    if (found.length) throw new Error(`Contract: ${found.join("\n")}`);
  });

  beforeAll(async () => {
    await database.create();
    // This file's environment is in place now; services read it when they are loaded below.
    reloadConfig();
    ({ broker, baseUrl } = await startNode("main"));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    // Extra nodes first: the main node holds the database service.
    for (const node of nodes.reverse()) await node.stop();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await clearRedisPrefix(redisPrefix);
  });

  return h;
}

/** The same access token, expiring `seconds` from now (negative: already expired). */
export function tokenExpiringIn(token: string, seconds: number): string {
  const claims = jwt.decode(token) as { sub: string; sid: string };
  return jwt.sign({ sid: claims.sid, exp: Math.floor(Date.now() / 1000) + seconds }, process.env.JWT_SECRET ?? "", {
    subject: claims.sub,
    issuer: "charla",
  });
}

/** The same access token, already expired: for the 401 TOKEN_EXPIRED paths. */
export const expiredCopyOf = (token: string): string => tokenExpiringIn(token, -10);

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Waits until `check` returns a truthy value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
