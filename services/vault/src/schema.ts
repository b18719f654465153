import type { ColumnType, Insertable, Selectable } from "kysely";

/** `vault.credentials`: the version counter of each connection. */
export interface CredentialsTable {
  org_id: string;
  connection_id: string;
  latest_version: number;
  created_at: ColumnType<Date, never, never>;
}

/** `vault.credential_versions`: one sealed (or shredded) version. */
export interface CredentialVersionsTable {
  org_id: string;
  connection_id: string;
  version: number;
  format_version: number;
  key_id: string | null;
  wrapped_key: Uint8Array | null;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  tag: Uint8Array | null;
  created_at: ColumnType<Date, never, never>;
  rewrapped_at: ColumnType<Date | null, never, Date | null>;
  destroyed_at: ColumnType<Date | null, never, Date | null>;
}

/** The vault schema as Kysely sees it. */
export interface VaultDatabase {
  credentials: CredentialsTable;
  credential_versions: CredentialVersionsTable;
}

export type CredentialVersionRow = Selectable<CredentialVersionsTable>;
export type NewCredentialVersion = Insertable<CredentialVersionsTable>;
