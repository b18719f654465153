import { ALL_ENVIRONMENTS } from "../environment-rules.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";

/** Whether `connectionId` may be used in `environment`: an authorization for the environment or for the organization. */
export async function isAuthorized(deps: Pick<AuthorizationsDeps, "db">, orgId: string, connectionId: string, environment: string): Promise<boolean> {
  return (
    (await deps.db
      .selectFrom("authorizations")
      .select("environment")
      .where("org_id", "=", orgId)
      .where("connection_id", "=", connectionId)
      .where("environment", "in", [environment, ALL_ENVIRONMENTS])
      .executeTakeFirst()) !== undefined
  );
}
