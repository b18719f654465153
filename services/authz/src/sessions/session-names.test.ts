import { describe, expect, it } from "vitest";
import { roleSessionNameOf, sessionTagValueOf, sourceIdentityOf } from "./session-names.js";

// STS's RoleSessionName / SourceIdentity rule and IAM's tag value rule.
const NAME = /^[\w+=,.@-]{2,64}$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

describe("session names", () => {
  it("uses a deployment id that fits STS's rule as it is", () => {
    expect(roleSessionNameOf("deploy-42")).toBe("deploy-42");
    expect(roleSessionNameOf("a.b_c@d=e,f+g")).toBe("a.b_c@d=e,f+g");
    expect(roleSessionNameOf("x".repeat(64))).toBe("x".repeat(64));
  });

  it("replaces refused characters, cuts to 64 and adds a hash of the whole id, so changed ids stay distinct", () => {
    const colon = roleSessionNameOf("build:7");
    expect(colon).toMatch(/^build-7-[0-9a-f]{12}$/);
    expect(colon).not.toBe(roleSessionNameOf("build-7"));
    expect(roleSessionNameOf("build:7")).toBe(colon); // deterministic
    const a = roleSessionNameOf("y".repeat(65));
    const b = roleSessionNameOf("y".repeat(66));
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(a.startsWith("y".repeat(51) + "-")).toBe(true);
    for (const id of ["a", "build:7", "y".repeat(128), "päivä", "a b", ""]) expect(roleSessionNameOf(id)).toMatch(NAME);
  });

  it("makes any token subject a valid SourceIdentity that cannot start with aws:", () => {
    expect(sourceIdentityOf("deployer@org-1")).toBe("deployer@org-1");
    const reserved = sourceIdentityOf("aws:someone");
    expect(reserved).toMatch(NAME);
    expect(reserved.startsWith("aws:")).toBe(false);
    for (const subject of ["auth0|5f7c8ec7c33c6c004bbafe82", "s", "user with spaces", "x".repeat(300)]) expect(sourceIdentityOf(subject)).toMatch(NAME);
  });

  it("keeps tag values IAM accepts (colons, spaces, letters of any script) and fits the others", () => {
    expect(sessionTagValueOf("build:7")).toBe("build:7");
    expect(sessionTagValueOf("Büro prod")).toBe("Büro prod");
    expect(sessionTagValueOf("org#1")).toMatch(/^org-1-[0-9a-f]{12}$/);
    expect(sessionTagValueOf("z".repeat(300))).toHaveLength(256);
    for (const value of ["org#1", "z".repeat(300), "a|b"]) expect(sessionTagValueOf(value)).toMatch(TAG_VALUE);
  });
});
