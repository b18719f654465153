import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { createEnvReader } from "./env-reader.js";

// A distinctive value: configuration errors must never repeat it (it may be a secret).
const PLANTED = "zq7x-PLANTED-s3cret";

/** Runs `fn`, expects a ConfigError, and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

/** Asserts a ConfigError names the variable and the rule but not the value. */
function expectRejected(fn: () => unknown, variable: string, rule: RegExp | string, value: string): ConfigError {
  const error = configError(fn);
  expect(error.name).toBe("ConfigError");
  expect(error.variable).toBe(variable);
  expect(error.message).toContain(variable);
  if (typeof rule === "string") expect(error.message).toContain(rule);
  else expect(error.message).toMatch(rule);
  expect(error.message).not.toContain(value);
  // Stacks hold line numbers, so only long values can be looked for there.
  if (value.length >= 8) expect(String(error.stack)).not.toContain(value);
  expect(JSON.stringify(error)).not.toContain(value);
  return error;
}

describe("ConfigError", () => {
  it("names the variable and the rule", () => {
    const error = new ConfigError("PORT", "must be an integer");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
    expect(error.variable).toBe("PORT");
    expect(error.message).toBe("invalid configuration: PORT must be an integer");
  });
});

describe("createEnvReader", () => {
  describe("string", () => {
    it("returns the trimmed value", () => {
      expect(createEnvReader({ A: "value" }).string("A")).toBe("value");
      expect(createEnvReader({ A: "  value \n" }).string("A", "fallback")).toBe("value");
    });

    it("returns undefined or the fallback when unset, empty or blank", () => {
      for (const env of [{}, { A: undefined }, { A: "" }, { A: "   " }]) {
        const reader = createEnvReader(env);
        expect(reader.string("A")).toBeUndefined();
        expect(reader.string("A", "fallback")).toBe("fallback");
      }
    });

    it("reads only the named variable", () => {
      const reader = createEnvReader({ A: "a", B: "b" });
      expect(reader.string("A")).toBe("a");
      expect(reader.string("C")).toBeUndefined();
    });
  });

  describe("required", () => {
    it("returns a set value", () => {
      expect(createEnvReader({ TOKEN_FILE: " /run/x " }).required("TOKEN_FILE")).toBe("/run/x");
    });

    it("throws ConfigError naming the variable when unset or empty", () => {
      for (const env of [{}, { NEEDED: "" }, { NEEDED: "  " }]) {
        const error = configError(() => createEnvReader(env).required("NEEDED"));
        expect(error.variable).toBe("NEEDED");
        expect(error.message).toBe("invalid configuration: NEEDED is required");
      }
    });
  });

  describe("int", () => {
    const range = { min: -5, max: 100 };

    it("parses integers within the range, bounds included", () => {
      expect(createEnvReader({ N: "42" }).int("N", 1, range)).toBe(42);
      expect(createEnvReader({ N: "-5" }).int("N", 1, range)).toBe(-5);
      expect(createEnvReader({ N: "100" }).int("N", 1, range)).toBe(100);
      expect(createEnvReader({ N: " 7 " }).int("N", 1, range)).toBe(7);
      expect(createEnvReader({ N: "007" }).int("N", 1, range)).toBe(7);
    });

    it("returns the fallback when unset or empty", () => {
      expect(createEnvReader({}).int("N", 13, range)).toBe(13);
      expect(createEnvReader({ N: "" }).int("N", 13, range)).toBe(13);
    });

    it.each(["abc", "1.5", "1e3", "0x10", "12abc", "+5", "--1", "1 2", PLANTED])("rejects the non-integer %j without repeating it", (value) => {
      expectRejected(() => createEnvReader({ N: value }).int("N", 1, range), "N", "must be an integer", value);
    });

    it("rejects values outside the range, naming the range but not the value", () => {
      const below = expectRejected(() => createEnvReader({ N: "-6" }).int("N", 1, range), "N", "between -5 and 100", "-6");
      expect(below.message).toBe("invalid configuration: N must be between -5 and 100");
      expectRejected(() => createEnvReader({ N: "101" }).int("N", 1, range), "N", "between -5 and 100", "101");
      expectRejected(() => createEnvReader({ N: "98765432109876543210" }).int("N", 1, range), "N", "between", "98765432109876543210");
    });
  });

  describe("port", () => {
    it("accepts 0 to 65535", () => {
      expect(createEnvReader({ PORT: "0" }).port("PORT", 8080)).toBe(0);
      expect(createEnvReader({ PORT: "443" }).port("PORT", 8080)).toBe(443);
      expect(createEnvReader({ PORT: "65535" }).port("PORT", 8080)).toBe(65535);
    });

    it("falls back when unset or empty", () => {
      expect(createEnvReader({}).port("PORT", 8080)).toBe(8080);
      expect(createEnvReader({ PORT: "" }).port("PORT", 8080)).toBe(8080);
    });

    it("rejects out-of-range and non-numeric ports", () => {
      expectRejected(() => createEnvReader({ PORT: "65536" }).port("PORT", 1), "PORT", "between 0 and 65535", "65536");
      expectRejected(() => createEnvReader({ PORT: "-1" }).port("PORT", 1), "PORT", "between 0 and 65535", "-1");
      expectRejected(() => createEnvReader({ PORT: PLANTED }).port("PORT", 1), "PORT", "must be an integer", PLANTED);
      expectRejected(() => createEnvReader({ PORT: "80.5" }).port("PORT", 1), "PORT", "must be an integer", "80.5");
    });
  });

  describe("oneOf", () => {
    const levels = ["debug", "info", "warn"] as const;

    it("returns a listed value", () => {
      expect(createEnvReader({ L: "warn" }).oneOf("L", levels, "info")).toBe("warn");
      expect(createEnvReader({ L: " debug " }).oneOf("L", levels, "info")).toBe("debug");
    });

    it("falls back when unset or empty", () => {
      expect(createEnvReader({}).oneOf("L", levels, "info")).toBe("info");
      expect(createEnvReader({ L: "" }).oneOf("L", levels, "info")).toBe("info");
    });

    it("rejects any other value (case-sensitive), listing the allowed ones but not the value", () => {
      const error = expectRejected(() => createEnvReader({ L: PLANTED }).oneOf("L", levels, "info"), "L", "must be one of: debug, info, warn", PLANTED);
      expect(error.message).toBe("invalid configuration: L must be one of: debug, info, warn");
      expectRejected(() => createEnvReader({ L: "WARN" }).oneOf("L", levels, "info"), "L", "must be one of", "WARN");
    });
  });

  describe("url", () => {
    const web = ["http:", "https:"] as const;

    it("returns a parsed URL with an allowed scheme", () => {
      const url = createEnvReader({ U: " https://keys.example.com/.well-known/jwks.json " }).url("U", web);
      expect(url).toBeInstanceOf(URL);
      expect(url?.href).toBe("https://keys.example.com/.well-known/jwks.json");
      expect(createEnvReader({ U: "http://localhost:1234" }).url("U", web)?.port).toBe("1234");
    });

    it("returns undefined when unset or empty", () => {
      expect(createEnvReader({}).url("U", web)).toBeUndefined();
      expect(createEnvReader({ U: "" }).url("U", web)).toBeUndefined();
    });

    it("rejects text that is not a URL without repeating it", () => {
      expectRejected(() => createEnvReader({ U: PLANTED }).url("U", web), "U", "must be a URL", PLANTED);
      const error = configError(() => createEnvReader({ U: PLANTED }).url("U", web));
      expect(error.cause).toBeUndefined();
    });

    it("rejects another scheme, naming the allowed ones but not the value (which may carry a password)", () => {
      const value = `ftp://user:${PLANTED}@host/x`;
      const error = expectRejected(() => createEnvReader({ U: value }).url("U", web), "U", "must be a URL with scheme http or https", value);
      expect(error.message).not.toContain(PLANTED);
      expect(error.message).not.toContain("ftp");
    });
  });

  describe("list", () => {
    it("splits on commas, trims and drops empty items", () => {
      expect(createEnvReader({ L: "a, b ,,c , ," }).list("L")).toEqual(["a", "b", "c"]);
      expect(createEnvReader({ L: "https://a.example.com" }).list("L")).toEqual(["https://a.example.com"]);
    });

    it("is empty when unset, empty or only separators", () => {
      expect(createEnvReader({}).list("L")).toEqual([]);
      expect(createEnvReader({ L: "" }).list("L")).toEqual([]);
      expect(createEnvReader({ L: " , , " }).list("L")).toEqual([]);
    });
  });

  describe("bool", () => {
    it("accepts true/false/1/0", () => {
      expect(createEnvReader({ B: "true" }).bool("B", false)).toBe(true);
      expect(createEnvReader({ B: "1" }).bool("B", false)).toBe(true);
      expect(createEnvReader({ B: "false" }).bool("B", true)).toBe(false);
      expect(createEnvReader({ B: "0" }).bool("B", true)).toBe(false);
      expect(createEnvReader({ B: " true " }).bool("B", false)).toBe(true);
    });

    it("falls back when unset or empty", () => {
      expect(createEnvReader({}).bool("B", true)).toBe(true);
      expect(createEnvReader({ B: "" }).bool("B", false)).toBe(false);
    });

    it.each(["yes", "no", "TRUE", "2", "enabled", PLANTED])("rejects %j without repeating it", (value) => {
      expectRejected(() => createEnvReader({ B: value }).bool("B", false), "B", "must be true or false", value);
    });
  });
});
