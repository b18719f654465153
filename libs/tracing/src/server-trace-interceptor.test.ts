import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@planton/logging";
import { Health, HealthCheckResponse_ServingStatus } from "@planton/proto/grpc/health/v1/health_pb";
import { createServerTraceInterceptor } from "./server-trace-interceptor.js";
import { startTracing, type Tracing } from "./start-tracing.js";
import { traceCarrierOf } from "./trace-carrier.js";

// Tracing as every service runs it without an OTLP endpoint: nothing
// recorded, ids made and propagated (see otlp-export.test.ts for export).

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ settings: { otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined }, serviceName: "test", logger: silentLogger });
});
afterAll(() => tracing.shutdown());

/** A Health service whose handlers report the trace context they ran in. */
function healthClient() {
  const seen: (string | undefined)[] = [];
  const transport = createRouterTransport(
    ({ service }) =>
      service(Health, {
        async check(request) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          seen.push(traceCarrierOf()?.traceparent);
          if (request.service === "fail") throw new ConnectError("boom", Code.Internal);
          return { status: HealthCheckResponse_ServingStatus.SERVING };
        },
        async *watch() {
          for (let i = 0; i < 3; i++) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            seen.push(traceCarrierOf()?.traceparent);
            yield { status: HealthCheckResponse_ServingStatus.SERVING };
          }
        },
        list() {
          return { statuses: {} };
        },
      }),
    { router: { interceptors: [createServerTraceInterceptor()] } },
  );
  return { client: createClient(Health, transport), seen };
}

describe("createServerTraceInterceptor without export", () => {
  it("runs the handler as a child of the caller's traceparent, keeping its trace id and sampled flag", async () => {
    const { client, seen } = healthClient();
    await client.check({}, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } });
    expect(seen[0]).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(seen[0]).not.toContain(CALLER_SPAN);
    await client.check({}, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00`, tracestate: "vendor=abc" } });
    expect(seen[1]).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
  });

  it("starts a new unsampled trace for a call without traceparent or with a malformed one", async () => {
    const { client, seen } = healthClient();
    await client.check({});
    await client.check({}, { headers: { traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" } });
    await client.check({}, { headers: { traceparent: "garbage" } });
    for (const traceparent of seen) expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(new Set(seen.map((t) => t?.split("-")[1])).size).toBe(3);
  });

  it("keeps the span active while a streamed response is produced, message after message", async () => {
    const { client, seen } = healthClient();
    const statuses = [];
    for await (const response of client.watch({}, { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } })) statuses.push(response.status);
    expect(statuses).toHaveLength(3);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1);
    expect(seen[0]).toMatch(new RegExp(`^00-${TRACE_ID}-`));
  });

  it("passes failures through unchanged", async () => {
    const { client } = healthClient();
    await expect(client.check({ service: "fail" })).rejects.toMatchObject({ code: Code.Internal });
  });
});
