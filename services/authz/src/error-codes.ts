import { Code, ConnectError } from "@connectrpc/connect";
import { mapAuthzError } from "./errors.js";

// Errors of the registry and the vault when they run in this process (they
// reach the caller through their service's error mapper, which authz does
// not hold): the code that mapper gives them, by error name.
const DEPENDENCY_ERROR_CODES: Readonly<Record<string, Code>> = {
  ConnectionNotFoundError: Code.NotFound,
  CredentialVersionNotFoundError: Code.NotFound,
  CredentialVersionDestroyedError: Code.NotFound,
  CredentialIntegrityError: Code.DataLoss,
  KeyProviderUnavailableError: Code.Unavailable,
  KeyProviderRejectedError: Code.FailedPrecondition,
};

/**
 * errorCodeOf names the code a failed resolve answers with, for its audit
 * record: a ConnectError's own code (a dependency over RPC, or a validation
 * error), authz's domain errors and database outages as authz maps them, the
 * in-process registry's and vault's errors as their services map them, and
 * INTERNAL for anything else.
 */
export function errorCodeOf(error: unknown): Code {
  if (error instanceof ConnectError) return error.code;
  const mapped = mapAuthzError(error);
  if (mapped !== undefined) return mapped.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === "string" && DEPENDENCY_ERROR_CODES[name] !== undefined) return DEPENDENCY_ERROR_CODES[name];
  if (name === "AbortError") return Code.Canceled;
  if (name === "TimeoutError") return Code.DeadlineExceeded;
  return Code.Internal;
}

/** The code a call ends with when its signal aborted: the reason's (CANCELED or DEADLINE_EXCEEDED). */
export function abortCodeOf(signal: AbortSignal): Code {
  const reason: unknown = signal.reason;
  if (reason instanceof ConnectError) return reason.code;
  return (reason as { name?: unknown } | null)?.name === "TimeoutError" ? Code.DeadlineExceeded : Code.Canceled;
}

/** The code's name as the protocol spells it: "UNAVAILABLE", "DATA_LOSS", "DEADLINE_EXCEEDED". */
export function codeName(code: Code): string {
  return (Code[code] ?? "UNKNOWN").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}
