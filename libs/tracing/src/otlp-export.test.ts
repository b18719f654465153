import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogs, startOtlpReceiver, type OtlpReceiver } from "@planton/testing";
import { Health, HealthCheckResponse_ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { createClientTraceInterceptor } from "./client-trace-interceptor.js";
import { createServerTraceInterceptor } from "./server-trace-interceptor.js";
import { startTracing, type Tracing } from "./start-tracing.js";

// OTLP/HTTP export against a local receiver, as a collector answers: spans
// of a call that crosses two "services" (a client interceptor in front of
// a router that has the server interceptor) arrive as one trace.

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const SECRET_HEADER = "zq7x-otlp-api-key";

let receiver: OtlpReceiver;
let tracing: Tracing;
const logs = captureLogs();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  tracing = startTracing({
    settings: { otlpTracesUrl: `${receiver.url}/v1/traces`, otlpHeaders: { "x-api-key": SECRET_HEADER }, serviceName: undefined },
    serviceName: "export-test",
    logger: logs.logger,
  });
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
});

function transport() {
  return createRouterTransport(
    ({ service }) =>
      service(Health, {
        check(request) {
          if (request.service === "internal") throw new ConnectError("secret detail zq7x", Code.Internal);
          if (request.service === "missing") throw new ConnectError("no such service", Code.NotFound);
          return { status: HealthCheckResponse_ServingStatus.SERVING };
        },
        async *watch() {},
        list() {
          return { statuses: {} };
        },
      }),
    { transport: { interceptors: [createClientTraceInterceptor()] }, router: { interceptors: [createServerTraceInterceptor()] } },
  );
}

describe("OTLP export", () => {
  it("exports server and client spans of one trace with RPC attributes and status, sending the configured headers", async () => {
    expect(tracing.exporting).toBe(true);
    const client = createClient(Health, transport());
    // A recording span of the caller (itself a child of a remote parent) around the calls.
    const { context, trace, ROOT_CONTEXT, TraceFlags } = await import("@opentelemetry/api");
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: CALLER_SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const caller = trace.getTracer("test").startSpan("caller", {}, remote);
    await context.with(trace.setSpan(remote, caller), async () => {
      await client.check({});
      await expect(client.check({ service: "internal" })).rejects.toMatchObject({ code: Code.Internal });
      await expect(client.check({ service: "missing" })).rejects.toMatchObject({ code: Code.NotFound });
    });
    caller.end();
    const spans = (
      await receiver.waitFor((all) => all.filter((s) => s.traceId === TRACE_ID).length === 7, "the caller's, three client and three server spans")
    ).filter((s) => s.traceId === TRACE_ID && s.name !== "caller");
    const clients = spans.filter((s) => s.kind === 3);
    const servers = spans.filter((s) => s.kind === 2);
    const callerId = caller.spanContext().spanId;
    expect(clients.map((s) => s.parentSpanId)).toEqual([callerId, callerId, callerId]);
    for (const server of servers) expect(clients.map((s) => s.spanId)).toContain(server.parentSpanId);
    for (const span of spans) {
      expect(span.service).toBe("export-test");
      expect(span.name).toBe("grpc.health.v1.Health/Check");
      expect(span.attributes).toMatchObject({ "rpc.service": "grpc.health.v1.Health", "rpc.method": "Check" });
    }
    const codes = (list: typeof spans) => list.map((s) => [s.attributes["rpc.grpc.status_code"], s.statusCode]).sort();
    // A server span fails on server faults only; a client span on any error.
    expect(codes(servers)).toEqual([
      [0, 0],
      [13, 2],
      [5, 0],
    ]);
    expect(codes(clients)).toEqual([
      [0, 0],
      [13, 2],
      [5, 2],
    ]);
    // Error messages stay out of spans; the configured headers reach the collector only as headers.
    expect(receiver.bodies().join("")).not.toContain("zq7x");
    expect(receiver.headers()[0]?.["x-api-key"]).toBe(SECRET_HEADER);
  });

  it("logs an unreachable collector at warn without failing calls", async () => {
    const unreachable = await startOtlpReceiver();
    await unreachable.close();
    await tracing.shutdown();
    const local = startTracing({
      settings: { otlpTracesUrl: `${unreachable.url}/v1/traces`, otlpHeaders: {}, serviceName: "named" },
      serviceName: "ignored",
      logger: logs.logger,
    });
    const client = createClient(Health, transport());
    expect((await client.check({})).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    await local.shutdown();
    // shutdown waits 3 s at most; the failure is logged when the exporter gives up.
    await expect.poll(() => logs.records().filter((r) => r["component"] === "tracing" && r["level"] === "warn").length, { timeout: 15_000 }).toBeGreaterThan(0);
    tracing = startTracing({ settings: { otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined }, serviceName: "x", logger: logs.logger });
  });
});
