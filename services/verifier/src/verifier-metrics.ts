import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Counter, type Registry } from "prom-client";
import type { CheckResult } from "./checks/provider-check.js";

/** Where the verifier reports its check results (see {@link createVerifierMetrics}). */
export interface VerifierMetrics {
  /** One check of a `provider` credential ended with `result`. */
  checked(provider: Provider, result: CheckResult): void;
}

// Reasons are the checks' constants (INVALID_CREDENTIALS, PROVIDER_UNAVAILABLE, ...);
// anything else is reported as OTHER so a label never carries free text.
const REASON = /^[A-Z][A-Z0-9_]{0,47}$/;

/**
 * createVerifierMetrics registers `planton_verifier_results_total{provider,
 * result, reason}`: every check the verifier ran (a retried transient
 * failure counts once per attempt), by provider (the enum name, e.g. AWS),
 * result (verified, failed, transient) and reason (empty when verified).
 */
export function createVerifierMetrics(registry: Registry): VerifierMetrics {
  const results = new Counter({
    name: "planton_verifier_results_total",
    help: "Credential checks the verifier ran, by provider, result (verified, failed, transient) and reason.",
    labelNames: ["provider", "result", "reason"] as const,
    registers: [registry],
  });
  return {
    checked(provider, result) {
      const reason = result.kind === "verified" ? "" : REASON.test(result.reason) ? result.reason : "OTHER";
      results.inc({ provider: Provider[provider] ?? "UNKNOWN", result: result.kind, reason });
    },
  };
}
