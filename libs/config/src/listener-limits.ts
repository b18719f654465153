import { ConfigError } from "./config-error.js";
import type { EnvReader } from "./env-reader.js";

/**
 * ListenerLimits bound what a client can hold open on either listener (PORT
 * and GRPC_PORT), so idle, slow or half-sent connections cannot pile up
 * (README, Configuration: "Connection limits").
 */
export interface ListenerLimits {
  /** From accepting a connection, or starting a request, to having its complete headers (`LISTENER_HEADERS_TIMEOUT_MS`). */
  readonly headersTimeoutMs: number;
  /** From a request's start to its last body byte; responses (e.g. watch streams) are not bounded by it (`LISTENER_REQUEST_TIMEOUT_MS`). */
  readonly requestTimeoutMs: number;
  /** An HTTP/2 or gRPC connection with no open stream is closed after this (`LISTENER_IDLE_TIMEOUT_MS`). */
  readonly idleTimeoutMs: number;
  /** An HTTP/1.1 connection waiting for its next request is closed after this (`LISTENER_KEEPALIVE_TIMEOUT_MS`). */
  readonly keepAliveTimeoutMs: number;
  /** Open connections per listener; further ones are closed at once (`LISTENER_MAX_CONNECTIONS`). */
  readonly maxConnections: number;
  /** Concurrent HTTP/2 streams (calls) per connection, announced in SETTINGS (`LISTENER_MAX_STREAMS`). */
  readonly maxStreamsPerConnection: number;
}

/** The defaults of {@link ListenerLimits}. */
export const DEFAULT_LISTENER_LIMITS: ListenerLimits = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 4_096,
  maxStreamsPerConnection: 256,
});

/** readListenerLimits parses the `LISTENER_*` settings; throws {@link ConfigError} naming the variable. */
export function readListenerLimits(env: EnvReader): ListenerLimits {
  const d = DEFAULT_LISTENER_LIMITS;
  const limits: ListenerLimits = Object.freeze({
    headersTimeoutMs: env.int("LISTENER_HEADERS_TIMEOUT_MS", d.headersTimeoutMs, { min: 100, max: 600_000 }),
    requestTimeoutMs: env.int("LISTENER_REQUEST_TIMEOUT_MS", d.requestTimeoutMs, { min: 100, max: 3_600_000 }),
    idleTimeoutMs: env.int("LISTENER_IDLE_TIMEOUT_MS", d.idleTimeoutMs, { min: 100, max: 86_400_000 }),
    keepAliveTimeoutMs: env.int("LISTENER_KEEPALIVE_TIMEOUT_MS", d.keepAliveTimeoutMs, { min: 100, max: 600_000 }),
    maxConnections: env.int("LISTENER_MAX_CONNECTIONS", d.maxConnections, { min: 1, max: 1_000_000 }),
    maxStreamsPerConnection: env.int("LISTENER_MAX_STREAMS", d.maxStreamsPerConnection, { min: 1, max: 65_536 }),
  });
  // Node requires the headers to arrive within the request's own time limit.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError("LISTENER_HEADERS_TIMEOUT_MS", "must not exceed LISTENER_REQUEST_TIMEOUT_MS");
  }
  return limits;
}
