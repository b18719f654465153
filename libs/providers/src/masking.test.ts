import { describe, expect, it } from "vitest";
import { maskAccessKeyIdsIn, maskIdentifier, maskSecret } from "./masking.js";

describe("maskIdentifier", () => {
  it("keeps the first and last 4 characters", () => {
    expect(maskIdentifier("AKIAIOSFODNN7EXAMPLE")).toBe("AKIA************MPLE");
    expect(maskIdentifier("abcdefghijkl")).toBe("abcd****ijkl");
  });
  it("hides short values completely and leaves empty ones empty", () => {
    expect(maskIdentifier("abcdefghijk")).toBe("****");
    expect(maskIdentifier("")).toBe("");
  });
});

describe("maskSecret", () => {
  it("shows only the last 4 characters", () => {
    expect(maskSecret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe("****EKEY");
    expect(maskSecret("abcdefghijkl")).toBe("****ijkl");
  });
  it("hides values under 12 characters completely and leaves empty ones empty", () => {
    expect(maskSecret("abcdefghijk")).toBe("****");
    expect(maskSecret("")).toBe("");
  });
  it("counts characters, not UTF-16 units", () => {
    expect(maskSecret(`${"x".repeat(8)}\u{1F511}\u{1F512}\u{1F513}\u{1F514}`)).toBe("****\u{1F511}\u{1F512}\u{1F513}\u{1F514}");
  });
});

describe("maskAccessKeyIdsIn", () => {
  it("replaces every long-term and temporary key id in free text with its hint", () => {
    expect(maskAccessKeyIdsIn("AWS does not recognise access key ID AKIAIOSFODNN7EXAMPLE: check it (also ASIAJEXAMPLEXEG2JICE).")).toBe(
      "AWS does not recognise access key ID AKIA************MPLE: check it (also ASIA************JICE).",
    );
  });
  it("leaves hints, other ids and longer runs alone", () => {
    const text = "key AKIA************MPLE, role AROAEXAMPLEID1234567, run XAKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPLEX";
    expect(maskAccessKeyIdsIn(text)).toBe(text);
  });
});
