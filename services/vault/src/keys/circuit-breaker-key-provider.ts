import { KeyProviderUnavailableError, type KeyProvider } from "./key-provider.js";

/** Options of {@link withCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive unavailability failures that open the circuit (`KMS_CIRCUIT_FAILURES`). */
  readonly failureThreshold: number;
  /** How long an open circuit fails calls fast before it lets a trial call through (`KMS_CIRCUIT_COOLDOWN_MS`). */
  readonly cooldownMs: number;
  /** Clock in ms; tests replace it. Default `Date.now`. */
  readonly now?: () => number;
  /** Told when the circuit opens or closes (for logs). */
  readonly onStateChange?: (state: CircuitState, detail: { failures: number }) => void;
}

/**
 * State of the circuit: `closed` passes every call; `open` fails every call
 * at once; `half-open` (the cool-down has passed) lets one trial call through
 * and fails the others at once until that trial settles.
 */
export type CircuitState = "closed" | "open" | "half-open";

/** A {@link KeyProvider} guarded by a circuit breaker, see {@link withCircuitBreaker}. */
export interface CircuitBreakerKeyProvider extends KeyProvider {
  /** The circuit's state now. */
  state(): CircuitState;
  /**
   * False while the circuit is open (the provider is considered unreachable
   * and calls fail fast); true when closed or once the cool-down has passed,
   * so traffic, and with it the trial call, can come back.
   */
  available(): boolean;
}

/**
 * withCircuitBreaker wraps a remote key provider so that an outage costs each
 * caller nothing but an immediate UNAVAILABLE instead of a full timeout.
 *
 * - Only {@link KeyProviderUnavailableError} counts as a failure. A refusal
 *   (`KeyProviderRejectedError`) means the provider answered, so it counts as
 *   a success; a call the caller aborted counts as neither.
 * - After `failureThreshold` consecutive failures the circuit opens: calls
 *   reject at once with `KeyProviderUnavailableError` for `cooldownMs`.
 * - Then one trial call goes through (half-open). Its success closes the
 *   circuit; its failure opens it for another cool-down; if the caller aborts
 *   it, the next call becomes the trial.
 */
export function withCircuitBreaker(inner: KeyProvider, options: CircuitBreakerOptions): CircuitBreakerKeyProvider {
  const now = options.now ?? Date.now;
  let failures = 0;
  let openedAt: number | undefined;
  let trialInFlight = false;

  const state = (): CircuitState => {
    if (openedAt === undefined) return "closed";
    return now() - openedAt >= options.cooldownMs ? "half-open" : "open";
  };

  const setOpen = () => {
    const wasOpen = openedAt !== undefined;
    openedAt = now();
    if (!wasOpen) options.onStateChange?.("open", { failures });
  };

  const guarded = async <T>(operation: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> => {
    const current = state();
    let trial = false;
    if (current === "open" || (current === "half-open" && trialInFlight)) {
      throw new KeyProviderUnavailableError(
        `${inner.name} ${operation} not attempted: the circuit is open after ${failures} consecutive unavailable calls; next try after a ${options.cooldownMs} ms cool-down`,
      );
    }
    if (current === "half-open") {
      trialInFlight = true;
      trial = true;
    }
    try {
      const result = await run();
      if (openedAt !== undefined) options.onStateChange?.("closed", { failures });
      failures = 0;
      openedAt = undefined;
      return result;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (error instanceof KeyProviderUnavailableError) {
        failures++;
        if (trial || failures >= options.failureThreshold) setOpen();
      } else {
        // The provider answered (a refusal): it is reachable.
        if (openedAt !== undefined) options.onStateChange?.("closed", { failures });
        failures = 0;
        openedAt = undefined;
      }
      throw error;
    } finally {
      if (trial) trialInFlight = false;
    }
  };

  return {
    name: inner.name,
    defaultKeyId: inner.defaultKeyId,
    state,
    available: () => state() !== "open",
    generateDataKey: (context, signal) => guarded("GenerateDataKey", signal, () => inner.generateDataKey(context, signal)),
    decryptDataKey: (wrapped, keyId, context, signal) => guarded("Decrypt", signal, () => inner.decryptDataKey(wrapped, keyId, context, signal)),
    rewrapDataKey: (wrapped, keyId, context, targetKeyId, signal) =>
      guarded("ReEncrypt", signal, () => inner.rewrapDataKey(wrapped, keyId, context, targetKeyId, signal)),
    resolveKeyId: (keyId, signal) => guarded("DescribeKey", signal, () => inner.resolveKeyId(keyId, signal)),
  };
}
