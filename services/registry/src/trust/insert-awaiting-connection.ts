import { toJson } from "@bufbuild/protobuf";
import type { Transaction } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import { ConnectionDetailsSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { accountKeyOf, detailsOf, splitSecrets } from "@planton/providers";
import type { Caller } from "../caller.js";
import { insertConnection } from "../connection-store.js";
import { newEtag } from "../ids.js";
import { connectionEvent } from "../registry-events.js";
import type { RegistryDatabase } from "../schema.js";

/**
 * In a new connection's setup transaction: writes the connection, AWAITING
 * trust setup with no credential version yet (only the public half of
 * `pendingSpec`), and its `connection.created` event.
 */
export async function insertAwaitingConnection(
  trx: Transaction<RegistryDatabase>,
  caller: Caller,
  input: { connectionId: string; name: string; slug: string; pendingSpec: ConnectionSpec; createdAt: Date },
): Promise<void> {
  const { connectionId, name, slug, createdAt } = input;
  const publicSpec = splitSecrets(input.pendingSpec).publicSpec;
  await insertConnection(trx, {
    id: connectionId,
    org_id: caller.orgId,
    name,
    slug,
    provider: Provider.AWS,
    auth_mode: AuthMode.CROSS_ACCOUNT_TRUST,
    public_spec: JSON.stringify(toJson(ConnectionSpecSchema, publicSpec)),
    details: JSON.stringify(toJson(ConnectionDetailsSchema, detailsOf(publicSpec))),
    runner_id: null,
    account_key: accountKeyOf(publicSpec) ?? null,
    credential_version: 0,
    status: ConnectionStatus.AWAITING_TRUST_SETUP,
    last_verification: null,
    etag: newEtag(),
    created_at: createdAt,
    updated_at: createdAt,
  });
  await insertOutboxEvent(
    trx,
    connectionEvent("connection.created", caller, { connectionId, slug, provider: Provider.AWS, authMode: AuthMode.CROSS_ACCOUNT_TRUST, credentialVersion: 0 }),
  );
}
