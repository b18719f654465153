import type { Authorization, AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Caller } from "../caller.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { authorizationChange, changeRecord } from "./change-record.js";
import { authorizationsOf } from "./list-authorizations.js";
import { checkScopeTargets, targetsOf } from "./scope-rules.js";

/**
 * AuthorizeConnection: allows a connection in the given environments (or
 * the whole organization). Idempotent: existing authorizations stay as
 * they are; the audit record names what was added. Returns the
 * connection's authorizations.
 */
export async function authorize(
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
  const now = new Date();
  const targets = targetsOf(scope, environments);
  await deps.db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto("authorizations")
      .values(
        targets.map((environment) => ({
          org_id: caller.orgId,
          connection_id: found.id,
          connection_slug: found.slug,
          environment,
          created_by: caller.subject,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(["org_id", "connection_id", "environment"]).doNothing())
      .returning("environment")
      .execute();
    const change = authorizationChange(
      found.slug,
      scope,
      targets,
      added.map((r) => r.environment),
      "added",
    );
    await deps.audit.write(changeRecord(caller, "authorization.granted", { connectionId: found.id, provider: found.provider, ...change }), trx);
  });
  return authorizationsOf(deps, caller.orgId, found.id);
}
