import type { EventSystem } from "@planton/tracing";
import type { EventEnvelope } from "./event-envelope.js";

/**
 * EventPublisher hands events to a bus. The outbox relay is its main caller:
 * it deletes nothing and marks nothing until `publish` resolves.
 */
export interface EventPublisher {
  /** What the bus is, for trace spans (`messaging.system`); absent: not said. */
  readonly system?: EventSystem;
  /**
   * publish resolves only once the bus has durably accepted `event` (a
   * JetStream ack; for the in-process bus, every matching handler scheduled)
   * and rejects otherwise, e.g. while the bus is unreachable, so the caller
   * keeps the event and tries again later (always retryable). Publishing an
   * id the bus has already accepted within its duplicate window resolves
   * without delivering it again. The event's `trace`, when present, travels
   * with it (NATS headers `traceparent` and `tracestate`).
   */
  publish(event: EventEnvelope): Promise<void>;
  /** close releases the connection; later publishes reject. Idempotent. */
  close(): Promise<void>;
}
