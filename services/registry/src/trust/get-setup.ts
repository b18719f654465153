import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import type { TrustContext } from "./aws-trust-deps.js";
import { loadSnapshot, type SetupSnapshot } from "./setup-snapshot.js";

/** GetSetup: a setup of the caller's organization and its connection. */
export async function getSetup(deps: Pick<TrustContext, "db" | "now" | "rotation">, caller: Caller, setupId: string): Promise<SetupSnapshot> {
  new Violations().check(setupId !== "", "setup_id", "REQUIRED", "is required").throwIfAny();
  return loadSnapshot(deps, caller.orgId, setupId);
}
