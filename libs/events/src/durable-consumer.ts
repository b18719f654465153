import { AckPolicy, connect, DeliverPolicy, type ConsumerMessages, type MsgHdrs, type NatsConnection } from "nats";
import type { Logger } from "@planton/logging";
import { withProcessSpan, type TraceCarrier } from "@planton/tracing";
import type { Registry } from "prom-client";
import { eventMetrics } from "./event-metrics.js";
import { ensureStream } from "./ensure-stream.js";
import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from "./jetstream-publisher.js";
import { JETSTREAM_REQUEST_TIMEOUT_MS, NATS_CONNECT_TIMEOUT_MS, NATS_MAX_PINGS_OUT, NATS_PING_INTERVAL_MS } from "./nats-timeouts.js";

/** The ack wait of a durable consumer that does not set one (CONSUMER_ACK_WAIT_MS). */
export const DEFAULT_ACK_WAIT_MS = 60_000;

/** What a handler tells the consumer about one message. */
export type HandleOutcome = { readonly retryAfterMs?: number } | void;

/** A running consumer. */
export interface DurableConsumer {
  /** Stops taking messages and waits for the ones in flight to be acknowledged. */
  stop(): Promise<void>;
  /**
   * Drops the connection at once, as a crash would: messages in flight are
   * neither acknowledged nor refused, and JetStream redelivers them after
   * the ack wait. For forced shutdowns (and the tests that prove nothing is lost).
   */
  kill(): Promise<void>;
}

/** Options of {@link startDurableConsumer}. */
export interface DurableConsumerOptions {
  /** NATS servers, comma separated. */
  readonly url: string;
  readonly logger: Logger;
  readonly stream: string;
  /** Durable name shared by the replicas of one service: each message goes to one of them. */
  readonly durable: string;
  /** One subject filter (filter_subjects needs NATS 2.10; older servers are in use). */
  readonly filterSubject: string;
  /**
   * The stream's subjects, to create it when a consumer starts before any
   * producer did (default: the filter subject).
   */
  readonly streamSubjects?: readonly string[];
  /** Where a new durable starts: the whole stream (default) or only new messages. */
  readonly startAt?: "all" | "new";
  /** Messages in flight at once (bounded concurrency). */
  readonly maxInFlight?: number;
  /** Redeliveries before JetStream gives up on a message. */
  readonly maxDeliver?: number;
  /**
   * How long a delivered, unacknowledged message waits before redelivery (a
   * crashed worker's); while the handler runs the consumer tells JetStream
   * it is working every third of it, so only a dead replica's messages wait
   * it out. Default {@link DEFAULT_ACK_WAIT_MS}; see {@link readConsumerSettings}.
   */
  readonly ackWaitMs?: number;
  /**
   * Handles one message; must be idempotent (redeliveries happen). Resolve
   * to ack; return `{ retryAfterMs }` to nak with that delay (transient
   * failure); throw to nak with a default delay. A message that cannot be
   * parsed should resolve (ack) after logging: it would fail forever.
   */
  /** The process's metrics registry: pending messages, redeliveries and outcomes, by durable name (see {@link eventMetrics}). */
  readonly metrics?: Registry;
  readonly handle: (data: Uint8Array, subject: string, deliveryCount: number) => Promise<HandleOutcome>;
}

/**
 * startDurableConsumer consumes a JetStream stream with a durable pull
 * consumer: explicit ack after the handler finished, nak with a delay on
 * failure, bounded redeliveries, bounded concurrency. nats.js reconnects by
 * itself; a subscription that ends is logged, never an unhandled rejection.
 * Each message is handled as the consumer span of the trace its headers
 * carry (`traceparent`, see {@link withProcessSpan}).
 */
