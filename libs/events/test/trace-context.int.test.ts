import { context, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@planton/logging";
import { startTracing, traceCarrierOf, type TraceCarrier, type Tracing } from "@planton/tracing";
import { createInProcessBus, startDurableConsumer, TRACEPARENT_HEADER } from "../src/index.js";
import { useEventsFixture } from "./support/events-fixture.js";

// The trace of the transaction that writes an event must reach whoever
// handles it: stored with the outbox row, sent in the NATS headers by the
// relay, and made active around the consumer's handler (JetStream and the
// in-process bus alike). Tracing as every service sets it up without an
// OTLP endpoint: ids propagated, nothing recorded.

const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const CALLER_SPAN = "b7ad6b7169203331";

let tracing: Tracing;
beforeAll(() => {
  tracing = startTracing({ settings: { otlpTracesUrl: undefined, otlpHeaders: {}, serviceName: undefined }, serviceName: "events-test", logger: silentLogger });
});
afterAll(() => tracing.shutdown());

/** A context as a server span continuing a sampled caller's trace would give. */
const callerContext = () => trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: CALLER_SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });

describe("trace context through the outbox", () => {
  it("stores the writer's trace with the row, sends it in NATS headers and continues it around the consumer's handler", async () => {
    const f = await useEventsFixture();
    const traced = f.event("traced");
    const untraced = f.event("untraced");
    await context.with(callerContext(), () => f.insert([traced]));
    await f.insert([untraced]);
    const rows = await f.db.selectFrom("outbox").select(["id", "traceparent", "tracestate"]).orderBy("seq").execute();
    expect(rows).toEqual([
      { id: traced.id, traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`, tracestate: null },
      { id: untraced.id, traceparent: null, tracestate: null },
    ]);

    const relay = f.startRelay({ publisher: await f.connectPublisher() });
    expect(await relay.drain(5_000)).toBe(true);
    // Not recording: the stored context travels as it is.
    expect((await f.streamMessages()).map((m) => m.header.get(TRACEPARENT_HEADER))).toEqual([`00-${TRACE_ID}-${CALLER_SPAN}-01`, ""]);

    const seen: { label: string; trace: TraceCarrier | undefined }[] = [];
    const consumer = await startDurableConsumer({
      url: f.natsUrl,
      logger: silentLogger,
      stream: f.stream,
      durable: "trace_test",
      filterSubject: `${f.prefix}.>`,
      handle: async (data) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push({ label: new TextDecoder().decode(data), trace: traceCarrierOf() });
      },
    });
    await expect.poll(() => seen.length).toBe(2);
    await consumer.stop();
    const [first, second] = seen;
    // A consumer span of the caller's trace, with a span id of its own and the caller's sampled flag.
    expect(first?.label).toBe("traced");
    expect(first?.trace?.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(first?.trace?.traceparent).not.toContain(CALLER_SPAN);
    // An event written outside any trace starts one of its own, unsampled.
    expect(second?.label).toBe("untraced");
    expect(second?.trace?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(second?.trace?.traceparent).not.toContain(TRACE_ID);
  });

  it("drops a malformed stored trace context instead of blocking the outbox", async () => {
    const f = await useEventsFixture();
    const event = f.event("bad trace");
    await f.insert([event]);
    await f.db.updateTable("outbox").set({ traceparent: "00-zz\r\nInjected: yes-01" }).execute();
    const relay = f.startRelay({ publisher: await f.connectPublisher() });
    expect(await relay.drain(5_000)).toBe(true);
    const [message] = await f.streamMessages();
    expect(message?.header.get("Nats-Msg-Id")).toBe(event.id);
    expect(message?.header.get(TRACEPARENT_HEADER)).toBe("");
    expect(message?.header.get("Injected")).toBe("");
  });

  it("continues the trace on the in-process bus, retries included", async () => {
    const f = await useEventsFixture();
    const bus = createInProcessBus(silentLogger, { retryBaseMs: 1 });
    const seen: (string | undefined)[] = [];
    let failures = 1;
    bus.subscribe(`${f.prefix}.>`, async () => {
      seen.push(traceCarrierOf()?.traceparent);
      if (failures-- > 0) throw new Error("transient");
    });
    await context.with(callerContext(), () => f.insert([f.event("in-process")]));
    const relay = f.startRelay({ publisher: bus });
    expect(await relay.drain(5_000)).toBe(true);
    await bus.idle();
    expect(seen).toHaveLength(2);
    for (const traceparent of seen) expect(traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    // One consumer span for the event, both attempts inside it.
    expect(seen[0]).toBe(seen[1]);
  });
});
