import { startDurableConsumer, type DurableConsumer } from "@planton/events";
import type { Logger } from "@planton/logging";
import type { Registry } from "prom-client";
import type { VerifierComponents } from "./verifier-components.js";
import { VERIFIER_MAX_DELIVER } from "./verify-event.js";

/**
 * startVerifierConsumer feeds the CONNECT stream to the verifier through the
 * durable JetStream consumer `verifier`, shared by every verifier replica
 * (and by the all-in-one process when it uses NATS). The delivery limit is
 * {@link VERIFIER_MAX_DELIVER}: the verifier records a platform fault as
 * final on the last delivery, so both must agree.
 */
export function startVerifierConsumer(options: {
  url: string;
  logger: Logger;
  verifier: VerifierComponents;
  metrics?: Registry;
  /** Redelivery wait of a message a dead replica held (config `consumer.ackWaitMs`); default 60 s. */
  ackWaitMs?: number;
}): Promise<DurableConsumer> {
  return startDurableConsumer({
    url: options.url,
    logger: options.logger,
    stream: "CONNECT",
    durable: "verifier",
    // connection.* and aws_trust.completed (NATS 2.9 has one filter per consumer).
    filterSubject: "connect.>",
    streamSubjects: ["connect.>"],
    maxDeliver: VERIFIER_MAX_DELIVER,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.ackWaitMs !== undefined ? { ackWaitMs: options.ackWaitMs } : {}),
    handle: (data, _subject, deliveryCount) => options.verifier.handle(data, deliveryCount),
  });
}
