import { describe, expect, it } from "vitest";
import { createDataKeyCache, type DataKeyCacheOptions } from "./data-key-cache.js";

const key = (fill: number) => new Uint8Array(32).fill(fill);

/** A load function that counts its calls and returns a fresh key each time. */
function counter(fill = 7) {
  const state = { calls: 0 };
  const load = async () => {
    state.calls++;
    return key(fill);
  };
  return { state, load };
}

/** A promise resolved or rejected from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const defaults: DataKeyCacheOptions = { maxEntries: 10, maxAgeMs: 60_000, maxUses: 1000 };
const cache = (options: Partial<DataKeyCacheOptions> = {}) => createDataKeyCache({ ...defaults, ...options });

describe("createDataKeyCache", () => {
  it("loads on a miss, serves from memory on a hit, and counts both", async () => {
    const c = cache();
    const { state, load } = counter(3);
    expect(c.stats()).toEqual({ hits: 0, misses: 0, evictions: 0, size: 0 });
    expect(await c.get("k", load)).toEqual(key(3));
    expect(c.stats()).toEqual({ hits: 0, misses: 1, evictions: 0, size: 1 });
    expect(await c.get("k", load)).toEqual(key(3));
    expect(await c.get("k", load)).toEqual(key(3));
    expect(state.calls).toBe(1);
    expect(c.stats()).toEqual({ hits: 2, misses: 1, evictions: 0, size: 1 });
  });

  it("keeps keys apart by cache key", async () => {
    const c = cache();
    const a = counter(1);
    const b = counter(2);
    expect(await c.get("a", a.load)).toEqual(key(1));
    expect(await c.get("b", b.load)).toEqual(key(2));
    expect(await c.get("a", b.load)).toEqual(key(1));
    expect(a.state.calls).toBe(1);
    expect(b.state.calls).toBe(1);
    expect(c.stats()).toEqual({ hits: 1, misses: 2, evictions: 0, size: 2 });
  });

  it("shares one load between concurrent misses for the same key", async () => {
    const c = cache();
    const pending = deferred<Uint8Array>();
    let calls = 0;
    const load = () => {
      calls++;
      return pending.promise;
    };
    const waiters = [c.get("k", load), c.get("k", load), c.get("k", load)];
    expect(calls).toBe(1);
    pending.resolve(key(9));
    const results = await Promise.all(waiters);
    for (const result of results) expect(result).toEqual(key(9));
    // Every waiter has its own copy.
    expect(results[0]).not.toBe(results[1]);
    expect(results[1]).not.toBe(results[2]);
    expect(calls).toBe(1);
    expect(c.stats().misses).toBe(3);
    // Afterwards the key is cached.
    expect(await c.get("k", load)).toEqual(key(9));
    expect(calls).toBe(1);
  });

  it("does not share loads between different keys", async () => {
    const c = cache();
    const a = deferred<Uint8Array>();
    const b = deferred<Uint8Array>();
    const getA = c.get("a", () => a.promise);
    const getB = c.get("b", () => b.promise);
    b.resolve(key(2));
    a.resolve(key(1));
    expect(await getA).toEqual(key(1));
    expect(await getB).toEqual(key(2));
  });

  it("does not cache a failed load, and every concurrent waiter sees the failure", async () => {
    const c = cache();
    const pending = deferred<Uint8Array>();
    let calls = 0;
    const failing = () => {
      calls++;
      return pending.promise;
    };
    const waiters = [c.get("k", failing), c.get("k", failing), c.get("k", failing)];
    const boom = new Error("kms refused");
    pending.reject(boom);
    const outcomes = await Promise.allSettled(waiters);
    expect(calls).toBe(1);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBe(boom);
    }
    expect(c.stats().size).toBe(0);

    const { state, load } = counter(5);
    expect(await c.get("k", load)).toEqual(key(5));
    expect(state.calls).toBe(1);
    expect(await c.get("k", load)).toEqual(key(5));
    expect(state.calls).toBe(1);
  });

  it("retries after a load that throws synchronously", async () => {
    const c = cache();
    await expect(
      c.get("k", () => {
        throw new Error("sync failure");
      }),
    ).rejects.toThrow("sync failure");
    const { state, load } = counter(4);
    expect(await c.get("k", load)).toEqual(key(4));
    expect(state.calls).toBe(1);
  });

  it("evicts the least recently used key beyond maxEntries", async () => {
    const c = cache({ maxEntries: 2 });
    const loads: Record<string, number> = { a: 0, b: 0, c: 0 };
    const loader = (name: string, fill: number) => async () => {
      loads[name] = (loads[name] ?? 0) + 1;
      return key(fill);
    };
    await c.get("a", loader("a", 1));
    await c.get("b", loader("b", 2));
    // Touch "a": "b" becomes the least recently used.
    await c.get("a", loader("a", 1));
    await c.get("c", loader("c", 3));
    expect(c.stats().size).toBe(2);
    // "a" and "c" are still cached, "b" was evicted.
    await c.get("a", loader("a", 1));
    await c.get("c", loader("c", 3));
    expect(loads).toEqual({ a: 1, b: 1, c: 1 });
    expect(await c.get("b", loader("b", 2))).toEqual(key(2));
    expect(loads["b"]).toBe(2);
    // Loading "b" again pushed out the least recently used of a and c: "a".
    await c.get("c", loader("c", 3));
    expect(loads["c"]).toBe(1);
    await c.get("a", loader("a", 1));
    expect(loads["a"]).toBe(2);
  });

  it("drops a key once maxAgeMs has passed since it was loaded", async () => {
    let now = 1_000_000;
    const c = cache({ maxAgeMs: 1000, now: () => now });
    const { state, load } = counter();
    await c.get("k", load);
    now += 999;
    await c.get("k", load);
    expect(state.calls).toBe(1);
    now += 1; // exactly maxAgeMs after loading
    await c.get("k", load);
    expect(state.calls).toBe(2);
    expect(c.stats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
    // The age restarts at the new load.
    now += 500;
    await c.get("k", load);
    expect(state.calls).toBe(2);
  });

  it("does not extend a key's age when it is read", async () => {
    let now = 0;
    const c = cache({ maxAgeMs: 1000, now: () => now });
    const { state, load } = counter();
    await c.get("k", load);
    for (let i = 0; i < 4; i++) {
      now += 300;
      await c.get("k", load);
    }
    // Reads at 300, 600, 900 hit; the read at 1200 reloads.
    expect(state.calls).toBe(2);
  });

  it("serves a key at most maxUses times per load (the load counts as a use)", async () => {
    const c = cache({ maxUses: 3 });
    const { state, load } = counter();
    for (let i = 0; i < 3; i++) await c.get("k", load);
    expect(state.calls).toBe(1);
    await c.get("k", load);
    expect(state.calls).toBe(2);
    expect(c.stats()).toMatchObject({ hits: 2, misses: 2 });
  });

  it("counts evictions by capacity, use limit and evict(), not by clear()", async () => {
    const c = cache({ maxEntries: 1, maxUses: 2 });
    const { load } = counter(1);
    await c.get("a", load);
    await c.get("b", load); // "a" goes: over capacity
    expect(c.stats().evictions).toBe(1);
    await c.get("b", load); // second use of "b"
    await c.get("b", load); // "b" used up: dropped, loaded again
    expect(c.stats().evictions).toBe(2);
    c.evict("b");
    c.evict("b"); // nothing left to evict
    expect(c.stats().evictions).toBe(3);
    await c.get("c", load);
    c.clear();
    expect(c.stats()).toMatchObject({ evictions: 3, size: 0 });
  });

  it("with maxUses 1 loads on every read", async () => {
    const c = cache({ maxUses: 1 });
    const { state, load } = counter();
    for (let i = 0; i < 3; i++) await c.get("k", load);
    expect(state.calls).toBe(3);
  });

  it("with maxEntries 0 caches nothing but still shares concurrent loads", async () => {
    const c = cache({ maxEntries: 0 });
    const { state, load } = counter(6);
    expect(await c.get("k", load)).toEqual(key(6));
    expect(await c.get("k", load)).toEqual(key(6));
    expect(state.calls).toBe(2);
    expect(c.stats()).toEqual({ hits: 0, misses: 2, evictions: 0, size: 0 });

    const pending = deferred<Uint8Array>();
    let calls = 0;
    const shared = () => {
      calls++;
      return pending.promise;
    };
    const both = Promise.all([c.get("j", shared), c.get("j", shared)]);
    pending.resolve(key(8));
    expect(await both).toEqual([key(8), key(8)]);
    expect(calls).toBe(1);
  });

  it("returns copies: mutating a returned key does not change the next one", async () => {
    const c = cache();
    const { load } = counter(7);
    const first = await c.get("k", load);
    first.fill(0xff);
    const second = await c.get("k", load);
    expect(second).toEqual(key(7));
    second.fill(0);
    expect(await c.get("k", load)).toEqual(key(7));
  });

  it("does not keep a reference to the loaded array", async () => {
    const c = cache();
    const original = key(7);
    const got = await c.get("k", async () => original);
    expect(got).not.toBe(original);
    original.fill(0xaa);
    got.fill(0xbb);
    expect(await c.get("k", async () => key(1))).toEqual(key(7));
  });

  it("zeroes the array returned by load once every waiter has copied it", async () => {
    const c = cache();
    const original = key(7);
    const got = await c.get("k", async () => original);
    expect(got).toEqual(key(7));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(original).toEqual(new Uint8Array(32));
    expect(got).toEqual(key(7));
  });

  it("evict() drops one key: the next get loads again", async () => {
    const c = cache();
    const a = counter(1);
    const b = counter(2);
    await c.get("a", a.load);
    await c.get("b", b.load);
    c.evict("a");
    expect(c.stats().size).toBe(1);
    await c.get("a", a.load);
    await c.get("b", b.load);
    expect(a.state.calls).toBe(2);
    expect(b.state.calls).toBe(1);
    expect(() => c.evict("unknown")).not.toThrow();
  });

  it("clear() drops every key", async () => {
    const c = cache();
    const a = counter(1);
    const b = counter(2);
    await c.get("a", a.load);
    await c.get("b", b.load);
    c.clear();
    expect(c.stats().size).toBe(0);
    expect(await c.get("a", a.load)).toEqual(key(1));
    expect(await c.get("b", b.load)).toEqual(key(2));
    expect(a.state.calls).toBe(2);
    expect(b.state.calls).toBe(2);
  });

  it("a key evicted or cleared does not affect copies already handed out", async () => {
    const c = cache();
    const got = await c.get("k", counter(7).load);
    c.evict("k");
    const again = await c.get("k", counter(7).load);
    c.clear();
    expect(got).toEqual(key(7));
    expect(again).toEqual(key(7));
  });

  // evict() is how a destroyed version's key leaves the cache; a load that was
  // in flight when evict() ran must not put the key back afterwards.
  it("evict() during an in-flight load keeps the loaded key out of the cache", async () => {
    const c = cache();
    const pending = deferred<Uint8Array>();
    const inFlight = c.get("k", () => pending.promise);
    c.evict("k");
    pending.resolve(key(7));
    expect(await inFlight).toEqual(key(7));
    const { state, load } = counter(7);
    await c.get("k", load);
    expect(state.calls).toBe(1);
  });

  it("clear() during an in-flight load keeps the loaded key out of the cache", async () => {
    const c = cache();
    const pending = deferred<Uint8Array>();
    const inFlight = c.get("k", () => pending.promise);
    c.clear();
    pending.resolve(key(7));
    await inFlight;
    expect(c.stats().size).toBe(0);
  });
});
