import { create } from "@bufbuild/protobuf";
import { ConnectionSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import type { RegistryLookup } from "../ports.js";
import { createConnectionCache, type LookedUpConnection } from "./connection-cache.js";

// A registry whose lookups the test answers by hand, each answer naming the
// lookup that produced it, so a test can tell a cached value from a fresh one.
function manualRegistry() {
  const calls: { orgId: string; connectionId: string; answer: (name: string) => void }[] = [];
  const registry: RegistryLookup = {
    lookup: (orgId, connectionId) =>
      new Promise<LookedUpConnection>((resolve) => {
        calls.push({
          orgId,
          connectionId,
          answer: (name) => resolve({ connection: create(ConnectionSchema, { id: connectionId, orgId, name }), publicSpec: create(ConnectionSpecSchema) }),
        });
      }),
  };
  return { registry, calls };
}

describe("connection cache", () => {
  it("serves a looked-up connection until its TTL passes, then looks it up again", async () => {
    let clock = 1_000;
    const { registry, calls } = manualRegistry();
    const cache = createConnectionCache(registry, { ttlMs: 5_000, maxEntries: 10, now: () => clock });
    const first = cache.get("org-a", "awsconn_1");
    calls[0]!.answer("first");
    expect((await first).connection.name).toBe("first");
    clock += 4_999;
    expect((await cache.get("org-a", "awsconn_1")).connection.name).toBe("first");
    expect(calls).toHaveLength(1);
    clock += 1;
    const again = cache.get("org-a", "awsconn_1");
    expect(calls, "an expired entry is looked up again").toHaveLength(2);
    calls[1]!.answer("second");
    expect((await again).connection.name).toBe("second");
  });

  it("keeps organizations apart and shares one lookup between concurrent callers", async () => {
    const { registry, calls } = manualRegistry();
    const cache = createConnectionCache(registry, { ttlMs: 5_000, maxEntries: 10 });
    const a1 = cache.get("org-a", "awsconn_1");
    const a2 = cache.get("org-a", "awsconn_1");
    const b = cache.get("org-b", "awsconn_1");
    expect(calls.map((c) => c.orgId)).toEqual(["org-a", "org-b"]);
    calls[0]!.answer("a");
    calls[1]!.answer("b");
    expect([(await a1).connection.orgId, (await a2).connection.orgId, (await b).connection.orgId]).toEqual(["org-a", "org-a", "org-b"]);
  });

  it("never stores what a lookup started before an invalidation returns", async () => {
    const { registry, calls } = manualRegistry();
    const cache = createConnectionCache(registry, { ttlMs: 5_000, maxEntries: 10 });
    const before = cache.get("org-a", "awsconn_1");
    // An event of the connection is applied while the lookup is in flight.
    cache.invalidate("org-a", "awsconn_1");
    const after = cache.get("org-a", "awsconn_1");
    expect(calls, "a caller after the event does not join the stale lookup").toHaveLength(2);
    calls[1]!.answer("after the event");
    calls[0]!.answer("before the event");
    expect((await before).connection.name).toBe("before the event");
    expect((await after).connection.name).toBe("after the event");
    expect((await cache.get("org-a", "awsconn_1")).connection.name, "the cache holds the post-event answer").toBe("after the event");
    expect(calls).toHaveLength(2);
  });

  it("drops an entry on invalidation, evicts the oldest beyond maxEntries, and caches nothing with a TTL of 0", async () => {
    const { registry, calls } = manualRegistry();
    const cache = createConnectionCache(registry, { ttlMs: 5_000, maxEntries: 2 });
    for (const id of ["c1", "c2", "c3"]) {
      const got = cache.get("org-a", id);
      calls.at(-1)!.answer(id);
      await got;
    }
    expect(calls).toHaveLength(3);
    void cache.get("org-a", "c1");
    expect(calls, "c1 was evicted as the oldest").toHaveLength(4);
    await cache.get("org-a", "c3");
    expect(calls).toHaveLength(4);
    cache.invalidate("org-a", "c3");
    void cache.get("org-a", "c3");
    expect(calls).toHaveLength(5);

    const off = manualRegistry();
    const uncached = createConnectionCache(off.registry, { ttlMs: 0, maxEntries: 2 });
    const one = uncached.get("org-a", "c1");
    off.calls[0]!.answer("c1");
    await one;
    void uncached.get("org-a", "c1");
    expect(off.calls).toHaveLength(2);
  });
});
