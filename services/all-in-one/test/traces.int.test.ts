import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  cleanUpAllInOne,
  createTestDatabase,
  startAllInOne,
  startOtlpReceiver,
  type AllInOne,
  type OtlpReceiver,
  type ReceivedSpan,
  type TestDatabase,
} from "@planton/testing";

// The all-in-one process without NATS: registry events reach authz and the
// verifier on the in-process bus, and the trace must travel there as it does
// in NATS headers (services/verifier/test/traces-across-processes covers
// separate processes). Spans go to a local OTLP/HTTP receiver.

const SPAN_KIND = { server: 2, producer: 4, consumer: 5 } as const;
const CIVO_TOKEN = "civo-token-marker-3b9d0123456789abcdef";

let receiver: OtlpReceiver;
let database: TestDatabase;
let civo: Server;
let started: AllInOne;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  database = await createTestDatabase(inject("databaseUrl"), "aio_traces");
  // Civo's region list, as the provider answers it: the verification succeeds.
  civo = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ code: "LON1" }])));
  await new Promise<void>((done) => civo.listen(0, "127.0.0.1", done));
  started = await startAllInOne({
    DATABASE_URL: database.url,
    CIVO_API_URL: `http://127.0.0.1:${(civo.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: "connect-test",
    OTEL_BSP_SCHEDULE_DELAY: "100",
  });
}, 60_000);

afterAll(async () => {
  if (started !== undefined) expect(await started.stop()).toBe(0);
  await cleanUpAllInOne();
  await receiver?.close();
  await new Promise((done) => civo?.close(done));
  await database?.drop();
});

describe("traces in the all-in-one process", () => {
  it("carries the caller's trace through the in-process bus to the verification, into every log line of it, and exports it", async () => {
    const traceId = randomBytes(16).toString("hex");
    const callerSpanId = randomBytes(8).toString("hex");
    const created = await fetch(`http://${started.httpAddress}/planton.connect.v1.ConnectionService/CreateConnection`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${started.token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ name: "traced-civo", spec: { civo: { apiToken: CIVO_TOKEN, defaultRegion: "LON1" } } }),
    });
    expect(created.status).toBe(200);

    const find = (spans: ReceivedSpan[], name: string, kind: number) =>
      spans.filter((s) => s.traceId === traceId && s.service === "connect-test" && s.name === name && s.kind === kind);
    const spans = await receiver.waitFor(
      // authz and the verifier each subscribe to it: two consumer spans.
      (all) =>
        find(all, "process connect.connection.created", SPAN_KIND.consumer).length === 2 &&
        find(all, "publish connect.connection.verified", SPAN_KIND.producer).length === 1,
      "the created event's handling and the verified event",
    );
    const [create] = find(spans, "planton.connect.v1.ConnectionService/CreateConnection", SPAN_KIND.server);
    expect(create?.parentSpanId).toBe(callerSpanId);
    const [publish] = find(spans, "publish connect.connection.created", SPAN_KIND.producer);
    expect(publish?.parentSpanId).toBe(create?.spanId);
    expect(publish?.attributes["messaging.system"]).toBe("in-process");
    const consumers = find(spans, "process connect.connection.created", SPAN_KIND.consumer);
    for (const consumer of consumers) expect(consumer.parentSpanId).toBe(publish?.spanId);
    // The verifier records its result in-process; the event that writes is in the trace, under the verifier's consumer span.
    const [verified] = find(spans, "publish connect.connection.verified", SPAN_KIND.producer);
    expect(consumers.map((c) => c.spanId)).toContain(verified?.parentSpanId);

    const tracedLines = () =>
      started
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((r) => r["trace_id"] === traceId);
    // Standard output is buffered (written at least every 100 ms): wait for both lines.
    const complete = (lines: Record<string, unknown>[]) => ["rpc", "connection verified"].every((msg) => lines.some((r) => r["msg"] === msg));
    for (let waited = 0; !complete(tracedLines()) && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const traced = tracedLines();
    expect(traced.find((r) => r["msg"] === "rpc")).toMatchObject({
      procedure: "/planton.connect.v1.ConnectionService/CreateConnection",
      span_id: create?.spanId,
    });
    expect(traced.find((r) => r["msg"] === "connection verified")?.["span_id"]).toBeOneOf(consumers.map((c) => c.spanId));
    expect(receiver.bodies().join("\n")).not.toContain(CIVO_TOKEN);
  });
});
