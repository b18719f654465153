import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandleOutcome } from "@planton/events";
import type { Logger } from "@planton/logging";
import {
  CredentialLifetimeSchema,
  VerificationSchema,
  type CredentialLifetime,
  type TrustPolicyReview,
  type Verification,
} from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { mergeSecrets } from "@planton/providers";
import type { VerifierMetrics } from "./verifier-metrics.js";
import { permissionFields } from "./permission-fields.js";
import { trustReviewFields } from "./trust-review-fields.js";
import type { CheckResult, CredentialLifetime as CheckedLifetime, ProviderCheck, ProviderEndpoints } from "./checks/provider-check.js";
import type { VerifierRegistry, VerifierVault } from "./ports.js";
import type { AwsCredentials } from "./checks/sts-call.js";

/** max_deliver of the verifier's durable consumer; the handler records a result by the last delivery. */
export const VERIFIER_MAX_DELIVER = 30;

/** Subjects the verifier consumes. */
export const VERIFIED_KINDS = ["connection.created", "connection.rotated", "connection.reverify", "aws_trust.completed"] as const;

// A role that cannot be assumed right after its stack reported it is most
// likely IAM's eventual consistency: retried with this backoff while the
// propagation window lasts.
const PROPAGATION_RETRY_FIRST_MS = 2_000;
const PROPAGATION_RETRY_MAX_MS = 30_000;

/**
 * Check reasons that describe the platform, not the user's credentials: the
 * verifier has no AWS identity (NOT_CONFIGURED) or AWS refused it
 * (PLATFORM_CREDENTIALS). Such a result is never recorded on the connection
 * (the registry would mark it VERIFICATION_FAILED, blaming the user): it is
 * retried, then left pending for the next re-verification, and logged for
 * the operator.
 */
export const PLATFORM_FAULT_REASONS: readonly string[] = ["NOT_CONFIGURED", "PLATFORM_CREDENTIALS"];

/** Whether a check result is the platform's own fault (see {@link PLATFORM_FAULT_REASONS}). */
export function isPlatformFault(result: CheckResult): boolean {
  return result.kind !== "verified" && PLATFORM_FAULT_REASONS.includes(result.reason);
}

/** Dependencies of {@link createEventVerifier}. */
export interface EventVerifierDeps {
  readonly registry: VerifierRegistry;
  readonly vault: VerifierVault;
  /** Checks of inline credentials, per provider. */
  readonly checks: Partial<Record<Provider, ProviderCheck>>;
  /** The AWS cross-account trust check (AssumeRole with and without the external id); absent: UNSUPPORTED. */
  readonly trustCheck?: ProviderCheck;
  /** The platform's own AWS identity, which customer roles trust (for `trustCheck`). */
  readonly platformAwsCredentials?: () => Promise<AwsCredentials>;
  /** The principal trust roles must trust alone (AWS_TRUST_PRINCIPAL_ARN), for the trust-policy lint. */
  readonly trustedPrincipalArn?: string;
  /** How long after aws_trust.completed a role that cannot be assumed is retried (IAM propagation). */
  readonly trustPropagationMs: number;
  /**
   * The consumer's max_deliver: JetStream drops a message after that many
   * deliveries, so the last one records whatever it has (absent: no limit,
   * the in-process bus).
   */
  readonly deliveryLimit?: number;
  readonly endpoints: ProviderEndpoints;
  readonly timeoutMs: number;
  /** After this many deliveries a transient failure is recorded as a failure the user sees. */
  readonly maxTransientAttempts: number;
  readonly logger: Logger;
  /** Where check results are counted (none: not measured). */
  readonly metrics?: VerifierMetrics;
  /** After a successful check, ask the provider what the credential may do per capability (`PERMISSION_CHECKS`). */
  readonly checkPermissions?: boolean;
}

