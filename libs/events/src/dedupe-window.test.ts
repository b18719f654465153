import { describe, expect, it } from "vitest";
import { createDedupeWindow } from "./dedupe-window.js";

describe("createDedupeWindow", () => {
  it("reports an id as new once within the window and new again after it", () => {
    let now = 1_000;
    const window = createDedupeWindow(100, () => now);
    expect(window.firstSeen("a")).toBe(true);
    expect(window.firstSeen("a")).toBe(false);
    expect(window.firstSeen("b")).toBe(true);
    now += 99;
    expect(window.firstSeen("a")).toBe(false);
    now += 1;
    expect(window.firstSeen("a")).toBe(true);
  });

  // The window counts from the first sighting, as JetStream's does; a
  // duplicate does not extend it.
  it("does not extend an id's window when it is seen again", () => {
    let now = 0;
    const window = createDedupeWindow(100, () => now);
    window.firstSeen("a");
    now = 60;
    expect(window.firstSeen("a")).toBe(false);
    now = 100;
    expect(window.firstSeen("a")).toBe(true);
  });
});
