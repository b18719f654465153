import type { Kysely } from "kysely";
import { addOutboxTraceContext } from "@planton/events";

// Frozen in time: this file must not import from src/. addOutboxTraceContext
// is frozen in @planton/events for the same reason (see createOutboxTable).

export async function up(db: Kysely<any>): Promise<void> {
  // The trace of the change that wrote each event, for the relay to send on.
  await addOutboxTraceContext(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").dropColumn("tracestate").dropColumn("traceparent").execute();
}
