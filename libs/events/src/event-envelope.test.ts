import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { assertEventEnvelope, type EventEnvelope } from "./event-envelope.js";

const valid: EventEnvelope = {
  id: randomUUID(),
  subject: "connect.connection.created",
  data: new Uint8Array([1, 2, 3]),
  orderingKey: "awsconn_1",
};

describe("assertEventEnvelope", () => {
  it("accepts a well-formed event", () => {
    expect(() => assertEventEnvelope(valid)).not.toThrow();
  });

  it.each([
    ["a non-UUID id", { id: "evt-1" }],
    ["a wildcard subject", { subject: "connect.*" }],
    ["a subject with an empty token", { subject: "connect..created" }],
    ["a subject with a space", { subject: "connect.connection created" }],
    ["an empty ordering key", { orderingKey: "" }],
    ["an ordering key with a line break", { orderingKey: "a\r\nInjected: x" }],
    ["data that is not bytes", { data: "text" as unknown as Uint8Array }],
  ])("rejects %s", (_name, change) => {
    expect(() => assertEventEnvelope({ ...valid, ...change })).toThrow(TypeError);
  });

  it("never puts the data in the error message", () => {
    const data = new TextEncoder().encode("MARKER-envelope-data");
    for (const change of [{ id: "bad" }, { subject: "connect.>" }, { orderingKey: "" }]) {
      expect(() => assertEventEnvelope({ ...valid, ...change, data })).toThrow(TypeError);
      try {
        assertEventEnvelope({ ...valid, ...change, data });
      } catch (error) {
        expect(String(error)).not.toContain("MARKER");
      }
    }
  });
});
