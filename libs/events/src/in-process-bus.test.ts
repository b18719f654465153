import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "@planton/logging";
import { captureLogs, markerForms } from "@planton/testing";
import type { EventEnvelope } from "./event-envelope.js";
import { createInProcessBus } from "./in-process-bus.js";

function event(subject: string, orderingKey = "conn_1", text = "data"): EventEnvelope {
  return { id: randomUUID(), subject, data: new TextEncoder().encode(text), orderingKey };
}

const fast = { retryBaseMs: 5, retryMaxMs: 20 };

describe("createInProcessBus", () => {
  it("delivers by NATS wildcards: > for one or more tokens, * for exactly one", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    const seen: Record<string, string[]> = { all: [], connection: [], created: [] };
    bus.subscribe("connect.>", async (e) => void seen["all"]!.push(e.subject));
    bus.subscribe("connect.connection.*", async (e) => void seen["connection"]!.push(e.subject));
    bus.subscribe("connect.*.created", async (e) => void seen["created"]!.push(e.subject));
    for (const subject of ["connect.connection.created", "connect.aws_trust.completed", "connect.connection.rotated.extra", "other.connection.created"]) {
      await bus.publish(event(subject));
    }
    await bus.idle();
    expect(seen["all"]).toEqual(["connect.connection.created", "connect.aws_trust.completed", "connect.connection.rotated.extra"]);
    expect(seen["connection"]).toEqual(["connect.connection.created"]);
    expect(seen["created"]).toEqual(["connect.connection.created"]);
    await bus.close();
  });

  it("delivers asynchronously: publish resolves before a slow handler finishes and never runs it inline", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    bus.subscribe("connect.>", async () => {
      calls.push("started");
      await gate;
      calls.push("finished");
    });
    const published = bus.publish(event("connect.connection.created"));
    calls.push("after publish call");
    await published;
    calls.push("publish resolved");
    await vi.waitFor(() => expect(calls).toContain("started"));
    expect(calls.slice(0, 2)).toEqual(["after publish call", "publish resolved"]);
    expect(calls).not.toContain("finished");
    release();
    await bus.idle();
    expect(calls.at(-1)).toBe("finished");
    await bus.close();
  });

  it("isolates a failing handler: the publisher and other handlers are unaffected, and it is retried", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    let failuresLeft = 2;
    const attempts: number[] = [];
    const healthy: string[] = [];
    bus.subscribe("connect.>", async () => {
      attempts.push(Date.now());
      if (failuresLeft-- > 0) throw new Error("transient");
    });
    bus.subscribe("connect.>", async (e) => void healthy.push(e.id));
    // A handler that throws synchronously is handled the same way.
    bus.subscribe("connect.>", () => {
      throw new Error("not even async");
    });
    const e = event("connect.connection.created");
    await expect(bus.publish(e)).resolves.toBeUndefined();
    await bus.idle();
    expect(attempts).toHaveLength(3);
    expect(healthy).toEqual([e.id]);
  });

  it("gives up after maxAttempts and logs an error, then delivers the next event of that key", async () => {
    const logs = captureLogs();
    const bus = createInProcessBus(logs.logger, { ...fast, maxAttempts: 3 });
    const calls: string[] = [];
    bus.subscribe("connect.>", async (e) => {
      calls.push(e.subject);
      if (e.subject === "connect.poison.x") throw new Error("poison");
    });
    await bus.publish(event("connect.poison.x"));
    await bus.publish(event("connect.good.x"));
    await bus.idle();
    expect(calls).toEqual(["connect.poison.x", "connect.poison.x", "connect.poison.x", "connect.good.x"]);
    const levels = logs
      .records()
      .filter((r) => r["subject"] === "connect.poison.x")
      .map((r) => r["level"]);
    expect(levels).toEqual(["warn", "warn", "error"]);
  });

  it("keeps per-ordering-key order through retries, and does not hold up other keys", async () => {
    const bus = createInProcessBus(silentLogger, { retryBaseMs: 40, retryMaxMs: 40 });
    const delivered: string[] = [];
    let firstFailed = false;
    bus.subscribe("connect.>", async (e) => {
      const label = new TextDecoder().decode(e.data);
      if (label === "a1" && !firstFailed) {
        firstFailed = true;
        throw new Error("transient");
      }
      delivered.push(label);
    });
    await bus.publish(event("connect.c.x", "a", "a1"));
    await bus.publish(event("connect.c.x", "a", "a2"));
    await bus.publish(event("connect.c.x", "b", "b1"));
    await bus.idle();
    expect(delivered.filter((l) => l.startsWith("a"))).toEqual(["a1", "a2"]);
    // b1 was not stuck behind a1's retry.
    expect(delivered.indexOf("b1")).toBeLessThan(delivered.indexOf("a1"));
  });

  it("drops an event id it has already seen, like JetStream's duplicate window", async () => {
    let now = 0;
    vi.spyOn(Date, "now").mockImplementation(() => now);
    try {
      const bus = createInProcessBus(silentLogger, { ...fast, duplicateWindowMs: 1_000 });
      const seen: string[] = [];
      bus.subscribe("connect.>", async (e) => void seen.push(e.id));
      const e = event("connect.connection.created");
      await bus.publish(e);
      await bus.publish({ ...e });
      await bus.idle();
      expect(seen).toEqual([e.id]);
      now = 1_000;
      await bus.publish(e);
      await bus.idle();
      expect(seen).toEqual([e.id, e.id]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("stops delivering to an unsubscribed handler", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    const seen: string[] = [];
    const unsubscribe = bus.subscribe("connect.>", async (e) => void seen.push(e.subject));
    await bus.publish(event("connect.a.x"));
    await bus.idle();
    unsubscribe();
    await bus.publish(event("connect.b.x"));
    await bus.idle();
    expect(seen).toEqual(["connect.a.x"]);
  });

  it("rejects malformed events and patterns, and publishes after close", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    expect(() => bus.subscribe("connect.>.x", async () => undefined)).toThrow(TypeError);
    await expect(bus.publish({ ...event("connect.a.x"), id: "not-a-uuid" })).rejects.toBeInstanceOf(TypeError);
    await bus.close();
    await expect(bus.publish(event("connect.a.x"))).rejects.toThrow(/closed/);
  });

  it("close waits for deliveries in progress", async () => {
    const bus = createInProcessBus(silentLogger, fast);
    let finished = false;
    bus.subscribe("connect.>", async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    });
    await bus.publish(event("connect.a.x"));
    await bus.close();
    expect(finished).toBe(true);
  });

  it("never logs payload bytes when a handler fails", async () => {
    const logs = captureLogs();
    const bus = createInProcessBus(logs.logger, { ...fast, maxAttempts: 2 });
    const marker = "MARKER-inproc-7kq2";
    bus.subscribe("connect.>", async () => {
      throw new Error("handler rejected the event");
    });
    await bus.publish(event("connect.a.x", "k", `payload ${marker} payload`));
    await bus.idle();
    expect(logs.records().length).toBeGreaterThan(0);
    for (const form of markerForms(marker)) expect(logs.text()).not.toContain(form);
  });
});
