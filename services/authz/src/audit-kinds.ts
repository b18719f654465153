/**
 * The kinds of audit records (AuditEvent.kind). A resolve is
 * {@link RESOLVE_KIND}; a change made in authz has its own kind here; a change
 * made in the registry keeps the kind of the registry event that reports it
 * (subject `connect.<kind>`).
 */
export const RESOLVE_KIND = "credentials.resolve";

/** Changes authz makes itself, recorded in the same transaction as the change. */
export const AUTHZ_CHANGE_KINDS = ["authorization.granted", "authorization.revoked", "default_connection.set", "default_connection.unset"] as const;

/** Registry events that are changes, one audit record each (keyed by the event id). */
const REGISTRY_CHANGE_KINDS = [
  "connection.created",
  "connection.updated",
  "connection.rotated",
  "connection.deleted",
  "connection.verified",
  // Not a change anyone made, but a fact about the connection its users must act on.
  "connection.rotation_due",
  "runner.registered",
  "runner.updated",
  "runner.deleted",
  "aws_trust.started",
  "aws_trust.completed",
] as const;

/** A change made in authz. */
export type AuthzChangeKind = (typeof AUTHZ_CHANGE_KINDS)[number];

/** Every kind ListAuditEvents knows. */
export const AUDIT_KINDS: readonly string[] = [RESOLVE_KIND, ...AUTHZ_CHANGE_KINDS, ...REGISTRY_CHANGE_KINDS];

/** The families of kinds ("connection", "runner", ...), for `<family>.*` filters. */
export const AUDIT_KIND_FAMILIES: readonly string[] = [...new Set(AUDIT_KINDS.map((kind) => kind.slice(0, kind.indexOf("."))))];

/** Whether `kind` is a registry event authz records. */
export function isRegistryChangeKind(kind: string): boolean {
  return (REGISTRY_CHANGE_KINDS as readonly string[]).includes(kind);
}
