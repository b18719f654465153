import { connect, Events, headers, type JetStreamClient, type NatsConnection } from "nats";
import type { Logger } from "@planton/logging";
import { backoffDelay } from "./backoff.js";
import { ensureStream, type StreamSpec } from "./ensure-stream.js";
import { assertEventEnvelope } from "./event-envelope.js";
import { JETSTREAM_REQUEST_TIMEOUT_MS, NATS_CONNECT_TIMEOUT_MS, NATS_MAX_PINGS_OUT, NATS_PING_INTERVAL_MS } from "./nats-timeouts.js";
import type { EventPublisher } from "./event-publisher.js";

/** Headers carrying {@link EventEnvelope.trace} on JetStream messages (W3C Trace Context names, as over HTTP). */
export const TRACEPARENT_HEADER = "traceparent";
export const TRACESTATE_HEADER = "tracestate";

/** Header carrying {@link EventEnvelope.orderingKey} on JetStream messages. */
export const ORDERING_KEY_HEADER = "Planton-Ordering-Key";

/** Options of {@link connectJetStream}. */
export interface JetStreamOptions {
  /** NATS server URL, or several separated by commas (`NATS_URL`). */
  url: string;
  logger: Logger;
  /** Stream to publish into, created if missing; default `CONNECT`. */
  stream?: string;
  /** Subjects the stream must capture; default `["connect.>"]`. */
  subjects?: string[];
  /** Duplicate window of a stream this creates; default 2 minutes. */
  duplicateWindowMs?: number;
  /** How long a publish waits for the JetStream ack; default {@link JETSTREAM_REQUEST_TIMEOUT_MS}. */
  publishTimeoutMs?: number;
}

/** An {@link EventPublisher} into a JetStream stream. */
export interface JetStreamPublisher extends EventPublisher {
  /**
   * The NATS connection, for health checks and consumers; `undefined` until
   * NATS has been reached for the first time. It reconnects by itself after
   * an outage; it is replaced only if the client gave up on it (e.g. repeated
   * authentication failures), in which case a new one is made.
   */
  readonly connection: NatsConnection | undefined;
  /**
   * ready resolves with the connection once NATS has been reached and the
   * stream ensured; it rejects if the publisher is closed first.
   */
  ready(): Promise<NatsConnection>;
}

const DEFAULT_STREAM = "CONNECT";
const DEFAULT_SUBJECTS = ["connect.>"];
// A fixed, short wait between reconnect attempts: one client per replica
// against our own NATS, and every second of outage is a second of lag.
const RECONNECT_WAIT_MS = 1_000;
const ENSURE_RETRY_MAX_MS = 30_000;
const LOUD_EVERY = 10;

/**
 * connectJetStream starts a {@link JetStreamPublisher}. It resolves after the
 * first connection attempt whatever its outcome, so a service starts (and
 * keeps writing to its outbox) while NATS is unreachable; from then on it
 * connects and reconnects forever, waiting at most about a second between
 * attempts, and on every (re)connection creates the stream if missing or adds
 * missing subjects to it.
 *
 * `publish` sends with `Nats-Msg-Id` = event id (JetStream drops an id it has
 * stored within the duplicate window and answers with a duplicate ack, which
 * counts as success) and the ordering key in {@link ORDERING_KEY_HEADER}, and
 * expects the stream by name, so an event captured by another stream fails.
 * It rejects at once while NATS is known to be disconnected (not queueing the
 * event in the client's reconnect buffer), after `publishTimeoutMs` without an
 * ack, with the JetStream error when the stream refuses the message, and with
 * a TypeError for a malformed event. All but the last are retryable.
 */
