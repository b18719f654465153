import type { AwsTrustSetup } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { connectionOrThrow } from "../connections/load-connection.js";
import { toConnection } from "../connections/to-connection.js";
import { SetupNotFoundError } from "../errors.js";
import type { TrustContext } from "./aws-trust-deps.js";
import { findSetup } from "./setup-store.js";
import { toSetup } from "./setup-view.js";

/** A setup and its connection at one point in time. */
export interface SetupSnapshot {
  readonly setup: AwsTrustSetup;
  readonly connection: Connection;
}

/** The setup `setupId` of `orgId` and its connection; NOT_FOUND for either. */
export async function loadSnapshot(deps: Pick<TrustContext, "db" | "now" | "rotation">, orgId: string, setupId: string): Promise<SetupSnapshot> {
  const setup = await findSetup(deps.db, setupId, orgId);
  if (setup === undefined) throw new SetupNotFoundError(setupId);
  const connection = await connectionOrThrow(deps.db, orgId, setup.connection_id);
  return { setup: toSetup(setup, deps.now()), connection: toConnection(connection, deps.rotation) };
}
