import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@planton/db";
import { KeyProviderRejectedError, KeyProviderUnavailableError } from "./keys/key-provider.js";

/** The requested credential version was never sealed. */
export class CredentialVersionNotFoundError extends Error {
  override readonly name = "CredentialVersionNotFoundError";
  constructor(readonly version: number) {
    super(`credential version ${version} not found`);
  }
}

/** The requested credential version was crypto-shredded and can never be opened again. */
export class CredentialVersionDestroyedError extends Error {
  override readonly name = "CredentialVersionDestroyedError";
  constructor(readonly version: number) {
    super(`credential version ${version} was destroyed`);
  }
}

/**
 * A stored version failed its integrity check: the ciphertext, nonce, tag or
 * wrapped key was altered, or the record was moved to another address.
 */
export class CredentialIntegrityError extends Error {
  override readonly name = "CredentialIntegrityError";
  constructor(readonly version: number, options?: { cause?: unknown }) {
    super(`credential version ${version} failed its integrity check`, options);
  }
}

/**
 * mapVaultError maps the vault's domain errors, key-provider errors and
 * database outages to the code a caller sees. Messages hold ids and version
 * numbers only.
 */
export function mapVaultError(error: unknown): ConnectError | undefined {
  if (error instanceof CredentialVersionNotFoundError || error instanceof CredentialVersionDestroyedError) {
    return new ConnectError(error.message, Code.NotFound);
  }
  if (error instanceof CredentialIntegrityError) {
    return new ConnectError(error.message, Code.DataLoss, undefined, undefined, error);
  }
  if (error instanceof KeyProviderUnavailableError) {
    return new ConnectError("key provider unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  }
  if (error instanceof KeyProviderRejectedError) {
    return new ConnectError(
      error.reason === "key_unusable" ? "the key-provider key is missing, disabled or not accessible" : "the key provider refused the wrapped data key",
      Code.FailedPrecondition,
      undefined,
      undefined,
      error,
    );
  }
  if (isDatabaseUnavailable(error)) {
    return new ConnectError("database unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  }
  return undefined;
}
