import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { withCircuitBreaker } from "./circuit-breaker-key-provider.js";
import { createDataKeyCache } from "./data-key-cache.js";
import { KeyProviderRejectedError, KeyProviderUnavailableError, type KeyProvider } from "./key-provider.js";
import { registerCircuitMetrics, registerDataKeyCacheMetrics, withKeyProviderMetrics } from "./key-provider-metrics.js";

/** A provider whose every call does what `next` says. */
function scripted(): KeyProvider & { next: "ok" | "unavailable" | "rejected" } {
  const provider = {
    name: "aws-kms",
    defaultKeyId: "arn:aws:kms:eu-west-1:111122223333:key/secret-key-id",
    next: "ok" as "ok" | "unavailable" | "rejected",
    async run<T>(value: T): Promise<T> {
      if (provider.next === "unavailable") throw new KeyProviderUnavailableError("KMS timed out");
      if (provider.next === "rejected") throw new KeyProviderRejectedError("invalid_ciphertext", "bad context");
      return value;
    },
    generateDataKey: () => provider.run({ plaintext: new Uint8Array(32), wrapped: new Uint8Array(8), keyId: "k" }),
    decryptDataKey: () => provider.run(new Uint8Array(32)),
    rewrapDataKey: () => provider.run({ wrapped: new Uint8Array(8), keyId: "k" }),
    resolveKeyId: (keyId: string) => provider.run(keyId),
  };
  return provider;
}

const count = async (registry: Registry, labels: Record<string, string>) => {
  const { values } = await registry.getSingleMetric("planton_kms_call_duration_seconds")!.get();
  return values.find(
    (v) =>
      (v as { metricName?: string }).metricName === "planton_kms_call_duration_seconds_count" && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  )?.value;
};

describe("KMS metrics", () => {
  it("counts calls by operation and outcome; calls the open circuit refuses never reach the KMS and are not counted", async () => {
    const registry = new Registry();
    const inner = scripted();
    const breaker = withCircuitBreaker(withKeyProviderMetrics(inner, registry), { failureThreshold: 2, cooldownMs: 60_000 });
    registerCircuitMetrics(breaker, registry);
    await breaker.generateDataKey({ org: "o" });
    await breaker.decryptDataKey(new Uint8Array(8), "k", { org: "o" });
    inner.next = "rejected";
    await expect(breaker.decryptDataKey(new Uint8Array(8), "k", { org: "o" })).rejects.toThrow(KeyProviderRejectedError);
    inner.next = "unavailable";
    for (let i = 0; i < 4; i++) await expect(breaker.decryptDataKey(new Uint8Array(8), "k", { org: "o" })).rejects.toThrow(KeyProviderUnavailableError);

    expect(await count(registry, { provider: "aws-kms", operation: "GenerateDataKey", outcome: "ok" })).toBe(1);
    expect(await count(registry, { operation: "Decrypt", outcome: "ok" })).toBe(1);
    expect(await count(registry, { operation: "Decrypt", outcome: "rejected" })).toBe(1);
    // Two reached the KMS and opened the circuit; the other two failed fast.
    expect(await count(registry, { operation: "Decrypt", outcome: "unavailable" })).toBe(2);
    const text = await registry.metrics();
    expect(text).toContain('planton_kms_circuit_state{state="open"} 1');
    expect(text).toContain('planton_kms_circuit_state{state="closed"} 0');
    // Neither the key id nor the encryption context is a label.
    expect(text).not.toContain("secret-key-id");
    expect(text).not.toContain("org");
  });

  it("reports the data-key cache's hits, misses, evictions and size", async () => {
    const registry = new Registry();
    const cache = createDataKeyCache({ maxEntries: 1, maxAgeMs: 60_000, maxUses: 100 });
    registerDataKeyCacheMetrics(cache, registry);
    const load = async () => new Uint8Array(32).fill(7);
    await cache.get("conn-secret-a", load);
    await cache.get("conn-secret-a", load);
    await cache.get("conn-secret-b", load);
    const text = await registry.metrics();
    expect(text).toContain('planton_vault_data_key_cache_requests_total{result="hit"} 1');
    expect(text).toContain('planton_vault_data_key_cache_requests_total{result="miss"} 2');
    expect(text).toContain("planton_vault_data_key_cache_evictions_total 1");
    expect(text).toContain("planton_vault_data_key_cache_entries 1");
    expect(text).not.toContain("conn-secret");
  });
});
