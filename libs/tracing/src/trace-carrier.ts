import { context, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * TraceCarrier is a W3C trace context in its header form: what an outbox row
 * stores and what a NATS message or an in-process event carries, so that the
 * work an event causes continues the trace of the change that wrote it.
 */
export interface TraceCarrier {
  /** `00-<trace id>-<parent span id>-<flags>` (W3C Trace Context, `traceparent`). */
  readonly traceparent: string;
  /** Vendor entries (W3C `tracestate`); absent when empty. */
  readonly tracestate?: string;
}

// Stateless; the W3C format is the only one the services speak.
const propagator = new W3CTraceContextPropagator();

const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

const headersSetter: TextMapSetter<Headers> = {
  set: (headers, key, value) => headers.set(key, value),
};

interface MutableCarrier {
  traceparent?: string;
  tracestate?: string;
}

const carrierGetter: TextMapGetter<TraceCarrier> = {
  get: (carrier, key) => (key === "traceparent" ? carrier.traceparent : key === "tracestate" ? carrier.tracestate : undefined),
  keys: () => ["traceparent", "tracestate"],
};

const carrierSetter: TextMapSetter<MutableCarrier> = {
  set: (carrier, key, value) => {
    if (key === "traceparent") carrier.traceparent = value;
    else if (key === "tracestate") carrier.tracestate = value;
  },
};

/**
 * contextFromHeaders is `base` with the remote parent named by the
 * `traceparent` (and `tracestate`) of `headers`; `base` unchanged when there
 * is none or it is malformed (W3C: start a new trace rather than fail).
 */
export function contextFromHeaders(headers: Headers, base: Context = ROOT_CONTEXT): Context {
  // The common case of a caller that sends no trace costs one lookup.
  if (!headers.has("traceparent")) return base;
  return propagator.extract(base, headers, headersGetter);
}

/** injectIntoHeaders sets `traceparent` (and `tracestate`) in `headers` from the span of `ctx`; nothing without a valid span. */
export function injectIntoHeaders(ctx: Context, headers: Headers): void {
  propagator.inject(ctx, headers, headersSetter);
}

/** contextFromCarrier is `base` with the remote parent `carrier` names; `base` when absent or malformed. */
export function contextFromCarrier(carrier: TraceCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  if (carrier === undefined) return base;
  return propagator.extract(base, carrier, carrierGetter);
}

/**
 * traceCarrierOf is the trace context of the span in `ctx` (default: the
 * active context) in header form, or undefined when there is no valid span,
 * e.g. outside any RPC or event.
 */
export function traceCarrierOf(ctx: Context = context.active()): TraceCarrier | undefined {
  if (trace.getSpanContext(ctx) === undefined) return undefined;
  const carrier: MutableCarrier = {};
  propagator.inject(ctx, carrier, carrierSetter);
  return carrier.traceparent === undefined ? undefined : (carrier as TraceCarrier);
}
