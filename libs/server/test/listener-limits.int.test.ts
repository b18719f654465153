import { randomBytes } from "node:crypto";
import * as http2 from "node:http2";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { createTokenVerifier } from "@planton/auth";
import type { ListenerLimits } from "@planton/config";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { ServingStatus, startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { CALLERS, type Caller } from "./support/transports.js";

// Both listeners bound what a client can hold open (issue 11: idle sockets,
// partial headers and headers without a body were held forever on PORT).
// Small limits here so the test runs in seconds; the defaults are documented
// in the README.

const LIMITS: ListenerLimits = {
  headersTimeoutMs: 300,
  requestTimeoutMs: 600,
  idleTimeoutMs: 500,
  keepAliveTimeoutMs: 300,
  maxConnections: 40,
  maxStreamsPerConnection: 8,
};
// How long past a limit a close may take: Node checks HTTP/1.1 timeouts on an interval.
const SLACK_MS = 1_500;

let server: RunningServer;
let callers: Caller[];

beforeAll(async () => {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [],
    verifier: createTokenVerifier({ kind: "hs256", secret: randomBytes(32).toString("base64url") }),
    mapError: () => undefined,
    logger: captureLogs().logger,
    limits: LIMITS,
  });
  callers = CALLERS.map((factory) => factory.create(server));
});

afterAll(async () => {
  for (const caller of callers ?? []) caller.close();
  await server?.shutdown(500);
});

/** Connects, writes `bytes` (if any) and resolves with how long the server took to close the socket. */
function heldFor(port: number, bytes?: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.once("connect", () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    socket.once("close", () => resolve(performance.now() - started));
    setTimeout(() => {
      socket.destroy();
      reject(new Error("the server held the socket open for 10 s"));
    }, 10_000).unref();
  });
}

const ports = () => ({ PORT: server.port, GRPC_PORT: server.grpcPort });

describe.each(["PORT", "GRPC_PORT"] as const)("%s", (listener) => {
  it("closes a socket that never sends a byte within the headers timeout", async () => {
    const ms = await heldFor(ports()[listener]);
    expect(ms).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs - 50);
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
  });

  it("closes 200 idle sockets from one client, not holding any", async () => {
    const closes = await Promise.all(Array.from({ length: 200 }, () => heldFor(ports()[listener]).catch(() => Infinity)));
    expect(Math.max(...closes)).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS * 2);
  });

  it("closes an HTTP/2 connection that sends the preface and nothing more, once idle", async () => {
    const ms = await heldFor(ports()[listener], "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    expect(ms).toBeLessThan(LIMITS.idleTimeoutMs + SLACK_MS);
  });

  it("resets an HTTP/2 request whose body never ends", async () => {
    const session = http2.connect(`http://127.0.0.1:${ports()[listener]}`);
    session.on("error", () => undefined);
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": "/grpc.health.v1.Health/Check",
        "content-type": "application/grpc",
        te: "trailers",
      });
      stream.on("data", () => undefined);
      stream.on("error", () => undefined);
      stream.write(Buffer.from([0, 0, 0, 0, 10])); // a message header promising 10 bytes, then nothing
      const started = performance.now();
      // PORT resets the stream; grpc-js answers CANCELLED (trailers-only) and
      // leaves the client's half to the connection's stream limit and age.
      const outcome = await new Promise<string>((resolve) => {
        stream.on("response", (headers) => {
          if (headers["grpc-status"] !== undefined) resolve(`grpc-status ${String(headers["grpc-status"])}`);
        });
        stream.on("trailers", (trailers: http2.IncomingHttpHeaders) => resolve(`grpc-status ${String(trailers["grpc-status"])}`));
        stream.once("close", () => resolve(`reset ${stream.rstCode}`));
      });
      expect(performance.now() - started).toBeLessThan(LIMITS.requestTimeoutMs + SLACK_MS);
      expect(outcome).toBe(listener === "PORT" ? `reset ${http2.constants.NGHTTP2_CANCEL}` : `grpc-status ${Code.Canceled}`);
    } finally {
      session.destroy();
    }
  });

  it("refuses connections beyond the cap and accepts again when they close", async () => {
    const sockets: net.Socket[] = [];
    const open = () =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect({ port: ports()[listener], host: "127.0.0.1" });
        socket.on("error", () => undefined);
        socket.once("connect", () => resolve(socket));
      });
    for (let i = 0; i < LIMITS.maxConnections; i++) sockets.push(await open());
    const extra = await open();
    const extraClosed = await new Promise<boolean>((resolve) => {
      extra.once("close", () => resolve(true));
      setTimeout(() => resolve(false), LIMITS.headersTimeoutMs - 100).unref();
    });
    for (const socket of sockets) socket.destroy();
    expect(extraClosed).toBe(true);
  });
});

describe("PORT over HTTP/1.1", () => {
  it("closes a connection whose headers never end", async () => {
    const ms = await heldFor(server.port, "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\n");
    expect(ms).toBeLessThan(LIMITS.headersTimeoutMs + SLACK_MS);
  });

  it("closes a connection whose body never arrives", async () => {
    const ms = await heldFor(
      server.port,
      "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    expect(ms).toBeLessThan(LIMITS.requestTimeoutMs + SLACK_MS);
  });

  it("closes a kept-alive connection after its last request", async () => {
    const ms = await heldFor(
      server.port,
      "POST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnect-Protocol-Version: 1\r\nContent-Length: 2\r\n\r\n{}",
    );
    expect(ms).toBeLessThan(LIMITS.keepAliveTimeoutMs + SLACK_MS);
  });

  it("closes a socket that speaks neither HTTP/1.1 nor HTTP/2", async () => {
    expect(await heldFor(server.port, "hello\r\n\r\n")).toBeLessThan(SLACK_MS);
  });
});

describe("GRPC_PORT", () => {
  it("announces the stream limit in its HTTP/2 settings", async () => {
    const session = http2.connect(`http://127.0.0.1:${server.grpcPort}`);
    try {
      const settings = await new Promise<http2.Settings>((resolve) => session.once("remoteSettings", resolve));
      expect(settings.maxConcurrentStreams).toBe(LIMITS.maxStreamsPerConnection);
    } finally {
      session.destroy();
    }
  });

  it("closes a socket that does not start with the HTTP/2 preface at once", async () => {
    expect(await heldFor(server.grpcPort, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")).toBeLessThan(SLACK_MS);
  });
});

describe.each(CALLERS.map((c) => [c.name] as const))("a watch stream over %s", (name) => {
  it("outlives the request and idle timeouts while it is open", async () => {
    const service = `limits.watch.${name}`;
    server.health.set(service, ServingStatus.SERVING);
    const controller = new AbortController();
    const outcome = await callers
      .find((c) => c.name === name)!
      .serverStream(
        Health.method.watch,
        { service },
        {
          signal: controller.signal,
          onMessage(_message, index) {
            if (index === 0) setTimeout(() => server.health.set(service, ServingStatus.NOT_SERVING), LIMITS.requestTimeoutMs + LIMITS.idleTimeoutMs);
            else controller.abort();
          },
        },
      );
    expect(outcome.messages.map((m) => ServingStatus[m.status])).toEqual(["SERVING", "NOT_SERVING"]);
    expect(outcome.error?.code).toBe(Code.Canceled);
  });
});
