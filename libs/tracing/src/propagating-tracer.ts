import { context as contextApi, trace, type Context, type Span, type SpanOptions, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { newSpanId, newTraceId } from "./random-ids.js";

/**
 * propagatingTracer starts spans that record nothing but carry ids: a child
 * keeps its parent's trace id, trace flags and trace state under a new span
 * id; a root gets a new trace id, unsampled. It is what every process runs
 * when no OTLP endpoint is set: trace ids still reach the logs and the next
 * service, for one object and two short strings per span (the SDK's tracer
 * would sanitize attributes, sample and count each span even to drop it).
 * Keeping the caller's sampled flag lets a service that does export record
 * a trace that passed through one that does not.
 */
const propagatingTracer: Tracer = {
  startSpan(_name: string, options?: SpanOptions, context: Context = contextApi.active()): Span {
    const parent = options?.root === true ? undefined : trace.getSpanContext(context);
    if (parent !== undefined && trace.isSpanContextValid(parent)) {
      return trace.wrapSpanContext({
        traceId: parent.traceId,
        spanId: newSpanId(),
        traceFlags: parent.traceFlags,
        ...(parent.traceState !== undefined ? { traceState: parent.traceState } : {}),
      });
    }
    return trace.wrapSpanContext({ traceId: newTraceId(), spanId: newSpanId(), traceFlags: 0 });
  },
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, parent] = rest as [SpanOptions | undefined, Context | undefined];
    const base = parent ?? contextApi.active();
    const span = propagatingTracer.startSpan(name, options, base);
    return contextApi.with(trace.setSpan(base, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  },
};

/** The {@link TracerProvider} of {@link propagatingTracer}: one tracer whatever the name. */
export const propagatingTracerProvider: TracerProvider = { getTracer: () => propagatingTracer };
