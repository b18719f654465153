import { describe, expect, it } from "vitest";
import { captureLogs, markerForms } from "@planton/testing";
import type { EventEnvelope } from "../src/index.js";
import { recordingPublisher, useEventsFixture } from "./support/events-fixture.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("outbox relay through outages", () => {
  it("keeps events in the outbox while NATS is cut and publishes each exactly once, in order, after it returns", async () => {
    const f = await useEventsFixture();
    const { proxy, url } = await f.proxy("nats");
    const publisher = await f.connectPublisher({ url, publishTimeoutMs: 500 });
    await publisher.ready();
    const relay = f.startRelay({ publisher });
    const written: EventEnvelope[] = [];
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const event = f.event(`e${written.length}`, `conn_${written.length % 2}`);
        await f.insert([event]);
        written.push(event);
        relay.kick();
      }
    };

    await write(5);
    expect(await relay.drain(5_000)).toBe(true);
    proxy.cut();
    await write(10);
    await sleep(800);
    const waiting = (await f.rows()).slice(5);
    expect(waiting.every((r) => r.published_at === null)).toBe(true);
    expect(waiting[0]?.attempts).toBeGreaterThan(0);
    expect(waiting[0]?.last_error).toMatch(/\S/);
    expect(waiting.slice(1).every((r) => r.attempts === 0)).toBe(true);

    proxy.restore();
    await write(5);
    expect(await relay.drain(8_000)).toBe(true);
    const ids = (await f.streamMessages()).map((m) => m.header.get("Nats-Msg-Id"));
    expect(ids).toEqual(written.map((e) => e.id));
    expect(new Set(ids).size).toBe(written.length);
  });

  it("survives a PostgreSQL outage and resumes by itself", async () => {
    const logs = captureLogs();
    const f = await useEventsFixture(logs.logger);
    const { proxy, url } = await f.proxy("postgres");
    const publisher = recordingPublisher();
    // The relay reaches PostgreSQL through the proxy; writers do not.
    const relay = f.startRelay({ publisher, db: f.openDatabase(url), logger: logs.logger });
    const before = [f.event("b0"), f.event("b1")];
    await f.insert(before);
    expect(await relay.drain(5_000)).toBe(true);

    proxy.cut();
    const during = Array.from({ length: 5 }, (_, i) => f.event(`d${i}`));
    await f.insert(during);
    relay.kick();
    await sleep(800);
    expect(publisher.published).toEqual(before.map((e) => e.id));
    expect(logs.records().some((r) => r["msg"] === "outbox relay cannot use the database; will retry")).toBe(true);

    proxy.restore();
    const after = [f.event("a0")];
    await f.insert(after);
    expect(await relay.drain(8_000)).toBe(true);
    expect(publisher.published).toEqual([...before, ...during, ...after].map((e) => e.id));
    expect(logs.records().some((r) => r["msg"] === "outbox relay recovered")).toBe(true);
  });

  it("logs failures loudly every 10th attempt and never logs or stores payload bytes", async () => {
    const logs = captureLogs();
    const f = await useEventsFixture(logs.logger);
    const { proxy, url } = await f.proxy("nats");
    const publisher = await f.connectPublisher({ url, logger: logs.logger, publishTimeoutMs: 300 });
    await publisher.ready();
    proxy.cut();
    const relay = f.startRelay({ publisher, logger: logs.logger, maxBackoffMs: 10 });
    const marker = "MARKER-outbox-payload-9fz3";
    const event = { ...f.event("x"), data: new TextEncoder().encode(`{"note":"${marker}"}`) };
    await f.insert([event]);
    relay.kick();

    const failureLines = () => logs.records().filter((r) => r["msg"] === "outbox event not published; it and every later event wait for the retry");
    await expect.poll(() => failureLines().filter((r) => r["level"] === "error").length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    const loud = failureLines().filter((r) => r["level"] === "error");
    expect(loud.map((r) => r["consecutive_failures"]).slice(0, 2)).toEqual([1, 11]);
    expect(loud[0]).toMatchObject({ event_id: event.id, subject: event.subject });

    const [row] = await f.rows();
    expect(row?.attempts).toBeGreaterThanOrEqual(11);
    for (const form of markerForms(marker)) {
      expect(logs.text()).not.toContain(form);
      expect(row?.last_error ?? "").not.toContain(form);
    }
  });
});
