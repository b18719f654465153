import { LOG_LEVELS_FOR_CONFIG, type LogLevelName } from "./log-levels.js";
import { ConfigError } from "./config-error.js";
import type { EnvReader } from "./env-reader.js";
import { readListenerLimits, type ListenerLimits } from "./listener-limits.js";
import { readTracingConfig, type TracingConfig } from "./tracing-config.js";

/** How bearer tokens are verified. */
export type AuthConfig =
  | { readonly kind: "hs256"; readonly secret: string; readonly issuer?: string; readonly audience?: string }
  | { readonly kind: "jwks"; readonly url: URL; readonly issuer?: string; readonly audience?: string }
  /** Neither variable set: the process generates a development secret in its data folder. */
  | { readonly kind: "generated-dev-secret"; readonly issuer?: string; readonly audience?: string };

/** Settings every service shares (README, Configuration). */
export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly grpcPort: number;
  /** Port of the Prometheus `/metrics` listener (`METRICS_PORT`, default 9464; 0 picks a free one), on `host`, apart from the public ports. */
  readonly metricsPort: number;
  /** PostgreSQL URL; absent means start the embedded PostgreSQL. */
  readonly databaseUrl: string | undefined;
  /** NATS URL; absent means the in-process event bus. */
  readonly natsUrl: string | undefined;
  /** Local state: embedded database, dev secret, local master keys. */
  readonly dataDir: string;
  readonly logLevel: LogLevelName;
  readonly corsOrigins: readonly string[];
  readonly auth: AuthConfig;
  readonly shutdownGraceMs: number;
  /** Timeouts and the connection cap of both listeners. */
  readonly listenerLimits: ListenerLimits;
  /** OTLP trace export (off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set). */
  readonly tracing: TracingConfig;
}

// HS256 secrets shorter than the hash output make brute force cheaper than it
// should be (RFC 7518 section 3.2 requires at least 256 bits).
const MIN_SECRET_BYTES = 32;

/**
 * readServiceConfig parses the shared settings; throws {@link ConfigError}
 * naming the variable on the first bad value.
 */
export function readServiceConfig(env: EnvReader): ServiceConfig {
  const secret = env.string("AUTH_JWT_SECRET");
  const jwksUrl = env.url("AUTH_JWKS_URL", ["https:", "http:"]);
  const issuer = env.string("AUTH_ISSUER");
  const audience = env.string("AUTH_AUDIENCE");
  const claims = { ...(issuer !== undefined ? { issuer } : {}), ...(audience !== undefined ? { audience } : {}) };
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new ConfigError("AUTH_JWT_SECRET", "must not be set together with AUTH_JWKS_URL");
  }
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError("AUTH_JWT_SECRET", `must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const auth: AuthConfig =
    secret !== undefined
      ? { kind: "hs256", secret, ...claims }
      : jwksUrl !== undefined
        ? { kind: "jwks", url: jwksUrl, ...claims }
        : { kind: "generated-dev-secret", ...claims };
  const corsOrigins = env.list("CORS_ORIGINS");
  for (const origin of corsOrigins) {
    if (origin !== "*" && !isOrigin(origin)) {
      throw new ConfigError("CORS_ORIGINS", "must list origins like https://app.example.com (scheme, host, optional port; no path) or *");
    }
  }
  const databaseUrl = env.url("DATABASE_URL", ["postgres:", "postgresql:"]);
  const natsUrl = env.url("NATS_URL", ["nats:", "tls:", "ws:", "wss:"]);
  return Object.freeze({
    host: env.string("HOST", "0.0.0.0"),
    port: env.port("PORT", 8080),
    grpcPort: env.port("GRPC_PORT", 9090),
    metricsPort: env.port("METRICS_PORT", 9464),
    databaseUrl: databaseUrl?.toString(),
    natsUrl: natsUrl?.toString(),
    dataDir: env.string("DATA_DIR", ".data"),
    logLevel: env.oneOf("LOG_LEVEL", LOG_LEVELS_FOR_CONFIG, "info"),
    corsOrigins: Object.freeze(corsOrigins),
    auth: Object.freeze(auth),
    shutdownGraceMs: env.int("SHUTDOWN_GRACE_MS", 10_000, { min: 0, max: 600_000 }),
    listenerLimits: readListenerLimits(env),
    tracing: readTracingConfig(env),
  });
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}
