import type { Kysely } from "kysely";

// Frozen in time: this file must not import from src/.

// The audit log records changes as well as resolves: what happened (kind),
// in which request, to what (target), a summary without secret values, and
// the error code of a resolve that failed. Rows written before this are all
// resolves. Indexes serve ListAuditEvents' filters, newest first.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("audit_events")
    .addColumn("kind", "text", (c) => c.notNull().defaultTo("credentials.resolve"))
    .addColumn("request_id", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("target", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("error_code", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  // Every new row names its kind.
  await db.schema
    .alterTable("audit_events")
    .alterColumn("kind", (c) => c.dropDefault())
    .execute();
  for (const column of ["connection_id", "actor", "kind", "decision", "deployment_id"]) {
    await db.schema.createIndex(`audit_events_org_${column}_time_idx`).on("audit_events").columns(["org_id", column, "time", "id"]).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ["connection_id", "actor", "kind", "decision", "deployment_id"]) {
    await db.schema.dropIndex(`audit_events_org_${column}_time_idx`).execute();
  }
  await db.schema
    .alterTable("audit_events")
    .dropColumn("kind")
    .dropColumn("request_id")
    .dropColumn("target")
    .dropColumn("summary")
    .dropColumn("error_code")
    .execute();
}
