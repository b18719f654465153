import type { Kysely, Transaction } from "kysely";
import type { StartSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { AwsSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { connectionOrThrow } from "../connections/load-connection.js";
import { ConnectionNotFoundError } from "../errors.js";
import type { ConnectionRow, RegistryDatabase } from "../schema.js";
import { awsSpecOf } from "./aws-trust-spec.js";
import { supersedePending } from "./setup-store.js";

/** The connection a reconnect names, and its AWS spec (undefined if it is not AWS). */
export interface Reconnected {
  readonly existing: ConnectionRow;
  readonly current: AwsSpec | undefined;
}

/**
 * The connection `request.reconnect` names in `orgId` (NOT_FOUND if none);
 * undefined when the request starts a new connection.
 */
export async function findReconnected(db: Kysely<RegistryDatabase>, orgId: string, request: StartSetupRequest): Promise<Reconnected | undefined> {
  if (request.reconnect === "") return undefined;
  const existing = await connectionOrThrow(db, orgId, request.reconnect);
  return { existing, current: awsSpecOf(existing) };
}

/**
 * In a reconnect's transaction: locks the connection and supersedes its
 * pending setups, returning their sealed versions (to shred once
 * committed). NOT_FOUND when the connection was deleted meanwhile.
 */
export async function supersedeForReconnect(trx: Transaction<RegistryDatabase>, connectionId: string, reference: string): Promise<number[]> {
  // Serializes setups of one connection: a concurrent reconnect
  // waits here, then sees (and supersedes) this one's setup.
  const locked = await trx.selectFrom("connections").select("id").where("id", "=", connectionId).forUpdate().executeTakeFirst();
  if (locked === undefined) throw new ConnectionNotFoundError(reference);
  return supersedePending(trx, connectionId);
}
