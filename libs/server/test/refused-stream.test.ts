import { createServer, constants, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";

// A server that answers every stream with RST_STREAM REFUSED_STREAM, as a
// Node HTTP/2 server does to streams that arrive after its GOAWAY (graceful
// shutdown of a replica). The request was not processed, so the caller must
// see UNAVAILABLE (retry elsewhere), not INTERNAL: connect-node needs our
// patch for this (patches/README.md).
let server: Http2Server;
const sessions = new Set<ServerHttp2Session>();
let baseUrl: string;

beforeAll(async () => {
  server = createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => undefined);
    stream.close(constants.NGHTTP2_REFUSED_STREAM);
  });
  server.on("session", (session) => sessions.add(session));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const session of sessions) session.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("a refused HTTP/2 stream", () => {
  it("is UNAVAILABLE to a connect-node gRPC client", async () => {
    const client = createClient(Health, createGrpcTransport({ baseUrl }));
    const error = await client.check({ service: "" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
  });
});
