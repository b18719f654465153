import type { Insertable, Kysely, Transaction } from "kysely";
import { traceCarrierOf } from "@planton/tracing";
import { assertEventEnvelope, type EventEnvelope } from "./event-envelope.js";
import type { OutboxDatabase, OutboxTable } from "./outbox-table.js";

/**
 * insertOutboxEvent writes `event` to the outbox. Call it with the
 * transaction that makes the change the event describes: the event then
 * exists if and only if the change committed. Call it after the statement
 * that locks the changed row (e.g. the UPDATE of the connection), so that two
 * transactions on the same ordering key get `seq` values in commit order and
 * the relay publishes them in that order. Call the relay's `kick()` after the
 * commit to publish without waiting for its next poll. The active trace
 * context (the RPC or event being handled), if any, is stored with the row
 * so that the event's consumers continue that trace; `event.trace` is
 * ignored here.
 *
 * Throws a TypeError for a malformed event (see {@link EventEnvelope}) and
 * the database error otherwise (a reused event id is a unique violation), both
 * failing the caller's transaction.
 */
export async function insertOutboxEvent<DB extends OutboxDatabase>(db: Kysely<DB> | Transaction<DB>, event: EventEnvelope): Promise<void> {
  // Safe: DB extends OutboxDatabase; Kysely's types are invariant in DB.
  await (db as unknown as Kysely<OutboxDatabase>).insertInto("outbox").values(outboxRow(event)).execute();
}

/**
 * outboxRow is the outbox row of `event`, with the active trace context (see
 * {@link insertOutboxEvent}), for a caller that writes it as part of a larger
 * statement (a data-modifying CTE beside the change it describes: the event
 * then exists if and only if that statement committed). Throws a TypeError
 * for a malformed event.
 */
export function outboxRow(event: EventEnvelope): Insertable<OutboxTable> {
  assertEventEnvelope(event);
  const trace = traceCarrierOf();
  return {
    id: event.id,
    subject: event.subject,
    ordering_key: event.orderingKey,
    payload: event.data,
    traceparent: trace?.traceparent ?? null,
    tracestate: trace?.tracestate ?? null,
  };
}
