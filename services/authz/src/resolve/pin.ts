import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import type { PinRow } from "../schema.js";
import type { ResolveInput, ResolverDeps } from "./resolver-deps.js";

/**
 * Pins `version` of `connectionId` for the deployment for `pinTtlMs` unless
 * a live pin exists (a concurrent first resolve); returns the pin that holds.
 */
export async function pinVersion(
  deps: Pick<ResolverDeps, "db" | "pins" | "pinTtlMs">,
  orgId: string,
  input: ResolveInput,
  connectionId: string,
  version: number,
): Promise<PinRow> {
  const now = new Date();
  const row = {
    org_id: orgId,
    deployment_id: input.deploymentId,
    connection_id: connectionId,
    credential_version: version,
    environment: input.environment,
    pinned_at: now,
    expires_at: new Date(now.getTime() + deps.pinTtlMs),
  };
  const written = await deps.db
    .insertInto("deployment_pins")
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(["org_id", "deployment_id"])
        .doUpdateSet({ connection_id: connectionId, credential_version: version, environment: input.environment, pinned_at: now, expires_at: row.expires_at })
        // Only an expired pin is replaced; a live one (a concurrent first resolve) wins.
        .where("deployment_pins.expires_at", "<=", now),
    )
    .returningAll()
    .executeTakeFirst();
  // Nothing written: a live pin holds (a concurrent first resolve won); read it.
  return written ?? (await deps.pins.live(orgId, input.deploymentId)) ?? row;
}

/** ReleaseDeployment: drops the deployment's pin; whether there was one. */
export async function releasePin(deps: Pick<ResolverDeps, "db">, caller: Caller, deploymentId: string): Promise<boolean> {
  new Violations().check(deploymentId !== "", "deployment_id", "REQUIRED", "is required").throwIfAny();
  const result = await deps.db.deleteFrom("deployment_pins").where("org_id", "=", caller.orgId).where("deployment_id", "=", deploymentId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
