import type * as http from "node:http";
import type * as http2 from "node:http2";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createConnectRouter, createContextValues, type Interceptor } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { readAllBytes, type UniversalHandler, type UniversalServerRequest, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeFromHttpStatus, codeToHttpStatus, errorToJsonBytes, parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { parseTimeout as parseGrpcTimeout } from "@connectrpc/connect/protocol-grpc";
import type { Logger } from "@planton/logging";
import { badRequest, type FieldViolation } from "./bad-request.js";
import { deadlineExceeded, deadlineOf } from "./deadline-expiry.js";
import { dispatchedKey } from "./dispatch-marker.js";
import { jsonInputViolations } from "./json-input.js";
import type { ServiceRegistration } from "./service-registration.js";

type NodeRequest = http.IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  readonly services: readonly ServiceRegistration[];
  readonly interceptors: Interceptor[];
  readonly shutdownSignal: AbortSignal;
  /** Largest request message accepted, in bytes. */
  readonly readMaxBytes: number;
  /** Answers requests that match no RPC. */
  readonly fallback: (req: NodeRequest, res: NodeResponse) => void;
  readonly logger: Logger;
  /** Told of each call refused before any interceptor ran, for metrics. */
  readonly onRefused?: (procedure: string, contentType: string | null) => void;
}

/**
 * createNodeHandler serves the registered services on a Node HTTP server (as
 * connect-node's `connectNodeAdapter` does: Connect, gRPC-Web and gRPC) with
 * strict JSON: unknown JSON fields and enum names are refused, and a Connect
 * unary JSON request (a POST body, or the `message` query parameter of a
 * Connect GET) names each of them as a field violation
 * ({@link jsonInputViolations}) before the RPC runs.
 */
export function createNodeHandler(options: NodeHandlerOptions): (req: NodeRequest, res: NodeResponse) => void {
  const router = createConnectRouter({
    interceptors: options.interceptors,
    shutdownSignal: options.shutdownSignal,
    readMaxBytes: options.readMaxBytes,
    acceptCompression: [compressionGzip, compressionBrotli],
    // connect-es ignores unknown JSON fields and enum names by default; a
    // misspelt field or enum name must be refused, never dropped: dropping
    // `capabilities: ["AWS_CAPABILITY_EKS_TYPO"]` widens a request.
    jsonOptions: { ignoreUnknownFields: false },
  });
  for (const registration of options.services) router.service(registration.service, registration.impl);
  const paths = new Map(router.handlers.map((handler) => [handler.requestPath, strictJsonUnary(handler, options.readMaxBytes)] as const));
  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 2)[0] ?? "");
    if (handler === undefined) {
      options.fallback(req, res);
      return;
    }
    const contextValues = createContextValues();
    handler
      .serve(universalRequestFromNodeRequest(req as http.IncomingMessage, res as http.ServerResponse, undefined, contextValues))
      .then(async (uRes) => {
        // Counted before the response is written: writing it may wait for the client.
        if (!contextValues.get(dispatchedKey)) options.onRefused?.(handler.procedure, req.headers["content-type"] ?? null);
        await universalResponseToNodeResponse(uRes, res);
        if (!contextValues.get(dispatchedKey)) warnRefused(options.logger, handler.procedure, req, uRes);
      })
      .catch((reason: unknown) => {
        // The client went away while the response was written: nothing to answer.
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.logger.error({ procedure: handler.procedure, error: reason }, "rpc response failed");
      });
  };
}

const CONNECT_UNARY_JSON = /^application\/json(;\s*charset=utf-?8)?$/i;

/**
 * Wraps a connect handler: a Connect unary JSON POST (no compression) is read
 * here, checked by {@link jsonInputViolations}, and handed on already parsed
 * (connect-es decodes a parsed body strictly), so the JSON is parsed once.
 * A Connect GET with JSON encoding is checked the same way
 * ({@link getJsonViolations}). Everything else goes to the handler untouched.
 */
