/**
 * The time limits on every conversation with NATS (README, Timeouts), shared
 * by the publisher and the durable consumer so both give up equally fast.
 */

/** One attempt to open a NATS connection (TCP, handshake); the clients then retry about every second. */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Ping period; after {@link NATS_MAX_PINGS_OUT} unanswered pings the client
 * drops the connection and reconnects. Detects a silently dead connection in
 * ~30 s instead of nats.js's default 4 minutes.
 */
export const NATS_PING_INTERVAL_MS = 15_000;

/** Unanswered pings before a connection counts as dead. */
export const NATS_MAX_PINGS_OUT = 2;

/**
 * A JetStream request: a publish waiting for its ack, or a stream/consumer
 * management call. Past it the call rejects (a publish stays in the outbox
 * and is retried).
 */
export const JETSTREAM_REQUEST_TIMEOUT_MS = 5_000;
