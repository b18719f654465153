import { describe, expect, it } from "vitest";
import { withCircuitBreaker, type CircuitState } from "./circuit-breaker-key-provider.js";
import { KeyProviderRejectedError, KeyProviderUnavailableError, type KeyProvider } from "./key-provider.js";

const context = { org_id: "o", connection_id: "c" };

/** A provider whose next outcome the test sets; counts the calls that reach it. */
function scripted() {
  let outcome: "ok" | "unavailable" | "rejected" | "hang" = "ok";
  let calls = 0;
  const pending: Array<() => void> = [];
  const run = async <T>(value: T, signal?: AbortSignal): Promise<T> => {
    calls++;
    if (outcome === "unavailable") throw new KeyProviderUnavailableError("AWS KMS GenerateDataKey did not answer within 100 ms");
    if (outcome === "rejected") throw new KeyProviderRejectedError("key_unusable", "AWS KMS GenerateDataKey failed: DisabledException");
    if (outcome === "hang") {
      await new Promise<void>((resolve, reject) => {
        pending.push(resolve);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }
    return value;
  };
  const provider: KeyProvider = {
    name: "aws-kms",
    defaultKeyId: "alias/test",
    generateDataKey: (_c, signal) => run({ plaintext: new Uint8Array(32), wrapped: new Uint8Array(8), keyId: "arn" }, signal),
    decryptDataKey: (_w, _k, _c, signal) => run(new Uint8Array(32), signal),
    rewrapDataKey: (_w, _k, _c, target, signal) => run({ wrapped: new Uint8Array(8), keyId: target }, signal),
    resolveKeyId: (keyId, signal) => run(keyId, signal),
  };
  return {
    provider,
    set: (next: typeof outcome) => (outcome = next),
    get calls() {
      return calls;
    },
    releaseAll: () => pending.splice(0).forEach((resolve) => resolve()),
  };
}

function setup(failureThreshold = 3, cooldownMs = 1_000) {
  const inner = scripted();
  let clock = 0;
  const changes: CircuitState[] = [];
  const breaker = withCircuitBreaker(inner.provider, { failureThreshold, cooldownMs, now: () => clock, onStateChange: (s) => changes.push(s) });
  return { inner, breaker, changes, advance: (ms: number) => (clock += ms) };
}

describe("withCircuitBreaker", () => {
  it("opens after N consecutive unavailable calls and then fails fast without calling the provider", async () => {
    const { inner, breaker, changes } = setup(3);
    inner.set("unavailable");
    for (let i = 0; i < 2; i++) await expect(breaker.generateDataKey(context)).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    expect(breaker.state()).toBe("closed");
    expect(breaker.available()).toBe(true);
    await expect(breaker.generateDataKey(context)).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    expect(breaker.state()).toBe("open");
    expect(breaker.available()).toBe(false);
    expect(changes).toEqual(["open"]);

    inner.set("ok");
    const before = inner.calls;
    const fast = await breaker.decryptDataKey(new Uint8Array(8), "arn", context).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(KeyProviderUnavailableError);
    expect((fast as Error).message).toContain("circuit is open");
    expect(inner.calls).toBe(before);
  });

  it("a success or a refusal between failures resets the count", async () => {
    const { inner, breaker } = setup(2);
    for (const between of ["ok", "rejected"] as const) {
      inner.set("unavailable");
      await breaker.generateDataKey(context).catch(() => undefined);
      inner.set(between);
      await breaker.generateDataKey(context).catch(() => undefined);
      inner.set("unavailable");
      await breaker.generateDataKey(context).catch(() => undefined);
      expect(breaker.state()).toBe("closed");
      inner.set("ok");
      await breaker.generateDataKey(context);
    }
  });

  it("after the cool-down lets exactly one trial through: success closes, failure reopens", async () => {
    const { inner, breaker, changes, advance } = setup(1, 1_000);
    inner.set("unavailable");
    await breaker.generateDataKey(context).catch(() => undefined);
    expect(breaker.state()).toBe("open");
    advance(1_000);
    expect(breaker.state()).toBe("half-open");
    expect(breaker.available()).toBe(true);

    // A failed trial opens the circuit for a whole new cool-down.
    await expect(breaker.generateDataKey(context)).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    expect(breaker.state()).toBe("open");
    advance(999);
    expect(breaker.state()).toBe("open");
    advance(1);

    // One trial in flight: others fail fast meanwhile.
    inner.set("hang");
    const trial = breaker.resolveKeyId("k");
    const calls = inner.calls;
    await expect(breaker.resolveKeyId("k")).rejects.toThrow(/circuit is open/);
    expect(inner.calls).toBe(calls);
    inner.releaseAll();
    await expect(trial).resolves.toBe("k");
    expect(breaker.state()).toBe("closed");
    expect(changes).toEqual(["open", "closed"]);
  });

  it("a call the caller aborts counts neither way, and an aborted trial frees the next call to try", async () => {
    const { inner, breaker, advance } = setup(1, 1_000);
    inner.set("hang");
    const controller = new AbortController();
    const call = breaker.generateDataKey(context, controller.signal);
    const reason = new Error("caller went away");
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(breaker.state()).toBe("closed");

    inner.set("unavailable");
    await breaker.generateDataKey(context).catch(() => undefined);
    advance(1_000);
    inner.set("hang");
    const trialAbort = new AbortController();
    const trial = breaker.generateDataKey(context, trialAbort.signal);
    trialAbort.abort(reason);
    await expect(trial).rejects.toBe(reason);
    expect(breaker.state()).toBe("half-open");
    inner.set("ok");
    await breaker.generateDataKey(context);
    expect(breaker.state()).toBe("closed");
  });
});
