import { sql, type Kysely, type Transaction } from "kysely";
import type { Logger } from "@planton/logging";
import { withPublishSpan } from "@planton/tracing";
import { backoffDelay } from "./backoff.js";
import { errorText } from "./error-text.js";
import type { EventPublisher } from "./event-publisher.js";
import type { OutboxDatabase } from "./outbox-table.js";
import { eventMetrics } from "./event-metrics.js";
import type { Registry } from "prom-client";

/** Options of {@link startOutboxRelay}. */
export interface OutboxRelayOptions<DB extends OutboxDatabase> {
  /** The service's database handle (usually `withSchema(...)`) holding `outbox`. */
  db: Kysely<DB>;
  publisher: EventPublisher;
  logger: Logger;
  /**
   * Key of the PostgreSQL advisory lock that lets one relay at a time publish
   * from this table; the same on every replica of a service, different
   * between services sharing a database. A safe integer.
   */
  lockId: number;
  /** Rows read per cycle; default 100. */
  batchSize?: number;
  /** Wait between polls when nothing is pending; default 500 ms. */
  pollIntervalMs?: number;
  /** Longest wait after failures; default 30 s. */
  maxBackoffMs?: number;
  /** Published rows are deleted this long after publication; default 1 day. */
  retainPublishedMs?: number;
  /**
   * The process's metrics registry and the name this outbox is reported
   * under (the owning service): backlog, oldest pending age and publish
   * latency (see {@link eventMetrics}).
   */
  metrics?: { registry: Registry; outbox: string };
}

/** A running relay from a service's outbox to an {@link EventPublisher}. */
export interface OutboxRelay {
  /**
   * kick makes the relay look at the outbox now instead of at its next poll;
   * call it after committing a transaction that wrote events. Ignored while
   * the relay is backing off after a failure, so kicks cannot turn an outage
   * into a busy loop.
   */
  kick(): void;
  /**
   * drain resolves true once a relay cycle that started after the call has
   * run and no unpublished row is left (whichever replica published them),
   * or false after `timeoutMs`. For tests and graceful shutdown.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** stop ends the relay after its current cycle; it does not close the publisher. Idempotent. */
  stop(): Promise<void>;
}

interface PendingRow {
  id: string;
  seq: string;
  subject: string;
  ordering_key: string;
  payload: Uint8Array;
  attempts: number;
  traceparent: string | null;
  tracestate: string | null;
}

type CycleOutcome =
  | { kind: "done"; published: number; more: boolean }
  | { kind: "busy" }
  | { kind: "publish-failed"; published: number; row: PendingRow; error: unknown }
  | { kind: "database-failed"; error: unknown };

const BACKOFF_BASE_MS = 250;
const LOUD_EVERY = 10;
const CLEANUP_EVERY_MS = 60_000;

/**
 * startOutboxRelay publishes the rows of `outbox` to `publisher`, strictly in
 * `seq` order, and marks them published. Each cycle is one transaction that
 * first takes `pg_try_advisory_xact_lock(lockId)` (a replica that does not get
 * it skips the cycle, so replicas never publish concurrently), reads the
 * oldest pending rows, publishes them one by one, stops at the first failure,
 * then marks the published rows and records `attempts` and a redacted
 * `last_error` on the failed one.
 *
 * Delivery is at least once: if the commit fails after a publish, the event
 * is published again later and the bus drops it as a duplicate (within its
 * duplicate window; consumers are idempotent for longer outages). A failing
 * event blocks every later one (order is the contract): the relay retries it
 * forever with exponential backoff up to `maxBackoffMs`, logging an error on
 * the first failure and every 10th, with the event's id, subject and seq but
 * never its payload. Database errors are handled the same way, so the relay
 * outlives a PostgreSQL outage and resumes by itself. Published rows older
 * than `retainPublishedMs` are deleted by the lock holder about once a minute.
 *
 * Throws a TypeError at once for an invalid `lockId`; otherwise never throws.
 */
