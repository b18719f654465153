import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";

/** The registry's configuration, parsed once at start. */
export interface RegistryConfig {
  readonly service: ServiceConfig;
  /** Native gRPC URL of the vault; absent only in the all-in-one process. */
  readonly vaultUrl: string | undefined;
  /** Token for calling other services: a file (re-read) or a value; else minted with the dev secret. */
  readonly serviceTokenFile: string | undefined;
  readonly serviceToken: string | undefined;
  readonly outboxPollMs: number;
  /** Periodic re-verification of every connection (default 24 h) and how often due ones are looked for. */
  readonly reverifyIntervalMs: number;
  readonly reverifyTickMs: number;
  /** Native gRPC URL of authz, for the pinned-deployments check on delete; unset: no check. */
  readonly authzUrl: string | undefined;
}

/** loadRegistryConfig parses the registry's environment; throws ConfigError naming the variable. */
export function loadRegistryConfig(environment: Env, options: { requireVaultUrl: boolean }): RegistryConfig {
  const env = createEnvReader(environment);
  const service = readServiceConfig(env);
  const vaultUrl = env.url("VAULT_URL", ["http:", "https:"]);
  if (options.requireVaultUrl && vaultUrl === undefined) throw new ConfigError("VAULT_URL", "is required (native gRPC URL of the vault, e.g. http://vault:9090)");
  return Object.freeze({
    service,
    vaultUrl: vaultUrl?.toString().replace(/\/$/, ""),
    serviceTokenFile: env.string("SERVICE_TOKEN_FILE"),
    serviceToken: env.string("SERVICE_TOKEN"),
    outboxPollMs: env.int("OUTBOX_POLL_MS", 500, { min: 10, max: 60_000 }),
    reverifyIntervalMs: env.int("REVERIFY_INTERVAL_MS", 86_400_000, { min: 1_000, max: 30 * 86_400_000 }),
    reverifyTickMs: env.int("REVERIFY_TICK_MS", 60_000, { min: 10, max: 3_600_000 }),
    authzUrl: env.url("AUTHZ_URL", ["http:", "https:"])?.toString().replace(/\/$/, ""),
  });
}
