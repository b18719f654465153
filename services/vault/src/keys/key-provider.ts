/**
 * The narrow interface through which the vault talks to a key-management
 * service. Implementations: {@link createLocalKeyProvider} (a master key file,
 * the embedded default) and {@link createAwsKmsKeyProvider} (AWS KMS through
 * `@aws-sdk/client-kms`). The vault never hands a provider a payload: only data
 * keys cross this interface.
 */

/**
 * The KMS encryption context bound to every wrapped data key. The provider
 * must refuse to unwrap a data key under a different context.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

/** A fresh data key: its plaintext (for local AES-GCM) and its wrapped form (to store). */
export interface GeneratedDataKey {
  /** 32 bytes of key material. The caller zeroes it after use. */
  readonly plaintext: Uint8Array;
  /** The data key encrypted by the provider; opaque. */
  readonly wrapped: Uint8Array;
  /** Canonical id of the key that wrapped it (the key ARN for AWS KMS). */
  readonly keyId: string;
}

/** A data key re-wrapped under another provider key. */
export interface RewrappedDataKey {
  readonly wrapped: Uint8Array;
  readonly keyId: string;
}

/**
 * KeyProvider generates, unwraps and re-wraps 256-bit data keys.
 *
 * Every method rejects with one of the errors below and nothing else:
 * - {@link KeyProviderUnavailableError}: the provider could not be reached or
 *   throttled us after the client's own retries; the caller may retry later.
 * - {@link KeyProviderRejectedError}: the provider refused: the wrapped key is
 *   corrupt or bound to another context or key (`reason: "invalid_ciphertext"`),
 *   or the key is missing, disabled or not accessible (`reason: "key_unusable"`).
 *   Retrying does not help.
 */
export interface KeyProvider {
  /** Short name for logs and metrics, e.g. `aws-kms` or `local`. */
  readonly name: string;
  /** Id of the key that new data keys are wrapped under. */
  readonly defaultKeyId: string;
  /** Generates a fresh 256-bit data key under the default key. */
  generateDataKey(context: EncryptionContext, signal?: AbortSignal): Promise<GeneratedDataKey>;
  /** Unwraps a data key; `keyId` is the id stored beside it. */
  decryptDataKey(wrapped: Uint8Array, keyId: string, context: EncryptionContext, signal?: AbortSignal): Promise<Uint8Array>;
  /** Re-wraps a data key under `targetKeyId` without exposing it to the caller. */
  rewrapDataKey(wrapped: Uint8Array, keyId: string, context: EncryptionContext, targetKeyId: string, signal?: AbortSignal): Promise<RewrappedDataKey>;
  /** Resolves a key id, ARN or alias to the canonical id stored beside data keys. */
  resolveKeyId(keyId: string, signal?: AbortSignal): Promise<string>;
}

/** The key provider could not be reached, timed out or throttled: retryable. */
export class KeyProviderUnavailableError extends Error {
  override readonly name = "KeyProviderUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why a key provider refused an operation. */
export type KeyProviderRejection = "invalid_ciphertext" | "key_unusable";

/** The key provider refused the operation; retrying will not help. */
export class KeyProviderRejectedError extends Error {
  override readonly name = "KeyProviderRejectedError";
  constructor(
    readonly reason: KeyProviderRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
