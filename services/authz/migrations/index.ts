import type { Migration } from "kysely";
import * as authz from "./20261127140000_authz.js";
import * as auditChanges from "./20261207150000_audit_changes.js";

/** Every migration of the authz schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127140000_authz": authz,
  "20261207150000_audit_changes": auditChanges,
};
