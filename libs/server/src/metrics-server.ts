import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@planton/logging";
import type { MetricsRegistry } from "./metrics-registry.js";

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  /** Interface to bind (`HOST`). */
  readonly host: string;
  /** `METRICS_PORT`; 0 picks a free one. */
  readonly port: number;
  readonly registry: MetricsRegistry;
  readonly logger: Logger;
}

/** A running metrics listener. */
export interface MetricsServer {
  /** The port it is bound to (the chosen one when `port` was 0). */
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:9464`; scrape `${url}/metrics`. */
  readonly url: string;
  /** Stops listening and closes open scrape connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * startMetricsServer serves `GET /metrics` (Prometheus text format) from
 * `registry` on its own port, apart from the public listeners: no
 * authentication, no RPCs, no CORS, and the port need not be reachable from
 * outside the cluster. Anything else answers 404; a method other than GET or
 * HEAD answers 405. A collection that fails answers 500 without details (the
 * cause goes to the log). Resolves once the port is bound.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, logger } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ error }, "metrics collection failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n");
      },
    );
  });
  // Scrapers keep connections alive; they must not hold up shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${displayHost}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
