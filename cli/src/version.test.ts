import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { VERSION } from "./version.js";

describe("VERSION", () => {
  it("is the package's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
