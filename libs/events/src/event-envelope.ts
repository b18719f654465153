import type { TraceCarrier } from "@planton/tracing";

/**
 * EventEnvelope is one event as producers hand it over and consumers receive
 * it: the same shape in the outbox, on JetStream and on the in-process bus.
 * `data` is the encoded protobuf message (ids and metadata, never secrets; see
 * DESIGN.md "Events"); it is never written to logs.
 */
export interface EventEnvelope {
  /** A fresh UUID per event; JetStream's `Nats-Msg-Id`, so a republished event is dropped as a duplicate. */
  readonly id: string;
  /** Literal NATS subject, e.g. `connect.connection.created` (no wildcards). */
  readonly subject: string;
  readonly data: Uint8Array;
  /** Events with the same key (e.g. a connection id) are delivered in the order they were written. */
  readonly orderingKey: string;
  /**
   * The W3C trace context the event continues: set by the outbox relay from
   * the row (the trace of the change that wrote it) and on delivery from the
   * message headers; absent when the event was written outside any trace.
   */
  readonly trace?: TraceCarrier | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A subject token may hold anything but separators, wildcards and whitespace
// (NATS protocol: whitespace ends the subject on the wire).
const SUBJECT_TOKEN = /^[^\s.*>]+$/;
// The ordering key travels as a NATS header value: CR or LF would end the header.
// eslint-disable-next-line no-control-regex -- control characters are what the key must not hold
const ORDERING_KEY = /^[^\u0000-\u001f\u007f]{1,256}$/;
// W3C Trace Context version 00, the one the services write.
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
// eslint-disable-next-line no-control-regex -- control characters are what a header value must not hold
const TRACESTATE = /^[^\u0000-\u001f\u007f]{0,512}$/;

/**
 * assertEventEnvelope throws a TypeError naming the first malformed field of
 * `event` (never its data). Checked where an event enters the system, so a
 * malformed event fails the producer's transaction instead of sitting at the
 * head of the outbox and blocking every later event (not retryable).
 */
export function assertEventEnvelope(event: EventEnvelope): void {
  if (typeof event.id !== "string" || !UUID.test(event.id)) {
    throw new TypeError("event id must be a UUID");
  }
  if (typeof event.subject !== "string" || !event.subject.split(".").every((token) => SUBJECT_TOKEN.test(token))) {
    throw new TypeError(`event subject "${String(event.subject)}" is not a literal NATS subject`);
  }
  if (typeof event.orderingKey !== "string" || !ORDERING_KEY.test(event.orderingKey)) {
    throw new TypeError("event ordering key must be 1 to 256 characters without control characters");
  }
  if (!(event.data instanceof Uint8Array)) {
    throw new TypeError("event data must be a Uint8Array");
  }
  if (
    event.trace !== undefined &&
    (!TRACEPARENT.test(event.trace.traceparent) || (event.trace.tracestate !== undefined && !TRACESTATE.test(event.trace.tracestate)))
  ) {
    throw new TypeError("event trace must be a W3C traceparent (and tracestate) without control characters");
  }
}
