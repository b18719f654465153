import type { TrustContext } from "./aws-trust-deps.js";
import { expireDue } from "./setup-store.js";
import { shredVersions } from "./shred-versions.js";

/**
 * One sweep of the expiry job: marks up to 100 pending setups past their
 * expiry EXPIRED and shreds their sealed external ids. Returns how many.
 */
export async function expireSetups(deps: Pick<TrustContext, "db" | "vault" | "logger" | "now">): Promise<number> {
  const expired = await expireDue(deps.db, deps.now(), 100);
  for (const row of expired) await shredVersions(deps, row.org_id, row.connection_id, [row.pending_version]);
  if (expired.length > 0) deps.logger.info({ expired: expired.length }, "AWS trust setups expired");
  return expired.length;
}
