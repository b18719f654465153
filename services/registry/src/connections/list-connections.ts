import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { Violations } from "@planton/server";
import type { Caller } from "../caller.js";
import { listConnections as listConnectionRows, type ConnectionFilter } from "../connection-store.js";
import { decodePageToken, encodePageToken } from "../page-token.js";
import { pageSizeOf } from "../request-rules.js";
import type { ConnectionsDeps } from "./connections-deps.js";
import { toConnection } from "./to-connection.js";

/** Inputs of {@link listConnections}: 0 means "any" for the enums, "" the first page. */
export interface ListInput {
  readonly provider: number;
  readonly status: number;
  readonly pageSize: number;
  readonly pageToken: string;
  /** Only connections whose rotation is due by the registry's thresholds. */
  readonly rotationDue?: boolean;
}

/**
 * ListConnections: one page of the caller's connections, oldest first. The
 * page token is bound to the org and the filter, so it cannot be replayed
 * with another filter or by another organization.
 */
export async function listConnections(
  deps: Pick<ConnectionsDeps, "db" | "rotation">,
  caller: Caller,
  request: ListInput,
): Promise<{ connections: Connection[]; nextPageToken: string }> {
  const v = new Violations()
    .check(request.provider === 0 || Provider[request.provider] !== undefined, "provider", "ENUM", "must be a known provider or unset")
    .check(request.status === 0 || ConnectionStatus[request.status] !== undefined, "status", "ENUM", "must be a known status or unset");
  v.throwIfAny();
  const filter: ConnectionFilter = {
    ...(request.provider !== 0 ? { provider: request.provider } : {}),
    ...(request.status !== 0 ? { status: request.status } : {}),
    ...(request.rotationDue ? { rotationDue: deps.rotation } : {}),
  };
  // The thresholds are not part of the page token's binding: a page is
  // fingerprinted by what the caller asked for.
  const fingerprint = { org: caller.orgId, provider: filter.provider, status: filter.status, ...(request.rotationDue ? { rotationDue: true } : {}) };
  const cursor = request.pageToken === "" ? undefined : decodePageToken(request.pageToken, fingerprint);
  const limit = pageSizeOf(request.pageSize);
  const now = new Date();
  const rows = await listConnectionRows(deps.db, caller.orgId, filter, cursor, limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    connections: page.map((row) => toConnection(row, deps.rotation, now)),
    nextPageToken: rows.length > limit && last ? encodePageToken({ createdAt: last.created_at, id: last.id }, fingerprint) : "",
  };
}
