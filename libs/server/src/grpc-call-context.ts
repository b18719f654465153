import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import type { Metadata } from "@grpc/grpc-js";
import { deadlineExceeded, deadlineOf } from "./deadline-expiry.js";
import { metadataToHeaders } from "./grpc-metadata.js";

/** A handler context the adapter ends when the call is over. */
export interface GrpcCallContext extends HandlerContext {
  /** Marks the call finished and releases its timer; the signal aborts with a "completed" reason. */
  finish(): void;
}

/** The parts of a grpc-js server call the context needs. */
export interface GrpcCallLike {
  readonly metadata: Metadata;
  getDeadline(): Date | number;
  on(event: "cancelled", listener: () => void): unknown;
}

// Reasons are allocated once: an abort without a reason makes Node build a
// DOMException, a measurable cost on every call of the hot path.
const CALL_COMPLETED = new ConnectError("call completed", Code.Canceled);
const SERVER_SHUTDOWN = new ConnectError("server is shutting down", Code.Unavailable);

/**
 * InFlightCalls tracks the contexts of running calls so a server shutdown can
 * abort them all through one listener, instead of every call linking its own
 * listener to the shutdown signal.
 */
export class InFlightCalls {
  private readonly controllers = new Set<AbortController>();

  constructor(shutdownSignal: AbortSignal) {
    shutdownSignal.addEventListener(
      "abort",
      () => {
        for (const controller of this.controllers) controller.abort(SERVER_SHUTDOWN);
      },
      { once: true },
    );
  }

  /**
   * Creates the `HandlerContext` of one grpc-js call, with the semantics
   * connect-node gives its handlers: `signal` aborts on the client's deadline
   * (DEADLINE_EXCEEDED), on cancellation by the client (CANCELED), on server
   * shutdown, and when the call is finished; `timeoutMs()` is the time left.
   * One AbortController per call, and a timer only when there is a deadline.
   */
  create(call: GrpcCallLike, method: DescMethod, path: string): GrpcCallContext {
    const controller = new AbortController();
    this.controllers.add(controller);
    const grpcDeadline = call.getDeadline();
    const deadlineMs = grpcDeadline instanceof Date ? grpcDeadline.getTime() : grpcDeadline;
    const hasDeadline = Number.isFinite(deadlineMs);
    const deadline = hasDeadline ? deadlineOf(deadlineMs - Date.now()) : undefined;
    const timer = hasDeadline ? setTimeout(() => controller.abort(deadlineExceeded()), Math.max(deadlineMs - Date.now(), 0)) : undefined;
    let finished = false;
    // grpc-js also reports "cancelled" when a finished stream closes; only a
    // cancellation while the handler still runs means anything. At the
    // deadline grpc-js ends the call itself (its timer started with the
    // headers, before ours) and the client resets the stream: both arrive
    // as "cancelled", and are DEADLINE_EXCEEDED (as on PORT) when the
    // deadline is reached (see deadlineOf).
    call.on("cancelled", () => {
      if (finished) return;
      controller.abort(deadline?.reached() ? deadlineExceeded() : new ConnectError("operation was cancelled by the client", Code.Canceled));
    });
    const requestHeader = metadataToHeaders(call.metadata);
    requestHeader.set("content-type", "application/grpc+proto");
    const controllers = this.controllers;
    return {
      method,
      service: method.parent,
      signal: controller.signal,
      timeoutMs: () => (hasDeadline ? deadlineMs - Date.now() : undefined),
      requestMethod: "POST",
      requestHeader,
      responseHeader: new Headers(),
      responseTrailer: new Headers(),
      protocolName: "grpc",
      values: createContextValues(),
      url: path,
      finish() {
        finished = true;
        if (timer !== undefined) clearTimeout(timer);
        controllers.delete(controller);
        controller.abort(CALL_COMPLETED);
      },
    };
  }
}
