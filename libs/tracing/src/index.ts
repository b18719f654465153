export { startTracing } from "./start-tracing.js";
export type { Tracing, TracingOptions } from "./start-tracing.js";
export { createClientTraceInterceptor } from "./client-trace-interceptor.js";
export { createServerTraceInterceptor } from "./server-trace-interceptor.js";
export { withProcessSpan, withPublishSpan } from "./event-spans.js";
export type { EventSystem } from "./event-spans.js";
export { contextFromCarrier, contextFromHeaders, injectIntoHeaders, traceCarrierOf } from "./trace-carrier.js";
export type { TraceCarrier } from "./trace-carrier.js";