/**
 * createEventVerifier returns the handler of one registry event: for
 * connection.created, .rotated and .reverify (the registry's periodic
 * re-verification) and aws_trust.completed it opens the named credential version,
 * proves it against the provider and records the result in the registry.
 * Idempotent and safe to redeliver: a connection that is gone, a version
 * that is no longer current or was destroyed, and runner-mode connections
 * are acknowledged without a check. A transient provider failure asks for a
 * redelivery (`retryAfterMs`) until `maxTransientAttempts`, then is recorded.
 * A platform fault ({@link isPlatformFault}) is retried the same way but
 * never recorded: the connection stays PENDING_VERIFICATION.
 */
export function createEventVerifier(deps: EventVerifierDeps) {
  return async (data: Uint8Array, deliveryCount = 1): Promise<HandleOutcome> => {
    let event;
    try {
      event = fromBinary(EventSchema, data);
    } catch (error) {
      deps.logger.warn({ error }, "unreadable event skipped");
      return;
    }
    if ((event.payload.case !== "connection" && event.payload.case !== "awsTrust") || !(VERIFIED_KINDS as readonly string[]).includes(event.kind)) return;
    const orgId = event.orgId;
    const { connectionId, credentialVersion } = event.payload.value;
    // Only the event that announced a new role opens the propagation window.
    const propagating =
      event.kind === "aws_trust.completed" && event.occurTime !== undefined && Date.now() - Number(event.occurTime.seconds) * 1000 < deps.trustPropagationMs;
    if (credentialVersion === 0) return;
    const found = await deps.registry.lookup(orgId, connectionId).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    // Deleted since, rotated again since (that event verifies the newer version), or nothing to prove here.
    if (found === undefined || found.connection.credentialVersion !== credentialVersion) return;
    // Runner mode is proven by the runner when it runs (its status says so).
    if (found.connection.authMode === AuthMode.RUNNER) return;
    // A result for this version is recorded already: this is a redelivery of
    // an event whose result landed (the replica died before its ack, or the
    // registry's answer was lost). A version becomes current once, so only
    // the periodic re-verification proves it again.
    if (event.kind !== "connection.reverify" && found.connection.lastVerification?.credentialVersion === credentialVersion) return;
    const trust = found.connection.authMode === AuthMode.CROSS_ACCOUNT_TRUST && found.connection.provider === Provider.AWS;
    const check = found.connection.authMode === AuthMode.INLINE ? deps.checks[found.connection.provider] : trust ? deps.trustCheck : undefined;
    let result: CheckResult;
    if (check === undefined) {
      result = {
        kind: "failed",
        reason: "UNSUPPORTED",
        message: `verification of ${Provider[found.connection.provider]} connections in this mode is not available yet`,
      };
    } else {
      const secret = await deps.vault.open(orgId, connectionId, credentialVersion).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (secret === undefined) return;
      const sealed = fromBinary(ConnectionSpecSchema, secret);
      // A trust version seals the whole role (ARN and external id): it is the spec to prove.
      result = await check(trust ? sealed : fullSpec(found.publicSpec, sealed), {
        endpoints: deps.endpoints,
        timeoutMs: deps.timeoutMs,
        connectionId,
        ...(deps.platformAwsCredentials ? { platformAwsCredentials: deps.platformAwsCredentials } : {}),
        ...(deps.checkPermissions ? { checkPermissions: true } : {}),
        ...(deps.trustedPrincipalArn !== undefined ? { trustedPrincipalArn: deps.trustedPrincipalArn } : {}),
      });
    }
    deps.metrics?.checked(found.connection.provider, result);
    const lastDelivery = deliveryCount >= (deps.deliveryLimit ?? Number.POSITIVE_INFINITY);
    if (propagating && !lastDelivery && result.kind === "failed" && result.reason === "ROLE_NOT_ASSUMABLE") {
      deps.logger.info(
        { org_id: orgId, connection_id: connectionId, attempt: deliveryCount },
        "role not assumable yet (IAM propagation); verification will be retried",
      );
      return { retryAfterMs: Math.min(PROPAGATION_RETRY_FIRST_MS * 2 ** (deliveryCount - 1), PROPAGATION_RETRY_MAX_MS) };
    }
    if (isPlatformFault(result)) {
      const fields = { org_id: orgId, connection_id: connectionId, reason: result.kind === "verified" ? "" : result.reason, attempt: deliveryCount };
      if (!lastDelivery && deliveryCount < deps.maxTransientAttempts) {
        deps.logger.warn(
          fields,
          "the platform's own AWS identity is missing or refused; verification will be retried (operators: give the verifier the runner principal's credentials)",
        );
        return { retryAfterMs: Math.min(1000 * 2 ** (deliveryCount - 1), 60_000) };
      }
      // Acknowledged without a record: the connection stays pending and the
      // periodic re-verification tries again, instead of a failure the user cannot fix.
      deps.logger.error(fields, "connection left pending: the platform cannot verify AWS cross-account trust until its own AWS identity works");
      return;
    }
    if (result.kind === "transient" && !lastDelivery && deliveryCount < deps.maxTransientAttempts) {
      deps.logger.info(
        { org_id: orgId, connection_id: connectionId, reason: result.reason, attempt: deliveryCount },
        "provider unavailable; verification will be retried",
      );
      // Exponential backoff with the provider's own hint as the floor.
      return { retryAfterMs: Math.max(result.retryAfterMs ?? 0, Math.min(1000 * 2 ** (deliveryCount - 1), 60_000)) };
    }
    await deps.registry.recordVerification(
      orgId,
      connectionId,
      create(VerificationSchema, {
        verifyTime: timestampFromDate(new Date()),
        credentialVersion,
        ok: result.kind === "verified",
        identity: result.kind === "verified" ? result.identity : "",
        ...(result.kind === "verified" && result.lifetime ? { lifetime: lifetimeOf(result.lifetime) } : {}),
        ...findingFields(result),
        reason: result.kind === "verified" ? "" : result.kind === "transient" ? "PROVIDER_UNAVAILABLE" : result.reason,
        message:
          result.kind === "verified"
            ? ""
            : result.kind === "transient"
              ? `The provider could not be reached after ${deliveryCount} attempts (${result.message}). Verification will run again later.`
              : result.message,
      }),
    );
    deps.logger.info({ org_id: orgId, connection_id: connectionId, version: credentialVersion, result: result.kind }, "connection verified");
    return;
  };
}

