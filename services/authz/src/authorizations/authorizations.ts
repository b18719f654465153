import type { Authorization, AuthorizationScope, DefaultConnection } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import type { Caller } from "../caller.js";
import type { AuthorizationsDeps } from "./authorizations-deps.js";
import { authorize } from "./authorize.js";
import { getDefault } from "./get-default.js";
import { isAuthorized } from "./is-authorized.js";
import { listAuthorizations } from "./list-authorizations.js";
import { revoke } from "./revoke.js";
import { setDefault } from "./set-default.js";
import { unsetDefault } from "./unset-default.js";

export type { AuthorizationsDeps } from "./authorizations-deps.js";

/** Authorizations and defaults, always within the caller's organization. */
export interface Authorizations {
  authorize(caller: Caller, connection: string, scope: AuthorizationScope, environments: readonly string[]): Promise<Authorization[]>;
  revoke(caller: Caller, connection: string, scope: AuthorizationScope, environments: readonly string[]): Promise<Authorization[]>;
  list(caller: Caller, connection: string, environment: string): Promise<Authorization[]>;
  setDefault(caller: Caller, connection: string, provider: Provider, scope: AuthorizationScope, environment: string): Promise<DefaultConnection>;
  getDefault(caller: Caller, provider: Provider, scope: AuthorizationScope, environment: string): Promise<DefaultConnection>;
  unsetDefault(caller: Caller, provider: Provider, scope: AuthorizationScope, environment: string): Promise<void>;
  /** Whether `connectionId` may be used in `environment` (an environment or an organization authorization). */
  isAuthorized(orgId: string, connectionId: string, environment: string): Promise<boolean>;
}

/** Creates the {@link Authorizations} use cases: one operation per file of this folder. */
export function createAuthorizations(deps: AuthorizationsDeps): Authorizations {
  return {
    authorize: (caller, connection, scope, environments) => authorize(deps, caller, connection, scope, environments),
    revoke: (caller, connection, scope, environments) => revoke(deps, caller, connection, scope, environments),
    list: (caller, connection, environment) => listAuthorizations(deps, caller, connection, environment),
    setDefault: (caller, connection, provider, scope, environment) => setDefault(deps, caller, connection, provider, scope, environment),
    getDefault: (caller, provider, scope, environment) => getDefault(deps, caller, provider, scope, environment),
    unsetDefault: (caller, provider, scope, environment) => unsetDefault(deps, caller, provider, scope, environment),
    isAuthorized: (orgId, connectionId, environment) => isAuthorized(deps, orgId, connectionId, environment),
  };
}
