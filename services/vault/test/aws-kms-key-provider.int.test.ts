import { describe, it, expect, beforeAll, afterAll } from "vitest";

import { createAwsKmsKeyProvider, type AwsKmsKeyProviderOptions } from "../src/keys/aws-kms-key-provider.js";
import { KeyProviderRejectedError, KeyProviderUnavailableError, type KeyProvider } from "../src/keys/key-provider.js";
import { fakeKmsCredentials, startFakeKms, type FakeKms, type FakeKmsRequest } from "@planton/testing";

// Tests go through the real SDK (signing, JSON 1.1 serde, retries) against a
// local fake, so protocol mismatches show up here rather than in production.

let fake: FakeKms;

beforeAll(async () => {
  fake = await startFakeKms({ region: "eu-west-1" });
});

afterAll(async () => {
  await fake?.close();
});

const context = { tenant: "t-123", credential: "cred-9", purpose: "credential-payload" };

/**
 * A fresh provider (and so a fresh KMSClient) per test: the SDK's retry token
 * bucket is per client, and retries are capped so failure tests stay fast.
 */
function provider(keyId: string, overrides: Partial<AwsKmsKeyProviderOptions> = {}): KeyProvider {
  return createAwsKmsKeyProvider({
    keyId,
    region: fake.region,
    endpoint: fake.url,
    credentials: fakeKmsCredentials,
    maxAttempts: 2,
    ...overrides,
  });
}

/** Requests the fake receives while `fn` runs. */
async function requestsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; seen: FakeKmsRequest[] }> {
  const start = fake.requests.length;
  const result = await fn();
  return { result, seen: fake.requests.slice(start) };
}

