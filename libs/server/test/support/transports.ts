import {
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethodBiDiStreaming,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  type MessageInitShape,
  type MessageShape,
  create,
} from "@bufbuild/protobuf";
import { ConnectError, createClient, encodeBinaryHeader, type Transport } from "@connectrpc/connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { expect } from "vitest";
import type { RunningServer } from "@planton/server";

/**
 * Every way a caller can reach the two listeners, behind one interface, so a
 * scenario is written once and run on all of them: parity is asserted, not
 * assumed.
 */

export type ListenerName = "connect-node" | "grpc-js";

export interface CallOptions {
  /** Request headers; keys ending in `-bin` take bytes. */
  headers?: Record<string, string | Uint8Array>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BidiOptions extends CallOptions {
  /**
   * How the client finishes: "half-close" right after the last input (the
   * default), "half-close-after-answers" once as many outputs as inputs
   * arrived (as grpcurl does with reflection), or "cancel-after-answers",
   * which reads the answers without waiting for the server's status.
   */
  finish?: "half-close" | "half-close-after-answers" | "cancel-after-answers";
}

export interface Outcome {
  /** Undefined when the call succeeded. */
  error: ConnectError | undefined;
  /** Response headers the client saw (empty if none arrived). */
  headers: Headers;
  /** Response trailers the client saw (on failure: whatever metadata the error carries). */
  trailers: Headers;
}

export interface UnaryOutcome<O> extends Outcome {
  message: O | undefined;
}

export interface StreamOutcome<O> extends Outcome {
  messages: O[];
}

export interface Caller {
  readonly name: string;
  /** Which listener the caller talks to. */
  readonly listener: ListenerName;
  /** Client-streaming and bidi need HTTP/2 gRPC. */
  readonly supportsBidi: boolean;
  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    input: MessageInitShape<I>,
    options?: CallOptions,
  ): Promise<UnaryOutcome<MessageShape<O>>>;
  serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    input: MessageInitShape<I>,
    options?: CallOptions & { onMessage?: (message: MessageShape<O>, index: number) => void },
  ): Promise<StreamOutcome<MessageShape<O>>>;
  /** Sends every input, collects every output; see {@link BidiOptions.finish}. */
  bidi<I extends DescMessage, O extends DescMessage>(
    method: DescMethodBiDiStreaming<I, O>,
    inputs: readonly MessageInitShape<I>[],
    options?: BidiOptions,
  ): Promise<StreamOutcome<MessageShape<O>>>;
  close(): void;
}

export interface CallerFactory {
  readonly name: string;
  readonly listener: ListenerName;
  create(server: RunningServer): Caller;
}

/** Every transport against every listener it can reach. */
export const CALLERS: readonly CallerFactory[] = [
  {
    name: "connect-es Connect/HTTP1.1 -> connect-node",
    listener: "connect-node",
    create: (s) =>
      connectEsCaller("connect-es Connect/HTTP1.1 -> connect-node", "connect-node", false, createConnectTransport({ baseUrl: s.url, httpVersion: "1.1" })),
  },
  {
    name: "connect-es gRPC-Web/HTTP1.1 -> connect-node",
    listener: "connect-node",
    create: (s) =>
      connectEsCaller("connect-es gRPC-Web/HTTP1.1 -> connect-node", "connect-node", false, createGrpcWebTransport({ baseUrl: s.url, httpVersion: "1.1" })),
  },
  {
    name: "connect-es gRPC/h2c -> connect-node",
    listener: "connect-node",
    create: (s) => connectEsCaller("connect-es gRPC/h2c -> connect-node", "connect-node", true, createGrpcTransport({ baseUrl: s.url })),
  },
  {
    name: "grpc-js -> connect-node",
    listener: "connect-node",
    create: (s) => grpcJsCaller("grpc-js -> connect-node", "connect-node", `127.0.0.1:${s.port}`),
  },
  {
    name: "connect-es gRPC/h2c -> grpc-js",
    listener: "grpc-js",
    create: (s) => connectEsCaller("connect-es gRPC/h2c -> grpc-js", "grpc-js", true, createGrpcTransport({ baseUrl: `http://${s.grpcAddress}` })),
  },
  {
    name: "grpc-js -> grpc-js",
    listener: "grpc-js",
    create: (s) => grpcJsCaller("grpc-js -> grpc-js", "grpc-js", s.grpcAddress),
  },
];

/** The callers that can run client-streaming and bidi calls (HTTP/2 gRPC). */
export const BIDI_CALLERS = CALLERS.filter((c) => c.name.includes("gRPC/h2c") || c.name.startsWith("grpc-js"));

/** Runs `scenario` on every caller (in parallel) and returns the results by caller name. */
export async function onEveryCaller<T>(callers: readonly Caller[], scenario: (caller: Caller) => Promise<T>): Promise<Record<string, T>> {
  const results = await Promise.all(callers.map(async (caller) => [caller.name, await scenario(caller)] as const));
  return Object.fromEntries(results);
}

