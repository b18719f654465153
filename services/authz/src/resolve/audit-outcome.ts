import { Code, ConnectError } from "@connectrpc/connect";
import { AuditDecision } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { scrubText } from "@planton/logging";
import type { AuditRecord } from "../audit-log.js";
import { abortCodeOf, codeName, errorCodeOf } from "../error-codes.js";
import { ConflictError, NoConnectionError, NotAuthorizedError } from "../errors.js";
import type { ResolverDeps } from "./resolver-deps.js";

/** The fields every record of one resolve attempt shares (see resolve-credentials.ts). */
export type AttemptRecord = Pick<AuditRecord, "id" | "kind" | "requestId" | "orgId" | "actor" | "deploymentId" | "environment" | "provider">;

/**
 * Records a failed resolve and returns what to throw. A refusal (a
 * decision) gets a DENIED record; everything else is an error after the
 * request reached the resolver (an outage, a damaged credential, a
 * cancellation) and gets an ERROR record with its code; nothing was handed
 * out either way. When `signal` aborted, the abort's code and reason win.
 */
export async function auditFailure(
  deps: Pick<ResolverDeps, "audit" | "logger">,
  attempt: AttemptRecord,
  at: { connectionId: string; credentialVersion: number },
  error: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  if (isRefusal(error)) {
    await deps.audit.write({ ...attempt, ...at, decision: AuditDecision.DENIED, reason: reasonOf(error) });
    return error;
  }
  const aborted = signal?.aborted === true;
  const code = aborted ? abortCodeOf(signal) : errorCodeOf(error);
  const failure: unknown = aborted ? signal.reason : error;
  try {
    await deps.audit.write({ ...attempt, ...at, decision: AuditDecision.ERROR, errorCode: codeName(code), reason: failureReason(code, error) });
  } catch (auditError) {
    // The audit store itself failed (often the cause of `error`): the
    // resolve fails either way, with its own error.
    deps.logger.error(
      { error: auditError, org_id: attempt.orgId, deployment_id: attempt.deploymentId, code: codeName(code) },
      "failed resolve could not be audited",
    );
  }
  return failure;
}

// Refusals are decisions and get a DENIED record; every other failure (an
// outage, a damaged credential, a cancellation) gets an ERROR record.
function isRefusal(error: unknown): boolean {
  if (error instanceof NoConnectionError || error instanceof NotAuthorizedError || error instanceof ConflictError) return true;
  if (error instanceof ConnectError)
    return error.code === Code.InvalidArgument || error.code === Code.NotFound; /* NOT_FOUND from the registry or vault over RPC */
  const name = (error as { name?: unknown } | null)?.name;
  // The in-process registry's and vault's "not found" (a deleted connection, a destroyed pinned version).
  return name === "ConnectionNotFoundError" || name === "CredentialVersionNotFoundError" || name === "CredentialVersionDestroyedError";
}

// The reason of an ERROR record: what failed, in words that hold no secret.
function failureReason(code: Code, error: unknown): string {
  if (code === Code.Canceled) return "the caller canceled before the answer was sent; nothing was handed out";
  if (code === Code.DeadlineExceeded) return "the caller's deadline passed before the answer was sent; nothing was handed out";
  if (code === Code.Internal || code === Code.Unknown) return "internal error";
  const message = error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : "";
  return scrubText(message).slice(0, 300);
}

// The reason of a DENIED record.
function reasonOf(error: unknown): string {
  if (error instanceof NoConnectionError) return "no connection named and no default";
  if (error instanceof NotAuthorizedError) return "connection not authorized for the environment";
  if (error instanceof ConflictError) return "conflicts with the deployment's pin or provider";
  if (error instanceof ConnectError && error.code === Code.InvalidArgument) return "invalid request";
  return "connection or credential version not found";
}
