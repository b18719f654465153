import { describe, expect, it } from "vitest";
import { createSetupTokens } from "./setup-tokens.js";

const key = Buffer.alloc(32, 7);
const expires = new Date("2026-11-27T15:10:00.123Z");

describe("setup tokens", () => {
  it("match only the setup id, expiry and key they were minted for", () => {
    const tokens = createSetupTokens(key);
    const token = tokens.mint("awstrust_a", expires);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.matches(token, "awstrust_a", expires)).toBe(true);
    expect(tokens.matches(token, "awstrust_b", expires)).toBe(false);
    expect(tokens.matches(token, "awstrust_a", new Date(expires.getTime() + 1))).toBe(false);
    expect(createSetupTokens(Buffer.alloc(32, 8)).matches(token, "awstrust_a", expires)).toBe(false);
  });

  it("refuses any altered or malformed token without throwing", () => {
    const tokens = createSetupTokens(key);
    const token = tokens.mint("awstrust_a", expires);
    for (let i = 0; i < token.length; i++) {
      const flipped = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
      expect(tokens.matches(flipped, "awstrust_a", expires)).toBe(false);
    }
    for (const bad of ["", "x", token.slice(1), `${token}A`, token.replace(/.$/, "="), "é".repeat(43)]) {
      expect(tokens.matches(bad, "awstrust_a", expires)).toBe(false);
    }
  });

  it("needs a key of at least 32 bytes", () => {
    expect(() => createSetupTokens(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});