export async function startDurableConsumer(options: DurableConsumerOptions): Promise<DurableConsumer> {
  const log = options.logger.child({ component: "durable-consumer", durable: options.durable });
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const nc: NatsConnection = await connect({
    servers: options.url.split(","),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    timeout: NATS_CONNECT_TIMEOUT_MS,
    pingInterval: NATS_PING_INTERVAL_MS,
    maxPingOut: NATS_MAX_PINGS_OUT,
  });
  const jsm = await nc.jetstreamManager({ timeout: JETSTREAM_REQUEST_TIMEOUT_MS });
  // A consumer may start before the producer ever published (fresh cluster,
  // services started in any order): make sure the stream exists.
  await ensureStream(jsm, { name: options.stream, subjects: options.streamSubjects ?? [options.filterSubject], duplicateWindowMs: 120_000 }, log);
  await jsm.consumers
    .add(options.stream, {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: options.startAt === "new" ? DeliverPolicy.New : DeliverPolicy.All,
      filter_subject: options.filterSubject,
      ack_wait: ackWaitMs * 1_000_000,
      max_deliver: options.maxDeliver ?? 20,
    })
    .catch(async (error: unknown) => {
      // It exists already (another replica, or an earlier version of this service).
      const info = await jsm.consumers.info(options.stream, options.durable).catch(() => {
        throw error;
      });
      if (info.config.ack_wait !== ackWaitMs * 1_000_000) {
        // The operator changed CONSUMER_ACK_WAIT_MS: the durable follows (an editable setting).
        await jsm.consumers.update(options.stream, options.durable, { ack_wait: ackWaitMs * 1_000_000 }).catch((updateError: unknown) => {
          log.error(
            { error: updateError, has_ms: (info.config.ack_wait ?? 0) / 1_000_000, wants_ms: ackWaitMs },
            "durable consumer's ack wait could not be changed",
          );
        });
      }
      if (info.config.filter_subject !== options.filterSubject) {
        // A newer release consumes more subjects: widen the filter (NATS 2.10+
        // allows it; older servers refuse, and the durable must be recreated).
        await jsm.consumers.update(options.stream, options.durable, { filter_subject: options.filterSubject }).catch((updateError: unknown) => {
          log.error(
            { error: updateError, has: info.config.filter_subject, wants: options.filterSubject },
            "durable consumer has another subject filter and the server refused to change it: delete the consumer to let it be recreated",
          );
        });
      }
    });
  const consumer = await nc.jetstream({ timeout: JETSTREAM_REQUEST_TIMEOUT_MS }).consumers.get(options.stream, options.durable);
  const maxInFlight = options.maxInFlight ?? 8;
  let messages: ConsumerMessages | undefined = await consumer.consume({ max_messages: maxInFlight });
  const inFlight = new Set<Promise<void>>();
  const metrics = options.metrics ? eventMetrics(options.metrics) : undefined;
  const pending = metrics?.consumerPending.labels(options.durable);
  const redeliveries = metrics?.consumerRedeliveries.labels(options.durable);
  const acked = metrics?.consumerMessages.labels(options.durable, "ack");
  const retried = metrics?.consumerMessages.labels(options.durable, "retry");
  const failed = metrics?.consumerMessages.labels(options.durable, "error");
  const done = (async () => {
    for await (const message of messages) {
      pending?.set(message.info.pending);
      if (message.info.redelivered) redeliveries?.inc();
      // Tells JetStream the message is still being worked on, so a slow
      // handler on a live replica is not redelivered to another one at the
      // ack wait; only a replica that died stops beating.
      const heartbeat = setInterval(
        () => {
          try {
            message.working();
          } catch {
            // The connection is gone: the ack wait runs out and JetStream redelivers.
          }
        },
        Math.max(100, Math.floor(ackWaitMs / 3)),
      );
      const work = withProcessSpan(
        { subject: message.subject, id: headerOf(message.headers, "Nats-Msg-Id"), trace: traceOf(message.headers) },
        "nats",
        async () => {
          try {
            const outcome = await options.handle(message.data, message.subject, message.info.deliveryCount);
            if (outcome && outcome.retryAfterMs !== undefined) {
              message.nak(outcome.retryAfterMs);
              retried?.inc();
            } else {
              message.ack();
              acked?.inc();
            }
          } catch (error) {
            failed?.inc();
            log.warn({ error, subject: message.subject, seq: message.seq }, "message handling failed; it will be redelivered");
            try {
              message.nak(5_000);
            } catch {
              // The connection is gone (killed or lost): JetStream redelivers after the ack wait.
            }
          }
        },
      ).finally(() => clearInterval(heartbeat));
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
  })().catch((error: unknown) => {
    log.error({ error }, "consumer stopped; restart the service to resume consuming");
  });
  return {
    async stop() {
      await messages?.close();
      messages = undefined;
      await done;
      await Promise.allSettled(inFlight);
      await nc.drain();
    },
    async kill() {
      messages = undefined;
      await nc.close();
    },
  };
}

/** The W3C trace context a message's headers carry, if any. */
function traceOf(headers: MsgHdrs | undefined): TraceCarrier | undefined {
  const traceparent = headerOf(headers, TRACEPARENT_HEADER);
  if (traceparent === undefined) return undefined;
  const tracestate = headerOf(headers, TRACESTATE_HEADER);
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** A header's value; undefined when absent (nats.js answers "" then). */
function headerOf(headers: MsgHdrs | undefined, name: string): string | undefined {
  const value = headers?.get(name);
  return value === undefined || value === "" ? undefined : value;
}
