import { sql, type Insertable, type Kysely, type Transaction } from "kysely";
import type { PageCursor } from "./page-token.js";
import type { RegistryDatabase, RunnerRow, RunnersTable } from "./schema.js";

type Db = Kysely<RegistryDatabase> | Transaction<RegistryDatabase>;

/** findRunner returns a runner of the organization, or undefined. */
export async function findRunner(db: Db, orgId: string, id: string): Promise<RunnerRow | undefined> {
  return db.selectFrom("runners").selectAll().where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
}

/** insertRunner stores a runner (token hash only). */
export async function insertRunner(db: Db, row: Insertable<RunnersTable>): Promise<void> {
  await db.insertInto("runners").values(row).execute();
}

/** deleteRunner deletes a runner; false when it did not exist. */
export async function deleteRunner(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("runners").where("org_id", "=", orgId).where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** listRunners pages by (created_at, id). */
export async function listRunners(db: Db, orgId: string, cursor: PageCursor | undefined, limit: number): Promise<RunnerRow[]> {
  let query = db.selectFrom("runners").selectAll().where("org_id", "=", orgId);
  if (cursor !== undefined) query = query.where(sql<boolean>`(created_at, id) > (${cursor.createdAt}, ${cursor.id})`);
  return query.orderBy("created_at").orderBy("id").limit(limit).execute();
}
