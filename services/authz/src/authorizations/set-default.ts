import { AuthorizationScope, type DefaultConnection } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import { NotAuthorizedError } from "../errors.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { changeRecord } from "./change-record.js";
import { isAuthorized } from "./is-authorized.js";
import { defaultKey } from "./scope-rules.js";
import { toDefault } from "./to-messages.js";

/**
 * SetDefaultConnection: the connection a resolve uses for `provider` when
 * it names none, in one environment or the whole organization. The
 * connection must be of that provider (INVALID_ARGUMENT) and authorized
 * there (PERMISSION_DENIED); the audit record names the previous default.
 */
export async function setDefault(
  deps: AuthorizationsDeps,
  caller: Caller,
  connection: string,
  provider: Provider,
  scope: AuthorizationScope,
  environment: string,
): Promise<DefaultConnection> {
  const target = defaultKey(provider, scope, environment);
  new Violations().check(connection !== "", "connection", "REQUIRED", "is required").throwIfAny();
  const { connection: found } = await deps.registry.lookup(caller.orgId, connection);
  new Violations().check(found.provider === provider, "provider", "MISMATCH", "must be the connection's provider").throwIfAny();
  // A default must be usable where it is the default.
  const authorized =
    target === ALL_ENVIRONMENTS
      ? (await deps.db
          .selectFrom("authorizations")
          .select("environment")
          .where("org_id", "=", caller.orgId)
          .where("connection_id", "=", found.id)
          .where("environment", "=", ALL_ENVIRONMENTS)
          .executeTakeFirst()) !== undefined
      : await isAuthorized(deps, caller.orgId, found.id, target);
  if (!authorized) {
    throw new NotAuthorizedError(
      target === ALL_ENVIRONMENTS
        ? `connection ${found.slug} is not authorized for the whole organization: AuthorizeConnection with ORGANIZATION scope first`
        : `connection ${found.slug} is not authorized for environment ${target}: AuthorizeConnection first`,
    );
  }
  const row = {
    org_id: caller.orgId,
    provider,
    environment: target,
    connection_id: found.id,
    connection_slug: found.slug,
    updated_at: new Date(),
  };
  await deps.db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom("default_connections")
      .select("connection_slug")
      .where("org_id", "=", caller.orgId)
      .where("provider", "=", provider)
      .where("environment", "=", target)
      .forUpdate()
      .executeTakeFirst();
    await trx
      .insertInto("default_connections")
      .values(row)
      .onConflict((oc) =>
        oc.columns(["org_id", "provider", "environment"]).doUpdateSet({ connection_id: found.id, connection_slug: found.slug, updated_at: row.updated_at }),
      )
      .execute();
    await deps.audit.write(
      changeRecord(caller, "default_connection.set", {
        connectionId: found.id,
        provider,
        environment: target === ALL_ENVIRONMENTS ? "" : target,
        summary: `connection=${found.slug} provider=${Provider[provider]} scope=${AuthorizationScope[scope]}${previous ? ` previous=${previous.connection_slug}` : ""}`,
      }),
      trx,
    );
  });
  return toDefault(row);
}
