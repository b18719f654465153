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
}

/** The registry schema as Kysely sees it. */
export interface RegistryDatabase {
  runners: RunnersTable;
  connections: ConnectionsTable;
  outbox: OutboxTable;
}

export type ConnectionRow = Selectable<ConnectionsTable>;
export type RunnerRow = Selectable<RunnersTable>;
