import { AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Caller } from "../caller.js";
import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { changeRecord } from "./change-record.js";
import { defaultKey } from "./scope-rules.js";

/** UnsetDefaultConnection: removes the default of this key, if any; audited either way. */
export async function unsetDefault(
  deps: Pick<AuthorizationsDeps, "db" | "audit">,
  caller: Caller,
  provider: Provider,
  scope: AuthorizationScope,
  environment: string,
): Promise<void> {
  const target = defaultKey(provider, scope, environment);
  await deps.db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("default_connections")
      .where("org_id", "=", caller.orgId)
      .where("provider", "=", provider)
      .where("environment", "=", target)
      .returning(["connection_id", "connection_slug"])
      .executeTakeFirst();
    await deps.audit.write(
      changeRecord(caller, "default_connection.unset", {
        connectionId: removed?.connection_id ?? "",
        provider,
        environment: target === ALL_ENVIRONMENTS ? "" : target,
        summary: `provider=${Provider[provider]} scope=${AuthorizationScope[scope]} ${removed ? `removed=${removed.connection_slug}` : "removed=none"}`,
      }),
      trx,
    );
  });
}
