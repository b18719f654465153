import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@planton/db";
import { badRequest } from "@planton/server";
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
  constructor(
    readonly version: number,
    options?: { cause?: unknown },
  ) {
    super(`credential version ${version} failed its integrity check`, options);
  }
}

/**
 * The target key of a rewrap is not one the key provider can wrap under: an
 * unknown local key (never created implicitly, a typo must not become a new
 * master key) or a KMS key that is missing, disabled or not accessible.
 */
export class RewrapTargetKeyError extends Error {
  override readonly name = "RewrapTargetKeyError";
  constructor(
    readonly providerName: string,
    options?: { cause?: unknown },
  ) {
    super(`rewrap target key is not usable with key provider ${providerName}`, options);
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
  if (error instanceof RewrapTargetKeyError) {
    return badRequest([
      {
        field: "target_key_id",
        reason: "UNKNOWN_KEY",
        description:
          error.providerName === "local"
            ? "names no existing local master key; create it first with the vault's create-local-key command (README, The vault), then retry"
            : "names no key-provider key this vault can use (missing, disabled or not accessible); check the key id or alias and the key policy",
      },
    ]);
  }
  if (error instanceof KeyProviderUnavailableError) {
    // Provider messages hold operation names, error names, HTTP status and
    // request ids only (see the providers' contracts), never key material.
    return new ConnectError(`key provider unavailable, retry later (${error.message})`, Code.Unavailable, undefined, undefined, error);
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
  // An in-process caller (the all-in-one registry) may abort with a plain
  // AbortSignal: its own deadline or cancellation, not a vault failure.
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return new ConnectError("the caller's deadline passed before the vault finished", Code.DeadlineExceeded, undefined, undefined, error);
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return new ConnectError("the caller cancelled the call", Code.Canceled, undefined, undefined, error);
  }
  if (isDatabaseUnavailable(error)) {
    return new ConnectError("database unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  }
  return undefined;
}
