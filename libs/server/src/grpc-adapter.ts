import { once } from "node:events";
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createMethodImplSpec, type Interceptor, type MethodImplSpec } from "@connectrpc/connect";
import { createAsyncIterable, invokeUnaryImplementation, transformInvokeImplementation } from "@connectrpc/connect/protocol";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  StatusObject,
  UntypedHandleCall,
  UntypedServiceImplementation,
  sendUnaryData,
} from "@grpc/grpc-js";
import type { Logger } from "@planton/logging";
import { InFlightCalls, type GrpcCallContext } from "./grpc-call-context.js";
import { headersToMetadata } from "./grpc-metadata.js";
import type { ServiceRegistration } from "./service-registration.js";

/** Options shared by every adapted service. */
export interface GrpcAdapterOptions {
  /** The same interceptors the connect-node listener runs, in the same order. */
  readonly interceptors: Interceptor[];
  /** Aborts every handler's signal when the server shuts down. */
  readonly shutdownSignal: AbortSignal;
  /** Where requests refused before the interceptors (undecodable bodies) are logged, at warn. */
  readonly logger: Logger;
}

/** A service ready for `grpc.Server.addService`. */
export interface AdaptedService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * adaptService mounts a connect-es `ServiceImpl` on grpc-js, so one
 * implementation serves both listeners. It reuses connect's own invocation
 * path (`invokeUnaryImplementation` / `transformInvokeImplementation`, pinned
 * with the exact connect version) so interceptors, context values, deadlines
 * (`ctx.signal`, `ctx.timeoutMs()`), cancellation, response headers and
 * trailers, and error details behave as they do under connect-node. Messages
 * are (de)serialized with protobuf-es; a request that does not decode gets
 * `INVALID_ARGUMENT`, as under connect-node.
 */
export function adaptService(registration: ServiceRegistration, options: GrpcAdapterOptions): AdaptedService {
  const definition: Record<string, ServiceDefinition[string]> = {};
  const implementation: UntypedServiceImplementation = {};
  const calls = new InFlightCalls(options.shutdownSignal);
  for (const method of registration.service.methods) {
    const impl = (registration.impl as Record<string, unknown>)[method.localName];
    const spec = createMethodImplSpec(method, impl as never);
    const path = `/${registration.service.typeName}/${method.name}`;
    definition[method.localName] = {
      path,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      // Parsing happens in the handler, so a body that is not protobuf gets the
      // same answer as under connect-node (INVALID_ARGUMENT "parse binary: ...").
      requestSerialize: (message: Buffer) => message,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, message)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
      originalName: method.localName,
    };
    implementation[method.localName] = handlerFor(spec, path, options, calls);
  }
  return { definition: definition as ServiceDefinition, implementation };
}

function handlerFor(spec: MethodImplSpec, path: string, options: GrpcAdapterOptions, calls: InFlightCalls): UntypedHandleCall {
  const { method } = spec;
  switch (spec.kind) {
    case "unary":
      return detached(async (call: ServerUnaryCall<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
        const ctx = calls.create(call, method, path);
        try {
          const output = await invokeUnaryImplementation(spec, ctx, parseOrWarn(method.input, call.request, path, options.logger), options.interceptors);
          call.sendMetadata(headersToMetadata(ctx.responseHeader));
          callback(null, output, headersToMetadata(ctx.responseTrailer));
        } catch (error) {
          // Headers the handler set before failing reach the client, as under connect-node.
          call.sendMetadata(headersToMetadata(ctx.responseHeader));
          callback(toStatus(error, ctx.responseTrailer));
        } finally {
          ctx.finish();
        }
      });
    case "client_streaming":
      return detached(async (call: ServerReadableStream<Buffer, unknown>, callback: sendUnaryData<unknown>) => {
        const ctx = calls.create(call, method, path);
        try {
          const transform = transformInvokeImplementation(spec, ctx, options.interceptors);
          let output: unknown;
          for await (const message of transform(parseAll(method.input, incoming(call)))) output = message;
          call.sendMetadata(headersToMetadata(ctx.responseHeader));
          callback(null, output, headersToMetadata(ctx.responseTrailer));
        } catch (error) {
          call.sendMetadata(headersToMetadata(ctx.responseHeader));
          callback(toStatus(error, ctx.responseTrailer));
        } finally {
          ctx.finish();
        }
      });
    case "server_streaming":
      return detached(async (call: ServerWritableStream<Buffer, unknown>) => {
        const ctx = calls.create(call, method, path);
        const input = createAsyncIterable([call.request]);
        await streamOut(call, ctx, transformInvokeImplementation(spec, ctx, options.interceptors)(parseAll(method.input, input)));
      });
    case "bidi_streaming":
      return detached(async (call: ServerDuplexStream<Buffer, unknown>) => {
        const ctx = calls.create(call, method, path);
        await streamOut(call, ctx, transformInvokeImplementation(spec, ctx, options.interceptors)(parseAll(method.input, incoming(call))));
      });
  }
}