export async function connectJetStream(options: JetStreamOptions): Promise<JetStreamPublisher> {
  const log = options.logger.child({ component: "jetstream-publisher" });
  const servers = options.url
    .split(",")
    .map((server) => server.trim())
    .filter((server) => server !== "");
  if (servers.length === 0) throw new TypeError("url must name at least one NATS server");
  // A NATS URL may carry a token as its user part (nats://TOKEN@host), a
  // shape the logger's scrubbing does not know: log hosts only.
  const serverHosts = servers.map(hostOf);
  const spec: StreamSpec = {
    name: options.stream ?? DEFAULT_STREAM,
    subjects: options.subjects ?? DEFAULT_SUBJECTS,
    duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
  };
  const publishTimeoutMs = options.publishTimeoutMs ?? JETSTREAM_REQUEST_TIMEOUT_MS;

  let connection: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let connected = false;
  let closed = false;
  let ensuring: { nc: NatsConnection; done: Promise<void> } | undefined;
  const sleepers = new Set<() => void>();

  let resolveReady!: (nc: NatsConnection) => void;
  let rejectReady!: (error: Error) => void;
  const readyPromise = new Promise<NatsConnection>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Nobody has to call ready(); its rejection at close must not be "unhandled".
  readyPromise.catch(() => undefined);

  /** A wait that close() cuts short, so no timer outlives the publisher. */
  function sleep(ms: number): Promise<void> {
    if (closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      }
      sleepers.add(done);
    });
  }

  /** Ensures the stream, retrying with backoff until it works or `nc` is gone. */
  function ensureInBackground(nc: NatsConnection): Promise<void> {
    if (ensuring?.nc === nc) return ensuring.done;
    const done = (async () => {
      for (let failures = 0; !closed && !nc.isClosed();) {
        try {
          const jsm = await nc.jetstreamManager({ timeout: publishTimeoutMs });
          await ensureStream(jsm, spec, log);
          resolveReady(nc);
          return;
        } catch (error) {
          failures++;
          const fields = { error, stream: spec.name, failures };
          if (failures % LOUD_EVERY === 1) log.error(fields, "cannot ensure the JetStream stream; will retry");
          else log.debug(fields, "cannot ensure the JetStream stream; will retry");
          await sleep(backoffDelay(failures, RECONNECT_WAIT_MS, ENSURE_RETRY_MAX_MS));
        }
      }
    })().finally(() => {
      if (ensuring?.done === done) ensuring = undefined;
    });
    ensuring = { nc, done };
    return done;
  }

  async function watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) {
        connected = false;
        log.warn({ server: status.data }, "NATS disconnected; reconnecting");
      } else if (status.type === Events.Reconnect) {
        connected = true;
        log.info({ server: status.data }, "NATS reconnected");
        // The server may have come back without the stream (e.g. a fresh
        // memory-only server).
        void ensureInBackground(nc);
      }
    }
  }

  /** Connects, and connects again whenever the client gives up, until closed. */
  async function supervise(firstAttemptDone: () => void): Promise<void> {
    for (let failures = 0; !closed;) {
      let nc: NatsConnection;
      try {
        // Not waitOnFirstConnect: that retries inside connect() where close()
        // cannot stop it; this loop does the same and can.
        nc = await connect({
          servers,
          reconnect: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: RECONNECT_WAIT_MS,
          reconnectJitter: 200,
          timeout: NATS_CONNECT_TIMEOUT_MS,
          pingInterval: NATS_PING_INTERVAL_MS,
          maxPingOut: NATS_MAX_PINGS_OUT,
        });
      } catch (error) {
        failures++;
        const fields = { error, servers: serverHosts, failures };
        if (failures % LOUD_EVERY === 1) log.warn(fields, "cannot reach NATS; will keep trying");
        else log.debug(fields, "cannot reach NATS; will keep trying");
        firstAttemptDone();
        await sleep(RECONNECT_WAIT_MS);
        continue;
      }
      if (closed) {
        await nc.close();
        return;
      }
      failures = 0;
      connection = nc;
      js = nc.jetstream({ timeout: publishTimeoutMs });
      connected = true;
      log.info({ server: nc.getServer() }, "NATS connected");
      watchStatus(nc).catch((error: unknown) => log.error({ error }, "NATS status watch failed"));
      // The first attempt counts as done once the stream was tried as well,
      // so a caller that publishes right away usually finds it.
      const ensured = ensureInBackground(nc);
      await Promise.race([ensured, sleep(NATS_CONNECT_TIMEOUT_MS)]);
      firstAttemptDone();
      const error = await nc.closed();
      connected = false;
      if (closed) return;
      log.error({ error }, "NATS connection closed by the client; connecting again");
    }
  }

  let firstAttemptDone!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
  const supervisor = supervise(firstAttemptDone);
  await firstAttempt;

  return {
    get connection() {
      return connection;
    },
    ready: () => readyPromise,
    system: "nats",
    async publish(event) {
      if (closed) throw new Error("JetStream publisher is closed");
      assertEventEnvelope(event);
      if (js === undefined || connection === undefined || !connected) {
        throw new Error("NATS is not connected; the event was not published");
      }
      const hdrs = headers();
      hdrs.set(ORDERING_KEY_HEADER, event.orderingKey);
      if (event.trace !== undefined) {
        hdrs.set(TRACEPARENT_HEADER, event.trace.traceparent);
        if (event.trace.tracestate !== undefined) hdrs.set(TRACESTATE_HEADER, event.trace.tracestate);
      }
      try {
        const ack = await js.publish(event.subject, event.data, {
          msgID: event.id,
          timeout: publishTimeoutMs,
          headers: hdrs,
          expect: { streamName: spec.name },
        });
        if (ack.duplicate) log.debug({ event_id: event.id, subject: event.subject }, "JetStream dropped a duplicate event");
      } catch (error) {
        // No responders: no stream captures the subject, perhaps deleted
        // since we ensured it.
        if ((error as { code?: unknown }).code === "503") void ensureInBackground(connection);
        throw error;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      rejectReady(new Error("JetStream publisher closed before NATS was reached"));
      for (const wake of [...sleepers]) wake();
      await connection?.close();
      await supervisor;
      await ensuring?.done;
    },
  };
}

function hostOf(server: string): string {
  try {
    const url = new URL(server.includes("://") ? server : `nats://${server}`);
    return url.host;
  } catch {
    return "(unparseable NATS URL)";
  }
}
