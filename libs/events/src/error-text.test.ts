import { describe, expect, it } from "vitest";
import { errorText } from "./error-text.js";

describe("errorText", () => {
  it("gives type, code and message", () => {
    const error = Object.assign(new Error("no responders"), { code: "503" });
    expect(errorText(error)).toBe("Error [503]: no responders");
    class NatsError extends Error {
      override readonly name = "NatsError";
    }
    expect(errorText(new NatsError("TIMEOUT"))).toBe("NatsError: TIMEOUT");
  });

  it("scrubs secret shapes such as a URL password", () => {
    const text = errorText(new Error("cannot connect nats://relay:zq7xSecretPass@nats:4222"));
    expect(text).not.toContain("zq7xSecretPass");
  });

  it("is cut to 500 characters", () => {
    expect(errorText(new Error("x".repeat(5_000)))).toHaveLength(500);
  });

  it("describes a thrown non-error", () => {
    expect(errorText("plain failure")).toBe("plain failure");
  });
});
