import { describe, expect, it } from "vitest";
import { assertSubjectPattern, subjectMatches } from "./subject-pattern.js";

describe("subjectMatches", () => {
  it.each([
    ["connect.>", "connect.connection.created", true],
    ["connect.>", "connect.x", true],
    ["connect.>", "connect", false],
    ["connect.>", "other.connection.created", false],
    ["connect.connection.*", "connect.connection.created", true],
    ["connect.connection.*", "connect.connection.created.extra", false],
    ["connect.connection.*", "connect.connection", false],
    ["connect.*.created", "connect.connection.created", true],
    ["connect.*.created", "connect.connection.deleted", false],
    ["connect.connection.created", "connect.connection.created", true],
    ["connect.connection.created", "connect.connection.deleted", false],
    ["connect.connection.created", "connect.connection", false],
    [">", "anything.at.all", true],
    ["*", "one", true],
    ["*", "one.two", false],
  ])("%s matches %s: %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });

  // ensureStream asks whether a stream's filter already covers ours.
  it.each([
    ["connect.>", "connect.>", true],
    ["connect.>", "connect.connection.>", true],
    ["connect.>", "connect.*", true],
    ["connect.*", "connect.>", false],
    ["connect.connection.>", "connect.>", false],
    ["connect.*.created", "connect.*.created", true],
    ["connect.connection.created", "connect.*", false],
    [">", "connect.>", true],
  ])("filter %s covers %s: %s", (pattern, filter, expected) => {
    expect(subjectMatches(pattern, filter)).toBe(expected);
  });
});

describe("assertSubjectPattern", () => {
  it.each(["connect.>", "connect.connection.*", "*.x", ">", "a.b.c"])("accepts %s", (pattern) => {
    expect(() => assertSubjectPattern(pattern)).not.toThrow();
  });

  it.each(["", "connect.", ".connect", "connect..x", "connect.>.x", "conn*.x", "a b", "connect.x>"])("rejects %j", (pattern) => {
    expect(() => assertSubjectPattern(pattern)).toThrow(TypeError);
  });
});
