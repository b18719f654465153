import type { ColumnType, Generated, Selectable } from "kysely";
import type { OutboxTable } from "@planton/events";

/** JSON column: written as a string or object, read back as parsed JSON. */
type Json = ColumnType<unknown, string, string>;

/** `registry.runners`. */
export interface RunnersTable {
  id: string;
  org_id: string;
  name: string;
  identity_kind: number;
  identity_principal: string;
  token_hash: Uint8Array;
  token_hint: string;
  created_at: Generated<Date>;
}

/** `registry.connections`. */
export interface ConnectionsTable {
  id: string;
  org_id: string;
  name: string;
  slug: string;
  provider: number;
  auth_mode: number;
  public_spec: Json;
  details: Json;
  runner_id: string | null;
  account_key: string | null;
  credential_version: number;
  status: number;
  last_verification: ColumnType<unknown, string | null, string | null>;
  etag: string;
  next_verification_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** When the current credential version was sealed; null while nothing secret is stored. */
  credential_sealed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The current version's creation time as the provider reported it (verifier), if it did. */
  credential_created_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The current version's expiry as the provider reported it (verifier), if it did. */
  credential_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** `registry.rotation_notices`: connection.rotation_due events already published, per version and reason. */
export interface RotationNoticesTable {
  connection_id: string;
  credential_version: number;
  reason: number;
  event_id: string;
  sent_at: Generated<Date>;
}

/** `registry.aws_trust_setups`: runs of the AWS cross-account trust flow. */
export interface AwsTrustSetupsTable {
  id: string;
  org_id: string;
  connection_id: string;
  state: number;
  account_id: string;
  region: string;
  capabilities: number[];
  reconnect: boolean;
  stack_name: string;
  pending_version: number;
  created_by: string;
  expires_at: Date;
  created_at: Generated<Date>;
  completed_at: Date | null;
  role_arn: string | null;
  stack_id: string | null;
  completed_version: number | null;
}

/** The registry schema as Kysely sees it. */
export interface RegistryDatabase {
  runners: RunnersTable;
  connections: ConnectionsTable;
  aws_trust_setups: AwsTrustSetupsTable;
  rotation_notices: RotationNoticesTable;
  outbox: OutboxTable;
}

export type ConnectionRow = Selectable<ConnectionsTable>;
export type RunnerRow = Selectable<RunnersTable>;
export type AwsTrustSetupRow = Selectable<AwsTrustSetupsTable>;
