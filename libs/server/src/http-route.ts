import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

/**
 * HttpRoute is a plain HTTP endpoint on the `PORT` listener beside the RPC
 * routes, for callers that cannot speak an RPC protocol (a CloudFormation
 * custom resource, a template download). It gets no authentication from the
 * server: each route authenticates its own way.
 */
export interface HttpRoute {
  readonly method: "GET" | "POST" | "PUT";
  /** Exact path, e.g. `/v1/aws-trust/callback`. */
  readonly path: string;
  handle(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void | Promise<void>;
}
