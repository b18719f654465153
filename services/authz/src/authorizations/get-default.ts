import type { AuthorizationScope, DefaultConnection } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Caller } from "../caller.js";
import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import { NotFoundError } from "../errors.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { defaultKey } from "./scope-rules.js";
import { toDefault } from "./to-messages.js";

/** GetDefaultConnection: the default of exactly this key (no fallback to the organization's); NOT_FOUND if unset. */
export async function getDefault(
  deps: Pick<AuthorizationsDeps, "db">,
  caller: Caller,
  provider: Provider,
  scope: AuthorizationScope,
  environment: string,
): Promise<DefaultConnection> {
  const target = defaultKey(provider, scope, environment);
  const row = await deps.db
    .selectFrom("default_connections")
    .selectAll()
    .where("org_id", "=", caller.orgId)
    .where("provider", "=", provider)
    .where("environment", "=", target)
    .executeTakeFirst();
  if (row === undefined)
    throw new NotFoundError(`no default ${Provider[provider]} connection for ${target === ALL_ENVIRONMENTS ? "the organization" : `environment ${target}`}`);
  return toDefault(row);
}
