import { once } from "node:events";
import type * as net from "node:net";
import {
  Metadata,
  ResponderBuilder,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  ServerListenerBuilder,
  status,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import type { Interceptor } from "@connectrpc/connect";
import type { ListenerLimits } from "@planton/config";
import type { Logger } from "@planton/logging";
import { adaptService } from "./grpc-adapter.js";
import { listen, type Listener } from "./listener.js";
import type { ServiceRegistration } from "./service-registration.js";
import { createSocketAcceptor } from "./socket-acceptor.js";

/** Options of {@link startGrpcListener}. */
export interface GrpcListenerOptions {
  host: string;
  port: number;
  services: readonly ServiceRegistration[];
  interceptors: Interceptor[];
  shutdownSignal: AbortSignal;
  limits: ListenerLimits;
  logger: Logger;
}

// The client connection preface of HTTP/2 (RFC 9113, section 3.4).
const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * startGrpcListener serves every registered service over native gRPC with
 * grpc-js (the fast path for platform services), through {@link adaptService}.
 * Its own TCP front caps connections and drops sockets that never send the
 * HTTP/2 preface; grpc-js closes connections idle for `idleTimeoutMs`; a
 * server interceptor ends calls whose request has not fully arrived within
 * `requestTimeoutMs`.
 */
export async function startGrpcListener(options: GrpcListenerOptions): Promise<Listener> {
  const { limits } = options;
  const server = new Server({
    "grpc.max_receive_message_length": 1024 * 1024,
    // Keep idle connections from platform services healthy behind load balancers.
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_permit_without_calls": 1,
    // Kubernetes Services balance connections, not calls: recycling each
    // connection after a while lets clients spread onto new replicas.
    "grpc.max_connection_age_ms": 5 * 60_000,
    "grpc.max_connection_age_grace_ms": 30_000,
    // A connection without calls is closed (clients reconnect when they need to).
    "grpc.max_connection_idle_ms": limits.idleTimeoutMs,
    "grpc.max_concurrent_streams": limits.maxStreamsPerConnection,
    interceptors: [requestDeadline(limits.requestTimeoutMs)],
  });
  for (const registration of options.services) {
    const { definition, implementation } = adaptService(registration, {
      interceptors: options.interceptors,
      shutdownSignal: options.shutdownSignal,
      logger: options.logger,
    });
    server.addService(definition, implementation);
  }
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  // Sockets handed to grpc-js, until they close: shutdown waits for them.
  const injected = new Set<net.Socket>();
  const acceptor = createSocketAcceptor({
    maxConnections: limits.maxConnections,
    firstBytesTimeoutMs: limits.headersTimeoutMs,
    prefixBytes: HTTP2_PREFACE.length,
    onSocket: (socket, prefix) => {
      // Only gRPC (HTTP/2) is spoken here; anything else is closed at once.
      if (!prefix.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE)) socket.destroy();
      else {
        injected.add(socket);
        socket.once("close", () => injected.delete(socket));
        injector.injectConnection(socket);
      }
    },
  });
  const port = await listen(acceptor.server, options.host, options.port);
  return {
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => acceptor.server.close(() => resolve()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        timer.unref();
        // tryShutdown's callback alone does not mean the calls finished: on
        // Node 22+ closing the injector's http2 server already starts closing
        // its sessions, and grpc-js then takes a closing session for a closed
        // one and calls back at once. A session closes its socket only once
        // its last stream ended, so the sockets tell when the calls are done.
        server.tryShutdown(() => {
          void allClosed(injected).then(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      });
      injector.destroy();
      for (const socket of acceptor.sockets) socket.destroy();
      await closed;
    },
  };
}

/** Resolves once every socket of `sockets` (a set that sockets leave when they close) has closed. */
async function allClosed(sockets: ReadonlySet<net.Socket>): Promise<void> {
  const open = [...sockets].filter((socket) => !socket.closed);
  await Promise.all(open.map((socket) => once(socket, "close")));
}

/**
 * Ends a call whose request stream has not been half-closed within `ms` of
 * its headers: a client that sends headers and never the message would hold
 * the call (and its memory) forever. The client gets CANCELLED at once;
 * grpc-js cannot reset the half-open stream itself, so what is left of it
 * counts against the connection's stream limit until the connection reaches
 * its maximum age. Calls with a client stream are left alone; this API has
 * none today.
 */
function requestDeadline(ms: number): ServerInterceptor {
  return (descriptor, call) => {
    if (descriptor.requestStream) return new ServerInterceptingCall(call);
    let timer: NodeJS.Timeout | undefined;
    const clear = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    const responder = new ResponderBuilder()
      .withStart((next) => {
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata, proceed) => {
              timer = setTimeout(() => {
                timer = undefined;
                call.sendStatus({ code: status.CANCELLED, details: `request not received within ${ms} ms`, metadata: new Metadata() });
              }, ms);
              timer.unref();
              proceed(metadata);
            })
            .withOnReceiveHalfClose((proceed) => {
              clear();
              proceed();
            })
            .withOnCancel(clear)
            .build(),
        );
      })
      .withSendStatus((statusObject, proceed) => {
        clear();
        proceed(statusObject);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