function strictJsonUnary(handler: UniversalHandler, readMaxBytes: number) {
  const procedure = handler.requestPath;
  const serve = async (request: UniversalServerRequest): Promise<UniversalServerResponse> => {
    const req = withDeadlineReason(request);
    if (req.method === "GET") {
      const violations = getJsonViolations(handler, req.url);
      return violations.length > 0 ? connectError(badRequest(violations)) : handler(req);
    }
    const isConnectUnaryJson =
      req.method === "POST" &&
      handler.method.methodKind === "unary" &&
      CONNECT_UNARY_JSON.test(req.header.get("content-type") ?? "") &&
      req.header.get("content-encoding") === null &&
      req.body !== null &&
      typeof req.body === "object" &&
      Symbol.asyncIterator in req.body;
    if (!isConnectUnaryJson) return handler(req);
    let bytes: Uint8Array;
    try {
      bytes = await readAllBytes(req.body as AsyncIterable<Uint8Array>, readMaxBytes, req.header.get("content-length"));
    } catch (error) {
      return connectError(ConnectError.from(error, Code.InvalidArgument));
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch {
      // Not JSON: connect-es gives its own INVALID_ARGUMENT.
      return handler({ ...req, body: bytes.length === 0 ? emptyBody() : singleChunk(bytes) });
    }
    const violations = jsonInputViolations(handler.method.input, json);
    if (violations.length > 0) return connectError(badRequest(violations));
    return handler({ ...req, body: json as UniversalServerRequest["body"] });
  };
  return { serve, procedure };
}

/**
 * The strict-JSON violations of a Connect GET: its request is the `message`
 * query parameter (`encoding=json`, optionally `base64=1`). connect-es parses
 * that parameter itself (GET has no body to hand on parsed), so the JSON is
 * parsed here only to name the unknown fields and enum names; a GET message
 * is bounded by the URL length. Methods that are not NO_SIDE_EFFECTS (the
 * handler answers 405), binary or compressed messages and text that is not
 * JSON are left to connect-es and the strict-input interceptor.
 */
function getJsonViolations(handler: UniversalHandler, url: string): FieldViolation[] {
  if (handler.method.methodKind !== "unary" || handler.method.idempotency !== MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS) return [];
  const query = new URL(url).searchParams;
  if (query.get("encoding") !== "json" || query.get("compression") !== null) return [];
  const message = query.get("message") ?? "";
  let json: unknown;
  try {
    const text = query.get("base64") === "1" ? new TextDecoder("utf-8", { fatal: true }).decode(base64Decode(message)) : message;
    json = JSON.parse(text);
  } catch {
    return [];
  }
  return jsonInputViolations(handler.method.input, json);
}

/**
 * The request with a signal whose reason is DEADLINE_EXCEEDED when the client
 * goes away at its deadline: an HTTP/1.1 client closes the connection when
 * its timeout fires, usually before connect-node's timer here does, and the
 * call would be logged CANCELED, where the native gRPC listener (and an
 * HTTP/2 client) give DEADLINE_EXCEEDED. The deadline is the one connect-node
 * reads: `connect-timeout-ms` (Connect) or `grpc-timeout` (gRPC, gRPC-Web).
 */
function withDeadlineReason(req: UniversalServerRequest): UniversalServerRequest {
  const connectTimeout = req.header.get("connect-timeout-ms");
  const timeout =
    connectTimeout !== null
      ? parseConnectTimeout(connectTimeout, Number.MAX_SAFE_INTEGER)
      : parseGrpcTimeout(req.header.get("grpc-timeout"), Number.MAX_SAFE_INTEGER);
  const deadline = deadlineOf(timeout.timeoutMs);
  if (deadline === undefined) return req;
  const original = req.signal;
  const controller = new AbortController();
  const onAbort = () => controller.abort(deadline.reached() ? deadlineExceeded() : original.reason);
  if (original.aborted) onAbort();
  else original.addEventListener("abort", onAbort, { once: true });
  return { ...req, signal: controller.signal };
}

/** A Connect unary error response (the JSON error body and its HTTP status). */
function connectError(error: ConnectError): UniversalServerResponse {
  const body = errorToJsonBytes(error, {});
  return {
    status: codeToHttpStatus(error.code),
    header: new Headers({ "content-type": "application/json", "content-length": String(body.byteLength) }),
    body: singleChunk(body),
  };
}

async function* singleChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}

/**
 * Logs, at warn, a call that ended before the interceptors ran (so without
 * the logging interceptor's line): the caller sent something that could not
 * be decoded or was refused by strict JSON. The code comes from the HTTP
 * status (Connect) or the trailers (gRPC); gRPC-Web keeps it in the body.
 */
function warnRefused(logger: Logger, procedure: string, req: NodeRequest, uRes: UniversalServerResponse): void {
  const contentType = req.headers["content-type"] ?? "";
  const protocol = contentType.startsWith("application/grpc-web") ? "grpc-web" : contentType.startsWith("application/grpc") ? "grpc" : "connect";
  const grpcStatus = uRes.trailer?.get("grpc-status") ?? uRes.header?.get("grpc-status");
  const code =
    protocol === "connect"
      ? uRes.status === 200
        ? undefined
        : Code[codeFromHttpStatus(uRes.status)]
      : grpcStatus !== null && grpcStatus !== undefined && grpcStatus !== "0"
        ? Code[Number(grpcStatus)]
        : undefined;
  if (protocol !== "grpc-web" && code === undefined) return;
  logger.warn({ procedure, protocol, code: code ?? "see response", http_status: uRes.status }, "rpc refused before dispatch");
}
