import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";
import { readDatabaseTimeouts, type DatabaseTimeouts } from "@planton/db";
import { DEFAULT_AUDIT_BATCHING, type AuditBatching } from "./audit-log.js";
import { readConsumerSettings, type ConsumerSettings } from "@planton/events";

/** authz's configuration, parsed once at start. */
export interface AuthzConfig {
  readonly service: ServiceConfig;
  /** Connect, statement and idle-in-transaction limits of its PostgreSQL pool (`DATABASE_*_TIMEOUT_MS`). */
  readonly database: DatabaseTimeouts;
  /** Its durable consumer of the registry's events (`CONSUMER_ACK_WAIT_MS`). */
  readonly consumer: ConsumerSettings;
  readonly vaultUrl: string | undefined;
  readonly registryUrl: string | undefined;
  readonly serviceTokenFile: string | undefined;
  readonly serviceToken: string | undefined;
  /** How long a deployment's pin holds without a release (default 24 h). */
  readonly pinTtlMs: number;
  /** How long a version that is neither current nor pinned is kept before it is destroyed (default 7 days). */
  readonly retentionMs: number;
  /** How often the retention job runs (default 5 min). */
  readonly retentionIntervalMs: number;
  /** How long a pinned resolve may use a connection's public half without a new lookup (default 5 s; 0: always look up). */
  readonly connectionCacheTtlMs: number;
  /** Group commit of resolve audit records. */
  readonly auditBatching: AuditBatching;
  /** STS for per-deployment session credentials of AWS trust roles. */
  readonly sts: {
    /** `AWS_STS_URL` (the verifier's setting too): the endpoint AssumeRole is sent to, exactly. */
    readonly endpoint: string;
    /** `AWS_STS_MAX_ATTEMPTS`: SDK attempts per AssumeRole (retries of throttling, 5xx and network errors). */
    readonly maxAttempts: number;
    /** `AWS_STS_REQUEST_TIMEOUT_MS`: bound on one attempt. */
    readonly requestTimeoutMs: number;
  };
}

/** loadAuthzConfig parses authz's environment; throws ConfigError naming the variable. */
export function loadAuthzConfig(environment: Env, options: { requireUrls: boolean }): AuthzConfig {
  const env = createEnvReader(environment);
  const service = readServiceConfig(env);
  const vaultUrl = env.url("VAULT_URL", ["http:", "https:"]);
  const registryUrl = env.url("REGISTRY_URL", ["http:", "https:"]);
  if (options.requireUrls && vaultUrl === undefined) throw new ConfigError("VAULT_URL", "is required (native gRPC URL of the vault)");
  if (options.requireUrls && registryUrl === undefined) throw new ConfigError("REGISTRY_URL", "is required (native gRPC URL of the registry)");
  const day = 86_400_000;
  return Object.freeze({
    service,
    database: readDatabaseTimeouts(env),
    consumer: readConsumerSettings(env),
    vaultUrl: vaultUrl?.toString().replace(/\/$/, ""),
    registryUrl: registryUrl?.toString().replace(/\/$/, ""),
    serviceTokenFile: env.string("SERVICE_TOKEN_FILE"),
    serviceToken: env.string("SERVICE_TOKEN"),
    pinTtlMs: env.int("PIN_TTL_MS", day, { min: 1_000, max: 30 * day }),
    retentionMs: env.int("VERSION_RETENTION_MS", 7 * day, { min: 0, max: 365 * day }),
    retentionIntervalMs: env.int("RETENTION_INTERVAL_MS", 300_000, { min: 100, max: day }),
    connectionCacheTtlMs: env.int("RESOLVE_CONNECTION_CACHE_TTL_MS", 5_000, { min: 0, max: 60_000 }),
    auditBatching: {
      maxBatch: env.int("AUDIT_BATCH_MAX_RECORDS", DEFAULT_AUDIT_BATCHING.maxBatch, { min: 1, max: 1_000 }),
      maxInFlight: DEFAULT_AUDIT_BATCHING.maxInFlight,
      lingerMs: DEFAULT_AUDIT_BATCHING.lingerMs,
    },
    sts: Object.freeze({
      endpoint: (env.url("AWS_STS_URL", ["https:", "http:"])?.toString() ?? "https://sts.amazonaws.com").replace(/\/$/, ""),
      maxAttempts: env.int("AWS_STS_MAX_ATTEMPTS", 3, { min: 1, max: 10 }),
      requestTimeoutMs: env.int("AWS_STS_REQUEST_TIMEOUT_MS", 5_000, { min: 100, max: 60_000 }),
    }),
  });
}
