import { constants, createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { connectionLossIsUnavailable, createServiceTransport } from "./service-transport.js";

// A server that crashes under every call: it takes the request, then its
// connection is reset, as when a replica is SIGKILLed mid-call.
let server: Http2Server;
let baseUrl: string;
const sessions = new Set<ServerHttp2Session>();

beforeAll(async () => {
  server = createServer();
  server.on("session", (session) => sessions.add(session));
  server.on("stream", (stream) => {
    stream.on("error", () => undefined);
    stream.session?.socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function codeOf(call: Promise<unknown>): Promise<Code | undefined> {
  return call.then(
    () => undefined,
    (error: unknown) => (error instanceof ConnectError ? error.code : undefined),
  );
}

describe("createServiceTransport", () => {
  it("reports a call whose connection was reset as UNAVAILABLE", async () => {
    const client = createClient(Health, createServiceTransport(baseUrl));
    expect(await codeOf(client.check({ service: "" }))).toBe(Code.Unavailable);
  });

  it("is needed: connect-node alone reports it otherwise", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    expect(await codeOf(client.check({ service: "" }))).not.toBe(Code.Unavailable);
  });

  it("reports a cancel the caller did not ask for as UNAVAILABLE, and its own as CANCELED", async () => {
    const dropped = connectionLossIsUnavailable(async () => {
      throw new ConnectError("http/2 stream closed with error code CANCEL (0x8)", Code.Canceled);
    });
    const request = (signal: AbortSignal) => ({ signal }) as Parameters<typeof dropped>[0];
    expect(await codeOf(dropped(request(new AbortController().signal)))).toBe(Code.Unavailable);
    const aborted = new AbortController();
    aborted.abort();
    expect(await codeOf(dropped(request(aborted.signal)))).toBe(Code.Canceled);
  });

  it("reports a stream the server refused (a replica shutting down) as UNAVAILABLE", async () => {
    // A server that refuses every stream, as a stopping HTTP/2 server does
    // after its GOAWAY: the request was never processed.
    const refusing = createServer();
    const open = new Set<ServerHttp2Session>();
    refusing.on("session", (session) => open.add(session));
    refusing.on("stream", (stream) => {
      stream.on("error", () => undefined);
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
    });
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    try {
      // (connect-node alone says UNAVAILABLE on Node 20 and INTERNAL on Node 24.)
      expect(await codeOf(createClient(Health, createServiceTransport(url)).check({ service: "" }))).toBe(Code.Unavailable);
    } finally {
      for (const session of open) session.destroy();
      await new Promise((resolve) => refusing.close(resolve));
    }
  });

  it("reports INTERNAL from a refused stream as UNAVAILABLE, and other stream errors as they are", async () => {
    // What connect-node gives on Node 24 for a stream the server refused: INTERNAL, Node's error as the cause.
    const streamError = (rstName: string) =>
      connectionLossIsUnavailable(async () => {
        const cause = Object.assign(new Error(`Stream closed with error code ${rstName}`), { code: "ERR_HTTP2_STREAM_ERROR" });
        throw new ConnectError(cause.message, Code.Internal, undefined, undefined, cause);
      });
    const request = { signal: new AbortController().signal } as Parameters<ReturnType<typeof streamError>>[0];
    expect(await codeOf(streamError("NGHTTP2_REFUSED_STREAM")(request))).toBe(Code.Unavailable);
    expect(await codeOf(streamError("NGHTTP2_PROTOCOL_ERROR")(request))).toBe(Code.Internal);
  });
});
