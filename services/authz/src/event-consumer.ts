import { AckPolicy, connect, DeliverPolicy, type ConsumerMessages, type NatsConnection } from "nats";
import type { Logger } from "@planton/logging";

/** A running consumer. */
export interface EventConsumer {
  stop(): Promise<void>;
}

const STREAM = "CONNECT";
const DURABLE = "authz";

/**
 * startConnectionEventConsumer consumes connection.rotated and
 * connection.deleted from the CONNECT stream with a durable consumer shared
 * by every authz replica (each message goes to one of them): explicit ack
 * after `handle` committed, a delayed nak on failure so the message comes
 * back, bounded redeliveries. `handle` is idempotent, so a redelivery does no
 * harm. nats.js reconnects by itself.
 */
export async function startConnectionEventConsumer(options: {
  url: string;
  logger: Logger;
  handle: (data: Uint8Array) => Promise<void>;
  /** Durable consumer name shared by the replicas (default "authz"). */
  durable?: string;
  /** Where a new durable starts: the whole stream (default; a new deployment catches up) or only new events. */
  startAt?: "all" | "new";
}): Promise<EventConsumer> {
  const durable = options.durable ?? DURABLE;
  const log = options.logger.child({ component: "event-consumer" });
  const nc: NatsConnection = await connect({ servers: options.url.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers
    .add(STREAM, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: options.startAt === "new" ? DeliverPolicy.New : DeliverPolicy.All,
      // One subject filter (filter_subjects needs NATS 2.10; this machine runs
      // an older server): the handler ignores the connection events it does not use.
      filter_subject: "connect.connection.>",
      ack_wait: 30_000_000_000,
      max_deliver: 20,
    })
    .catch(async (error: unknown) => {
      // Already there (another replica made it): use it as it is.
      await jsm.consumers.info(STREAM, durable).catch(() => {
        throw error;
      });
    });
  const consumer = await nc.jetstream().consumers.get(STREAM, durable);
  let messages: ConsumerMessages | undefined = await consumer.consume({ max_messages: 64 });
  const done = (async () => {
    for await (const message of messages!) {
      try {
        await options.handle(message.data);
        message.ack();
      } catch (error) {
        log.warn({ error, subject: message.subject, seq: message.seq }, "event handling failed; will be redelivered");
        message.nak(5_000);
      }
    }
  })().catch((error: unknown) => {
    // The subscription ended (consumer deleted, NATS gave up): report it
    // instead of letting an unhandled rejection stop the whole service.
    log.error({ error }, "event consumer stopped; restart authz to resume consuming");
  });
  return {
    async stop() {
      await messages?.close();
      messages = undefined;
      await done.catch(() => undefined);
      await nc.drain();
    },
  };
}
