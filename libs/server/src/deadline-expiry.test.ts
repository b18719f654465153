import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deadlineOf } from "./deadline-expiry.js";

describe("deadlineOf", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is undefined without a timeout", () => {
    expect(deadlineOf(undefined)).toBeUndefined();
  });

  it("counts a call ending in the last half of a short timeout as ended by the deadline", () => {
    const deadline = deadlineOf(200)!;
    vi.advanceTimersByTime(99);
    expect(deadline.reached()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.reached()).toBe(true);
  });

  it("allows at most the last second of a long timeout", () => {
    const deadline = deadlineOf(30_000)!;
    vi.advanceTimersByTime(28_999);
    expect(deadline.reached()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(deadline.reached()).toBe(true);
  });
});
