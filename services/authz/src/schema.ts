import type { Selectable } from "kysely";

/** `authz.authorizations`; environment "*" is ORGANIZATION scope. */
export interface AuthorizationsTable {
  org_id: string;
  connection_id: string;
  connection_slug: string;
  environment: string;
  created_by: string;
  created_at: Date;
}

/** `authz.default_connections`; environment "*" is the organization default. */
export interface DefaultConnectionsTable {
  org_id: string;
  provider: number;
  environment: string;
  connection_id: string;
  connection_slug: string;
  updated_at: Date;
}

/** `authz.deployment_pins`. */
export interface DeploymentPinsTable {
  org_id: string;
  deployment_id: string;
  connection_id: string;
  credential_version: number;
  environment: string;
  pinned_at: Date;
  expires_at: Date;
}

/** `authz.audit_events`: one row per resolve or change. */
export interface AuditEventsTable {
  id: string;
  org_id: string;
  time: Date;
  actor: string;
  deployment_id: string;
  environment: string;
  provider: number;
  connection_id: string;
  credential_version: number;
  decision: number;
  reason: string;
  kind: string;
  request_id: string;
  target: string;
  summary: string;
  error_code: string;
}

/** `authz.retired_versions`: versions no longer current, waiting for retention. */
export interface RetiredVersionsTable {
  org_id: string;
  connection_id: string;
  version: number;
  retired_at: Date;
}

/** The authz schema as Kysely sees it. */
export interface AuthzDatabase {
  retired_versions: RetiredVersionsTable;
  authorizations: AuthorizationsTable;
  default_connections: DefaultConnectionsTable;
  deployment_pins: DeploymentPinsTable;
  audit_events: AuditEventsTable;
}

export type AuthorizationRow = Selectable<AuthorizationsTable>;
export type PinRow = Selectable<DeploymentPinsTable>;
export type AuditRow = Selectable<AuditEventsTable>;
