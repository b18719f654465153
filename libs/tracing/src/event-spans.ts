import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { contextFromCarrier, traceCarrierOf, type TraceCarrier } from "./trace-carrier.js";
import { tracer } from "./tracer.js";

// OpenTelemetry messaging conventions, as literals (see rpc-span.ts).
const MESSAGING_SYSTEM = "messaging.system";
const MESSAGING_OPERATION_TYPE = "messaging.operation.type";
const MESSAGING_DESTINATION_NAME = "messaging.destination.name";
const MESSAGING_MESSAGE_ID = "messaging.message.id";

/** Where an event travels: `nats` (JetStream) or `in-process` (the all-in-one bus). */
export type EventSystem = "nats" | "in-process";

/**
 * withPublishSpan runs `publish` under a producer span `publish <subject>`
 * whose parent is the trace stored with the event (`stored`, from the outbox
 * row), and hands it the carrier to send with the message: the producer
 * span's, or `stored` as it is while spans are not recorded. Events written
 * outside any trace, or with a malformed one, travel without.
 */
export async function withPublishSpan<T>(
  event: { id: string; subject: string; trace?: TraceCarrier | undefined },
  system: EventSystem | undefined,
  publish: (carrier: TraceCarrier | undefined) => Promise<T>,
): Promise<T> {
  if (event.trace === undefined) return publish(undefined);
  const parent = contextFromCarrier(event.trace);
  // A malformed stored context is dropped, never allowed to block the event.
  if (trace.getSpanContext(parent) === undefined) return publish(undefined);
  const span = tracer().startSpan(`publish ${event.subject}`, { kind: SpanKind.PRODUCER }, parent);
  if (!span.isRecording()) return publish(event.trace);
  if (system !== undefined) span.setAttribute(MESSAGING_SYSTEM, system);
  span.setAttribute(MESSAGING_OPERATION_TYPE, "send");
  span.setAttribute(MESSAGING_DESTINATION_NAME, event.subject);
  span.setAttribute(MESSAGING_MESSAGE_ID, event.id);
  try {
    return await publish(traceCarrierOf(trace.setSpan(parent, span)));
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * withProcessSpan runs `handle` as the consumer span `process <subject>`,
 * child of the trace the message carried (a new trace when it carried none),
 * with that span active: the handler's logs carry its trace id and the calls
 * it makes continue the trace. A rejection marks the span failed and is
 * passed on.
 */
export async function withProcessSpan<T>(
  message: { subject: string; id?: string | undefined; trace?: TraceCarrier | undefined },
  system: EventSystem,
  handle: () => Promise<T>,
): Promise<T> {
  const parent = contextFromCarrier(message.trace);
  const span = tracer().startSpan(`process ${message.subject}`, { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) {
    span.setAttribute(MESSAGING_SYSTEM, system);
    span.setAttribute(MESSAGING_OPERATION_TYPE, "process");
    span.setAttribute(MESSAGING_DESTINATION_NAME, message.subject);
    if (message.id !== undefined) span.setAttribute(MESSAGING_MESSAGE_ID, message.id);
  }
  try {
    return await context.with(trace.setSpan(parent, span), handle);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
