import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "@planton/logging";
import { createInProcessBus, insertOutboxEvent, ORDERING_KEY_HEADER, type EventEnvelope } from "../src/index.js";
import { label, recordingPublisher, useEventsFixture } from "./support/events-fixture.js";

describe("outbox relay", () => {
  it("never publishes an event whose transaction rolled back", async () => {
    const f = await useEventsFixture();
    const publisher = recordingPublisher(await f.connectPublisher());
    const relay = f.startRelay({ publisher });
    const rolledBack = f.event("rolled back");
    const committed = f.event("committed");
    await expect(
      f.db.transaction().execute(async (trx) => {
        await insertOutboxEvent(trx, rolledBack);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await f.insert([committed]);
    expect(await relay.drain(5_000)).toBe(true);
    expect(publisher.published).toEqual([committed.id]);
    expect((await f.streamMessages()).map((m) => m.header.get("Nats-Msg-Id"))).toEqual([committed.id]);
    expect((await f.rows()).map((r) => r.id)).toEqual([committed.id]);
  });

  it("publishes in seq order with Nats-Msg-Id = event id and marks the rows published", async () => {
    const f = await useEventsFixture();
    const publisher = await f.connectPublisher();
    // A small batch, so order must also hold across cycles.
    const relay = f.startRelay({ publisher, batchSize: 4 });
    const events = Array.from({ length: 15 }, (_, i) => f.event(`e${i}`, `conn_${i % 3}`));
    await f.insert(events);
    // Several in one transaction keep their statement order too.
    const together = [f.event("t0", "conn_x"), f.event("t1", "conn_x"), f.event("t2", "conn_y")];
    await f.db.transaction().execute(async (trx) => {
      for (const event of together) await insertOutboxEvent(trx, event);
    });
    const all = [...events, ...together];
    expect(await relay.drain(5_000)).toBe(true);

    const messages = await f.streamMessages();
    expect(messages.map((m) => m.header.get("Nats-Msg-Id"))).toEqual(all.map((e) => e.id));
    expect(messages.map((m) => label(m.data))).toEqual(all.map((e) => label(e.data)));
    expect(messages.map((m) => m.header.get(ORDERING_KEY_HEADER))).toEqual(all.map((e) => e.orderingKey));
    expect(messages.every((m) => m.subject === `${f.prefix}.connection.created`)).toBe(true);
    const rows = await f.rows();
    expect(rows.every((r) => r.published_at !== null && r.attempts === 0)).toBe(true);
  });

  it("publishes right after kick() instead of waiting for the next poll", async () => {
    const f = await useEventsFixture();
    const publisher = recordingPublisher();
    const relay = f.startRelay({ publisher, pollIntervalMs: 60_000 });
    // After this the relay sleeps for its (long) poll interval.
    expect(await relay.drain(2_000)).toBe(true);
    const event = f.event("kicked");
    await f.insert([event]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(publisher.published).toEqual([]);
    relay.kick();
    await vi.waitFor(() => expect(publisher.published).toEqual([event.id]), { timeout: 2_000, interval: 20 });
  });

  it("stores an event republished after a crash between publish and commit only once", async () => {
    const f = await useEventsFixture();
    const publisher = recordingPublisher(await f.connectPublisher());
    const relay = f.startRelay({ publisher });
    const [a, b] = [f.event("a"), f.event("b")];
    await f.insert([a, b]);
    expect(await relay.drain(5_000)).toBe(true);
    // As if the relay died after publishing but before its commit.
    await f.db.updateTable("outbox").set({ published_at: null }).execute();
    expect(await relay.drain(5_000)).toBe(true);
    expect(publisher.count(a.id)).toBe(2);
    expect((await f.streamMessages()).map((m) => m.header.get("Nats-Msg-Id"))).toEqual([a.id, b.id]);
  });

  it("never publishes an event twice when two relays (replicas) share the table, and keeps each key's order", async () => {
    const f = await useEventsFixture();
    const counter = recordingPublisher();
    // Each replica has its own pool and NATS connection; both report to one counter.
    const perReplica = [0, 0];
    const replicas = await Promise.all(
      [0, 1].map(async (i) => {
        const jetStream = await f.connectPublisher();
        const publisher = {
          publish: async (e: EventEnvelope) => {
            await jetStream.publish(e);
            await counter.publish(e);
            perReplica[i]!++;
          },
          close: async () => undefined,
        };
        return f.startRelay({ publisher, db: f.openDatabase(), batchSize: 5, pollIntervalMs: 5 });
      }),
    );
    const keys = ["conn_a", "conn_b", "conn_c"];
    const written = new Map<string, EventEnvelope[]>(keys.map((k) => [k, []]));
    // Three writers at once, each its own ordering key, kicking both relays.
    await Promise.all(
      keys.map(async (key) => {
        for (let i = 0; i < 20; i++) {
          const event = f.event(`${key}-${i}`, key);
          await f.insert([event]);
          written.get(key)!.push(event);
          for (const relay of replicas) relay.kick();
        }
      }),
    );
    for (const relay of replicas) expect(await relay.drain(8_000)).toBe(true);

    const all = [...written.values()].flat();
    expect(counter.published).toHaveLength(all.length);
    for (const event of all) expect(counter.count(event.id)).toBe(1);
    const byId = new Map(all.map((e) => [e.id, e]));
    for (const key of keys) {
      const order = counter.published.filter((id) => byId.get(id)?.orderingKey === key);
      expect(order).toEqual(written.get(key)!.map((e) => e.id));
    }
    expect(await f.streamMessages()).toHaveLength(all.length);
    // Both replicas took turns, so the test did exercise the shared table.
    expect(perReplica.every((n) => n > 0)).toBe(true);
  });

  it("deletes published rows after retainPublishedMs and keeps pending ones", async () => {
    const f = await useEventsFixture();
    const publisher = recordingPublisher();
    const relay = f.startRelay({ publisher, retainPublishedMs: 200 });
    await f.insert([f.event("old-1"), f.event("old-2")]);
    expect(await relay.drain(5_000)).toBe(true);
    expect(await f.rows()).toHaveLength(2);
    publisher.failing = new Error("bus down");
    const pending = f.event("pending");
    await f.insert([pending]);
    await vi.waitFor(async () => expect((await f.rows()).map((r) => r.id)).toEqual([pending.id]), { timeout: 3_000, interval: 50 });
  });

  it("feeds the in-process bus, whose subscribers get every event once, in order", async () => {
    const f = await useEventsFixture();
    const bus = createInProcessBus(silentLogger);
    const received: string[] = [];
    bus.subscribe(`${f.prefix}.connection.*`, async (e) => void received.push(label(e.data)));
    const relay = f.startRelay({ publisher: bus });
    await f.insert(["one", "two", "three"].map((l) => f.event(l)));
    expect(await relay.drain(5_000)).toBe(true);
    await bus.idle();
    expect(received).toEqual(["one", "two", "three"]);
    await bus.close();
  });
});
