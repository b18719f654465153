import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CircuitBreakerKeyProvider, CircuitState } from "./circuit-breaker-key-provider.js";
import type { DataKeyCache } from "./data-key-cache.js";
import { KeyProviderRejectedError, KeyProviderUnavailableError, type KeyProvider } from "./key-provider.js";

/** The operations the `operation` label names (AWS KMS's API names). */
const OPERATIONS = ["GenerateDataKey", "Decrypt", "ReEncrypt", "DescribeKey"] as const;
type Operation = (typeof OPERATIONS)[number];

/** How a call ended, as the `outcome` label says it. */
const OUTCOMES = ["ok", "unavailable", "rejected", "aborted", "error"] as const;
type Outcome = (typeof OUTCOMES)[number];

// Seconds: a local key is microseconds, AWS KMS a few milliseconds; the client gives up after its call timeout.
const KMS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const CIRCUIT_STATES: readonly CircuitState[] = ["closed", "open", "half-open"];

/**
 * withKeyProviderMetrics measures every call `inner` makes into
 * `planton_kms_call_duration_seconds{provider, operation, outcome}` (its
 * `_count` is the number of calls). Wrap the provider itself, inside the
 * circuit breaker: a call the open circuit refuses never reaches the KMS and
 * is not counted here (see `planton_kms_circuit_state`). Label children are
 * made up front; a call costs one observation.
 */
export function withKeyProviderMetrics(inner: KeyProvider, registry: Registry): KeyProvider {
  const duration = new Histogram({
    name: "planton_kms_call_duration_seconds",
    help: "Key provider (KMS) calls by provider, operation and outcome (ok, unavailable, rejected, aborted, error), and their duration; _count is the number of calls.",
    labelNames: ["provider", "operation", "outcome"] as const,
    buckets: KMS_BUCKETS,
    registers: [registry],
  });
  const children = new Map<Operation, Record<Outcome, (seconds: number) => void>>();
  for (const operation of OPERATIONS) {
    const byOutcome = {} as Record<Outcome, (seconds: number) => void>;
    for (const outcome of OUTCOMES) {
      const child = duration.labels(inner.name, operation, outcome);
      byOutcome[outcome] = (seconds) => child.observe(seconds);
    }
    children.set(operation, byOutcome);
  }
  const timed = async <T>(operation: Operation, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> => {
    const observe = children.get(operation)!;
    const started = performance.now();
    try {
      const result = await run();
      observe.ok((performance.now() - started) / 1000);
      return result;
    } catch (error) {
      const outcome: Outcome = signal?.aborted
        ? "aborted"
        : error instanceof KeyProviderUnavailableError
          ? "unavailable"
          : error instanceof KeyProviderRejectedError
            ? "rejected"
            : "error";
      observe[outcome]((performance.now() - started) / 1000);
      throw error;
    }
  };
  return {
    name: inner.name,
    defaultKeyId: inner.defaultKeyId,
    generateDataKey: (context, signal) => timed("GenerateDataKey", signal, () => inner.generateDataKey(context, signal)),
    decryptDataKey: (wrapped, keyId, context, signal) => timed("Decrypt", signal, () => inner.decryptDataKey(wrapped, keyId, context, signal)),
    rewrapDataKey: (wrapped, keyId, context, targetKeyId, signal) =>
      timed("ReEncrypt", signal, () => inner.rewrapDataKey(wrapped, keyId, context, targetKeyId, signal)),
    resolveKeyId: (keyId, signal) => timed("DescribeKey", signal, () => inner.resolveKeyId(keyId, signal)),
  };
}

/**
 * registerCircuitMetrics reports the KMS circuit as
 * `planton_kms_circuit_state{state}`: 1 for the state it is in, 0 for the
 * others, read at each scrape.
 */
export function registerCircuitMetrics(breaker: CircuitBreakerKeyProvider, registry: Registry): void {
  new Gauge({
    name: "planton_kms_circuit_state",
    help: "State of the KMS circuit breaker: 1 for the current state (closed, open, half-open), 0 for the others.",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const current = breaker.state();
      for (const state of CIRCUIT_STATES) this.set({ state }, state === current ? 1 : 0);
    },
  });
}

/**
 * registerDataKeyCacheMetrics reports the cache's counters (read at each
 * scrape from {@link DataKeyCache.stats}, nothing on the read path):
 * `planton_vault_data_key_cache_requests_total{result="hit"|"miss"}`,
 * `planton_vault_data_key_cache_evictions_total` and
 * `planton_vault_data_key_cache_entries`.
 */
export function registerDataKeyCacheMetrics(cache: DataKeyCache, registry: Registry): void {
  // Counters whose value lives in the cache: the metric is set to it at each scrape.
  new Gauge({
    name: "planton_vault_data_key_cache_entries",
    help: "Unwrapped data keys held in the vault's cache now.",
    registers: [registry],
    collect() {
      this.set(cache.stats().size);
    },
  });
  new Counter({
    name: "planton_vault_data_key_cache_requests_total",
    help: "Data-key cache lookups by result (hit, miss); a miss calls the KMS.",
    labelNames: ["result"] as const,
    registers: [registry],
    collect() {
      const stats = cache.stats();
      this.reset();
      this.inc({ result: "hit" }, stats.hits);
      this.inc({ result: "miss" }, stats.misses);
    },
  });
  new Counter({
    name: "planton_vault_data_key_cache_evictions_total",
    help: "Data keys dropped from the cache before a clear: expired (age or uses), over capacity, or evicted (version destroyed).",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(cache.stats().evictions);
    },
  });
}
