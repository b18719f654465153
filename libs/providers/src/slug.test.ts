import { describe, expect, it } from "vitest";
import { MAX_SLUG_LENGTH, slugify } from "./slug.js";

describe("slugify (shared by the registry and the web console)", () => {
  it("lowercases, drops accents and turns every other run into one dash", () => {
    expect(slugify("AWS Production")).toBe("aws-production");
    expect(slugify("Équipe  Données / Prod!")).toBe("equipe-donnees-prod");
    expect(slugify("--gcp__analytics--")).toBe("gcp-analytics");
  });

  it("returns an empty slug for a name without letters or digits", () => {
    expect(slugify("日本語")).toBe("");
    expect(slugify("!!!")).toBe("");
  });

  it("cuts at 63 characters without a trailing dash", () => {
    const slug = slugify(`${"a".repeat(62)} b`);
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toBe("a".repeat(62));
    expect(slug.endsWith("-")).toBe(false);
  });
});
