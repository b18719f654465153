import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** AES-256-GCM nonce length: 96 bits, the size GCM is specified for (NIST SP 800-38D). */
export const NONCE_BYTES = 12;
/** Full 128-bit tag; truncated tags weaken GCM's integrity guarantee. */
export const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** The stored parts of one AES-256-GCM encryption. */
export interface SealedBox {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** Thrown when a ciphertext, nonce, tag or associated data fails authentication. */
export class AuthenticationFailedError extends Error {
  override readonly name = "AuthenticationFailedError";
}

/**
 * seal encrypts `plaintext` under a 256-bit key with a fresh random nonce.
 * Random nonces are safe here because every data key encrypts exactly one
 * payload.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): SealedBox {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * open decrypts a {@link SealedBox}; throws {@link AuthenticationFailedError}
 * when any part (or the associated data) was changed. No plaintext is returned
 * unless the tag verifies.
 */
export function open(key: Uint8Array, box: SealedBox, associatedData: Uint8Array): Uint8Array {
  assertKey(key);
  if (box.nonce.length !== NONCE_BYTES || box.tag.length !== TAG_BYTES) {
    throw new AuthenticationFailedError("malformed nonce or tag");
  }
  const decipher = createDecipheriv("aes-256-gcm", key, box.nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData);
  decipher.setAuthTag(box.tag);
  const out = decipher.update(box.ciphertext);
  try {
    return Buffer.concat([out, decipher.final()]);
  } catch {
    out.fill(0);
    throw new AuthenticationFailedError("authentication failed");
  }
}

function assertKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new Error(`data key must be ${KEY_BYTES} bytes`);
}
