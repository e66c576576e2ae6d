import { ConfigError, loadConfig } from "../../lib/config";

describe("configuration", () => {
  it("runs with no variables at all, on defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      transporter: undefined,
      redisUrl: undefined,
      jwtSecret: undefined,
      secretsKey: undefined,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 2_592_000,
      logLevel: "info",
      logFormat: "text",
      metricsPort: undefined,
      defaultLanguage: "es",
      production: false,
      // A dead node is detected within 15 s.
      heartbeatIntervalSeconds: 5,
      heartbeatTimeoutSeconds: 15,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it("writes JSON log lines in production unless told otherwise, and serves metrics only on a port it is given", () => {
    expect(loadConfig({ NODE_ENV: "production" }).logFormat).toBe("json");
    expect(loadConfig({ NODE_ENV: "production", LOG_FORMAT: "TEXT" }).logFormat).toBe("text");
    expect(loadConfig({ LOG_FORMAT: "json" }).logFormat).toBe("json");
    expect(loadConfig({ METRICS_PORT: "9100" }).metricsPort).toBe(9100);
  });

  it.each([
    [{ PORT: "http" }, /PORT must be a whole number/],
    [{ PORT: "70000" }, /PORT must be between 0 and 65535/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must use postgres: or postgresql:/],
    [{ DATABASE_URL: "not a url" }, /DATABASE_URL is not a valid URL/],
    [{ REDIS_URL: "http://x" }, /REDIS_URL must use redis:/],
    [{ TRANSPORTER: "redis" }, /TRANSPORTER is not a valid URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/],
    [{ LOG_FORMAT: "xml" }, /LOG_FORMAT must be json or text/],
    [{ METRICS_PORT: "metrics" }, /METRICS_PORT must be a whole number/],
    [{ DEFAULT_LANGUAGE: "es-MX" }, /DEFAULT_LANGUAGE must be one of es, en/],
    [{ ADMIN_EMAIL: "admin" }, /ADMIN_EMAIL is not an email/],
    [{ ADMIN_PASSWORD: "short" }, /ADMIN_PASSWORD must be at least 8/],
    [{ TRUST_PROXY: "maybe" }, /TRUST_PROXY must be true or false/],
    [{ BODY_LIMIT: "lots" }, /BODY_LIMIT must look like/],
    [{ ACCESS_TOKEN_TTL_SECONDS: "3600", REFRESH_TOKEN_TTL_SECONDS: "600" }, /must be longer than ACCESS_TOKEN_TTL_SECONDS/],
    [{ HEARTBEAT_TIMEOUT_SECONDS: "5" }, /HEARTBEAT_INTERVAL_SECONDS must be at most half of HEARTBEAT_TIMEOUT_SECONDS \(5\), got 5/],
    [{ HEARTBEAT_INTERVAL_SECONDS: "10", HEARTBEAT_TIMEOUT_SECONDS: "15" }, /HEARTBEAT_INTERVAL_SECONDS must be at most half/],
  ])("refuses %j with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("leaves unset keys to be generated, refuses the public example value anywhere and short keys in production", () => {
    expect(loadConfig({ NODE_ENV: "production" })).toMatchObject({ jwtSecret: undefined, secretsKey: undefined });
    for (const name of ["JWT_SECRET", "SECRETS_KEY"]) {
      expect(() => loadConfig({ [name]: "change-me-in-production" })).toThrow(new RegExp(`${name} is the public example value`));
      expect(() => loadConfig({ NODE_ENV: "production", [name]: "short" })).toThrow(new RegExp(`${name} must be at least 32`));
    }
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: "x".repeat(40) }).jwtSecret).toBe("x".repeat(40));
  });

  it("reads lists and URLs", () => {
    const config = loadConfig({
      CORS_ORIGINS: "https://a.example, https://b.example",
      TRANSPORTER: "redis://127.0.0.1:6379",
      ADMIN_EMAIL: "Boss@Example.com",
      DEFAULT_LANGUAGE: "EN",
    });
    expect(config.defaultLanguage).toBe("en");
    expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(config.transporter).toBe("redis://127.0.0.1:6379");
    expect(config.adminEmail).toBe("boss@example.com");
  });
});
