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
  constructor(slug: string, readonly pinned: number) {
    super(`connection ${slug} is pinned by ${pinned} running deployment(s): release them, or delete with force`);
  }
}

/** mapRegistryError maps the registry's domain errors to the codes callers see. */
export function mapRegistryError(error: unknown): ConnectError | undefined {
  if (error instanceof ConnectionNotFoundError || error instanceof RunnerNotFoundError) return new ConnectError(error.message, Code.NotFound);
  if (error instanceof NameTakenError) return new ConnectError(error.message, Code.AlreadyExists);
  if (error instanceof StaleEtagError) return new ConnectError(error.message, Code.Aborted);
  if (error instanceof RunnerInUseError || error instanceof ConnectionInUseError) return new ConnectError(error.message, Code.FailedPrecondition);
  if (error instanceof InvalidPageTokenError) {
    return badRequest([{ field: "page_token", reason: "FORMAT", description: "does not belong to this listing: list again without page_token" }]);
  }
  if (isDatabaseUnavailable(error)) return new ConnectError("database unavailable, retry later", Code.Unavailable, undefined, undefined, error);
  return undefined;
}
