import { Code, ConnectError } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@planton/db";
import { badRequest } from "@planton/server";
import { InvalidPageTokenError } from "./page-token.js";

/** No connection with this id or slug in the caller's organization (another org's is the same answer). */
export class ConnectionNotFoundError extends Error {
  override readonly name = "ConnectionNotFoundError";
  constructor(reference: string) {
    super(`connection "${reference}" not found`);
  }
}

/** No runner with this id in the caller's organization. */
export class RunnerNotFoundError extends Error {
  override readonly name = "RunnerNotFoundError";
  constructor(runnerId: string) {
    super(`runner "${runnerId}" not found`);
  }
}

/** A name (or its slug) is taken in the organization. */
export class NameTakenError extends Error {
  override readonly name = "NameTakenError";
  constructor(what: "connection" | "runner", name: string) {
    super(`a ${what} named "${name}" (or with the same slug) already exists`);
  }
}

/** The etag in the request is not the current one: someone changed the connection since it was read. */
export class StaleEtagError extends Error {
  override readonly name = "StaleEtagError";
  constructor() {
    super("the connection changed since it was read (etag mismatch): read it again and retry");
  }
}

/** The runner is still referenced by connections. */
export class RunnerInUseError extends Error {
  override readonly name = "RunnerInUseError";
  constructor(readonly connectionSlugs: readonly string[]) {
    super(`runner is used by ${connectionSlugs.length} connection(s): ${connectionSlugs.slice(0, 5).join(", ")}; change or delete them first`);
  }
}

/** Deployments are pinned to the connection; deleting it would break them. */
export class ConnectionInUseError extends Error {
  override readonly name = "ConnectionInUseError";
  constructor(
    slug: string,
    readonly pinned: number,
  ) {
    super(`connection ${slug} is pinned by ${pinned} running deployment(s): release them, or delete with force`);
  }
}

/** mapRegistryError maps the registry's domain errors to the codes callers see. */
export function mapRegistryError(error: unknown): ConnectError | undefined {
  if (error instanceof ConnectionNotFoundError || error instanceof RunnerNotFoundError || error instanceof SetupNotFoundError)
    return new ConnectError(error.message, Code.NotFound);
  if (error instanceof SetupTokenInvalidError) return new ConnectError(error.message, Code.Unauthenticated);
  if (error instanceof SetupClosedError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (error instanceof SetupAlreadyCompletedError) return new ConnectError(error.message, Code.AlreadyExists);
  if (error instanceof NameTakenError) return new ConnectError(error.message, Code.AlreadyExists);
  if (error instanceof StaleEtagError) return new ConnectError(error.message, Code.Aborted);
  if (error instanceof RunnerInUseError || error instanceof ConnectionInUseError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (error instanceof InvalidPageTokenError) {
    return badRequest([{ field: "page_token", reason: "FORMAT", description: "does not belong to this listing: list again without page_token" }]);
  }
  if (isDatabaseUnavailable(error)) return new ConnectError("database unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  return undefined;
}

/** No setup with this id in the caller's organization. */
export class SetupNotFoundError extends Error {
  override readonly name = "SetupNotFoundError";
  constructor(setupId: string) {
    super(`AWS trust setup "${setupId}" not found`);
  }
}

/**
 * The callback's setup id and token do not match (forged, mistyped, or a
 * setup that does not exist: the same answer, so ids cannot be probed).
 */
export class SetupTokenInvalidError extends Error {
  override readonly name = "SetupTokenInvalidError";
  constructor() {
    super("invalid setup token");
  }
}

/** The setup cannot complete any more: expired or replaced by a newer setup. */
export class SetupClosedError extends Error {
  override readonly name = "SetupClosedError";
}

/** The setup was already completed: its token is single-use. */
export class SetupAlreadyCompletedError extends Error {
  override readonly name = "SetupAlreadyCompletedError";
  constructor() {
    super("this setup was already completed: its token is single-use. Start a new setup to replace the role");
  }
}
