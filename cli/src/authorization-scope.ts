import { AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { UsageError } from "./failures.js";
import { splitList } from "./format-values.js";

/** ScopeChoice is where an authorization applies: the scope and, for ENVIRONMENTS, the environments. */
export interface ScopeChoice {
  readonly scope: AuthorizationScope;
  readonly environments: string[];
}

/**
 * authorizationScope reads `--org` or `--environments a,b`: exactly one of
 * the two (a {@link UsageError} otherwise, or when the list is empty).
 */
export function authorizationScope(org: boolean | undefined, environments: string | undefined): ScopeChoice {
  if (org === true && environments !== undefined) throw new UsageError("--org and --environments cannot be used together: give only one");
  if (org === true) return { scope: AuthorizationScope.ORGANIZATION, environments: [] };
  if (environments === undefined) throw new UsageError("give --org (every environment, present and future) or --environments <a,b,...>");
  const list = splitList(environments);
  if (list.length === 0) throw new UsageError("--environments needs at least one environment");
  return { scope: AuthorizationScope.ENVIRONMENTS, environments: list };
}

/**
 * defaultScope reads the optional `--environment` of the `default`
 * commands: an environment means ENVIRONMENTS scope, none the whole
 * organization.
 */
export function defaultScope(environment: string | undefined): { scope: AuthorizationScope; environment: string } {
  if (environment === undefined) return { scope: AuthorizationScope.ORGANIZATION, environment: "" };
  if (environment.trim() === "") throw new UsageError("--environment must not be empty");
  return { scope: AuthorizationScope.ENVIRONMENTS, environment: environment.trim() };
}
