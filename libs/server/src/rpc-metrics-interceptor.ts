import { ConnectError, type Code, type Interceptor } from "@connectrpc/connect";
import { rpcProtocolOf, type RpcMetrics } from "./rpc-metrics.js";
import { observeStream } from "./observe-stream.js";

/**
 * createRpcMetricsInterceptor measures every dispatched call into
 * {@link RpcMetrics}: in flight from the moment it enters the chain, its
 * duration and final code when the handler answered (for a streamed
 * response: when the stream ended). It sits right after the dispatch marker
 * so it sees the code the caller gets. Per call it reads the content type
 * and does one map lookup; no label string is built.
 */
export function createRpcMetricsInterceptor(metrics: RpcMetrics): Interceptor {
  return (next) => async (request) => {
    const started = performance.now();
    const protocol = rpcProtocolOf(request.header.get("content-type"));
    metrics.started();
    const done = (error: unknown) => {
      if (error === undefined && request.signal.aborted) error = request.signal.reason;
      const code = error === undefined ? (0 as Code) : ConnectError.from(error).code;
      metrics.finished(request.method, protocol, code, (performance.now() - started) / 1000);
    };
    try {
      const response = await next(request);
      if (!response.stream) {
        done(undefined);
        return response;
      }
      return { ...response, message: observeStream(response.message, done) };
    } catch (error) {
      done(error);
      throw error;
    }
  };
}
