import * as http2 from "node:http2";
import * as http from "node:http";
import * as net from "node:net";
import type { Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "@planton/logging";
import { createCorsHandler } from "./cors.js";
import type { HttpRoute } from "./http-route.js";
import type { ServiceRegistration } from "./service-registration.js";
import { listen, type Listener } from "./listener.js";

/** Options of {@link startConnectListener}. */
export interface ConnectListenerOptions {
  host: string;
  port: number;
  services: readonly ServiceRegistration[];
  interceptors: Interceptor[];
  httpRoutes: readonly HttpRoute[];
  corsOrigins: readonly string[];
  shutdownSignal: AbortSignal;
  logger: Logger;
}

/**
 * startConnectListener serves every registered service with connect-node on
 * one cleartext port that speaks HTTP/1.1 and HTTP/2 (h2c with prior
 * knowledge): Connect, gRPC-Web and gRPC, with CORS for browsers and the plain
 * HTTP routes as fallback.
 */
export async function startConnectListener(options: ConnectListenerOptions): Promise<Listener> {
  const routes = new Map(options.httpRoutes.map((route) => [`${route.method} ${route.path}`, route]));
  const adapter = connectNodeAdapter({
    routes(router) {
      for (const registration of options.services) router.service(registration.service, registration.impl);
    },
    interceptors: options.interceptors,
    shutdownSignal: options.shutdownSignal,
    // 1 MiB: credential payloads are small; bigger bodies are refused before parsing.
    readMaxBytes: 1024 * 1024,
    fallback(req, res) {
      const route = routes.get(`${req.method ?? ""} ${(req.url ?? "").split("?")[0] ?? ""}`);
      if (route === undefined) {
        res.writeHead(404);
        res.end();
        return;
      }
      Promise.resolve(route.handle(req, res as Parameters<HttpRoute["handle"]>[1])).catch((error: unknown) => {
        options.logger.error({ path: route.path, error }, "http route failed");
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  });
  const handler = createCorsHandler(options.corsOrigins, adapter as (req: unknown, res: unknown) => void);
  const h2 = http2.createServer(handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  const h1 = http.createServer(handler as (req: http.IncomingMessage, res: http.ServerResponse) => void);
  // Node 20 cannot serve HTTP/1.1 and cleartext HTTP/2 from one server, so a
  // TCP listener sniffs the first bytes: the HTTP/2 preface starts with "PRI".
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    sniff(socket, (isHttp2) => (isHttp2 ? h2 : h1).emit("connection", socket));
  });

  // Track sessions, sockets and in-flight requests for graceful shutdown.
  const sessions = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<net.Socket>();
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
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

const HTTP2_PREFACE_START = "PRI";

function sniff(socket: net.Socket, route: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    if (seen.length < HTTP2_PREFACE_START.length) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    route(seen.toString("latin1", 0, HTTP2_PREFACE_START.length) === HTTP2_PREFACE_START);
    process.nextTick(() => socket.resume());
  };
  socket.on("data", onData);
}