export function startOutboxRelay<DB extends OutboxDatabase>(options: OutboxRelayOptions<DB>): OutboxRelay {
  if (!Number.isSafeInteger(options.lockId)) throw new TypeError("lockId must be a safe integer");
  // Safe: DB extends OutboxDatabase; Kysely's types are invariant in DB.
  const db = options.db as unknown as Kysely<OutboxDatabase>;
  const { publisher, lockId } = options;
  const log = options.logger.child({ component: "outbox-relay", lock_id: lockId });
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const maxBackoffMs = Math.max(options.maxBackoffMs ?? 30_000, 1);
  const retainPublishedMs = options.retainPublishedMs ?? 86_400_000;
  const cleanupEveryMs = Math.min(CLEANUP_EVERY_MS, retainPublishedMs);
  const metrics = options.metrics ? eventMetrics(options.metrics.registry) : undefined;
  if (options.metrics) metrics?.outboxes.set(options.metrics.outbox, db);
  const publishOk = options.metrics ? metrics?.publishSeconds.labels(options.metrics.outbox, "ok") : undefined;
  const publishError = options.metrics ? metrics?.publishSeconds.labels(options.metrics.outbox, "error") : undefined;

  let stopped = false;
  let kicked = false;
  let wake: (() => void) | undefined;
  let wakeOnKick = false;
  let cyclesStarted = 0;
  let cyclesDone = 0;
  const cycleWaiters = new Set<() => void>();
  let lastCleanup = 0;

  async function cycle(): Promise<CycleOutcome> {
    try {
      return await db.transaction().execute(async (trx) => {
        const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${lockId}::bigint) as locked`.execute(trx);
        if (lock.rows[0]?.locked !== true) return { kind: "busy" } as const;
        const rows = await trx
          .selectFrom("outbox")
          .select(["id", "seq", "subject", "ordering_key", "payload", "attempts", "traceparent", "tracestate"])
          .where("published_at", "is", null)
          .orderBy("seq")
          .limit(batchSize)
          .execute();
        const published: string[] = [];
        let failure: { row: PendingRow; error: unknown } | undefined;
        for (const row of rows) {
          const started = performance.now();
          try {
            await publishRow(row);
            publishOk?.observe((performance.now() - started) / 1000);
            published.push(row.id);
          } catch (error) {
            publishError?.observe((performance.now() - started) / 1000);
            failure = { row, error };
            break;
          }
        }
        if (published.length > 0) {
          await trx.updateTable("outbox").set({ published_at: new Date() }).where("id", "in", published).execute();
        }
        if (failure !== undefined) {
          await trx
            .updateTable("outbox")
            .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: errorText(failure.error) }))
            .where("id", "=", failure.row.id)
            .execute();
        }
        await cleanUp(trx);
        if (failure !== undefined) return { kind: "publish-failed", published: published.length, ...failure } as const;
        return { kind: "done", published: published.length, more: rows.length === batchSize } as const;
      });
    } catch (error) {
      return { kind: "database-failed", error };
    }
  }

  /** Publishes `row` as an event that continues the trace stored with it, under a producer span. */
  function publishRow(row: PendingRow): Promise<void> {
    const stored = row.traceparent === null ? undefined : { traceparent: row.traceparent, ...(row.tracestate !== null ? { tracestate: row.tracestate } : {}) };
    const event = { id: row.id, subject: row.subject, data: row.payload, orderingKey: row.ordering_key };
    return withPublishSpan({ ...event, trace: stored }, publisher.system, (trace) => publisher.publish(trace === undefined ? event : { ...event, trace }));
  }

  async function cleanUp(trx: Transaction<OutboxDatabase>): Promise<void> {
    if (Date.now() - lastCleanup < cleanupEveryMs) return;
    const result = await trx
      .deleteFrom("outbox")
      .where("published_at", "<", new Date(Date.now() - retainPublishedMs))
      .executeTakeFirst();
    lastCleanup = Date.now();
    if (result.numDeletedRows > 0n) log.debug({ deleted: Number(result.numDeletedRows) }, "old published events deleted");
  }

  function reportFailure(outcome: CycleOutcome, failures: number, delayMs: number): void {
    // Loud on the first failure and every LOUD_EVERY-th after it; quiet in
    // between so an hour-long outage does not flood the logs.
    const loud = failures % LOUD_EVERY === 1;
    const write = loud ? log.error.bind(log) : log.debug.bind(log);
    if (outcome.kind === "publish-failed") {
      write(
        {
          error: outcome.error,
          event_id: outcome.row.id,
          subject: outcome.row.subject,
          seq: outcome.row.seq,
          attempts: outcome.row.attempts + 1,
          consecutive_failures: failures,
          retry_in_ms: delayMs,
        },
        "outbox event not published; it and every later event wait for the retry",
      );
    } else if (outcome.kind === "database-failed") {
      write({ error: outcome.error, consecutive_failures: failures, retry_in_ms: delayMs }, "outbox relay cannot use the database; will retry");
    }
  }

  function sleep(ms: number, kickable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
      wakeOnKick = kickable;
    });
  }

  async function run(): Promise<void> {
    log.info({ batch_size: batchSize, poll_interval_ms: pollIntervalMs }, "outbox relay started");
    let failures = 0;
    while (!stopped) {
      const number = ++cyclesStarted;
      kicked = false;
      const outcome = await cycle();
      cyclesDone = number;
      for (const notify of [...cycleWaiters]) notify();
      if (stopped) break;
      if (outcome.kind === "publish-failed" || outcome.kind === "database-failed") {
        failures++;
        const delayMs = backoffDelay(failures, BACKOFF_BASE_MS, maxBackoffMs);
        reportFailure(outcome, failures, delayMs);
        await sleep(delayMs, false);
        continue;
      }
      if (failures > 0) log.info({ failed_cycles: failures }, "outbox relay recovered");
      failures = 0;
      if (outcome.kind === "done" && outcome.published > 0) log.debug({ published: outcome.published }, "outbox events published");
      if ((outcome.kind === "done" && outcome.more) || kicked) continue;
      await sleep(pollIntervalMs, true);
    }
    for (const notify of [...cycleWaiters]) notify();
    log.info({}, "outbox relay stopped");
  }

  /** Resolves true when cycle `number` has finished, false at `deadline` or stop. */
  function waitForCycle(number: number, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (cyclesDone < number && !stopped && Date.now() < deadline) return;
        clearTimeout(timer);
        cycleWaiters.delete(check);
        resolve(cyclesDone >= number);
      };
      const timer = setTimeout(check, Math.max(0, deadline - Date.now()));
      cycleWaiters.add(check);
      check();
    });
  }

  async function nothingPending(): Promise<boolean> {
    const row = await db.selectFrom("outbox").select("id").where("published_at", "is", null).limit(1).executeTakeFirst();
    return row === undefined;
  }

  function kick(): void {
    kicked = true;
    if (wakeOnKick) wake?.();
  }

  const running = run();

  return {
    kick,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!stopped) {
        const target = cyclesStarted + 1;
        kick();
        if (!(await waitForCycle(target, deadline))) {
          if (stopped) break;
          return false;
        }
        try {
          if (await nothingPending()) return true;
        } catch {
          // The database is unreachable: the relay is retrying; so do we.
        }
        if (Date.now() >= deadline) return false;
        // Pending rows but a cycle just ran: another replica holds the lock,
        // or the relay is backing off. Do not spin on the lock.
        await new Promise((resolve) => setTimeout(resolve, Math.min(50, pollIntervalMs)));
      }
      return nothingPending().catch(() => false);
    },
    async stop() {
      stopped = true;
      if (options.metrics && metrics?.outboxes.get(options.metrics.outbox) === db) metrics.outboxes.delete(options.metrics.outbox);
      wake?.();
      await running;
    },
  };
}
