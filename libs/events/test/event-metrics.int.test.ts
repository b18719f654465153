import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it, vi } from "vitest";
import { connect } from "nats";
import { Registry } from "prom-client";
import { silentLogger } from "@planton/logging";
import { connectJetStream } from "../src/jetstream-publisher.js";
import { startDurableConsumer } from "../src/durable-consumer.js";
import { recordingPublisher, useEventsFixture } from "./support/events-fixture.js";

const suffix = Math.random().toString(36).slice(2, 10).toUpperCase();
const stream = `METRICS_TEST_${suffix}`;
const prefix = `metricstest${suffix.toLowerCase()}`;

afterAll(async () => {
  const nc = await connect({ servers: inject("natsUrl") });
  await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
  await nc.close();
});

/** One sample of `name` with exactly `labels`, from the registry's own view. */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const base = name.replace(/_(count|sum|bucket)$/, "");
  const metric = registry.getSingleMetric(base);
  if (metric === undefined) return undefined;
  const { values } = await metric.get();
  const same = (l: Record<string, unknown>) => Object.keys(labels).length === Object.keys(l).length && Object.entries(labels).every(([k, v]) => l[k] === v);
  return values.find((v) => ((v as { metricName?: string }).metricName ?? base) === name && same(v.labels as Record<string, unknown>))?.value;
}

describe("event metrics", () => {
  it("the outbox backlog and the age of its oldest event follow the table; publish latency is observed by outcome", async () => {
    const f = await useEventsFixture();
    const registry = new Registry();
    const publisher = recordingPublisher();
    const relay = f.startRelay({ publisher, metrics: { registry, outbox: "test" } });
    await f.insert([f.event("one"), f.event("two")]);
    expect(await relay.drain(5_000)).toBe(true);
    expect(await sample(registry, "planton_outbox_pending_events", { outbox: "test" })).toBe(0);
    expect(await sample(registry, "planton_outbox_oldest_pending_age_seconds", { outbox: "test" })).toBe(0);
    expect(await sample(registry, "planton_outbox_publish_seconds_count", { outbox: "test", outcome: "ok" })).toBe(2);

    // The bus is down: events pile up, the oldest ages, failures are observed.
    publisher.failing = new Error("bus down");
    await f.insert([f.event("three"), f.event("four"), f.event("five")]);
    await vi.waitFor(
      async () => expect(await sample(registry, "planton_outbox_publish_seconds_count", { outbox: "test", outcome: "error" })).toBeGreaterThanOrEqual(1),
      { timeout: 5_000, interval: 50 },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await sample(registry, "planton_outbox_pending_events", { outbox: "test" })).toBe(3);
    expect(await sample(registry, "planton_outbox_oldest_pending_age_seconds", { outbox: "test" })).toBeGreaterThanOrEqual(1);

    // Back: the backlog drains to 0 and the outbox leaves the registry with the relay.
    publisher.failing = undefined;
    await vi.waitFor(async () => expect(await sample(registry, "planton_outbox_pending_events", { outbox: "test" })).toBe(0), {
      timeout: 10_000,
      interval: 100,
    });
    await relay.stop();
    expect(await sample(registry, "planton_outbox_pending_events", { outbox: "test" })).toBeUndefined();
  }, 30_000);

  it("a durable consumer reports its pending messages, redeliveries and outcomes by durable name", async () => {
    const registry = new Registry();
    let retried = false;
    const handled: string[] = [];
    const consumer = await startDurableConsumer({
      url: inject("natsUrl"),
      logger: silentLogger,
      stream,
      durable: "metrics",
      filterSubject: `${prefix}.>`,
      metrics: registry,
      handle: async (data) => {
        const text = new TextDecoder().decode(data);
        if (text === "second" && !retried) {
          retried = true;
          return { retryAfterMs: 100 };
        }
        handled.push(text);
        return undefined;
      },
    });
    try {
      const publisher = await connectJetStream({ url: inject("natsUrl"), logger: silentLogger, stream, subjects: [`${prefix}.>`] });
      for (const text of ["first", "second", "third"]) {
        await publisher.publish({ id: randomUUID(), subject: `${prefix}.event`, data: new TextEncoder().encode(text), orderingKey: "k" });
      }
      await publisher.close();
      await vi.waitFor(() => expect(handled).toHaveLength(3), { timeout: 5_000, interval: 50 });
      expect(await sample(registry, "planton_consumer_messages_total", { durable: "metrics", outcome: "ack" })).toBe(3);
      expect(await sample(registry, "planton_consumer_messages_total", { durable: "metrics", outcome: "retry" })).toBe(1);
      expect(await sample(registry, "planton_consumer_redeliveries_total", { durable: "metrics" })).toBe(1);
      // The last delivery had nothing behind it.
      expect(await sample(registry, "planton_consumer_pending_messages", { durable: "metrics" })).toBe(0);
    } finally {
      await consumer.stop();
    }
  }, 30_000);
});