/**
 * Asserts that every caller got the same normalized result and that it is
 * `expected`; on failure the message lists each transport that differs, with
 * what it got.
 */
export function expectSame<T>(results: Record<string, T>, expected: T): void {
  const mismatches = Object.entries(results).filter(([, value]) => JSON.stringify(value) !== JSON.stringify(expected));
  const report = mismatches.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join("\n");
  expect(mismatches.length, `transports that differ from ${JSON.stringify(expected)}:\n${report}`).toBe(0);
  expect(Object.keys(results).length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------
// connect-es clients

function connectHeaders(headers: CallOptions["headers"]): Headers {
  const out = new Headers();
  for (const [key, value] of Object.entries(headers ?? {})) {
    out.set(key, typeof value === "string" ? value : encodeBinaryHeader(value));
  }
  return out;
}

function connectEsCaller(name: string, listener: ListenerName, supportsBidi: boolean, transport: Transport): Caller {
  // createClient for each call keeps the helper generic over the service.
  const clientFor = (service: DescMethodUnary["parent"]) => createClient(service, transport) as unknown as Record<string, (...args: unknown[]) => unknown>;
  const options = (opts: CallOptions | undefined, headers: Headers, trailers: Headers) => ({
    headers: connectHeaders(opts?.headers),
    ...(opts?.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts?.signal !== undefined ? { signal: opts.signal } : {}),
    onHeader: (h: Headers) => h.forEach((v, k) => headers.append(k, v)),
    onTrailer: (t: Headers) => t.forEach((v, k) => trailers.append(k, v)),
  });
  const failure = (error: unknown, trailers: Headers) => {
    const connectError = ConnectError.from(error);
    // connect-es reports the metadata of a failed call on the error.
    connectError.metadata.forEach((v, k) => {
      if (!trailers.has(k)) trailers.append(k, v);
    });
    return connectError;
  };
  return {
    name,
    listener,
    supportsBidi,
    async unary(method, input, opts) {
      const headers = new Headers();
      const trailers = new Headers();
      try {
        const call = clientFor(method.parent)[method.localName] as (i: unknown, o: unknown) => Promise<unknown>;
        const message = (await call(input, options(opts, headers, trailers))) as never;
        return { message, error: undefined, headers, trailers };
      } catch (error) {
        return { message: undefined, error: failure(error, trailers), headers, trailers };
      }
    },
    async serverStream(method, input, opts) {
      const headers = new Headers();
      const trailers = new Headers();
      const messages: never[] = [];
      try {
        const call = clientFor(method.parent)[method.localName] as (i: unknown, o: unknown) => AsyncIterable<never>;
        for await (const message of call(input, options(opts, headers, trailers))) {
          messages.push(message);
          opts?.onMessage?.(message, messages.length - 1);
        }
        return { messages, error: undefined, headers, trailers };
      } catch (error) {
        return { messages, error: failure(error, trailers), headers, trailers };
      }
    },
    async bidi(method, inputs, opts) {
      const headers = new Headers();
      const trailers = new Headers();
      const messages: never[] = [];
      let allAnswered: () => void = () => {};
      const answered = new Promise<void>((resolve) => (allAnswered = resolve));
      try {
        const call = clientFor(method.parent)[method.localName] as (i: unknown, o: unknown) => AsyncIterable<never>;
        const finish = opts?.finish ?? "half-close";
        async function* requests() {
          for (const input of inputs) yield create(method.input, input);
          if (finish !== "half-close") await answered;
        }
        for await (const message of call(requests(), options(opts, headers, trailers))) {
          messages.push(message);
          if (messages.length >= inputs.length) {
            allAnswered();
            // Leaving the loop cancels the call.
            if (finish === "cancel-after-answers") break;
          }
        }
        return { messages, error: undefined, headers, trailers };
      } catch (error) {
        return { messages, error: failure(error, trailers), headers, trailers };
      }
    },
    close() {},
  };
}

// ---------------------------------------------------------------------------
// @grpc/grpc-js client

/** grpc-js metadata as `Headers`, binary values base64 encoded as connect does. */
function metadataAsHeaders(metadata: grpc.Metadata | undefined): Headers {
  const out = new Headers();
  if (metadata === undefined) return out;
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) out.append(key, typeof value === "string" ? value : encodeBinaryHeader(value));
  }
  return out;
}

function grpcMetadata(headers: CallOptions["headers"]): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers ?? {})) {
    metadata.add(key, typeof value === "string" ? value : Buffer.from(value));
  }
  return metadata;
}

function grpcOptions(opts: CallOptions | undefined): grpc.CallOptions {
  return opts?.timeoutMs !== undefined ? { deadline: Date.now() + opts.timeoutMs } : {};
}

/**
 * The error a grpc-js client saw, as a `ConnectError`: the code and message of
 * the status, and the `google.rpc.Status` details decoded from the
 * `grpc-status-details-bin` trailer (with connect's own trailer parser).
 */
