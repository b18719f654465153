import type { Logger } from "@planton/logging";
import { createDatabase, migrateToLatest } from "@planton/db";
import type { Kysely } from "kysely";
import type { MetricsRegistry, ServiceRegistration } from "@planton/server";
import { migrations } from "../migrations/index.js";
import type { KeyProviderConfig, VaultConfig } from "./config.js";
import { mapVaultError } from "./errors.js";
import { createAwsKmsKeyProvider } from "./keys/aws-kms-key-provider.js";
import { withCircuitBreaker } from "./keys/circuit-breaker-key-provider.js";
import { createDataKeyCache, type DataKeyCache } from "./keys/data-key-cache.js";
import type { KeyProvider } from "./keys/key-provider.js";
import { registerCircuitMetrics, registerDataKeyCacheMetrics, withKeyProviderMetrics } from "./keys/key-provider-metrics.js";
import { createLocalKeyProvider } from "./keys/local-key-provider.js";
import { createVaultRoutes } from "./routes.js";
import type { VaultDatabase } from "./schema.js";
import { createVault, type Vault } from "./vault.js";

/** The vault's schema in PostgreSQL. */
export const VAULT_SCHEMA = "vault";

/** A built vault: what a server mounts, plus handles for tests and shutdown. */
export interface VaultComponents {
  readonly registration: ServiceRegistration;
  readonly mapError: typeof mapVaultError;
  readonly vault: Vault;
  readonly keys: KeyProvider;
  readonly cache: DataKeyCache;
  readonly db: Kysely<VaultDatabase>;
  /**
   * False while the KMS circuit breaker is open: enough consecutive KMS calls
   * were unavailable (`KMS_CIRCUIT_FAILURES`) that calls now fail fast with
   * UNAVAILABLE for `KMS_CIRCUIT_COOLDOWN_MS`. True otherwise, including once
   * the cool-down has passed and a trial call may go through. Always true with
   * the local key provider, which has no circuit. For readiness reporting.
   */
  kmsAvailable(): boolean;
  close(): Promise<void>;
}

/**
 * buildVault wires the vault from its configuration: database (migrated to
 * the latest version), key provider (a remote one behind the KMS circuit
 * breaker), data-key cache and routes. Used by the vault's own `main.ts` and
 * by the all-in-one process.
 */
export async function buildVault(options: {
  config: VaultConfig;
  databaseUrl: string;
  logger: Logger;
  /** Replaces the configured key provider (tests); a remote one still gets the circuit breaker. */
  keys?: KeyProvider;
  /** The process's metrics registry: KMS calls, circuit, data-key cache and pool are reported in it. */
  metrics?: MetricsRegistry;
}): Promise<VaultComponents> {
  const logger = options.logger.child({ service: "vault" });
  const database = createDatabase<VaultDatabase>({
    url: options.databaseUrl,
    schema: VAULT_SCHEMA,
    logger,
    timeouts: options.config.database,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  try {
    const applied = await migrateToLatest({ url: options.databaseUrl, schema: VAULT_SCHEMA, migrations, logger });
    if (applied.length > 0) logger.info({ migrations: applied }, "vault schema migrated");
    const unmeasured = options.keys ?? (await createKeyProvider(options.config.keyProvider));
    // Measured inside the circuit: only calls that reach the KMS are counted as KMS calls.
    const provider = options.metrics ? withKeyProviderMetrics(unmeasured, options.metrics) : unmeasured;
    // A local key file is never "unavailable" in the KMS sense, so it gets no
    // circuit: a full disk must not make the vault refuse reads for a cool-down.
    const breaker =
      provider.name === "local"
        ? undefined
        : withCircuitBreaker(provider, {
            ...options.config.kmsCircuit,
            onStateChange: (state, detail) =>
              state === "open"
                ? logger.error(
                    { key_provider: provider.name, failures: detail.failures, cooldown_ms: options.config.kmsCircuit.cooldownMs },
                    "KMS circuit opened: calls fail fast until a trial call succeeds",
                  )
                : logger.info({ key_provider: provider.name }, "KMS circuit closed: KMS answers again"),
          });
    const keys: KeyProvider = breaker ?? provider;
    const cache = createDataKeyCache(options.config.cache);
    if (options.metrics) {
      registerDataKeyCacheMetrics(cache, options.metrics);
      if (breaker) registerCircuitMetrics(breaker, options.metrics);
    }
    const vault = createVault({ db: database.db, keys, cache, logger });
    logger.info({ key_provider: keys.name, key_id: keys.defaultKeyId }, "vault ready");
    return {
      registration: createVaultRoutes(vault),
      mapError: mapVaultError,
      vault,
      keys,
      cache,
      db: database.db,
      kmsAvailable: () => breaker?.available() ?? true,
      async close() {
        cache.clear();
        await database.destroy();
      },
    };
  } catch (error) {
    await database.destroy();
    throw error;
  }
}

async function createKeyProvider(config: KeyProviderConfig): Promise<KeyProvider> {
  if (config.kind === "local") return createLocalKeyProvider({ keyDir: config.keyDir, keyId: config.keyId });
  return createAwsKmsKeyProvider({
    keyId: config.keyId,
    region: config.region,
    maxAttempts: config.maxAttempts,
    requestTimeoutMs: config.requestTimeoutMs,
    callTimeoutMs: config.callTimeoutMs,
    ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
  });
}
