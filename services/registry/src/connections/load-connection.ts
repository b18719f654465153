import type { Kysely } from "kysely";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { findConnection } from "../connection-store.js";
import { ConnectionNotFoundError } from "../errors.js";
import type { ConnectionRow, RegistryDatabase } from "../schema.js";

/**
 * The one way a request's connection reference is resolved: an empty one
 * is the caller's error (INVALID_ARGUMENT naming `field`), not NOT_FOUND.
 */
export async function loadConnection(db: Kysely<RegistryDatabase>, caller: Caller, reference: string, field = "connection"): Promise<ConnectionRow> {
  new Violations().check(reference !== "", field, "REQUIRED", "is required (a connection id or slug)").throwIfAny();
  return connectionOrThrow(db, caller.orgId, reference);
}

/** The connection `reference` (id or slug) of `orgId`; NOT_FOUND when there is none. */
export async function connectionOrThrow(db: Kysely<RegistryDatabase>, orgId: string, reference: string): Promise<ConnectionRow> {
  const row = await findConnection(db, orgId, reference);
  if (row === undefined) throw new ConnectionNotFoundError(reference);
  return row;
}
