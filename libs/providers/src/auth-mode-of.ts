import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode } from "@planton/proto/planton/connect/v1/provider_pb";

/**
 * authModeOf returns how deployments authenticate with a spec:
 * `AUTH_MODE_RUNNER` when an AWS, GCP or Azure spec selects `runner`,
 * `AUTH_MODE_INLINE` when it selects stored credentials (DigitalOcean, Civo
 * and Cloudflare are always inline), and `AUTH_MODE_UNSPECIFIED` when no
 * provider or no auth method is set, and `AUTH_MODE_CROSS_ACCOUNT_TRUST` for
 * an AWS spec with `cross_account_trust` (which only AwsTrustService writes).
 */
export function authModeOf(spec: ConnectionSpec | undefined): AuthMode {
  const provider = spec?.provider ?? { case: undefined };
  switch (provider.case) {
    case "aws":
    case "gcp":
    case "azure": {
      const authCase = provider.value.auth.case;
      if (authCase === undefined) return AuthMode.UNSPECIFIED;
      if (authCase === "crossAccountTrust") return AuthMode.CROSS_ACCOUNT_TRUST;
      return authCase === "runner" ? AuthMode.RUNNER : AuthMode.INLINE;
    }
    case "digitalocean":
    case "civo":
    case "cloudflare":
      return AuthMode.INLINE;
    case undefined:
      return AuthMode.UNSPECIFIED;
  }
}

/**
 * runnerIdOf returns the runner a runner-mode spec names, or undefined when
 * the spec is not in runner mode (or names no runner).
 */
export function runnerIdOf(spec: ConnectionSpec | undefined): string | undefined {
  const provider = spec?.provider ?? { case: undefined };
  switch (provider.case) {
    case "aws":
    case "gcp":
    case "azure": {
      const auth = provider.value.auth;
      return auth.case === "runner" && auth.value.runnerId !== "" ? auth.value.runnerId : undefined;
    }
    default:
      return undefined;
  }
}
