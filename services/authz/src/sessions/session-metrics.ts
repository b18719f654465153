import type { Code } from "@connectrpc/connect";
import { Histogram, type Registry } from "prom-client";
import { codeName } from "../error-codes.js";
import { KNOWN_STS_ERRORS } from "./sts-failures.js";

// Seconds: one AssumeRole is tens of milliseconds; retries with backoff and
// slow networks show in the upper buckets.
const BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Measures session mints; see {@link createSessionMetrics}. */
export interface SessionMetrics {
  /**
   * Records one AssumeRole that started at `startedMs` (performance.now()):
   * `code` undefined when it succeeded, else the code the resolve fails with;
   * `stsCode` the STS error code, "" when none.
   */
  observe(code: Code | undefined, stsCode: string, startedMs: number): void;
}

/**
 * createSessionMetrics registers `planton_authz_aws_session_seconds{code,
 * sts_error}` in `registry`: the duration of every AssumeRole made for
 * session credentials (SDK retries included), by the gRPC code name the
 * resolve got from it (`OK` for a minted session) and the STS error code
 * (one of {@link KNOWN_STS_ERRORS}, `OTHER` for any other, empty when STS
 * answered none). Its `_count` counts mints by outcome. Bounded labels only.
 */
export function createSessionMetrics(registry: Registry): SessionMetrics {
  const seconds = new Histogram({
    name: "planton_authz_aws_session_seconds",
    help: "AssumeRole calls for per-deployment session credentials: duration, by outcome (gRPC code name, OK when minted) and STS error code.",
    labelNames: ["code", "sts_error"] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const ok = seconds.labels("OK", "");
  return {
    observe(code, stsCode, startedMs) {
      const elapsed = (performance.now() - startedMs) / 1000;
      if (code === undefined) ok.observe(elapsed);
      else seconds.observe({ code: codeName(code), sts_error: stsCode === "" || KNOWN_STS_ERRORS.includes(stsCode) ? stsCode : "OTHER" }, elapsed);
    },
  };
}
