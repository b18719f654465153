import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthenticationFailedError, NONCE_BYTES, open, seal, TAG_BYTES, type SealedBox } from "./aes-gcm.js";

const key = () => new Uint8Array(randomBytes(32));
const text = (s: string) => new TextEncoder().encode(s);
const AAD = text("planton.vault.credential|org-1|conn-1|1");
const PLAINTEXT = text('{"accessKeyId":"AKIA...","secretAccessKey":"zq7x-secret"}');

/** A copy of `bytes` with bit `bit` flipped. */
function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const index = Math.floor(bit / 8);
  out[index] = (out[index] ?? 0) ^ (1 << (bit % 8));
  return out;
}

function expectAuthFailure(fn: () => unknown): void {
  expect(fn).toThrow(AuthenticationFailedError);
}

describe("seal / open", () => {
  it("round-trips the plaintext", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    expect(Buffer.from(open(k, box, AAD)).equals(Buffer.from(PLAINTEXT))).toBe(true);
  });

  it("round-trips empty and large plaintexts and empty associated data", () => {
    const k = key();
    const empty = seal(k, new Uint8Array(0), AAD);
    expect(empty.ciphertext).toHaveLength(0);
    expect(open(k, empty, AAD)).toHaveLength(0);
    const large = new Uint8Array(randomBytes(100_000));
    expect(Buffer.from(open(k, seal(k, large, new Uint8Array(0)), new Uint8Array(0))).equals(Buffer.from(large))).toBe(true);
  });

  it("uses a 12-byte nonce, a 16-byte tag, and a ciphertext as long as the plaintext", () => {
    expect(NONCE_BYTES).toBe(12);
    expect(TAG_BYTES).toBe(16);
    const box = seal(key(), PLAINTEXT, AAD);
    expect(box.nonce).toHaveLength(12);
    expect(box.tag).toHaveLength(16);
    expect(box.ciphertext).toHaveLength(PLAINTEXT.length);
  });

  it("does not leave the plaintext visible in the ciphertext", () => {
    const box = seal(key(), PLAINTEXT, AAD);
    expect(Buffer.from(box.ciphertext).equals(Buffer.from(PLAINTEXT))).toBe(false);
    expect(Buffer.from(box.ciphertext).includes(Buffer.from("zq7x-secret"))).toBe(false);
  });

  it("uses a fresh nonce for every seal, so equal inputs give different ciphertexts", () => {
    const k = key();
    const nonces = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const box = seal(k, PLAINTEXT, AAD);
      nonces.add(Buffer.from(box.nonce).toString("hex"));
      ciphertexts.add(Buffer.from(box.ciphertext).toString("hex"));
    }
    expect(nonces.size).toBe(50);
    expect(ciphertexts.size).toBe(50);
  });

  it("is standard AES-256-GCM (interoperates with node:crypto)", () => {
    const k = key();
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", k, nonce);
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(PLAINTEXT), cipher.final()]);
    const box: SealedBox = { nonce, ciphertext, tag: cipher.getAuthTag() };
    expect(Buffer.from(open(k, box, AAD)).equals(Buffer.from(PLAINTEXT))).toBe(true);
  });

  it("fails authentication for every single-bit flip of the nonce", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    for (let bit = 0; bit < NONCE_BYTES * 8; bit++) {
      expectAuthFailure(() => open(k, { ...box, nonce: flip(box.nonce, bit) }, AAD));
    }
  });

  it("fails authentication for every single-bit flip of the tag", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    for (let bit = 0; bit < TAG_BYTES * 8; bit++) {
      expectAuthFailure(() => open(k, { ...box, tag: flip(box.tag, bit) }, AAD));
    }
  });

  it("fails authentication for single-bit flips across the ciphertext", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    const bits = box.ciphertext.length * 8;
    const sample = [0, 1, 7, 8, 63, Math.floor(bits / 2), bits - 9, bits - 2, bits - 1];
    for (let bit = 3; bit < bits; bit += 37) sample.push(bit);
    for (const bit of sample) {
      expectAuthFailure(() => open(k, { ...box, ciphertext: flip(box.ciphertext, bit) }, AAD));
    }
  });

  it("fails authentication for a truncated or extended ciphertext", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    expectAuthFailure(() => open(k, { ...box, ciphertext: box.ciphertext.subarray(0, box.ciphertext.length - 1) }, AAD));
    expectAuthFailure(() => open(k, { ...box, ciphertext: Buffer.concat([box.ciphertext, Buffer.of(0)]) }, AAD));
    expectAuthFailure(() => open(k, { ...box, ciphertext: new Uint8Array(0) }, AAD));
  });

  it("fails authentication for a nonce or tag of the wrong length", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    expectAuthFailure(() => open(k, { ...box, nonce: box.nonce.subarray(0, 11) }, AAD));
    expectAuthFailure(() => open(k, { ...box, nonce: Buffer.concat([box.nonce, Buffer.of(0)]) }, AAD));
    // A truncated tag would otherwise be accepted by GCM with a weaker check.
    expectAuthFailure(() => open(k, { ...box, tag: box.tag.subarray(0, 12) }, AAD));
    expectAuthFailure(() => open(k, { ...box, tag: box.tag.subarray(0, 4) }, AAD));
    expectAuthFailure(() => open(k, { ...box, tag: new Uint8Array(0) }, AAD));
  });

  it("fails authentication under different associated data", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    expectAuthFailure(() => open(k, box, text("planton.vault.credential|org-1|conn-1|2")));
    expectAuthFailure(() => open(k, box, new Uint8Array(0)));
    expectAuthFailure(() => open(k, box, flip(AAD, 0)));
    expectAuthFailure(() => open(k, box, Buffer.concat([AAD, Buffer.of(0)])));
  });

  it("fails authentication under another key", () => {
    const box = seal(key(), PLAINTEXT, AAD);
    expectAuthFailure(() => open(key(), box, AAD));
  });

  it("fails authentication when boxes are mixed", () => {
    const k = key();
    const a = seal(k, PLAINTEXT, AAD);
    const b = seal(k, PLAINTEXT, AAD);
    expectAuthFailure(() => open(k, { nonce: a.nonce, ciphertext: a.ciphertext, tag: b.tag }, AAD));
    expectAuthFailure(() => open(k, { nonce: b.nonce, ciphertext: a.ciphertext, tag: a.tag }, AAD));
  });

  it("refuses keys that are not 32 bytes, for seal and open", () => {
    const box = seal(key(), PLAINTEXT, AAD);
    for (const length of [0, 16, 24, 31, 33, 64]) {
      const bad = new Uint8Array(length);
      expect(() => seal(bad, PLAINTEXT, AAD)).toThrow("32 bytes");
      expect(() => open(bad, box, AAD)).toThrow("32 bytes");
      expect(() => open(bad, box, AAD)).not.toThrow(AuthenticationFailedError);
    }
  });

  it("names its error", () => {
    const k = key();
    const box = seal(k, PLAINTEXT, AAD);
    try {
      open(k, { ...box, tag: flip(box.tag, 0) }, AAD);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AuthenticationFailedError);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("AuthenticationFailedError");
    }
  });

  it("does not modify its inputs", () => {
    const k = key();
    const keyCopy = Uint8Array.from(k);
    const plaintext = Uint8Array.from(PLAINTEXT);
    const aad = Uint8Array.from(AAD);
    const box = seal(k, plaintext, aad);
    const boxCopy = { nonce: Uint8Array.from(box.nonce), ciphertext: Uint8Array.from(box.ciphertext), tag: Uint8Array.from(box.tag) };
    open(k, box, aad);
    expect(k).toEqual(keyCopy);
    expect(plaintext).toEqual(PLAINTEXT);
    expect(aad).toEqual(AAD);
    expect(Uint8Array.from(box.nonce)).toEqual(boxCopy.nonce);
    expect(Uint8Array.from(box.ciphertext)).toEqual(boxCopy.ciphertext);
    expect(Uint8Array.from(box.tag)).toEqual(boxCopy.tag);
  });
});
