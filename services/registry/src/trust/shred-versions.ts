import { bestEffort } from "../best-effort.js";
import type { TrustContext } from "./aws-trust-deps.js";

/**
 * Destroys sealed versions a setup no longer needs (a pending external id,
 * an unused completion). Best effort: a failure is logged, never thrown,
 * since the caller's outcome is already decided.
 */
export function shredVersions(deps: Pick<TrustContext, "vault" | "logger">, orgId: string, connectionId: string, versions: readonly number[]) {
  return Promise.all(
    versions.map((version) => bestEffort(deps.logger, "shred a setup's sealed external id", () => deps.vault.destroy(orgId, connectionId, version))),
  );
}
