import { mkdtemp, readdir, readFile, rm, stat, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KeyProviderRejectedError } from "./key-provider.js";
import { createLocalKey, createLocalKeyProvider, keyFingerprint } from "./local-key-provider.js";

const context = { org_id: "org-1", connection_id: "conn-1" };

async function rejected(promise: Promise<unknown>): Promise<KeyProviderRejectedError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeyProviderRejectedError);
    return error as KeyProviderRejectedError;
  }
  throw new Error("expected a KeyProviderRejectedError");
}

describe("createLocalKeyProvider", () => {
  let root: string;
  let keyDir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "local-key-provider-"));
    keyDir = join(root, "keys");
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("names itself and its default key", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    expect(provider.name).toBe("local");
    expect(provider.defaultKeyId).toBe("master-1");
  });

  it("generates a 256-bit data key that unwraps to the same bytes", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const generated = await provider.generateDataKey(context);
    expect(generated.keyId).toBe("master-1");
    expect(generated.plaintext).toHaveLength(32);
    expect(generated.wrapped).toHaveLength(1 + 12 + 16 + 32);
    // The wrapped form does not contain the plaintext.
    expect(Buffer.from(generated.wrapped).includes(Buffer.from(generated.plaintext))).toBe(false);
    const unwrapped = await provider.decryptDataKey(generated.wrapped, generated.keyId, context);
    expect(Buffer.from(unwrapped).equals(Buffer.from(generated.plaintext))).toBe(true);
  });

  it("generates a different data key and wrapping each time", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const a = await provider.generateDataKey(context);
    const b = await provider.generateDataKey(context);
    expect(Buffer.from(a.plaintext).equals(Buffer.from(b.plaintext))).toBe(false);
    expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
  });

  it("unwraps regardless of the context's key order", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const generated = await provider.generateDataKey({ org_id: "o", connection_id: "c" });
    const unwrapped = await provider.decryptDataKey(generated.wrapped, "master-1", { connection_id: "c", org_id: "o" });
    expect(Buffer.from(unwrapped).equals(Buffer.from(generated.plaintext))).toBe(true);
  });

  it("creates the key file with mode 0600 in a folder with mode 0700", async () => {
    await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    const file = join(keyDir, "master-1.key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
    expect(key).toHaveLength(32);
    expect(await readdir(keyDir)).toEqual(["master-1.key"]);
  });

  it("tightens an existing folder to mode 0700", async () => {
    await mkdir(keyDir, { mode: 0o755 });
    await chmod(keyDir, 0o755);
    await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
  });

  it("refuses a data key under another context as invalid_ciphertext", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const generated = await provider.generateDataKey(context);
    const others: Record<string, string>[] = [
      { org_id: "org-2", connection_id: "conn-1" },
      { org_id: "org-1", connection_id: "conn-2" },
      { org_id: "org-1" },
      { ...context, extra: "x" },
      {},
    ];
    for (const other of others) {
      const error = await rejected(provider.decryptDataKey(generated.wrapped, "master-1", other));
      expect(error.reason).toBe("invalid_ciphertext");
    }
  });

  it("refuses a wrapped key with any flipped bit as invalid_ciphertext", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const generated = await provider.generateDataKey(context);
    for (let byte = 0; byte < generated.wrapped.length; byte++) {
      for (const bit of [0, 7]) {
        const tampered = Uint8Array.from(generated.wrapped);
        tampered[byte] = (tampered[byte] ?? 0) ^ (1 << bit);
        const error = await rejected(provider.decryptDataKey(tampered, "master-1", context));
        expect(error.reason).toBe("invalid_ciphertext");
      }
    }
  });

  it("refuses a truncated, extended or empty wrapped key as invalid_ciphertext", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const { wrapped } = await provider.generateDataKey(context);
    for (const bad of [wrapped.subarray(0, wrapped.length - 1), Buffer.concat([wrapped, Buffer.of(0)]), new Uint8Array(0)]) {
      const error = await rejected(provider.decryptDataKey(bad, "master-1", context));
      expect(error.reason).toBe("invalid_ciphertext");
    }
  });

  it("refuses an unknown key id on decrypt as key_unusable, without creating it", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const { wrapped } = await provider.generateDataKey(context);
    const error = await rejected(provider.decryptDataKey(wrapped, "missing-key", context));
    expect(error.reason).toBe("key_unusable");
    expect(await readdir(keyDir)).toEqual(["master-1.key"]);
  });

  it("refuses a data key under a different existing key id as invalid_ciphertext", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    await createLocalKey(keyDir, "master-2");
    const { wrapped } = await provider.generateDataKey(context);
    const error = await rejected(provider.decryptDataKey(wrapped, "master-2", context));
    expect(error.reason).toBe("invalid_ciphertext");
  });

  it("rewraps to another created key id, and the data key unwraps only under the new id", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const generated = await provider.generateDataKey(context);
    expect(await createLocalKey(keyDir, "master-2")).toBe(true);
    const rewrapped = await provider.rewrapDataKey(generated.wrapped, "master-1", context, "master-2");
    expect(rewrapped.keyId).toBe("master-2");
    expect(Buffer.from(rewrapped.wrapped).equals(Buffer.from(generated.wrapped))).toBe(false);
    expect((await readdir(keyDir)).sort()).toEqual(["master-1.key", "master-2.key"]);
    expect((await stat(join(keyDir, "master-2.key"))).mode & 0o777).toBe(0o600);

    const unwrapped = await provider.decryptDataKey(rewrapped.wrapped, "master-2", context);
    expect(Buffer.from(unwrapped).equals(Buffer.from(generated.plaintext))).toBe(true);

    const underOld = await rejected(provider.decryptDataKey(rewrapped.wrapped, "master-1", context));
    expect(underOld.reason).toBe("invalid_ciphertext");
    const otherContext = await rejected(provider.decryptDataKey(rewrapped.wrapped, "master-2", { org_id: "org-1", connection_id: "conn-9" }));
    expect(otherContext.reason).toBe("invalid_ciphertext");
  });

  it("refuses to rewrap a data key given the wrong context or source key", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    await createLocalKey(keyDir, "master-2");
    const { wrapped } = await provider.generateDataKey(context);
    const wrongContext = await rejected(provider.rewrapDataKey(wrapped, "master-1", { org_id: "x", connection_id: "y" }, "master-2"));
    expect(wrongContext.reason).toBe("invalid_ciphertext");
    const wrongSource = await rejected(provider.rewrapDataKey(wrapped, "nope", context, "master-2"));
    expect(wrongSource.reason).toBe("key_unusable");
  });

  it("lets a second instance on the same folder unwrap the first one's keys", async () => {
    const first = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    await createLocalKey(keyDir, "master-2");
    const generated = await first.generateDataKey(context);
    const rewrapped = await first.rewrapDataKey(generated.wrapped, "master-1", context, "master-2");

    const second = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const a = await second.decryptDataKey(generated.wrapped, "master-1", context);
    const b = await second.decryptDataKey(rewrapped.wrapped, "master-2", context);
    expect(Buffer.from(a).equals(Buffer.from(generated.plaintext))).toBe(true);
    expect(Buffer.from(b).equals(Buffer.from(generated.plaintext))).toBe(true);
    // The existing file was reused, not replaced.
    expect((await readdir(keyDir)).sort()).toEqual(["master-1.key", "master-2.key"]);
  });

  it("reuses an existing key file given by an operator", async () => {
    await mkdir(keyDir, { recursive: true });
    const material = Buffer.alloc(32, 0x11);
    await writeFile(join(keyDir, "ops.key"), `${material.toString("base64")}\n`, { mode: 0o600 });
    const provider = await createLocalKeyProvider({ keyDir, keyId: "ops" });
    const generated = await provider.generateDataKey(context);
    expect(await readFile(join(keyDir, "ops.key"), "utf8")).toBe(`${material.toString("base64")}\n`);
    expect(Buffer.from(await provider.decryptDataKey(generated.wrapped, "ops", context)).equals(Buffer.from(generated.plaintext))).toBe(true);
  });

  it("refuses a key file that does not hold a 256-bit key", async () => {
    await mkdir(keyDir, { recursive: true });
    await writeFile(join(keyDir, "short.key"), `${Buffer.alloc(16).toString("base64")}\n`, { mode: 0o600 });
    await expect(createLocalKeyProvider({ keyDir, keyId: "short" })).rejects.toThrow();
    const provider = await createLocalKeyProvider({ keyDir, keyId: "good" });
    const error = await rejected(provider.decryptDataKey(new Uint8Array(61), "short", context));
    expect(error.reason).toBe("key_unusable");
  });

  it("rejects malformed key ids", async () => {
    for (const keyId of ["", "../escape", "a/b", ".hidden", "-dash", "a".repeat(65), "white space", "k\u0000"]) {
      await expect(createLocalKeyProvider({ keyDir, keyId })).rejects.toThrow();
    }
    const provider = await createLocalKeyProvider({ keyDir, keyId: "ok_1.2-3" });
    const { wrapped } = await provider.generateDataKey(context);
    for (const keyId of ["../ok_1.2-3", "../../etc/passwd", "a/b", ""]) {
      expect((await rejected(provider.decryptDataKey(wrapped, keyId, context))).reason).toBe("key_unusable");
      expect((await rejected(provider.rewrapDataKey(wrapped, "ok_1.2-3", context, keyId))).reason).toBe("key_unusable");
      expect((await rejected(provider.resolveKeyId(keyId))).reason).toBe("key_unusable");
    }
    expect(await readdir(root)).toEqual(["keys"]);
    expect(await readdir(keyDir)).toEqual(["ok_1.2-3.key"]);
  });

  it("refuses an unknown rewrap target or resolve as key_unusable, creating no key file", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    const { wrapped } = await provider.generateDataKey(context);
    const rewrap = await rejected(provider.rewrapDataKey(wrapped, "master-1", context, "master-2-typo"));
    expect(rewrap.reason).toBe("key_unusable");
    expect(rewrap.message).toContain("create-local-key");
    expect((await rejected(provider.resolveKeyId("next"))).reason).toBe("key_unusable");
    expect(await readdir(keyDir)).toEqual(["master-1.key"]);
  });

  it("resolveKeyId returns the id of an existing key", async () => {
    const provider = await createLocalKeyProvider({ keyDir, keyId: "master-1" });
    expect(await provider.resolveKeyId("master-1")).toBe("master-1");
    await createLocalKey(keyDir, "next");
    expect(await provider.resolveKeyId("next")).toBe("next");
  });

  it("createLocalKey creates a 0600 key file once and leaves an existing one untouched", async () => {
    expect(await createLocalKey(keyDir, "made")).toBe(true);
    const path = join(keyDir, "made.key");
    const first = await readFile(path, "utf8");
    expect(Buffer.from(first.trim(), "base64")).toHaveLength(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    expect(await createLocalKey(keyDir, "made")).toBe(false);
    expect(await readFile(path, "utf8")).toBe(first);
    await expect(createLocalKey(keyDir, "../escape")).rejects.toThrow();
    expect(await readdir(keyDir)).toEqual(["made.key"]);
  });

  it("keyFingerprint is stable, short, and not the key", () => {
    const key = Buffer.alloc(32, 0x42);
    const fingerprint = keyFingerprint(key);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(keyFingerprint(Buffer.alloc(32, 0x42))).toBe(fingerprint);
    expect(keyFingerprint(Buffer.alloc(32, 0x43))).not.toBe(fingerprint);
    expect(fingerprint).not.toContain(key.toString("hex").slice(0, 8));
  });
});
