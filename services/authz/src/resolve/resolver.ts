import type { ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Caller } from "../caller.js";
import { releasePin } from "./pin.js";
import { resolveCredentials } from "./resolve-credentials.js";
import type { ResolveInput, ResolverDeps } from "./resolver-deps.js";

export type { ResolveInput, ResolverDeps } from "./resolver-deps.js";

/** Credential resolution for deployments, with version pinning and audit. */
export interface Resolver {
  resolve(caller: Caller, input: ResolveInput, signal?: AbortSignal): Promise<ResolveCredentialsResponse>;
  release(caller: Caller, deploymentId: string): Promise<boolean>;
}

/** Creates the {@link Resolver}: one operation per file of this folder. */
export function createResolver(deps: ResolverDeps): Resolver {
  return {
    resolve: (caller, input, signal) => resolveCredentials(deps, caller, input, signal),
    release: (caller, deploymentId) => releasePin(deps, caller, deploymentId),
  };
}
