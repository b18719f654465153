import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@planton/db";

/** No connection was named and no default applies; the message says how to fix it. */
export class NoConnectionError extends Error {
  override readonly name = "NoConnectionError";
}

/** The chosen connection is not authorized for the environment. */
export class NotAuthorizedError extends Error {
  override readonly name = "NotAuthorizedError";
}

/** A default or pin does not exist. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** The request conflicts with existing state (e.g. a pinned deployment asks for another connection). */
export class ConflictError extends Error {
  override readonly name = "ConflictError";
}

/** mapAuthzError maps authz's domain errors to the codes callers see. */
export function mapAuthzError(error: unknown): ConnectError | undefined {
  if (error instanceof NoConnectionError || error instanceof NotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof NotAuthorizedError) return new ConnectError(error.message, Code.PermissionDenied);
  if (error instanceof ConflictError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (isDatabaseUnavailable(error)) return new ConnectError("database unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  return undefined;
}