/** Runs `fn` with `fake.failAll(kind)` in effect and always clears it. */
async function withFailures<T>(arm: () => void, fn: () => Promise<T>): Promise<T> {
  arm();
  try {
    return await fn();
  } finally {
    fake.failAll(null);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject");
}

async function expectRejected(promise: Promise<unknown>, reason: "invalid_ciphertext" | "key_unusable") {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(KeyProviderRejectedError);
  expect((err as KeyProviderRejectedError).reason).toBe(reason);
  return err as KeyProviderRejectedError;
}

async function expectUnavailable(promise: Promise<unknown>) {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(KeyProviderUnavailableError);
  return err as KeyProviderUnavailableError;
}

function flipBit(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

describe("createAwsKmsKeyProvider against a fake KMS", () => {
  it("exposes its name and the configured key id", () => {
    const key = fake.createKey({ alias: "alias/vault-name-test" });
    const kms = provider("alias/vault-name-test");
    expect(kms.name).toBe("aws-kms");
    expect(kms.defaultKeyId).toBe("alias/vault-name-test");
    expect(key.arn).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${key.keyId}`);
  });

  it("generates a 256-bit data key and decrypts it back", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);

    const generated = await kms.generateDataKey(context);
    expect(generated.plaintext).toBeInstanceOf(Uint8Array);
    expect(generated.plaintext).toHaveLength(32);
    expect(generated.keyId).toBe(key.arn);
    expect(generated.wrapped).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(generated.wrapped).includes(Buffer.from(generated.plaintext))).toBe(false);
    // Owned copies, not views into the SDK's shared Buffer pool.
    expect(generated.plaintext.byteOffset).toBe(0);
    expect(generated.plaintext.buffer.byteLength).toBe(32);

    const decrypted = await kms.decryptDataKey(generated.wrapped, generated.keyId, context);
    expect(decrypted).toBeInstanceOf(Uint8Array);
    expect(decrypted.buffer.byteLength).toBe(32);
    expect(Buffer.from(decrypted).equals(Buffer.from(generated.plaintext))).toBe(true);
  });

  it("sends exactly the encryption context it was given, and binds the data key to the KeyId", async () => {
    const key = fake.createKey();
    const kms = provider(key.arn);

    const { result: generated, seen: genSeen } = await requestsDuring(() => kms.generateDataKey(context));
    expect(genSeen).toEqual([{ target: "TrentService.GenerateDataKey", encryptionContext: context, keyId: key.arn }]);

    const { seen: decSeen } = await requestsDuring(() => kms.decryptDataKey(generated.wrapped, generated.keyId, context));
    expect(decSeen).toEqual([{ target: "TrentService.Decrypt", encryptionContext: context, keyId: key.arn }]);
  });

  it("refuses to decrypt under a different encryption context", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);
    const generated = await kms.generateDataKey(context);

    await expectRejected(kms.decryptDataKey(generated.wrapped, generated.keyId, { ...context, tenant: "t-456" }), "invalid_ciphertext");
    await expectRejected(kms.decryptDataKey(generated.wrapped, generated.keyId, {}), "invalid_ciphertext");
    const { tenant: _dropped, ...withoutTenant } = context;
    const err = await expectRejected(kms.decryptDataKey(generated.wrapped, generated.keyId, withoutTenant), "invalid_ciphertext");
    expect(err.message).toContain("InvalidCiphertextException");
    expect(err.message).toContain("Decrypt");
    expect(err.message).not.toContain(Buffer.from(generated.wrapped).toString("base64"));
    expect(err.message).not.toContain(Buffer.from(generated.plaintext).toString("base64"));
  });

  it("rejects a wrapped key with a flipped bit as invalid_ciphertext", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);
    const generated = await kms.generateDataKey(context);

    const last = generated.wrapped.length - 1;
    for (const index of [0, 5, 20, 40, last]) {
      await expectRejected(kms.decryptDataKey(flipBit(generated.wrapped, index), generated.keyId, context), "invalid_ciphertext");
    }
  });

  it("rejects a wrapped key presented with another key's id as invalid_ciphertext", async () => {
    const keyA = fake.createKey();
    const keyB = fake.createKey();
    const kms = provider(keyA.keyId);
    const generated = await kms.generateDataKey(context);

    const err = await expectRejected(kms.decryptDataKey(generated.wrapped, keyB.arn, context), "invalid_ciphertext");
    expect(err.message).toContain("IncorrectKeyException");
  });

  it("rewraps to a second key without ever decrypting in the caller", async () => {
    const keyA = fake.createKey();
    const keyB = fake.createKey();
    const kms = provider(keyA.arn);
    const generated = await kms.generateDataKey(context);

    const { result: rewrapped, seen } = await requestsDuring(() => kms.rewrapDataKey(generated.wrapped, generated.keyId, context, keyB.arn));
    expect(rewrapped.keyId).toBe(keyB.arn);
    expect(rewrapped.keyId).not.toBe(generated.keyId);
    expect(rewrapped.wrapped).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(rewrapped.wrapped).equals(Buffer.from(generated.wrapped))).toBe(false);
    expect(seen).toEqual([
      {
        target: "TrentService.ReEncrypt",
        encryptionContext: context,
        destinationEncryptionContext: context,
        keyId: keyB.arn,
        sourceKeyId: keyA.arn,
      },
    ]);
    expect(seen.some((r) => r.target === "TrentService.Decrypt")).toBe(false);

    const recovered = await kms.decryptDataKey(rewrapped.wrapped, rewrapped.keyId, context);
    expect(Buffer.from(recovered).equals(Buffer.from(generated.plaintext))).toBe(true);
    // The new blob belongs to key B only.
    await expectRejected(kms.decryptDataKey(rewrapped.wrapped, keyA.arn, context), "invalid_ciphertext");
  });

  it("resolves a key id, ARN or alias to the key ARN", async () => {
    const key = fake.createKey({ alias: "alias/vault-resolve-test" });
    const kms = provider(key.keyId);

    expect(await kms.resolveKeyId(key.keyId)).toBe(key.arn);
    expect(await kms.resolveKeyId(key.arn)).toBe(key.arn);
    expect(await kms.resolveKeyId("alias/vault-resolve-test")).toBe(key.arn);
    expect(await kms.resolveKeyId("arn:aws:kms:eu-west-1:111122223333:alias/vault-resolve-test")).toBe(key.arn);

    const err = await expectRejected(kms.resolveKeyId("alias/does-not-exist"), "key_unusable");
    expect(err.message).toContain("NotFoundException");
    expect(err.message).toContain("DescribeKey");
  });

  it("reports a disabled key as key_unusable for every operation", async () => {
    const key = fake.createKey();
    const other = fake.createKey();
    const kms = provider(key.keyId);
    const generated = await kms.generateDataKey(context);
    fake.disableKey(key.keyId);
    try {
      const err = await expectRejected(kms.generateDataKey(context), "key_unusable");
      expect(err.message).toContain("DisabledException");
      await expectRejected(kms.decryptDataKey(generated.wrapped, generated.keyId, context), "key_unusable");
      await expectRejected(kms.rewrapDataKey(generated.wrapped, generated.keyId, context, other.arn), "key_unusable");
    } finally {
      fake.enableKey(key.keyId);
    }
    // Re-enabling restores access: the rejection was about the key state only.
    const recovered = await kms.decryptDataKey(generated.wrapped, generated.keyId, context);
    expect(Buffer.from(recovered).equals(Buffer.from(generated.plaintext))).toBe(true);
  });

  it("reports a missing key or a request KMS refuses as key_unusable", async () => {
    const missing = provider("00000000-0000-4000-8000-000000000000");
    await expectRejected(missing.generateDataKey(context), "key_unusable");

    // KeyId "" fails KMS's required-member validation (400 ValidationException).
    const invalid = provider("");
    const err = await expectRejected(invalid.generateDataKey(context), "key_unusable");
    expect(err.message).toContain("ValidationException");
  });

  it("succeeds after one throttled attempt because the SDK retries", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId, { maxAttempts: 3 });

    const { result, seen } = await withFailures(
      () => fake.failNext(1, "throttle"),
      () => requestsDuring(() => kms.generateDataKey(context)),
    );
    expect(result.plaintext).toHaveLength(32);
    expect(seen.map((r) => r.target)).toEqual(["TrentService.GenerateDataKey", "TrentService.GenerateDataKey"]);
  });

  it("reports persistent throttling as unavailable after the SDK's attempts", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId, { maxAttempts: 2 });

    const { seen, result: err } = await withFailures(
      () => fake.failAll("throttle"),
      () => requestsDuring(() => expectUnavailable(kms.generateDataKey(context))),
    );
    expect(seen).toHaveLength(2);
    expect(err.message).toContain("ThrottlingException");
    expect(err.message).toContain("GenerateDataKey");
  });

  it("reports persistent 500 KMSInternalException as unavailable after retrying", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId, { maxAttempts: 3 });

    const { seen, result: err } = await withFailures(
      () => fake.failAll("internal"),
      () => requestsDuring(() => expectUnavailable(kms.generateDataKey(context))),
    );
    expect(seen).toHaveLength(3);
    expect(err.message).toContain("KMSInternalException");
    expect(err.message).toContain("HTTP 500");
  });

  it("reports 503 DependencyTimeoutException as unavailable", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);
    const generated = await kms.generateDataKey(context);

    const err = await withFailures(
      () => fake.failAll("unavailable-503"),
      () => expectUnavailable(kms.decryptDataKey(generated.wrapped, generated.keyId, context)),
    );
    expect(err.message).toContain("DependencyTimeoutException");
    expect(err.message).toContain("Decrypt");
  });

  it("reports a non-JSON response as unavailable without leaking the body", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);

    const { seen, result: err } = await withFailures(
      () => fake.failNext(1, "malformed"),
      () => requestsDuring(() => expectUnavailable(kms.generateDataKey(context))),
    );
    expect(seen).toHaveLength(1);
    expect(err.message).not.toContain("<html>");
    expect(String((err.cause as Error | undefined)?.message)).not.toContain("<html>");
  });

  it("reports a closed port as unavailable", async () => {
    const gone = await startFakeKms({ region: "eu-west-1" });
    const key = gone.createKey();
    const kms = createAwsKmsKeyProvider({
      keyId: key.keyId,
      region: gone.region,
      endpoint: gone.url,
      credentials: fakeKmsCredentials,
      maxAttempts: 2,
    });
    await kms.generateDataKey(context);
    await gone.close();

    const err = await expectUnavailable(kms.generateDataKey(context));
    expect(err.message).toMatch(/ECONNREFUSED|ECONNRESET/);
  });

  it("rethrows the abort reason unchanged", async () => {
    const key = fake.createKey();
    const kms = provider(key.keyId);

    const before = new AbortController();
    const early = new Error("caller gave up before the call");
    before.abort(early);
    const { result: earlyErr, seen } = await requestsDuring(() => rejection(kms.generateDataKey(context, before.signal)));
    expect(earlyErr).toBe(early);
    expect(seen).toHaveLength(0);

    const during = new AbortController();
    const late = new Error("caller gave up mid-flight");
    fake.delayResponses(5_000);
    try {
      const pending = kms.generateDataKey(context, during.signal);
      setTimeout(() => during.abort(late), 50);
      expect(await rejection(pending)).toBe(late);
    } finally {
      fake.delayResponses(0);
    }
  });
});
