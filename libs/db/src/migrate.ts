import { Migrator, sql, type Kysely, type Migration } from "kysely";
import type { Logger } from "@planton/logging";
import { createDatabase } from "./database.js";
import { DEFAULT_DATABASE_TIMEOUTS } from "./database-timeouts.js";

/** Options of {@link migrateToLatest}. */
export interface MigrateOptions {
  /** `postgres://` connection URL. */
  readonly url: string;
  /** The service's own schema. */
  readonly schema: string;
  /** Migrations by name (`YYYYMMDDHHMMSS_name`, sortable by time). */
  readonly migrations: Readonly<Record<string, Migration>>;
  readonly logger: Logger;
}

/**
 * migrateToLatest runs a service's migrations in its own schema, recording
 * them in `<schema>.kysely_migration`. Kysely's migration lock makes
 * concurrent replicas safe: one migrates, the others wait. It uses a
 * connection of its own without the statement timeout that bounds request
 * work: a migration may rewrite a table, and a replica may wait for another's
 * lock, for longer than any request should (Kubernetes' startup probe bounds
 * the start as a whole). Throws with the failing migration's name.
 */
export async function migrateToLatest(options: MigrateOptions): Promise<string[]> {
  const database = createDatabase<unknown>({
    url: options.url,
    schema: options.schema,
    maxConnections: 1,
    logger: options.logger,
    timeouts: { ...DEFAULT_DATABASE_TIMEOUTS, statementTimeoutMs: 0 },
  });
  try {
    return await migrate(database.db, options.schema, options.migrations);
  } finally {
    await database.destroy();
  }
}

async function migrate(db: Kysely<unknown>, schema: string, migrations: Readonly<Record<string, Migration>>): Promise<string[]> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error !== undefined) {
    throw new Error(`migration ${failed?.migrationName ?? "(setup)"} of schema ${schema} failed`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
