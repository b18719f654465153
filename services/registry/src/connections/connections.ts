import type { Connection, Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { Caller } from "../caller.js";
import type { ConnectionWithWarnings } from "./connection-with-warnings.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { createConnection } from "./create-connection.js";
import { deleteConnection } from "./delete-connection.js";
import { listConnections, type ListInput } from "./list-connections.js";
import { createConnectionReader } from "./connection-reader.js";
import { lookupConnection } from "./lookup-connection.js";
import { recordVerification } from "./record-verification.js";
import { toConnection } from "./to-connection.js";
import { updateConnection, type UpdateInput } from "./update-connection.js";

export type { ConnectionsDeps } from "./connections-deps.js";
export type { ConnectionWithWarnings } from "./connection-with-warnings.js";
export type { UpdateInput } from "./update-connection.js";

/** The ConnectionService use cases, always scoped to the caller's organization. */
export interface Connections {
  create(caller: Caller, name: string, spec: ConnectionSpec | undefined, signal?: AbortSignal): Promise<ConnectionWithWarnings>;
  get(caller: Caller, reference: string): Promise<Connection>;
  list(caller: Caller, filter: ListInput): Promise<{ connections: Connection[]; nextPageToken: string }>;
  update(caller: Caller, input: UpdateInput, signal?: AbortSignal): Promise<ConnectionWithWarnings & { rotated: boolean }>;
  /** Deletes a connection; refused while deployments are pinned to it unless `force`. */
  remove(caller: Caller, reference: string, etag: string, force: boolean, signal?: AbortSignal): Promise<void>;
  recordVerification(actor: Caller, orgId: string, connectionId: string, verification: Verification): Promise<{ applied: boolean; connection: Connection }>;
  /** For platform services: a connection of `orgId` with its public spec (secrets cleared). */
  lookup(orgId: string, reference: string): Promise<{ connection: Connection; publicSpec: ConnectionSpec }>;
}

/** Creates the {@link Connections} use cases: one operation per file of this folder. */
export function createConnections(deps: ConnectionsDeps): Connections {
  // GetConnection and LookupConnection (every first resolve) read in shared statements.
  const reads = createConnectionReader(deps.db);
  return {
    create: (caller, name, spec, signal) => createConnection(deps, caller, name, spec, signal),
    get: async (caller, reference) => toConnection(await reads.load(caller.orgId, reference), deps.rotation),
    list: (caller, filter) => listConnections(deps, caller, filter),
    update: (caller, input, signal) => updateConnection(deps, caller, input, signal),
    remove: (caller, reference, etag, force, signal) => deleteConnection(deps, caller, reference, etag, force, signal),
    recordVerification: (actor, orgId, connectionId, verification) => recordVerification(deps, actor, orgId, connectionId, verification),
    lookup: (orgId, reference) => lookupConnection({ rotation: deps.rotation, reads }, orgId, reference),
  };
}