function statusAsError(status: grpc.StatusObject): ConnectError | undefined {
  if (status.code === grpc.status.OK) return undefined;
  const trailers = metadataAsHeaders(status.metadata);
  const fromTrailer = trailers.has("grpc-status-details-bin") ? findTrailerError(trailers) : undefined;
  // grpc-js decodes grpc-message with decodeURI, which leaves the escapes of
  // reserved characters (":" stays "%3A") that connect-node's
  // encodeURIComponent produces. When the status carries a google.rpc.Status,
  // its message is the exact one, so that is what the caller reads.
  const error = new ConnectError(fromTrailer?.rawMessage ?? status.details, status.code as number, trailers);
  if (fromTrailer) error.details = fromTrailer.details;
  return error;
}

function serializer<I extends DescMessage>(schema: I) {
  // A Uint8Array input is sent as is: lets a test put arbitrary bytes on the wire.
  return (message: MessageShape<I> | Uint8Array) => Buffer.from(message instanceof Uint8Array ? message : toBinary(schema, message));
}

function grpcJsCaller(name: string, listener: ListenerName, address: string): Caller {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const path = (method: { parent: { typeName: string }; name: string }) => `/${method.parent.typeName}/${method.name}`;
  const request = <I extends DescMessage>(schema: I, input: MessageInitShape<I> | Uint8Array) => (input instanceof Uint8Array ? input : create(schema, input));
  const abortWith = (opts: CallOptions | undefined, call: { cancel(): void }) => {
    if (opts?.signal === undefined) return;
    if (opts.signal.aborted) call.cancel();
    else opts.signal.addEventListener("abort", () => call.cancel(), { once: true });
  };

  function collect<O>(call: grpc.ClientReadableStream<O> | grpc.ClientDuplexStream<unknown, O>, onMessage?: (m: O, i: number) => void) {
    return new Promise<StreamOutcome<O>>((resolve) => {
      const messages: O[] = [];
      let headers = new Headers();
      call.on("metadata", (m: grpc.Metadata) => (headers = metadataAsHeaders(m)));
      call.on("data", (m: O) => {
        messages.push(m);
        onMessage?.(m, messages.length - 1);
      });
      call.on("error", () => {
        /* reported through "status" */
      });
      call.on("status", (status: grpc.StatusObject) =>
        resolve({ messages, error: statusAsError(status), headers, trailers: metadataAsHeaders(status.metadata) }),
      );
    });
  }

  return {
    name,
    listener,
    supportsBidi: true,
    unary(method, input, opts) {
      return new Promise((resolve) => {
        let headers = new Headers();
        let message: MessageShape<typeof method.output> | undefined;
        const call = client.makeUnaryRequest(
          path(method),
          serializer(method.input),
          (bytes: Buffer) => fromBinary(method.output, bytes),
          request(method.input, input),
          grpcMetadata(opts?.headers),
          grpcOptions(opts),
          (_error, value) => {
            message = value;
          },
        );
        call.on("metadata", (m) => (headers = metadataAsHeaders(m)));
        call.on("status", (status) => {
          // "status" comes after the callback; both fire exactly once.
          setImmediate(() => {
            const error = statusAsError(status);
            resolve({ message: error ? undefined : message, error, headers, trailers: metadataAsHeaders(status.metadata) });
          });
        });
        abortWith(opts, call);
      });
    },
    serverStream(method, input, opts) {
      const call = client.makeServerStreamRequest(
        path(method),
        serializer(method.input),
        (bytes: Buffer) => fromBinary(method.output, bytes),
        request(method.input, input),
        grpcMetadata(opts?.headers),
        grpcOptions(opts),
      );
      abortWith(opts, call);
      return collect(call, opts?.onMessage);
    },
    bidi(method, inputs, opts) {
      const call = client.makeBidiStreamRequest(
        path(method),
        serializer(method.input),
        (bytes: Buffer) => fromBinary(method.output, bytes),
        grpcMetadata(opts?.headers),
        grpcOptions(opts),
      );
      abortWith(opts, call);
      const finish = opts?.finish ?? "half-close";
      let received = 0;
      const done = collect(call, () => {
        received++;
        if (received !== inputs.length) return;
        if (finish === "half-close-after-answers") call.end();
        if (finish === "cancel-after-answers") call.cancel();
      });
      for (const input of inputs) call.write(create(method.input, input));
      if (finish === "half-close") call.end();
      return done;
    },
    close() {
      client.close();
    },
  };
}

/**
 * Sends `bytes` verbatim as the request message of a unary method with the
 * grpc-js client, e.g. bytes that are not valid protobuf.
 */
export function rawGrpcUnary(address: string, methodPath: string, bytes: Uint8Array, metadata: Record<string, string>): Promise<grpc.StatusObject> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<grpc.StatusObject>((resolve) => {
    const call = client.makeUnaryRequest(
      methodPath,
      (b: Uint8Array) => Buffer.from(b),
      (b: Buffer) => b,
      bytes,
      grpcMetadata(metadata),
      {},
      () => {},
    );
    call.on("status", resolve);
  }).finally(() => client.close());
}
