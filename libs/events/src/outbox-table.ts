import { sql, type Generated, type Kysely } from "kysely";

/**
 * OutboxTable is the `outbox` table of a service's schema, as Kysely sees it:
 * events written in the same transaction as the change they describe, waiting
 * for the relay (see {@link startOutboxRelay}).
 */
export interface OutboxTable {
  /** The event id (uuid); becomes `Nats-Msg-Id`. */
  id: string;
  /** Write order (bigserial, returned as a string): the relay publishes by it. */
  seq: Generated<string>;
  subject: string;
  ordering_key: string;
  payload: Uint8Array;
  created_at: Generated<Date>;
  /** When the relay got the bus's ack; null while pending. */
  published_at: Date | null;
  /** Failed publish attempts so far. */
  attempts: Generated<number>;
  /** The last failure, redacted (no payload); null if none. */
  last_error: string | null;
  /**
   * W3C `traceparent` of the trace that wrote the event (see
   * {@link addOutboxTraceContext}); null when written outside any trace or
   * before the column existed.
   */
  traceparent: string | null;
  /** W3C `tracestate` that came with it; null when empty. */
  tracestate: string | null;
}

/** A database that has the outbox table; services add it to their own schema type. */
export interface OutboxDatabase {
  outbox: OutboxTable;
}

/**
 * createOutboxTable creates `outbox` and its indexes in the schema `db` is
 * bound to (`db.withSchema(...)`); it throws if the table exists. It is the
 * one definition of the table: the registry's first migration calls it, and
 * the relay's tests build their table with it, so the relay is tested
 * against the table production has.
 *
 * Frozen: migrations that already ran called this, so its statements never
 * change (a migration must create the same table on every run). A change to
 * the outbox is a new exported step (`alterOutboxTable...`) that each
 * service calls from a new migration, and the tests call after this one:
 * {@link addOutboxTraceContext}.
 *
 * ```sql
 * create table outbox (
 *   id uuid primary key,
 *   seq bigserial not null unique,
 *   subject text not null,
 *   ordering_key text not null,
 *   payload bytea not null,
 *   created_at timestamptz not null default now(),
 *   published_at timestamptz,
 *   attempts integer not null default 0,
 *   last_error text
 * );
 * create index outbox_unpublished_idx on outbox (seq) where published_at is null;
 * create index outbox_published_at_idx on outbox (published_at) where published_at is not null;
 * ```
 */
export async function createOutboxTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("outbox")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    // Unique: the relay publishes in seq order and pages by it.
    .addColumn("seq", "bigserial", (c) => c.notNull().unique())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("ordering_key", "text", (c) => c.notNull())
    .addColumn("payload", "bytea", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("published_at", "timestamptz")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  // The relay's only read: the oldest pending rows. Partial, so it stays as
  // small as the backlog however many published rows are retained.
  await db.schema.createIndex("outbox_unpublished_idx").on("outbox").column("seq").where(sql.ref("published_at"), "is", null).execute();
  // Retention deletes published rows by age.
  await db.schema.createIndex("outbox_published_at_idx").on("outbox").column("published_at").where(sql.ref("published_at"), "is not", null).execute();
}

/**
 * addOutboxTraceContext adds the nullable `traceparent` and `tracestate`
 * columns to `outbox` (the second step after {@link createOutboxTable}): the
 * trace of the transaction that wrote an event travels with it to the bus,
 * where the relay publishes later, outside that trace. Frozen like
 * {@link createOutboxTable}.
 *
 * ```sql
 * alter table outbox add column traceparent text, add column tracestate text;
 * ```
 */
export async function addOutboxTraceContext(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("traceparent", "text").addColumn("tracestate", "text").execute();
}
