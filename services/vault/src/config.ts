import { join } from "node:path";
import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";
import { readDatabaseTimeouts, type DatabaseTimeouts } from "@planton/db";
import { DEFAULT_KMS_CALL_TIMEOUT_MS, DEFAULT_KMS_REQUEST_TIMEOUT_MS } from "./keys/aws-kms-key-provider.js";
import type { CircuitBreakerOptions } from "./keys/circuit-breaker-key-provider.js";
import type { DataKeyCacheOptions } from "./keys/data-key-cache.js";

/** Which key provider wraps data keys. */
export type KeyProviderConfig =
  | { readonly kind: "local"; readonly keyDir: string; readonly keyId: string }
  | {
      readonly kind: "aws-kms";
      readonly keyId: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly maxAttempts: number;
      /** One HTTP attempt (`KMS_REQUEST_TIMEOUT_MS`). */
      readonly requestTimeoutMs: number;
      /** One KMS call, all attempts included (`KMS_CALL_TIMEOUT_MS`). */
      readonly callTimeoutMs: number;
    };

/** The vault's configuration, parsed once at start. */
export interface VaultConfig {
  readonly service: ServiceConfig;
  readonly keyProvider: KeyProviderConfig;
  readonly cache: DataKeyCacheOptions;
  /** The KMS circuit breaker (`KMS_CIRCUIT_*`); never used with the local provider. */
  readonly kmsCircuit: Pick<CircuitBreakerOptions, "failureThreshold" | "cooldownMs">;
  /** Limits on every PostgreSQL connection and statement (`DATABASE_*_TIMEOUT_MS`). */
  readonly database: DatabaseTimeouts;
}

/**
 * loadVaultConfig parses the vault's environment (README, Configuration).
 * Throws `ConfigError` naming the first bad variable.
 */
export function loadVaultConfig(environment: Env): VaultConfig {
  const env = createEnvReader(environment);
  const service = readServiceConfig(env);
  const kmsKeyId = env.string("KMS_KEY_ID");
  const kind = env.oneOf("KEY_PROVIDER", ["local", "aws-kms"] as const, kmsKeyId !== undefined ? "aws-kms" : "local");
  let keyProvider: KeyProviderConfig;
  if (kind === "aws-kms") {
    if (kmsKeyId === undefined) throw new ConfigError("KMS_KEY_ID", "is required when KEY_PROVIDER is aws-kms");
    const region = env.string("AWS_REGION") ?? env.string("AWS_DEFAULT_REGION");
    if (region === undefined) throw new ConfigError("AWS_REGION", "is required when KEY_PROVIDER is aws-kms");
    const endpoint = env.url("KMS_ENDPOINT", ["https:", "http:"]) ?? env.url("AWS_ENDPOINT_URL_KMS", ["https:", "http:"]);
    keyProvider = {
      kind,
      keyId: kmsKeyId,
      region,
      endpoint: endpoint?.toString(),
      maxAttempts: env.int("KMS_MAX_ATTEMPTS", 3, { min: 1, max: 10 }),
      requestTimeoutMs: env.int("KMS_REQUEST_TIMEOUT_MS", DEFAULT_KMS_REQUEST_TIMEOUT_MS, { min: 100, max: 60_000 }),
      callTimeoutMs: env.int("KMS_CALL_TIMEOUT_MS", DEFAULT_KMS_CALL_TIMEOUT_MS, { min: 100, max: 120_000 }),
    };
  } else {
    keyProvider = {
      kind,
      keyDir: env.string("LOCAL_KEY_DIR", join(service.dataDir, "vault", "keys")),
      keyId: env.string("LOCAL_KEY_ID", "master-1"),
    };
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(keyProvider.keyId)) {
      throw new ConfigError("LOCAL_KEY_ID", "must be 1-64 letters, digits, '_', '.' or '-'");
    }
  }
  return Object.freeze({
    service,
    keyProvider: Object.freeze(keyProvider),
    cache: Object.freeze({
      maxEntries: env.int("DATA_KEY_CACHE_MAX_ENTRIES", 1_000, { min: 0, max: 1_000_000 }),
      maxAgeMs: env.int("DATA_KEY_CACHE_MAX_AGE_MS", 300_000, { min: 0, max: 86_400_000 }),
      maxUses: env.int("DATA_KEY_CACHE_MAX_USES", 10_000, { min: 1, max: 100_000_000 }),
    }),
    kmsCircuit: Object.freeze({
      failureThreshold: env.int("KMS_CIRCUIT_FAILURES", 5, { min: 1, max: 1_000 }),
      cooldownMs: env.int("KMS_CIRCUIT_COOLDOWN_MS", 10_000, { min: 100, max: 600_000 }),
    }),
    database: readDatabaseTimeouts(env),
  });
}
