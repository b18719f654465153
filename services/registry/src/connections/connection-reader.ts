import { sql, type Kysely } from "kysely";
import { createBatcher } from "@planton/db";
import { Violations } from "@planton/server";
import { ID_SHAPE } from "../connection-store.js";
import { ConnectionNotFoundError } from "../errors.js";
import type { ConnectionRow, RegistryDatabase } from "../schema.js";

/**
 * Reads connections by id or slug for the read-only paths (GetConnection,
 * LookupConnection). Every call reads the database; calls that arrive
 * together share one statement (ids and slugs go in as arrays, so its text
 * is the same for every batch size). Writers keep their own reads in their
 * transactions (connection-store.ts).
 */
export interface ConnectionReader {
  /**
   * The connection `reference` (id or slug) of `orgId`: INVALID_ARGUMENT
   * naming `field` when empty, {@link ConnectionNotFoundError} when there is none.
   */
  load(orgId: string, reference: string, field?: string): Promise<ConnectionRow>;
}

/** Creates the {@link ConnectionReader} over `registry.connections`. */
export function createConnectionReader(db: Kysely<RegistryDatabase>): ConnectionReader {
  const batcher = createBatcher<{ orgId: string; reference: string }, ConnectionRow | undefined>({
    maxBatch: 512,
    maxInFlight: 1,
    lingerMs: 1,
    async run(keys) {
      const byId = keys.filter((k) => ID_SHAPE.test(k.reference));
      const bySlug = keys.filter((k) => !ID_SHAPE.test(k.reference));
      const rows = await db
        .selectFrom("connections")
        .selectAll()
        .where((eb) =>
          eb.or([
            sql<boolean>`(org_id, id) in (select * from unnest(${byId.map((k) => k.orgId)}::text[], ${byId.map((k) => k.reference)}::text[]))`,
            sql<boolean>`(org_id, slug) in (select * from unnest(${bySlug.map((k) => k.orgId)}::text[], ${bySlug.map((k) => k.reference)}::text[]))`,
          ]),
        )
        .execute();
      const found = new Map<string, ConnectionRow>();
      for (const row of rows) {
        found.set(`${row.org_id}\u0000${row.id}`, row);
        found.set(`${row.org_id}\u0000${row.slug}`, row);
      }
      return keys.map((k) => found.get(`${k.orgId}\u0000${k.reference}`));
    },
  });
  return {
    async load(orgId, reference, field = "connection") {
      new Violations().check(reference !== "", field, "REQUIRED", "is required (a connection id or slug)").throwIfAny();
      const row = await batcher.add({ orgId, reference });
      if (row === undefined) throw new ConnectionNotFoundError(reference);
      return row;
    },
  };
}
