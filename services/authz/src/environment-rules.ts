import type { Violations } from "@planton/server";

// Environment slugs are owned by the wider platform; this is their shape.
const ENVIRONMENT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** "*" in storage means ORGANIZATION scope: every environment. */
export const ALL_ENVIRONMENTS = "*";

/** Adds the environment-slug rule for `field`. */
export function checkEnvironment(v: Violations, field: string, environment: string): Violations {
  if (environment === "") return v.check(false, field, "REQUIRED", "is required");
  return v.check(ENVIRONMENT.test(environment), field, "PATTERN", "must be an environment slug: 1-63 of a-z, 0-9 and '-', not starting or ending with '-'");
}
