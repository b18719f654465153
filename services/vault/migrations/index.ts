import type { Migration } from "kysely";
import * as credentialVersions from "./20261127120000_credential_versions.js";

/** Every migration of the vault schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127120000_credential_versions": credentialVersions,
};
