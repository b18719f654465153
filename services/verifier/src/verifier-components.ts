import type { HandleOutcome } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { ProviderCheck } from "./checks/provider-check.js";
import type { AwsCredentials } from "./checks/sts-call.js";
import type { VerifierConfig } from "./config.js";
import type { VerifierRegistry, VerifierVault } from "./ports.js";
import { createEventVerifier } from "./verify-event.js";
import { createVerifierMetrics } from "./verifier-metrics.js";
import type { Registry } from "prom-client";

/** A built verifier: the event handler the consumers call. */
export interface VerifierComponents {
  /** Handles one registry event (connection.created / .rotated / .reverify, aws_trust.completed); idempotent. */
  handle(data: Uint8Array, deliveryCount?: number): Promise<HandleOutcome>;
}

/**
 * buildVerifier wires the verifier from its configuration: the provider
 * checks, and the registry and vault it reads from and reports to. The
 * verifier keeps no state of its own: the durable consumer's position and
 * the registry's last_verification are all there is.
 */
export function buildVerifier(options: {
  config: VerifierConfig;
  logger: Logger;
  registry: VerifierRegistry;
  vault: VerifierVault;
  checks: Partial<Record<Provider, ProviderCheck>>;
  /** The AWS cross-account trust check; absent: such connections are recorded UNSUPPORTED. */
  trustCheck?: ProviderCheck;
  /** The platform's own AWS identity (the runner principal customer roles trust). */
  platformAwsCredentials?: () => Promise<AwsCredentials>;
  /** The consumer's max_deliver, when a JetStream consumer feeds the handler. */
  deliveryLimit?: number;
  /** The process's metrics registry: check results are counted in it. */
  metrics?: Registry;
}): VerifierComponents {
  const logger = options.logger.child({ service: "verifier" });
  return {
    handle: createEventVerifier({
      registry: options.registry,
      vault: options.vault,
      checks: options.checks,
      endpoints: options.config.endpoints,
      timeoutMs: options.config.checkTimeoutMs,
      maxTransientAttempts: options.config.maxTransientAttempts,
      trustPropagationMs: options.config.trustPropagationMs,
      checkPermissions: options.config.checkPermissions,
      ...(options.config.trustPrincipalArn !== undefined ? { trustedPrincipalArn: options.config.trustPrincipalArn } : {}),
      ...(options.deliveryLimit !== undefined ? { deliveryLimit: options.deliveryLimit } : {}),
      ...(options.trustCheck ? { trustCheck: options.trustCheck } : {}),
      ...(options.platformAwsCredentials ? { platformAwsCredentials: options.platformAwsCredentials } : {}),
      logger,
      ...(options.metrics ? { metrics: createVerifierMetrics(options.metrics) } : {}),
    }),
  };
}
