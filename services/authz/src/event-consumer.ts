import { startDurableConsumer, type DurableConsumer } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { Registry } from "prom-client";

/** A running consumer. */
export type EventConsumer = DurableConsumer;

/**
 * startConnectionEventConsumer consumes the registry's events for authz
 * (every change: an audit record; rotated and aws_trust.completed: retire the
 * old version; deleted: drop authorizations) with a durable JetStream
 * consumer shared by every authz replica. The handler is idempotent
 * (JetStream redelivers); kinds authz does not use are acknowledged and
 * ignored.
 */
export async function startConnectionEventConsumer(options: {
  url: string;
  logger: Logger;
  handle: (data: Uint8Array) => Promise<void>;
  /** Durable consumer name shared by the replicas (default "authz"). */
  durable?: string;
  /** Where a new durable starts: the whole stream (default; a new deployment catches up) or only new events. */
  startAt?: "all" | "new";
  /** The process's metrics registry: the consumer's pending messages and redeliveries are reported in it. */
  metrics?: Registry;
  /** Redelivery wait of a message a dead replica held (config `consumer.ackWaitMs`); default 60 s. */
  ackWaitMs?: number;
}): Promise<EventConsumer> {
  return startDurableConsumer({
    url: options.url,
    logger: options.logger,
    stream: "CONNECT",
    durable: options.durable ?? "authz",
    filterSubject: "connect.>",
    streamSubjects: ["connect.>"],
    ...(options.startAt ? { startAt: options.startAt } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.ackWaitMs !== undefined ? { ackWaitMs: options.ackWaitMs } : {}),
    handle: async (data) => {
      await options.handle(data);
    },
  });
}
