import { trace, type Tracer } from "@opentelemetry/api";

/** Instrumentation scope of every span the services start. */
const SCOPE = "planton-connect";

/**
 * tracer is the tracer of the process's registered provider (see
 * {@link startTracing}); looked up per use so that code built before the
 * provider was registered (tests, libraries) still gets it.
 */
export function tracer(): Tracer {
  return trace.getTracer(SCOPE);
}