/**
 * grpc-js calls a handler and ignores what it returns; each handler above
 * settles its call itself (callback or stream end), so its promise is
 * dropped here on purpose, where the type says so.
 */
function detached<A extends unknown[]>(handler: (...args: A) => Promise<void>): (...args: A) => void {
  return (...args) => void handler(...args);
}

async function streamOut(
  call: ServerWritableStream<Buffer, unknown> | ServerDuplexStream<Buffer, unknown>,
  ctx: GrpcCallContext,
  output: AsyncIterable<unknown>,
): Promise<void> {
  let headersSent = false;
  const sendHeaders = () => {
    if (headersSent) return;
    headersSent = true;
    call.sendMetadata(headersToMetadata(ctx.responseHeader));
  };
  try {
    for await (const message of output) {
      sendHeaders();
      if (!call.write(message)) await once(call, "drain", { signal: ctx.signal });
    }
    sendHeaders();
    call.end(headersToMetadata(ctx.responseTrailer));
  } catch (error) {
    sendHeaders();
    call.emit("error", toStatus(error, ctx.responseTrailer));
  } finally {
    ctx.finish();
  }
}

/** {@link parse}, logging a refusal at warn: the interceptors (and their log line) never see this call. */
function parseOrWarn<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array, procedure: string, logger: Logger): MessageShape<Desc> {
  try {
    return parse(schema, bytes);
  } catch (error) {
    logger.warn({ procedure, protocol: "grpc", code: "InvalidArgument", error: ConnectError.from(error).rawMessage }, "rpc refused before dispatch");
    throw error;
  }
}

function parse<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (error) {
    // A body that does not decode is the caller's mistake, never a server
    // fault: INVALID_ARGUMENT, as connect-node answers with our patch of
    // connect-es (patches/README.md), so both listeners agree.
    throw new ConnectError(`parse binary: ${error instanceof Error ? error.message : String(error)}`, Code.InvalidArgument);
  }
}

/**
 * The request messages of a streaming call. A plain `for await` over the
 * grpc-js stream destroys it when the loop ends (the client half-closed), and
 * the responses and status written after that would be lost.
 */
function incoming(call: ServerReadableStream<Buffer, unknown> | ServerDuplexStream<Buffer, unknown>): AsyncIterable<Buffer> {
  return call.iterator({ destroyOnReturn: false });
}

async function* parseAll<Desc extends DescMessage>(schema: Desc, chunks: AsyncIterable<Uint8Array>): AsyncIterable<MessageShape<Desc>> {
  for await (const chunk of chunks) yield parse(schema, chunk);
}

/** The status grpc-js sends for a failure, with connect's error details and metadata in the trailers. */
function toStatus(error: unknown, responseTrailer: Headers): Partial<StatusObject> & { message: string } {
  const connectError = ConnectError.from(error);
  const trailer = new Headers(responseTrailer);
  setTrailerStatus(trailer, connectError);
  return {
    code: connectError.code as number,
    details: connectError.rawMessage,
    message: connectError.rawMessage,
    metadata: headersToMetadata(trailer),
  };
}
