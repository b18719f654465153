import type { Migration } from "kysely";
import * as authz from "./20261127140000_authz.js";

/** Every migration of the authz schema, by name; names sort by time. */
export const migrations: Record<string, Migration> = {
  "20261127140000_authz": authz,
};
