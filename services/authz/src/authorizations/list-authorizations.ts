import type { Authorization } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { ALL_ENVIRONMENTS, checkEnvironment } from "../environment-rules.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { toAuthorization } from "./to-messages.js";

/**
 * ListAuthorizations: exactly one of `connection` (its authorizations, by
 * environment) or `environment` (the authorizations that apply there,
 * organization-wide ones included, by connection slug).
 */
export async function listAuthorizations(
  deps: Pick<AuthorizationsDeps, "db" | "registry">,
  caller: Caller,
  connection: string,
  environment: string,
): Promise<Authorization[]> {
  const v = new Violations().check(
    (connection === "") !== (environment === ""),
    "connection",
    "ONE_OF_REQUIRED",
    "give exactly one of connection or environment",
  );
  if (environment !== "") checkEnvironment(v, "environment", environment);
  v.throwIfAny();
  if (connection !== "") {
    const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
    return authorizationsOf(deps, caller.orgId, found.id);
  }
  const rows = await deps.db
    .selectFrom("authorizations")
    .selectAll()
    .where("org_id", "=", caller.orgId)
    .where("environment", "in", [environment, ALL_ENVIRONMENTS])
    .orderBy("connection_slug")
    .execute();
  return rows.map(toAuthorization);
}

/** Every authorization of one connection, by environment (what authorize and revoke answer). */
export async function authorizationsOf(deps: Pick<AuthorizationsDeps, "db">, orgId: string, connectionId: string): Promise<Authorization[]> {
  return (
    await deps.db
      .selectFrom("authorizations")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("connection_id", "=", connectionId)
      .orderBy("environment")
      .execute()
  ).map(toAuthorization);
}
