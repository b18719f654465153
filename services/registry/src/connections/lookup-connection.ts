import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Violations } from "@planton/server";
import type { ConnectionReader } from "./connection-reader.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { toConnection } from "./to-connection.js";

/**
 * LookupConnection, for platform services: a connection of `orgId` (which
 * the platform caller names, there is no user token) with its public spec;
 * the secret half stays in the vault.
 */
export async function lookupConnection(
  deps: Pick<ConnectionsDeps, "rotation"> & { readonly reads: ConnectionReader },
  orgId: string,
  reference: string,
): Promise<{ connection: Connection; publicSpec: ConnectionSpec }> {
  new Violations()
    .check(orgId !== "", "org_id", "REQUIRED", "is required")
    .check(reference !== "", "connection", "REQUIRED", "is required")
    .throwIfAny();
  const row = await deps.reads.load(orgId, reference);
  return { connection: toConnection(row, deps.rotation), publicSpec: fromJson(ConnectionSpecSchema, row.public_spec as JsonValue) };
}
