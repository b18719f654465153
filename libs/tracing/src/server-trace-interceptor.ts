import type { Interceptor } from "@connectrpc/connect";
import { context, SpanKind, trace, type Context } from "@opentelemetry/api";
import { describeRpcSpan, endRpcSpan, rpcSpanName } from "./rpc-span.js";
import { contextFromHeaders } from "./trace-carrier.js";
import { tracer } from "./tracer.js";

/**
 * createServerTraceInterceptor starts a server span per RPC (name
 * `package.Service/Method`), child of the caller's `traceparent` when the
 * request has one (W3C Trace Context, from HTTP headers or gRPC metadata
 * alike), else the root of a new trace, and runs the rest of the chain with
 * it active: log lines written during the call carry its trace id, and calls
 * and events the handler makes continue it. The span ends when the call
 * does (a streamed response: when the stream ends, each message produced
 * with the span active), with the gRPC status code. It never reads a
 * message, and only procedure names and codes become attributes.
 *
 * Place it outside the logging interceptor so the call's log line is
 * written inside the span.
 */
export function createServerTraceInterceptor(): Interceptor {
  return (next) => (request) => {
    const parent = contextFromHeaders(request.header);
    const span = tracer().startSpan(rpcSpanName(request.method), SERVER_SPAN, parent);
    if (span.isRecording()) describeRpcSpan(span, request.method, rpcSystemOf(request.header.get("content-type")));
    const active = trace.setSpan(parent, span);
    // A cancelled call can end without an error from the handler: the span says CANCELLED then.
    const end = (error: unknown) => endRpcSpan(span, error === undefined && request.signal.aborted ? request.signal.reason : error, true);
    return context.with(active, next, undefined, request).then(
      (response) => {
        if (!response.stream) {
          end(undefined);
          return response;
        }
        return { ...response, message: inContext(active, response.message, end) };
      },
      (error: unknown) => {
        end(error);
        throw error;
      },
    );
  };
}

// Shared: no options object per call.
const SERVER_SPAN = { kind: SpanKind.SERVER };

/**
 * The messages of `messages`, each produced with `ctx` active (the consumer
 * of a streamed response pulls them from outside the call's context), and
 * `done` called once when the stream ends, fails or is abandoned.
 */
function inContext<T>(ctx: Context, messages: AsyncIterable<T>, done: (error: unknown) => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = messages[Symbol.asyncIterator]();
      let finished = false;
      const finish = (error: unknown) => {
        if (finished) return;
        finished = true;
        done(error);
      };
      const settle = async (step: () => Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
        try {
          const result = await context.with(ctx, step);
          if (result.done === true) finish(undefined);
          return result;
        } catch (error) {
          finish(error);
          throw error;
        }
      };
      return {
        next: () => settle(() => iterator.next()),
        return: (value?: unknown) => settle(() => iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined as T })),
        throw: (error?: unknown) => settle(() => iterator.throw?.(error) ?? Promise.reject(error)),
      };
    },
  };
}

function rpcSystemOf(contentType: string | null): string {
  return contentType?.startsWith("application/grpc") === true ? "grpc" : "connect_rpc";
}
