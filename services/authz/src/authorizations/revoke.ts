import type { Authorization, AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Caller } from "../caller.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { authorizationChange, changeRecord } from "./change-record.js";
import { authorizationsOf } from "./list-authorizations.js";
import { checkScopeTargets, targetsOf } from "./scope-rules.js";

/**
 * RevokeAuthorization: removes the connection's authorizations for the given
 * environments (or the organization-wide one). Pins already made stay; the
 * audit record names what was removed. Returns the remaining authorizations.
 */
export async function revoke(
  deps: AuthorizationsDeps,
  caller: Caller,
  connection: string,
  scope: AuthorizationScope,
  environments: readonly string[],
): Promise<Authorization[]> {
  checkScopeTargets(scope, environments)
    .check(connection !== "", "connection", "REQUIRED", "is required")
    .throwIfAny();
  const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
  const targets = targetsOf(scope, environments);
  await deps.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("authorizations")
      .where("org_id", "=", caller.orgId)
      .where("connection_id", "=", found.id)
      .where("environment", "in", targets)
      .returning("environment")
      .execute();
    const change = authorizationChange(
      found.slug,
      scope,
      targets,
      removed.map((r) => r.environment),
      "removed",
    );
    await deps.audit.write(changeRecord(caller, "authorization.revoked", { connectionId: found.id, provider: found.provider, ...change }), trx);
  });
  return authorizationsOf(deps, caller.orgId, found.id);
}
