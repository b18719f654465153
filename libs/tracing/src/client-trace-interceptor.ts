import type { Interceptor } from "@connectrpc/connect";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { describeRpcSpan, endRpcSpan, rpcSpanName } from "./rpc-span.js";
import { injectIntoHeaders } from "./trace-carrier.js";
import { tracer } from "./tracer.js";

// Shared: no options object per call.
const CLIENT_SPAN = { kind: SpanKind.CLIENT };

/**
 * createClientTraceInterceptor makes the calls one service makes to another
 * part of the active trace: it sends `traceparent` (and `tracestate`) in the
 * request metadata, so the callee's server span is a child of the caller's.
 * While spans are recorded it starts a client span per call (name
 * `package.Service/Method`, ended with the call's status); while they are not,
 * it passes the active span's context as it is, allocating no span. A call
 * made outside any trace (a background job) starts one. Add it to the
 * `interceptors` of every transport a service uses to call another.
 */
export function createClientTraceInterceptor(): Interceptor {
  return (next) => async (request) => {
    const active = context.active();
    const parent = trace.getSpan(active);
    if (parent !== undefined && !parent.isRecording()) {
      injectIntoHeaders(active, request.header);
      return next(request);
    }
    const span = tracer().startSpan(rpcSpanName(request.method), CLIENT_SPAN, active);
    describeRpcSpan(span, request.method, "grpc");
    injectIntoHeaders(trace.setSpan(active, span), request.header);
    try {
      const response = await next(request);
      // Unary calls only between our services: the call ends with its response.
      endRpcSpan(span, undefined, false);
      return response;
    } catch (error) {
      endRpcSpan(span, error, false);
      throw error;
    }
  };
}
