import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";
import { readDatabaseTimeouts, type DatabaseTimeouts } from "@planton/db";
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
  });
}
