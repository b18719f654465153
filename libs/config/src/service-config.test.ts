import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { createEnvReader, type Env } from "./env-reader.js";
import { readServiceConfig } from "./service-config.js";

const read = (env: Env) => readServiceConfig(createEnvReader(env));

/** A valid 32-byte secret with a distinctive marker in it. */
const SECRET = "zq7x-planted-secret-0123456789abcdef";

function rejection(env: Env): ConfigError {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("readServiceConfig", () => {
  it("has the documented defaults with an empty environment", () => {
    const config = read({});
    expect(config).toEqual({
      host: "0.0.0.0",
      port: 8080,
      grpcPort: 9090,
      metricsPort: 9464,
      databaseUrl: undefined,
      natsUrl: undefined,
      dataDir: ".data",
      logLevel: "info",
      corsOrigins: [],
      auth: { kind: "generated-dev-secret" },
      shutdownGraceMs: 10_000,
      listenerLimits: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        idleTimeoutMs: 120_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 4_096,
        maxStreamsPerConnection: 256,
      },
      tracing: { otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined },
    });
  });

  it("reads the listener limits and refuses headers slower than the whole request", () => {
    const config = read({
      LISTENER_HEADERS_TIMEOUT_MS: "2000",
      LISTENER_REQUEST_TIMEOUT_MS: "4000",
      LISTENER_IDLE_TIMEOUT_MS: "6000",
      LISTENER_KEEPALIVE_TIMEOUT_MS: "1000",
      LISTENER_MAX_CONNECTIONS: "10",
      LISTENER_MAX_STREAMS: "16",
    });
    expect(config.listenerLimits).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 4000,
      idleTimeoutMs: 6000,
      keepAliveTimeoutMs: 1000,
      maxConnections: 10,
      maxStreamsPerConnection: 16,
    });
    expect(() => read({ LISTENER_HEADERS_TIMEOUT_MS: "5000", LISTENER_REQUEST_TIMEOUT_MS: "4000" })).toThrow(/LISTENER_HEADERS_TIMEOUT_MS/);
    expect(() => read({ LISTENER_MAX_CONNECTIONS: "0" })).toThrow(/LISTENER_MAX_CONNECTIONS/);
  });

  it("treats empty strings as unset", () => {
    const config = read({
      HOST: "",
      PORT: "",
      GRPC_PORT: "",
      DATABASE_URL: "",
      AUTH_JWT_SECRET: "",
      AUTH_JWKS_URL: "",
      LOG_LEVEL: "",
      CORS_ORIGINS: "",
    });
    expect(config.port).toBe(8080);
    expect(config.grpcPort).toBe(9090);
    expect(config.host).toBe("0.0.0.0");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.logLevel).toBe("info");
    expect(config.auth).toEqual({ kind: "generated-dev-secret" });
  });

  it("reads every setting", () => {
    const config = read({
      HOST: "127.0.0.1",
      PORT: "8443",
      GRPC_PORT: "0",
      METRICS_PORT: "0",
      DATABASE_URL: "postgres://app:pw@db.internal:5432/vault",
      NATS_URL: "nats://nats.internal:4222",
      DATA_DIR: "/var/lib/planton",
      LOG_LEVEL: "debug",
      CORS_ORIGINS: "https://app.example.com, https://admin.example.com",
      SHUTDOWN_GRACE_MS: "2500",
    });
    expect(config.host).toBe("127.0.0.1");
    expect(config.port).toBe(8443);
    expect(config.grpcPort).toBe(0);
    expect(config.metricsPort).toBe(0);
    expect(config.databaseUrl).toBe("postgres://app:pw@db.internal:5432/vault");
    expect(config.natsUrl).toBe("nats://nats.internal:4222");
    expect(config.dataDir).toBe("/var/lib/planton");
    expect(config.logLevel).toBe("debug");
    expect(config.corsOrigins).toEqual(["https://app.example.com", "https://admin.example.com"]);
    expect(config.shutdownGraceMs).toBe(2500);
  });

  it("refuses bad ports naming the variable", () => {
    expect(rejection({ PORT: "70000" }).variable).toBe("PORT");
    expect(rejection({ GRPC_PORT: "http" }).variable).toBe("GRPC_PORT");
    expect(rejection({ METRICS_PORT: "-1" }).variable).toBe("METRICS_PORT");
    expect(rejection({ SHUTDOWN_GRACE_MS: "600001" }).variable).toBe("SHUTDOWN_GRACE_MS");
  });

  describe("auth", () => {
    it("uses HS256 with a secret of at least 32 bytes", () => {
      expect(Buffer.byteLength(SECRET)).toBeGreaterThanOrEqual(32);
      expect(read({ AUTH_JWT_SECRET: SECRET }).auth).toEqual({ kind: "hs256", secret: SECRET });
      const exactly32 = "a".repeat(32);
      expect(read({ AUTH_JWT_SECRET: exactly32 }).auth).toEqual({ kind: "hs256", secret: exactly32 });
    });

    it("counts the secret in bytes, not characters", () => {
      // 16 two-byte characters are 32 bytes: accepted.
      const multibyte = "é".repeat(16);
      expect(read({ AUTH_JWT_SECRET: multibyte }).auth).toEqual({ kind: "hs256", secret: multibyte });
    });

    it("refuses a secret shorter than 32 bytes without repeating it", () => {
      const short = "zq7x-short-planted-secret-31byt";
      expect(Buffer.byteLength(short)).toBe(31);
      const error = rejection({ AUTH_JWT_SECRET: short });
      expect(error.variable).toBe("AUTH_JWT_SECRET");
      expect(error.message).toContain("at least 32 bytes");
      expect(error.message).not.toContain(short);
      expect(error.message).not.toContain("zq7x");
      expect(String(error.stack)).not.toContain("zq7x");
    });

    it("refuses AUTH_JWT_SECRET together with AUTH_JWKS_URL", () => {
      const error = rejection({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: "https://keys.example.com/jwks.json" });
      expect(error.variable).toBe("AUTH_JWT_SECRET");
      expect(error.message).toContain("AUTH_JWKS_URL");
      expect(error.message).not.toContain("zq7x");
    });

    it("refuses both even when the secret is also too short", () => {
      const error = rejection({ AUTH_JWT_SECRET: "short", AUTH_JWKS_URL: "https://keys.example.com/jwks.json" });
      expect(error.variable).toBe("AUTH_JWT_SECRET");
    });

    it("uses the JWKS URL when given", () => {
      const config = read({ AUTH_JWKS_URL: "https://keys.example.com/.well-known/jwks.json" });
      expect(config.auth.kind).toBe("jwks");
      if (config.auth.kind !== "jwks") throw new Error("unreachable");
      expect(config.auth.url).toBeInstanceOf(URL);
      expect(config.auth.url.href).toBe("https://keys.example.com/.well-known/jwks.json");
      expect(read({ AUTH_JWKS_URL: "http://localhost:9999/jwks" }).auth.kind).toBe("jwks");
    });

    it("refuses a JWKS URL of another scheme", () => {
      const error = rejection({ AUTH_JWKS_URL: "file:///etc/jwks.json" });
      expect(error.variable).toBe("AUTH_JWKS_URL");
      expect(error.message).toContain("https");
      expect(rejection({ AUTH_JWKS_URL: "not a url" }).variable).toBe("AUTH_JWKS_URL");
    });

    it("carries issuer and audience into every kind, and omits them when unset", () => {
      const claims = { AUTH_ISSUER: "https://issuer.example.com", AUTH_AUDIENCE: "planton" };
      expect(read({ ...claims, AUTH_JWT_SECRET: SECRET }).auth).toEqual({
        kind: "hs256",
        secret: SECRET,
        issuer: "https://issuer.example.com",
        audience: "planton",
      });
      expect(read({ ...claims, AUTH_JWKS_URL: "https://k.example.com/j" }).auth).toMatchObject({
        kind: "jwks",
        issuer: "https://issuer.example.com",
        audience: "planton",
      });
      expect(read(claims).auth).toEqual({ kind: "generated-dev-secret", issuer: "https://issuer.example.com", audience: "planton" });
      expect(read({ AUTH_ISSUER: "iss" }).auth).toEqual({ kind: "generated-dev-secret", issuer: "iss" });
      expect(Object.keys(read({}).auth)).toEqual(["kind"]);
    });
  });

  describe("DATABASE_URL", () => {
    it("accepts postgres and postgresql schemes", () => {
      expect(read({ DATABASE_URL: "postgresql://app@db/vault" }).databaseUrl).toBe("postgresql://app@db/vault");
      expect(read({ DATABASE_URL: "postgres://db/vault" }).databaseUrl).toBe("postgres://db/vault");
    });

    it("refuses other schemes without repeating the URL (it may hold a password)", () => {
      const url = "mysql://app:zq7x-planted-pw@db/vault";
      const error = rejection({ DATABASE_URL: url });
      expect(error.variable).toBe("DATABASE_URL");
      expect(error.message).toContain("postgres");
      expect(error.message).not.toContain("zq7x");
      expect(error.message).not.toContain("mysql");
    });

    it("refuses text that is not a URL", () => {
      const error = rejection({ DATABASE_URL: "host=db password=zq7x-planted" });
      expect(error.variable).toBe("DATABASE_URL");
      expect(error.message).not.toContain("zq7x");
    });
  });

  it("refuses a NATS_URL of another scheme", () => {
    expect(rejection({ NATS_URL: "http://nats:4222" }).variable).toBe("NATS_URL");
    expect(read({ NATS_URL: "tls://nats:4222" }).natsUrl).toBe("tls://nats:4222");
  });

  describe("LOG_LEVEL", () => {
    it.each(["debug", "info", "warn", "error", "silent"] as const)("accepts %s", (level) => {
      expect(read({ LOG_LEVEL: level }).logLevel).toBe(level);
    });

    it("refuses anything else", () => {
      for (const value of ["verbose", "trace", "INFO", "zq7x"]) {
        const error = rejection({ LOG_LEVEL: value });
        expect(error.variable).toBe("LOG_LEVEL");
        expect(error.message).toContain("debug, info, warn, error, silent");
        expect(error.message).not.toContain(value);
      }
    });
  });

  it("reads CORS_ORIGINS as a trimmed list without empty items", () => {
    expect(read({ CORS_ORIGINS: " https://a.example.com ,, https://b.example.com , " }).corsOrigins).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
  });

  it("returns a frozen config with a frozen origin list", () => {
    const config = read({ CORS_ORIGINS: "https://a.example.com" });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.corsOrigins)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.corsOrigins as string[]).push("https://evil.example.com");
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
    expect(config.corsOrigins).toEqual(["https://a.example.com"]);
  });
});

describe("CORS_ORIGINS rules", () => {
  it("accepts origins and * and refuses paths or non-http schemes, naming the variable", () => {
    expect(readServiceConfig(createEnvReader({ CORS_ORIGINS: "https://app.example.com, http://localhost:5173,*" })).corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
      "*",
    ]);
    for (const bad of ["https://app.example.com/", "https://app.example.com/path", "ftp://x.example.com", "app.example.com"]) {
      expect(() => readServiceConfig(createEnvReader({ CORS_ORIGINS: bad }))).toThrow(/CORS_ORIGINS/);
    }
  });
});
