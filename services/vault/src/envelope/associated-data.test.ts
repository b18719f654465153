import { describe, expect, it } from "vitest";
import { associatedData, encryptionContext, FORMAT_VERSION, type RecordAddress } from "./associated-data.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const base: RecordAddress = { orgId: "org-1", connectionId: "conn-1", version: 1 };

describe("associatedData", () => {
  it("writes format version 1", () => {
    expect(FORMAT_VERSION).toBe(1);
  });

  it("is deterministic", () => {
    expect(hex(associatedData(1, base))).toBe(hex(associatedData(1, { ...base })));
  });

  it("has the documented layout: magic, format, length-prefixed org and connection, 32-bit version", () => {
    const out = Buffer.from(associatedData(1, { orgId: "ab", connectionId: "xyz", version: 0x01020304 }));
    const magic = Buffer.from("planton.vault.credential");
    const expected = Buffer.concat([magic, Buffer.of(1), Buffer.of(0, 2), Buffer.from("ab"), Buffer.of(0, 3), Buffer.from("xyz"), Buffer.of(1, 2, 3, 4)]);
    expect(out.toString("hex")).toBe(expected.toString("hex"));
  });

  it("counts UTF-8 bytes, not characters, in the length prefixes", () => {
    const out = Buffer.from(associatedData(1, { orgId: "é", connectionId: "", version: 1 }));
    const magicLength = "planton.vault.credential".length;
    expect(out.readUInt16BE(magicLength + 1)).toBe(2);
    expect(out).toHaveLength(magicLength + 1 + 2 + 2 + 2 + 4);
  });

  it("differs for every change of org, connection, version or format version", () => {
    const variants: [number, RecordAddress][] = [
      [1, base],
      [2, base],
      [0, base],
      [1, { ...base, orgId: "org-2" }],
      [1, { ...base, orgId: "Org-1" }],
      [1, { ...base, orgId: "" }],
      [1, { ...base, connectionId: "conn-2" }],
      [1, { ...base, connectionId: "" }],
      [1, { ...base, version: 2 }],
      [1, { ...base, version: 0 }],
      [1, { ...base, version: 256 }],
      [1, { ...base, version: 65536 }],
      [1, { ...base, version: 0xffffffff }],
      [1, { orgId: "conn-1", connectionId: "org-1", version: 1 }],
    ];
    const encodings = variants.map(([format, address]) => hex(associatedData(format, address)));
    expect(new Set(encodings).size).toBe(variants.length);
  });

  it("is unambiguous where org and connection meet (length prefixes)", () => {
    const pairs: [string, string][] = [
      ["ab", "c"],
      ["a", "bc"],
      ["abc", ""],
      ["", "abc"],
      ["a\u0000", "bc"],
      ["a", "\u0000bc"],
      ["a\u0001", "c"],
      ["a", "\u0001c"],
    ];
    const encodings = pairs.map(([orgId, connectionId]) => hex(associatedData(1, { orgId, connectionId, version: 1 })));
    expect(new Set(encodings).size).toBe(pairs.length);
  });

  it("does not let a connection id absorb the version", () => {
    const a = hex(associatedData(1, { orgId: "o", connectionId: "c\u0000\u0000\u0000", version: 1 }));
    const b = hex(associatedData(1, { orgId: "o", connectionId: "c", version: 1 }));
    expect(a).not.toBe(b);
  });

  it("refuses values that do not fit their fields instead of truncating them", () => {
    expect(() => associatedData(256, base)).toThrow(RangeError);
    expect(() => associatedData(-1, base)).toThrow(RangeError);
    expect(() => associatedData(1, { ...base, version: -1 })).toThrow(RangeError);
    expect(() => associatedData(1, { ...base, version: 2 ** 32 })).toThrow(RangeError);
    expect(() => associatedData(1, { ...base, orgId: "x".repeat(65536) })).toThrow(RangeError);
  });
});

describe("encryptionContext", () => {
  it("has exactly org_id and connection_id", () => {
    const ctx = encryptionContext({ orgId: "org-1", connectionId: "conn-1" });
    expect(ctx).toEqual({ org_id: "org-1", connection_id: "conn-1" });
    expect(Object.keys(ctx).sort()).toEqual(["connection_id", "org_id"]);
  });

  it("ignores the version and any other field of a full address", () => {
    const address = { orgId: "org-1", connectionId: "conn-1", version: 7, payload: "zq7x" } as RecordAddress;
    expect(encryptionContext(address)).toEqual({ org_id: "org-1", connection_id: "conn-1" });
  });

  it("holds string values only", () => {
    for (const value of Object.values(encryptionContext({ orgId: "o", connectionId: "c" }))) {
      expect(typeof value).toBe("string");
    }
  });
});
