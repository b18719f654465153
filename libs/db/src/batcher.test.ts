import { describe, expect, it } from "vitest";
import { createBatcher } from "./batcher.js";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createBatcher", () => {
  it("runs what arrives in one turn as one batch, and what queues behind a running batch as the next", async () => {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const batcher = createBatcher<number, string>({
      maxBatch: 100,
      maxInFlight: 1,
      run: async (items) => {
        batches.push([...items]);
        if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
        return items.map((i) => `r${i}`);
      },
    });
    const first = [1, 2, 3].map((i) => batcher.add(i));
    await tick();
    const second = [4, 5].map((i) => batcher.add(i));
    await tick();
    expect(batches, "the second group waits for the running batch").toEqual([[1, 2, 3]]);
    expect(batcher.queued).toBe(2);
    release!();
    expect(await Promise.all([...first, ...second])).toEqual(["r1", "r2", "r3", "r4", "r5"]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("never puts more than maxBatch items in one batch", async () => {
    const sizes: number[] = [];
    const batcher = createBatcher<number, number>({ maxBatch: 4, maxInFlight: 2, run: async (items) => (sizes.push(items.length), items) });
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.add(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it("fails every item of a failed batch with its error, and runs the next batch afresh", async () => {
    let calls = 0;
    const batcher = createBatcher<number, number>({
      maxBatch: 10,
      maxInFlight: 1,
      run: async (items) => {
        if (++calls === 1) throw new Error("statement failed");
        return items;
      },
    });
    const failed = await Promise.allSettled([batcher.add(1), batcher.add(2)]);
    expect(failed.map((r) => (r.status === "rejected" ? (r.reason as Error).message : "ok"))).toEqual(["statement failed", "statement failed"]);
    expect(await batcher.add(3)).toBe(3);
  });

  it("refuses a batch that returns the wrong number of results", async () => {
    const batcher = createBatcher<number, number>({ maxBatch: 10, maxInFlight: 1, run: async () => [] });
    await expect(batcher.add(1)).rejects.toThrow(/returned 0 results/);
  });

  it("under load a batch lingers for more items, runs at once when it fills up, and an idle batcher never lingers", async () => {
    const batches: number[][] = [];
    const batcher = createBatcher<number, number>({ maxBatch: 6, maxInFlight: 1, lingerMs: 10_000, run: async (items) => (batches.push([...items]), items) });
    // Idle: the first batch runs at the next turn, whatever its size.
    await Promise.all([1, 2, 3, 4].map((i) => batcher.add(i)));
    expect(batches).toEqual([[1, 2, 3, 4]]);
    // The last batch held four items, so the next one lingers (10 s here) ...
    const lingering = [5, 6].map((i) => batcher.add(i));
    await tick();
    await tick();
    expect(batches, "a batch after load waits for more items").toHaveLength(1);
    // ... until it is full, when it runs without waiting out the linger.
    const filling = [7, 8, 9, 10].map((i) => batcher.add(i));
    expect(await Promise.all([...lingering, ...filling])).toEqual([5, 6, 7, 8, 9, 10]);
    expect(batches[1]).toEqual([5, 6, 7, 8, 9, 10]);
  });
});
