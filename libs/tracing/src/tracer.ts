import { trace, type Tracer } from "@opentelemetry/api";

/** Instrumentation scope of every span the services start. */
export const SCOPE = "planton-connect";

// The tracer startTracing registered, kept so that a span per RPC costs no
// provider lookup (the SDK's builds a cache key string per lookup).
let registered: Tracer | undefined;

/** useTracer sets (or, with undefined, clears) the tracer {@link tracer} returns; for {@link startTracing}. */
export function useTracer(next: Tracer | undefined): void {
  registered = next;
}

/**
 * tracer is the tracer of the process's registered provider (see
 * {@link startTracing}); before one is registered, the OpenTelemetry API's
 * (a no-op one unless someone else registered a provider).
 */
export function tracer(): Tracer {
  return registered ?? trace.getTracer(SCOPE);
}
