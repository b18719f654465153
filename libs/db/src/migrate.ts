import { Migrator, sql, type Kysely, type Migration } from "kysely";

/**
 * migrateToLatest runs a service's migrations in its own schema, recording
 * them in `<schema>.kysely_migration`. Migrations are given as a map (name ->
 * up/down), names sortable by time (`YYYYMMDDHHMMSS_name`). Kysely's
 * migration lock makes concurrent replicas safe: one migrates, the others
 * wait. Throws with the failing migration's name when one fails.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  schema: string,
  migrations: Readonly<Record<string, Migration>>,
): Promise<string[]> {
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
