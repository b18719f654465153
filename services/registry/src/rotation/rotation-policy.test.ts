import { describe, expect, it } from "vitest";
import { RotationDueReason } from "@planton/proto/planton/connect/v1/connection_pb";
import { rotationDueReasons } from "./rotation-policy.js";

const DAY = 86_400_000;
const now = new Date("2027-06-01T00:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const ahead = (days: number) => new Date(now.getTime() + days * DAY);
const policy = { maxAgeDays: 90, expiryWarningDays: 14 };

describe("rotationDueReasons", () => {
  it("is empty for a young credential without expiry, and for nothing sealed", () => {
    expect(rotationDueReasons({ sealedAt: ago(89), createdAt: null, expiresAt: null }, policy, now)).toEqual([]);
    expect(rotationDueReasons({ sealedAt: null, createdAt: ago(400), expiresAt: ago(1) }, policy, now)).toEqual([]);
  });

  it("counts the age from the seal time, or from the provider's creation time when it reported one", () => {
    expect(rotationDueReasons({ sealedAt: ago(90), createdAt: null, expiresAt: null }, policy, now)).toEqual([RotationDueReason.AGE]);
    expect(rotationDueReasons({ sealedAt: ago(3), createdAt: ago(200), expiresAt: null }, policy, now)).toEqual([RotationDueReason.AGE]);
    expect(rotationDueReasons({ sealedAt: ago(100), createdAt: ago(10), expiresAt: null }, policy, now)).toEqual([]);
  });

  it("is due for expiry within the warning window and after expiry, and both reasons can hold", () => {
    expect(rotationDueReasons({ sealedAt: ago(1), createdAt: null, expiresAt: ahead(15) }, policy, now)).toEqual([]);
    expect(rotationDueReasons({ sealedAt: ago(1), createdAt: null, expiresAt: ahead(14) }, policy, now)).toEqual([RotationDueReason.EXPIRY]);
    expect(rotationDueReasons({ sealedAt: ago(1), createdAt: null, expiresAt: ago(2) }, policy, now)).toEqual([RotationDueReason.EXPIRY]);
    expect(rotationDueReasons({ sealedAt: ago(120), createdAt: null, expiresAt: ahead(1) }, policy, now)).toEqual([
      RotationDueReason.AGE,
      RotationDueReason.EXPIRY,
    ]);
  });

  it("honours other thresholds", () => {
    const strict = { maxAgeDays: 30, expiryWarningDays: 0 };
    expect(rotationDueReasons({ sealedAt: ago(31), createdAt: null, expiresAt: ahead(1) }, strict, now)).toEqual([RotationDueReason.AGE]);
  });
});
