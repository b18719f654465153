import { DEFAULT_ACK_WAIT_MS } from "./durable-consumer.js";

/** Settings of a service's durable JetStream consumer. */
export interface ConsumerSettings {
  /**
   * How long JetStream waits for a delivered message's ack before it delivers
   * it again, to another replica (`CONSUMER_ACK_WAIT_MS`): how long the
   * messages a crashed replica held wait. Live replicas never hit it (they
   * report progress while working).
   */
  readonly ackWaitMs: number;
}

/** The one `EnvReader` method {@link readConsumerSettings} needs (`@planton/config`). */
export interface IntEnvReader {
  int(name: string, fallback: number, range: { min: number; max: number }): number;
}

/**
 * readConsumerSettings parses `CONSUMER_ACK_WAIT_MS` (default
 * {@link DEFAULT_ACK_WAIT_MS}), for the `config.ts` of a service that
 * consumes events. Throws the reader's `ConfigError` naming a bad variable.
 */
export function readConsumerSettings(env: IntEnvReader): ConsumerSettings {
  return Object.freeze({ ackWaitMs: env.int("CONSUMER_ACK_WAIT_MS", DEFAULT_ACK_WAIT_MS, { min: 1_000, max: 3_600_000 }) });
}
