import * as http2 from "node:http2";
import * as http from "node:http";
import type { Interceptor } from "@connectrpc/connect";
import type { ListenerLimits } from "@planton/config";
import type { Logger } from "@planton/logging";
import { createCorsHandler } from "./cors.js";
import { createNodeHandler } from "./node-adapter.js";
import type { HttpRoute } from "./http-route.js";
import type { ServiceRegistration } from "./service-registration.js";
import { listen, type Listener } from "./listener.js";
import { createSocketAcceptor } from "./socket-acceptor.js";

/** Options of {@link startConnectListener}. */
export interface ConnectListenerOptions {
  host: string;
  port: number;
  services: readonly ServiceRegistration[];
  interceptors: Interceptor[];
  httpRoutes: readonly HttpRoute[];
  /** Answers what no service or route matched (the web console's files); absent: 404. */
  staticFiles?: HttpRoute["handle"] | undefined;
  corsOrigins: readonly string[];
  shutdownSignal: AbortSignal;
  logger: Logger;
  limits: ListenerLimits;
  /** Told of each call refused before any interceptor ran, for metrics. */
  onRefused?: (procedure: string, contentType: string | null) => void;
}

/**
 * startConnectListener serves every registered service with connect-node on
 * one cleartext port that speaks HTTP/1.1 and HTTP/2 (h2c with prior
 * knowledge): Connect, gRPC-Web and gRPC, with CORS for browsers and the plain
 * HTTP routes as fallback.
 */
export async function startConnectListener(options: ConnectListenerOptions): Promise<Listener> {
  const routes = new Map(options.httpRoutes.map((route) => [`${route.method} ${route.path}`, route]));
  const adapter = createNodeHandler({
    services: options.services,
    interceptors: options.interceptors,
    shutdownSignal: options.shutdownSignal,
    // 1 MiB: credential payloads are small; bigger bodies are refused before parsing.
    readMaxBytes: 1024 * 1024,
    logger: options.logger,
    ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    fallback(req, res) {
      const route = routes.get(`${req.method ?? ""} ${(req.url ?? "").split("?")[0] ?? ""}`);
      if (route === undefined && options.staticFiles !== undefined) {
        void options.staticFiles(req, res);
        return;
      }
      if (route === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      Promise.resolve(route.handle(req, res)).catch((error: unknown) => {
        options.logger.error({ path: route.path, error }, "http route failed");
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  });
  const handler = createCorsHandler(options.corsOrigins, adapter);
  const { limits } = options;
  const h2 = http2.createServer(
    { settings: { maxConcurrentStreams: limits.maxStreamsPerConnection } },
    handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  const h1 = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts above on this interval.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    handler as (req: http.IncomingMessage, res: http.ServerResponse) => void,
  );
  // h1 never listens itself (sockets reach it through "connection" events), and
  // Node starts checking headersTimeout and requestTimeout only when a server
  // starts listening: start that check as if it had.
  h1.emit("listening");
  // Node 20 cannot serve HTTP/1.1 and cleartext HTTP/2 from one server, so the
  // acceptor waits for the first bytes: the HTTP/2 preface starts with "PRI".
  const acceptor = createSocketAcceptor({
    maxConnections: limits.maxConnections,
    firstBytesTimeoutMs: limits.headersTimeoutMs,
    prefixBytes: HTTP2_PREFACE_START.length,
    onSocket: (socket, prefix) => (prefix.toString("latin1", 0, HTTP2_PREFACE_START.length) === HTTP2_PREFACE_START ? h2 : h1).emit("connection", socket),
  });
  const server = acceptor.server;
  const sockets = acceptor.sockets;
  // HTTP/2 has no request or idle timeouts of its own in Node's compatibility
  // API: bound them here, per session and per stream.
  h2.on("session", (session: http2.ServerHttp2Session) => closeWhenIdle(session, limits.idleTimeoutMs));
  h2.on("stream", (stream: http2.ServerHttp2Stream) => bodyDeadline(stream, limits.requestTimeoutMs));

  // Track sessions and in-flight requests for graceful shutdown.
  const sessions = new Set<http2.ServerHttp2Session>();
  let inFlight = 0;
  let idle: (() => void) | undefined;
  h2.on("session", (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const track = (_req: unknown, res: http.ServerResponse | http2.Http2ServerResponse) => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
  };
  h2.on("request", track);
  h1.on("request", track);

  const port = await listen(server, options.host, options.port);
  return {
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // GOAWAY lets clients finish open streams and reconnect elsewhere.
      for (const session of sessions) session.close();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((resolve) => (idle = resolve)), new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref())]);
      }
      for (const socket of sockets) socket.destroy();
      // Stops h1's timeout checks (it was never listening, so Node reports that; nothing to wait for).
      h1.close(() => undefined);
      await closed;
    },
  };
}

const HTTP2_PREFACE_START = "PRI";

/**
 * Closes an HTTP/2 session that has had no open stream for `idleMs`: from its
 * start (a client that sends the preface and nothing else, or never finishes
 * a HEADERS block) and after its last stream closed.
 */
function closeWhenIdle(session: http2.ServerHttp2Session, idleMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => session.close(), idleMs);
    timer.unref();
  };
  arm();
  session.on("stream", (stream: http2.ServerHttp2Stream) => {
    open++;
    clearTimeout(timer);
    stream.once("close", () => {
      open--;
      if (open === 0 && !session.closed && !session.destroyed) arm();
    });
  });
  session.once("close", () => clearTimeout(timer));
}

/**
 * Resets a stream whose request body has not ended within `requestMs` of its
 * headers (HTTP/1.1 gets the same bound from Node's `requestTimeout`). The
 * response may take longer: a watch stream answers for minutes.
 */
function bodyDeadline(stream: http2.ServerHttp2Stream, requestMs: number): void {
  if (stream.readableEnded) return;
  const timer = setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), requestMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  stream.once("end", clear);
  stream.once("close", clear);
}
