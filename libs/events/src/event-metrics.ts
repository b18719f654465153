import { sql, type Kysely } from "kysely";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { OutboxDatabase } from "./outbox-table.js";

/** The outbox and consumer metrics of one process (one set per registry). */
export interface EventMetrics {
  readonly publishSeconds: Histogram<"outbox" | "outcome">;
  readonly consumerPending: Gauge<"durable">;
  readonly consumerRedeliveries: Counter<"durable">;
  readonly consumerMessages: Counter<"durable" | "outcome">;
  /** Outboxes whose backlog is read at each scrape, by name. */
  readonly outboxes: Map<string, Kysely<OutboxDatabase>>;
}

const byRegistry = new WeakMap<Registry, EventMetrics>();

// Seconds: a JetStream publish is acknowledged in about a millisecond; the client gives up after its timeout.
const PUBLISH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * eventMetrics returns the event metrics registered in `registry`, creating
 * them on first use. Labels: `outbox` (the service that owns the table),
 * `durable` (the consumer's durable name), `outcome`: a few values each.
 * The outbox backlog and the age of its oldest unpublished event are read
 * from the database at each scrape (a small query per outbox), not on the
 * relay's path; every replica reports the same backlog (take the max).
 */
export function eventMetrics(registry: Registry): EventMetrics {
  const existing = byRegistry.get(registry);
  if (existing !== undefined) return existing;
  const outboxes = new Map<string, Kysely<OutboxDatabase>>();
  const readBacklog = async () => {
    const result = new Map<string, { pending: number; oldestSeconds: number }>();
    for (const [name, db] of outboxes) {
      try {
        const row = await db
          .selectFrom("outbox")
          .select([sql<string>`count(*)`.as("pending"), sql<string | null>`extract(epoch from now() - min(created_at))`.as("age")])
          .where("published_at", "is", null)
          .executeTakeFirst();
        result.set(name, { pending: Number(row?.pending ?? 0), oldestSeconds: Math.max(0, Number(row?.age ?? 0)) });
      } catch {
        // The database is unreachable: no value rather than a wrong one (the pool and relay logs say why).
      }
    }
    return result;
  };
  // Each gauge reads for itself (one small indexed query per outbox each): a
  // shared result would have to guess when a scrape ends.
  const backlog = readBacklog;
  new Gauge({
    name: "planton_outbox_pending_events",
    help: "Events written to the outbox and not yet published to the bus, by outbox.",
    labelNames: ["outbox"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [outbox, value] of await backlog()) this.set({ outbox }, value.pending);
    },
  });
  new Gauge({
    name: "planton_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest unpublished outbox event (0 when none), by outbox.",
    labelNames: ["outbox"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [outbox, value] of await backlog()) this.set({ outbox }, value.oldestSeconds);
    },
  });
  const metrics: EventMetrics = {
    outboxes,
    publishSeconds: new Histogram({
      name: "planton_outbox_publish_seconds",
      help: "Time the relay waited for the bus to acknowledge one event, by outbox and outcome (ok, error).",
      labelNames: ["outbox", "outcome"] as const,
      buckets: PUBLISH_BUCKETS,
      registers: [registry],
    }),
    consumerPending: new Gauge({
      name: "planton_consumer_pending_messages",
      help: "Messages in the stream not yet delivered to the durable consumer, as of its last delivery.",
      labelNames: ["durable"] as const,
      registers: [registry],
    }),
    consumerRedeliveries: new Counter({
      name: "planton_consumer_redeliveries_total",
      help: "Messages the durable consumer received again (after a nak or an expired ack wait).",
      labelNames: ["durable"] as const,
      registers: [registry],
    }),
    consumerMessages: new Counter({
      name: "planton_consumer_messages_total",
      help: "Messages the durable consumer handled, by outcome (ack, retry, error).",
      labelNames: ["durable", "outcome"] as const,
      registers: [registry],
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
