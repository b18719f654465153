import { describe, expect, it } from "vitest";
import { UsageError } from "./failures.js";
import { checkOneStdin, readSecretText, type SecretReader } from "./secret-input.js";

const reader = (stdin: string, files: Record<string, string> = {}): SecretReader => ({
  stdin: async () => Buffer.from(stdin),
  file: async (path) => Buffer.from(files[path] ?? ""),
});

describe("readSecretText", () => {
  it("removes exactly one trailing newline", async () => {
    expect(await readSecretText(reader("abc\n"), { stdin: true }, "api-token")).toBe("abc");
    expect(await readSecretText(reader("abc\r\n"), { stdin: true }, "api-token")).toBe("abc");
    expect(await readSecretText(reader("abc\n\n"), { stdin: true }, "api-token")).toBe("abc\n");
    expect(await readSecretText(reader(" abc "), { stdin: true }, "api-token")).toBe(" abc ");
    expect(await readSecretText(reader("", { f: "xyz\n" }), { file: "f" }, "api-token")).toBe("xyz");
  });

  it("is undefined when not given, and refuses both sources or an empty value", async () => {
    expect(await readSecretText(reader("x"), {}, "api-token")).toBeUndefined();
    await expect(readSecretText(reader("x"), { stdin: true, file: "f" }, "api-token")).rejects.toThrow(
      "use either --api-token-stdin or --api-token-file, not both",
    );
    await expect(readSecretText(reader("\n"), { stdin: true }, "api-token")).rejects.toBeInstanceOf(UsageError);
  });
});

describe("checkOneStdin", () => {
  it("allows one --*-stdin flag and refuses two, naming them", () => {
    expect(() => checkOneStdin({ apiTokenStdin: true, spacesSecretKeyFile: "f", output: "table" })).not.toThrow();
    expect(() => checkOneStdin({ apiTokenStdin: true, spacesSecretKeyStdin: true })).toThrow(UsageError);
    expect(() => checkOneStdin({ apiTokenStdin: true, spacesSecretKeyStdin: true })).toThrow(/--api-token-stdin, --spaces-secret-key-stdin/);
  });
});
