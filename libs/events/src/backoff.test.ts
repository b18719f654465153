import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";

describe("backoffDelay", () => {
  it("doubles from the base and stops at the cap", () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1_000, top))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("randomizes the upper half only", () => {
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(200);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(300);
  });

  it("stays finite after very many failures", () => {
    expect(backoffDelay(10_000, 250, 30_000, () => 1)).toBe(30_000);
  });
});
