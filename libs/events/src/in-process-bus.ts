import type { Logger } from "@planton/logging";
import { withProcessSpan } from "@planton/tracing";
import { backoffDelay } from "./backoff.js";
import { createDedupeWindow } from "./dedupe-window.js";
import { assertEventEnvelope, type EventEnvelope } from "./event-envelope.js";
import type { EventPublisher } from "./event-publisher.js";
import { assertSubjectPattern, subjectMatches } from "./subject-pattern.js";

/** A subscriber's handler; a rejection means "try again later". */
export type EventHandler = (event: EventEnvelope) => Promise<void>;

/**
 * InProcessBus is the event bus of the embedded (all-in-one) mode: an
 * {@link EventPublisher} whose subscribers live in the same process. It
 * imitates what services rely on from JetStream and a durable consumer:
 * asynchronous delivery, redelivery after a failure, dedupe by event id, and
 * per-ordering-key order for each subscription, and the event's trace
 * context (each delivery is a consumer span of it, as from NATS headers).
 * Nothing survives the process.
 */
export interface InProcessBus extends EventPublisher {
  /**
   * subscribe calls `handler` for every event whose subject matches
   * `subjectPattern` (NATS wildcards: `connect.>`, `connect.connection.*`),
   * published after this call. Events of one ordering key reach the handler
   * one at a time, in publish order; a failed event is retried (with backoff,
   * a few times) before later events of its key, then logged and dropped.
   * Returns the unsubscribe function, after which no new delivery starts.
   * Throws a TypeError for an invalid pattern.
   */
  subscribe(subjectPattern: string, handler: EventHandler): () => void;
  /** idle resolves once every delivery scheduled so far, retries included, has finished. */
  idle(): Promise<void>;
}

/** Options of {@link createInProcessBus}. */
export interface InProcessBusOptions {
  /** How long an event id is remembered for dedupe; default 2 minutes, JetStream's default. */
  duplicateWindowMs?: number;
  /** Deliveries per event and subscription before giving up; default 5. */
  maxAttempts?: number;
  /** First retry delay, doubled per failure; default 100 ms. */
  retryBaseMs?: number;
  /** Longest retry delay; default 5 s. */
  retryMaxMs?: number;
}

interface Subscription {
  readonly pattern: string;
  readonly handler: EventHandler;
  /** Tail of the delivery chain of each ordering key. */
  readonly queues: Map<string, Promise<void>>;
  active: boolean;
}

/**
 * createInProcessBus makes an {@link InProcessBus}. `publish` resolves once
 * every matching handler has been scheduled (handlers run later, never in the
 * publisher's call stack, and their failures never reach the publisher); it
 * rejects with a TypeError for a malformed event and after `close()`.
 * `close()` waits for scheduled deliveries to finish.
 */
export function createInProcessBus(logger: Logger, options: InProcessBusOptions = {}): InProcessBus {
  const log = logger.child({ component: "in-process-bus" });
  const dedupe = createDedupeWindow(options.duplicateWindowMs ?? 120_000);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const retryBaseMs = options.retryBaseMs ?? 100;
  const retryMaxMs = options.retryMaxMs ?? 5_000;
  const subscriptions = new Set<Subscription>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  // One consumer span per event and subscription, retries included: the
  // handler's logs and calls, and these, carry the event's trace.
  function deliver(subscription: Subscription, event: EventEnvelope): Promise<void> {
    return withProcessSpan(event, "in-process", () => attempts(subscription, event));
  }

  async function attempts(subscription: Subscription, event: EventEnvelope): Promise<void> {
    for (let attempt = 1; subscription.active; attempt++) {
      try {
        // A handler that throws synchronously is treated like one that rejects.
        await Promise.resolve().then(() => subscription.handler(event));
        return;
      } catch (error) {
        const fields = { error, event_id: event.id, subject: event.subject, pattern: subscription.pattern, attempt };
        if (attempt >= maxAttempts) {
          log.error(fields, "event handler failed; giving up on this event");
          return;
        }
        log.warn(fields, "event handler failed; will retry");
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, retryBaseMs, retryMaxMs)));
      }
    }
  }

  function schedule(subscription: Subscription, event: EventEnvelope): void {
    const key = event.orderingKey;
    const previous = subscription.queues.get(key) ?? Promise.resolve();
    // setImmediate: the handler must not run before the publisher's own
    // continuation (it may still be finishing the work that emitted the event).
    const run = previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => deliver(subscription, event));
    subscription.queues.set(key, run);
    inFlight.add(run);
    void run.finally(() => {
      inFlight.delete(run);
      if (subscription.queues.get(key) === run) subscription.queues.delete(key);
    });
  }

  async function idle(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    system: "in-process",
    async publish(event) {
      if (closed) throw new Error("in-process bus is closed");
      assertEventEnvelope(event);
      if (!dedupe.firstSeen(event.id)) {
        log.debug({ event_id: event.id, subject: event.subject }, "duplicate event dropped");
        return;
      }
      for (const subscription of subscriptions) {
        if (subjectMatches(subscription.pattern, event.subject)) schedule(subscription, event);
      }
    },
    subscribe(subjectPattern, handler) {
      assertSubjectPattern(subjectPattern);
      const subscription: Subscription = { pattern: subjectPattern, handler, queues: new Map(), active: true };
      subscriptions.add(subscription);
      return () => {
        subscription.active = false;
        subscriptions.delete(subscription);
      };
    },
    idle,
    async close() {
      closed = true;
      await idle();
    },
  };
}
