import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createClientTraceInterceptor } from "@planton/tracing";

// Node error codes that mean the connection to the other service went away
// under the call: its replica stopped or crashed, or a proxy in between did.
const CONNECTION_LOST = new Set(["ECONNRESET", "EPIPE", "ERR_HTTP2_GOAWAY_SESSION", "ERR_HTTP2_INVALID_SESSION"]);

/**
 * connectionLossIsUnavailable reports a call whose connection was lost as
 * UNAVAILABLE. connect-node classifies ECONNRESET as ABORTED (right for a
 * server whose client hung up, wrong for a client whose server went away),
 * a stream Node resets with CANCEL when its connection drops as CANCELED,
 * and other connection failures (a stream a stopping replica refused
 * included) as INTERNAL, and a service passes its
 * dependency's error on to its own caller: a replica of the registry that
 * crashes under authz's call would make a resolve fail with ABORTED, which
 * callers do not retry. UNAVAILABLE tells them to retry (another replica
 * answers); as for any UNAVAILABLE, the call may or may not have been applied.
 */
export const connectionLossIsUnavailable: Interceptor = (next) => async (request) => {
  try {
    return await next(request);
  } catch (error) {
    // Node reports a stream whose connection dropped as reset with CANCEL: a
    // cancel this caller did not ask for is a lost connection too.
    const unasked = error instanceof ConnectError && error.code === Code.Canceled && !request.signal.aborted;
    if (error instanceof ConnectError && (unasked || ((error.code === Code.Aborted || error.code === Code.Internal) && lostConnection(error)))) {
      throw new ConnectError(`connection lost: ${error.rawMessage}`, Code.Unavailable, undefined, undefined, error);
    }
    throw error;
  }
};

function lostConnection(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_LOST.has(code)) return true;
    // A replica that is shutting down refuses new streams (RST_STREAM
    // REFUSED_STREAM after its GOAWAY): HTTP/2 guarantees the request was
    // not processed, so another replica may take it.
    if (code === "ERR_HTTP2_STREAM_ERROR" && e.message.includes("NGHTTP2_REFUSED_STREAM")) return true;
  }
  return false;
}

/**
 * createServiceTransport is the transport one service uses to call another:
 * native gRPC to `baseUrl` (the other service's GRPC_PORT, usually a
 * Kubernetes Service in front of its replicas), carrying the active trace
 * (`traceparent` in the metadata, under a client span when spans are
 * recorded), with lost connections reported as UNAVAILABLE (see
 * {@link connectionLossIsUnavailable}).
 */
export function createServiceTransport(baseUrl: string): Transport {
  return createGrpcTransport({ baseUrl, interceptors: [connectionLossIsUnavailable, createClientTraceInterceptor()] });
}