function fullSpec(publicSpec: ConnectionSpec, secret: ConnectionSpec): ConnectionSpec {
  try {
    return mergeSecrets(publicSpec, secret);
  } catch {
    return secret;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return (
    e?.code === 5 || e?.name === "ConnectionNotFoundError" || e?.name === "CredentialVersionNotFoundError" || e?.name === "CredentialVersionDestroyedError"
  );
}

// What the checks found besides the verdict: the capability checks, the
// trust role's review, and the warnings of both (the review's first: they
// concern who may act on the account).
function findingFields(result: CheckResult): Pick<Verification, "capabilityChecks" | "warnings"> & { trustPolicyReview?: TrustPolicyReview } {
  const permissions = permissionFields(result);
  const review = result.kind === "verified" && result.trustPolicyReview ? trustReviewFields(result.trustPolicyReview) : undefined;
  return {
    capabilityChecks: permissions.capabilityChecks,
    warnings: [...(review?.warnings ?? []), ...permissions.warnings],
    ...(review ? { trustPolicyReview: review.trustPolicyReview } : {}),
  };
}

// The check's dates as the registry records them (Verification.lifetime).
function lifetimeOf(lifetime: CheckedLifetime): CredentialLifetime {
  return create(CredentialLifetimeSchema, {
    ...(lifetime.createTime ? { createTime: timestampFromDate(lifetime.createTime) } : {}),
    ...(lifetime.expireTime ? { expireTime: timestampFromDate(lifetime.expireTime) } : {}),
    unavailableReason: lifetime.unavailableReason ?? "",
  });
}
