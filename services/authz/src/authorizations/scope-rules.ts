import { AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import { ALL_ENVIRONMENTS, checkEnvironment } from "../environment-rules.js";

/**
 * The rules of an authorization's scope and environments (ORGANIZATION: no
 * environments; ENVIRONMENTS: 1 to 100 valid ones). Returns the violations
 * for the caller to add its own and throw.
 */
export function checkScopeTargets(scope: AuthorizationScope, environments: readonly string[], field = "environments"): Violations {
  const v = new Violations().check(
    scope === AuthorizationScope.ORGANIZATION || scope === AuthorizationScope.ENVIRONMENTS,
    "scope",
    "ENUM",
    "must be ORGANIZATION or ENVIRONMENTS",
  );
  if (scope === AuthorizationScope.ORGANIZATION) v.check(environments.length === 0, field, "CONFLICT", "must be empty for ORGANIZATION scope");
  if (scope === AuthorizationScope.ENVIRONMENTS) {
    v.check(environments.length > 0, field, "REQUIRED", "must list at least one environment for ENVIRONMENTS scope");
    v.check(environments.length <= 100, field, "MAX_ITEMS", "must list at most 100 environments");
    environments.forEach((environment, i) => checkEnvironment(v, `${field}[${i}]`, environment));
  }
  return v;
}

/** The stored environments of a checked scope: {@link ALL_ENVIRONMENTS} for the organization, else each listed one once. */
export function targetsOf(scope: AuthorizationScope, environments: readonly string[]): string[] {
  return scope === AuthorizationScope.ORGANIZATION ? [ALL_ENVIRONMENTS] : [...new Set(environments)];
}

/**
 * Checks the key of a default connection (provider, scope, environment)
 * and returns its stored environment ({@link ALL_ENVIRONMENTS} for the
 * organization). Throws INVALID_ARGUMENT.
 */
export function defaultKey(provider: Provider, scope: AuthorizationScope, environment: string): string {
  const v = new Violations()
    .check(provider !== Provider.UNSPECIFIED && Provider[provider] !== undefined, "provider", "ENUM", "must be a known provider")
    .check(scope === AuthorizationScope.ORGANIZATION || scope === AuthorizationScope.ENVIRONMENTS, "scope", "ENUM", "must be ORGANIZATION or ENVIRONMENTS");
  if (scope === AuthorizationScope.ENVIRONMENTS) checkEnvironment(v, "environment", environment);
  if (scope === AuthorizationScope.ORGANIZATION) v.check(environment === "", "environment", "CONFLICT", "must be empty for ORGANIZATION scope");
  v.throwIfAny();
  return scope === AuthorizationScope.ORGANIZATION ? ALL_ENVIRONMENTS : environment;
}
