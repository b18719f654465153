import { AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { AuditRecord } from "../audit-log.js";
import type { AuthzChangeKind } from "../audit-kinds.js";
import type { Caller } from "../caller.js";

/** The audit record of a change made here; written in the change's transaction. */
export function changeRecord(
  caller: Caller,
  kind: AuthzChangeKind,
  fields: { connectionId: string; provider: number; environment: string; summary: string },
): AuditRecord {
  return {
    orgId: caller.orgId,
    actor: caller.subject,
    kind,
    requestId: caller.requestId ?? "",
    connectionId: fields.connectionId,
    target: fields.connectionId,
    provider: fields.provider,
    environment: fields.environment,
    summary: fields.summary,
  };
}

/**
 * The record's environment and summary for a change of authorizations:
 * the environment only when exactly one was named, and what `changed`
 * (under `verb`, e.g. "added") among the `targets`.
 */
export function authorizationChange(slug: string, scope: AuthorizationScope, targets: readonly string[], changed: readonly string[], verb: string) {
  return {
    environment: scope === AuthorizationScope.ENVIRONMENTS && targets.length === 1 ? targets[0]! : "",
    summary:
      scope === AuthorizationScope.ORGANIZATION
        ? `connection=${slug} scope=ORGANIZATION ${verb}=${changed.length > 0 ? "organization" : "none"}`
        : `connection=${slug} scope=ENVIRONMENTS environments=${targets.join(",")} ${verb}=${changed.join(",") || "none"}`,
  };
}
