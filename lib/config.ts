// Every setting Charla reads from the environment, validated once at start.
// A bad value stops the process with a message naming the variable.
import path from "node:path";
import { isLanguage, LANGUAGES, type Language } from "./i18n/language";

// The example value older guides showed: public, so never accepted as a secret.
const PUBLIC_EXAMPLE_SECRET = "change-me-in-production";
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  nodeEnv: string;
  production: boolean;
  port: number;
  host: string;
  nodeId: string | undefined;
  namespace: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  databaseSendPoolMax: number;
  dataDir: string;
  /** Unset: 54329, or any free port when that one is taken. */
  embeddedPostgresPort: number | undefined;
  transporter: string | undefined;
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  /** Signs access tokens; unset: generated once and kept in the database (lib/secrets.ts). */
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  adminName: string;
  logLevel: LogLevel;
  /** json: one JSON object per line (for log collectors); text: readable lines. */
  logFormat: "json" | "text";
  /** Port of this node's Prometheus metrics (path /metrics); unset: metrics off. */
  metricsPort: number | undefined;
  /** The language of error messages for clients whose Accept-Language names none of ours. */
  defaultLanguage: Language;
  corsOrigins: string[];
  bodyLimit: string;
  trustProxy: boolean;
  loginMaxPerAccount: number;
  loginAccountWindowSeconds: number;
  loginMaxPerIp: number;
  loginIpWindowSeconds: number;
  presenceGraceSeconds: number;
  whatsappProvider: "baileys" | "simulator";
  whatsappLeaseTtlMs: number;
  whatsappMaxQrCodes: number;
  whatsappMaxReconnectAttempts: number;
  whatsappReconnectBaseMs: number;
  whatsappReconnectMaxMs: number;
  whatsappSendIntervalMs: number;
  simulatorEnabled: boolean;
  simulatorQrIntervalMs: number;
  defaultPhoneRegion: string;
  conversationReopenWindowSeconds: number;
  defaultTimezone: string;
  slaWarningSeconds: number;
  agentAwayPolicy: "keep" | "requeue";
  agentAwayGraceSeconds: number;
  timerPollIntervalMs: number;
  assignmentSweepIntervalMs: number;
  flowStepLimit: number;
  /** Private or local hosts that server-side fetches (http_request, media URLs) may reach. */
  fetchAllowHosts: string[];
  actorIdleSeconds: number;
  /** An inbound message no flow consumed within this long is handed to its conversation's actor again. */
  flowInboxRetrySeconds: number;
  heartbeatIntervalSeconds: number;
  heartbeatTimeoutSeconds: number;
  /** Encrypts secrets stored in the database (the Odoo API key); unset: generated once and kept in the database. */
  secretsKey: string | undefined;
  odoo: {
    url: string | undefined;
    database: string | undefined;
    username: string | undefined;
    apiKey: string | undefined;
    protocol: "auto" | "jsonrpc" | "xmlrpc" | "json2";
    timeoutMs: number;
  };
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(" or ")}, got ${parsed.protocol}`);
  }
  return raw;
}

/** A key given in the environment: never the public example value, and long in production. */
function secret(env: Env, name: string, production: boolean): string | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (value === PUBLIC_EXAMPLE_SECRET) throw new ConfigError(name, "is the public example value; leave it unset to have one generated, or set your own");
  if (production && value.length < 32) throw new ConfigError(name, "must be at least 32 characters when NODE_ENV=production");
  return value;
}

// Numbers typed without a country code are read as numbers of this country (ISO 3166 code).
function timezone(env: Env): string {
  const value = text(env, "DEFAULT_TIMEZONE") ?? "UTC";
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError("DEFAULT_TIMEZONE", `must be an IANA time zone such as America/Mexico_City, got "${value}"`);
  }
}

// Spanish unless told otherwise: the seed's contract and the businesses Charla serves speak it.
function language(env: Env): Language {
  const value = (text(env, "DEFAULT_LANGUAGE") ?? "es").toLowerCase();
  if (!isLanguage(value)) throw new ConfigError("DEFAULT_LANGUAGE", `must be one of ${LANGUAGES.join(", ")}, got "${value}"`);
  return value;
}

function region(env: Env): string {
  const value = (text(env, "DEFAULT_PHONE_REGION") ?? "MX").toUpperCase();
  if (!/^[A-Z]{2}$/.test(value)) throw new ConfigError("DEFAULT_PHONE_REGION", `must be a two-letter country code such as MX, got "${value}"`);
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = text(env, "NODE_ENV") ?? "development";
  const production = nodeEnv === "production";

  const jwtSecret = secret(env, "JWT_SECRET", production);
  const secretsKey = secret(env, "SECRETS_KEY", production);

  const logLevel = (text(env, "LOG_LEVEL") ?? "info").toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }

  const logFormat = (text(env, "LOG_FORMAT") ?? (production ? "json" : "text")).toLowerCase();
  if (logFormat !== "json" && logFormat !== "text") throw new ConfigError("LOG_FORMAT", `must be json or text, got "${logFormat}"`);

  const adminEmail = text(env, "ADMIN_EMAIL")?.toLowerCase();
  if (adminEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError("ADMIN_EMAIL", `is not an email address`);
  }
  const adminPassword = text(env, "ADMIN_PASSWORD");
  if (adminPassword !== undefined && adminPassword.length < 8) {
    throw new ConfigError("ADMIN_PASSWORD", "must be at least 8 characters");
  }

  const bodyLimit = text(env, "BODY_LIMIT") ?? "1mb";
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) {
    throw new ConfigError("BODY_LIMIT", `must look like 512kb or 1mb, got "${bodyLimit}"`);
  }

  const redisUrl = url(env, "REDIS_URL", ["redis:", "rediss:"]);
  const whatsappProvider = (text(env, "WHATSAPP_PROVIDER") ?? "baileys").toLowerCase();
  if (whatsappProvider !== "baileys" && whatsappProvider !== "simulator") {
    throw new ConfigError("WHATSAPP_PROVIDER", `must be baileys or simulator, got "${whatsappProvider}"`);
  }
  const odooProtocol = (text(env, "ODOO_PROTOCOL") ?? "auto").toLowerCase();
  if (!["auto", "jsonrpc", "xmlrpc", "json2"].includes(odooProtocol)) {
    throw new ConfigError("ODOO_PROTOCOL", `must be auto, jsonrpc, xmlrpc or json2, got "${odooProtocol}"`);
  }
  const agentAwayPolicy = (text(env, "AGENT_AWAY_POLICY") ?? "keep").toLowerCase();
  if (agentAwayPolicy !== "keep" && agentAwayPolicy !== "requeue") {
    throw new ConfigError("AGENT_AWAY_POLICY", `must be keep or requeue, got "${agentAwayPolicy}"`);
  }
  const accessTokenTtlSeconds = integer(env, "ACCESS_TOKEN_TTL_SECONDS", 900, 30, 86_400);
  const refreshTokenTtlSeconds = integer(env, "REFRESH_TOKEN_TTL_SECONDS", 30 * 86_400, 300, 365 * 86_400);
  if (refreshTokenTtlSeconds <= accessTokenTtlSeconds) {
    throw new ConfigError("REFRESH_TOKEN_TTL_SECONDS", "must be longer than ACCESS_TOKEN_TTL_SECONDS");
  }

  // A node is taken for dead after HEARTBEAT_TIMEOUT_SECONDS of silence: at least two heartbeats must fit
  // in it, or one late heartbeat makes nodes drop each other. The defaults detect a dead node in 15 s.
  const heartbeatIntervalSeconds = integer(env, "HEARTBEAT_INTERVAL_SECONDS", 5, 1, 600);
  const heartbeatTimeoutSeconds = integer(env, "HEARTBEAT_TIMEOUT_SECONDS", 15, 2, 3_600);
  if (heartbeatIntervalSeconds * 2 > heartbeatTimeoutSeconds) {
    throw new ConfigError(
      "HEARTBEAT_INTERVAL_SECONDS",
      `must be at most half of HEARTBEAT_TIMEOUT_SECONDS (${heartbeatTimeoutSeconds}), got ${heartbeatIntervalSeconds}`,
    );
  }

  return {
    nodeEnv,
    production,
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: text(env, "HOST") ?? "0.0.0.0",
    nodeId: text(env, "NODE_ID"),
    namespace: text(env, "NAMESPACE") ?? "charla",
    databaseUrl: url(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    databasePoolMax: integer(env, "DATABASE_POOL_MAX", 10, 1, 200),
    databaseSendPoolMax: integer(env, "DATABASE_SEND_POOL_MAX", 3, 1, 50),
    dataDir: path.resolve(text(env, "DATA_DIR") ?? ".data"),
    embeddedPostgresPort: text(env, "EMBEDDED_POSTGRES_PORT") === undefined ? undefined : integer(env, "EMBEDDED_POSTGRES_PORT", 0, 1, 65_535),
    // moleculer-runner also reads TRANSPORTER itself, so it must be the full URL either way.
    transporter: url(env, "TRANSPORTER", ["redis:", "rediss:", "nats:", "amqp:", "amqps:", "mqtt:", "mqtts:", "kafka:"]),
    redisUrl,
    redisKeyPrefix: text(env, "REDIS_KEY_PREFIX") ?? "charla:",
    jwtSecret,
    accessTokenTtlSeconds,
    refreshTokenTtlSeconds,
    adminEmail,
    adminPassword,
    adminName: text(env, "ADMIN_NAME") ?? "Administrator",
    logLevel: logLevel as LogLevel,
    logFormat,
    metricsPort: text(env, "METRICS_PORT") === undefined ? undefined : integer(env, "METRICS_PORT", 0, 0, 65_535),
    defaultLanguage: language(env),
    corsOrigins: (text(env, "CORS_ORIGINS") ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    bodyLimit,
    trustProxy: boolean(env, "TRUST_PROXY", false),
    loginMaxPerAccount: integer(env, "LOGIN_MAX_ATTEMPTS_PER_ACCOUNT", 5, 1, 10_000),
    loginAccountWindowSeconds: integer(env, "LOGIN_ACCOUNT_WINDOW_SECONDS", 900, 1, 86_400),
    loginMaxPerIp: integer(env, "LOGIN_MAX_ATTEMPTS_PER_IP", 30, 1, 100_000),
    loginIpWindowSeconds: integer(env, "LOGIN_IP_WINDOW_SECONDS", 300, 1, 86_400),
    presenceGraceSeconds: integer(env, "PRESENCE_GRACE_SECONDS", 10, 0, 3_600),
    whatsappProvider,
    whatsappLeaseTtlMs: integer(env, "WHATSAPP_LEASE_TTL_MS", 15_000, 1_000, 600_000),
    whatsappMaxQrCodes: integer(env, "WHATSAPP_MAX_QR_CODES", 5, 1, 100),
    whatsappMaxReconnectAttempts: integer(env, "WHATSAPP_MAX_RECONNECT_ATTEMPTS", 10, 1, 1_000),
    whatsappReconnectBaseMs: integer(env, "WHATSAPP_RECONNECT_BASE_MS", 2_000, 10, 600_000),
    whatsappReconnectMaxMs: integer(env, "WHATSAPP_RECONNECT_MAX_MS", 300_000, 10, 3_600_000),
    whatsappSendIntervalMs: integer(env, "WHATSAPP_SEND_INTERVAL_MS", 1_000, 0, 60_000),
    simulatorEnabled: boolean(env, "SIMULATOR_ENABLED", !production),
    simulatorQrIntervalMs: integer(env, "SIMULATOR_QR_INTERVAL_MS", 20_000, 10, 600_000),
    defaultPhoneRegion: region(env),
    conversationReopenWindowSeconds: integer(env, "CONVERSATION_REOPEN_WINDOW_SECONDS", 0, 0, 30 * 86_400),
    defaultTimezone: timezone(env),
    slaWarningSeconds: integer(env, "SLA_WARNING_SECONDS", 60, 0, 86_400),
    agentAwayPolicy,
    agentAwayGraceSeconds: integer(env, "AGENT_AWAY_GRACE_SECONDS", 120, 0, 86_400),
    timerPollIntervalMs: integer(env, "TIMER_POLL_INTERVAL_MS", 1_000, 50, 60_000),
    assignmentSweepIntervalMs: integer(env, "ASSIGNMENT_SWEEP_INTERVAL_MS", 30_000, 100, 3_600_000),
    flowStepLimit: integer(env, "FLOW_STEP_LIMIT", 50, 1, 10_000),
    // FLOW_HTTP_ALLOW_HOSTS is the older name, from when only http_request fetched.
    fetchAllowHosts: (text(env, "FETCH_ALLOW_HOSTS") ?? text(env, "FLOW_HTTP_ALLOW_HOSTS") ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    actorIdleSeconds: integer(env, "ACTOR_IDLE_SECONDS", 300, 1, 86_400),
    flowInboxRetrySeconds: integer(env, "FLOW_INBOX_RETRY_SECONDS", 5, 1, 3_600),
    heartbeatIntervalSeconds,
    heartbeatTimeoutSeconds,
    secretsKey,
    odoo: {
      url: url(env, "ODOO_URL", ["http:", "https:"]),
      database: text(env, "ODOO_DATABASE"),
      username: text(env, "ODOO_USERNAME"),
      apiKey: text(env, "ODOO_API_KEY"),
      protocol: odooProtocol as Config["odoo"]["protocol"],
      timeoutMs: integer(env, "ODOO_TIMEOUT_MS", 15_000, 500, 120_000),
    },
  };
}

let current: Config | undefined;

/** The process-wide configuration, read on first use. */
export function config(): Config {
  current ??= loadConfig();
  return current;
}

/** Tests change the environment between brokers; this makes the next read see it. */
export function reloadConfig(): Config {
  current = loadConfig();
  return current;
}
