import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Caller } from "../caller.js";
import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import { NoConnectionError } from "../errors.js";
import type { ResolveInput, ResolverDeps } from "./resolver-deps.js";

/** A connection chosen for a resolve, and why (the ALLOWED record's reason). */
export interface ChosenConnection {
  readonly connection: Connection;
  readonly publicSpec: ConnectionSpec;
  readonly reason: string;
}

/**
 * The connection of a deployment's first resolve: the one the request
 * names, else the environment's default, else the organization's default;
 * NOT_FOUND (NoConnectionError) when there is none.
 */
export async function chooseConnection(
  deps: Pick<ResolverDeps, "db" | "registry" | "connections">,
  caller: Caller,
  input: ResolveInput,
): Promise<ChosenConnection> {
  // Always a fresh lookup: the current credential version is what gets pinned.
  const lookup = async (reference: string) => {
    const found = await deps.registry.lookup(caller.orgId, reference);
    deps.connections.put(caller.orgId, found);
    return found;
  };
  if (input.connection !== "") return { ...(await lookup(input.connection)), reason: "explicit connection" };
  for (const [environment, label] of [
    [input.environment, "environment default"],
    [ALL_ENVIRONMENTS, "organization default"],
  ] as const) {
    const row = await deps.db
      .selectFrom("default_connections")
      .select("connection_id")
      .where("org_id", "=", caller.orgId)
      .where("provider", "=", input.provider)
      .where("environment", "=", environment)
      .executeTakeFirst();
    if (row !== undefined) return { ...(await lookup(row.connection_id)), reason: label };
  }
  throw new NoConnectionError(
    `no ${Provider[input.provider]} connection for environment ${input.environment}: pass "connection", or SetDefaultConnection for the environment or the organization`,
  );
}
