import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { cors } from "@connectrpc/connect";

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/**
 * createCorsHandler wraps an HTTP handler so browsers on the configured
 * origins can call it with Connect-Web and gRPC-Web: it answers preflight
 * requests and adds the allow/expose headers those protocols need (connect-es
 * publishes the lists), plus `Authorization` for the bearer token and
 * `X-Request-Id`. `*` in `origins` allows any origin (development only).
 * Requests from other origins get no CORS headers, so browsers block them;
 * their preflights get 403.
 */
export function createCorsHandler(origins: readonly string[], next: (req: Request, res: Response) => void): (req: Request, res: Response) => void {
  const any = origins.includes("*");
  const allowed = new Set(origins);
  const allowHeaders = [...cors.allowedHeaders, "Authorization", "X-Request-Id"].join(", ");
  const exposeHeaders = [...cors.exposedHeaders, "X-Request-Id"].join(", ");
  const allowMethods = cors.allowedMethods.join(", ");
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next(req, res);
    const permitted = any || allowed.has(origin);
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    res.setHeader("Vary", "Origin");
    if (!permitted) {
      if (preflight) {
        res.statusCode = 403;
        res.end();
        return;
      }
      return next(req, res);
    }
    res.setHeader("Access-Control-Allow-Origin", origin);
    if (preflight) {
      res.statusCode = 204;
      res.setHeader("Access-Control-Allow-Methods", allowMethods);
      res.setHeader("Access-Control-Allow-Headers", allowHeaders);
      res.setHeader("Access-Control-Max-Age", "7200");
      res.end();
      return;
    }
    res.setHeader("Access-Control-Expose-Headers", exposeHeaders);
    next(req, res);
  };
}
