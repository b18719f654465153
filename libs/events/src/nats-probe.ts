import { connect, type NatsConnection } from "nats";

/** A readiness probe of NATS (the shape of `ReadinessProbe` in @planton/server), plus its close. */
export interface NatsProbe {
  readonly name: "nats";
  readonly services: readonly string[];
  /** Resolves true once the server answered a PING; false while connecting or reconnecting. */
  check(signal: AbortSignal): Promise<boolean>;
  /** Closes the probe's connection. */
  close(): Promise<void>;
}

/**
 * createNatsProbe checks NATS with a PING round trip (`flush`) over a
 * connection of its own that reconnects forever, so it tells whether a
 * consumer of this process can reach the server now, without touching the
 * consumers' connections. The first connection attempt starts at once and
 * does not fail the process when NATS is down: the probe just reports false.
 */
export function createNatsProbe(options: { url: string; services: readonly string[] }): NatsProbe {
  let connection: NatsConnection | undefined;
  let closed = false;
  const connecting = connect({
    servers: options.url.split(","),
    name: "planton-readiness",
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A PING unanswered for this long marks the connection stale (then it reconnects).
    pingInterval: 5_000,
    maxPingOut: 2,
  }).then((nc) => {
    connection = nc;
    if (closed) void nc.close();
    return nc;
  });
  // Rejects only if the client gives up for good; check() then reports false.
  connecting.catch(() => undefined);

  return {
    name: "nats",
    services: options.services,
    async check(signal) {
      const nc = connection;
      if (nc === undefined || nc.isClosed()) return false;
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<boolean>((resolve) => {
        onAbort = () => resolve(false);
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        // flush() rejects while the client is disconnected: that is "not reachable", not a fault.
        return await Promise.race([
          nc.flush().then(
            () => true,
            () => false,
          ),
          aborted,
        ]);
      } finally {
        signal.removeEventListener("abort", onAbort!);
      }
    },
    async close() {
      closed = true;
      await connection?.close().catch(() => undefined);
    },
  };
}
