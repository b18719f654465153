import { describe, expect, it } from "vitest";
import { isHeaderSafe, parseEpochReset, parseRetryAfter, redact } from "../src/checks/http-call.js";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  it("reads delta-seconds (integer or fractional)", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter(" 1.5 ", now)).toBe(1500);
  });
  it("reads an HTTP date, clamping the past to 0", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 11:00:00 GMT", now)).toBe(0);
  });
  it("ignores absent or garbage values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
  });
});

describe("helpers", () => {
  it("parseEpochReset converts epoch seconds to ms from now", () => {
    expect(parseEpochReset("1767268860", 1767268800_000)).toBe(60_000);
    expect(parseEpochReset("x")).toBeUndefined();
  });
  it("isHeaderSafe refuses line breaks and surrounding spaces", () => {
    expect(isHeaderSafe("abc")).toBe(true);
    expect(isHeaderSafe("abc\n")).toBe(false);
    expect(isHeaderSafe(" abc")).toBe(false);
  });
  it("redact removes every occurrence of each secret", () => {
    expect(redact("a SECRET b SECRET", ["SECRET"])).toBe("a [redacted] b [redacted]");
  });
});
