import { toJson } from "@bufbuild/protobuf";
import type { Transaction } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import type { CompleteSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionDetailsSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { accountKeyOf, detailsOf } from "@planton/providers";
import { ConnectionNotFoundError } from "../errors.js";
import { newEtag } from "../ids.js";
import { trustCompletedEvent } from "../registry-events.js";
import type { AwsTrustSetupRow, RegistryDatabase } from "../schema.js";
import { claimCompletion } from "./setup-store.js";

// Who the outbox records as the actor of a completion (no user token is involved).
const CALLBACK_ACTOR = "aws-trust-callback";

/** A checked completion: the new sealed version and what it seals publicly. */
export interface Completion {
  readonly setup: AwsTrustSetupRow;
  readonly request: CompleteSetupRequest;
  readonly version: number;
  readonly publicSpec: ConnectionSpec;
  /** The claim instant (taken after the vault calls). */
  readonly at: Date;
  /** The callback RPC's request id, for the event. */
  readonly requestId: string | undefined;
}

/**
 * In the completion's transaction: claims the setup (false when another
 * completion, a supersede or the expiry got there first, and nothing is
 * written), then makes `version` the connection's current credential
 * version with the role, and writes the `aws_trust.completed` event.
 */
export async function commitCompletion(trx: Transaction<RegistryDatabase>, completion: Completion): Promise<boolean> {
  const { setup, request, version, publicSpec, at } = completion;
  const claimed = await claimCompletion(trx, setup.id, at, { roleArn: request.roleArn, stackId: request.stackId, completedVersion: version });
  if (!claimed) return false;
  const locked = await trx.selectFrom("connections").selectAll().where("id", "=", setup.connection_id).forUpdate().executeTakeFirst();
  if (locked === undefined) throw new ConnectionNotFoundError(setup.connection_id);
  await trx
    .updateTable("connections")
    .set({
      auth_mode: AuthMode.CROSS_ACCOUNT_TRUST,
      public_spec: JSON.stringify(toJson(ConnectionSpecSchema, publicSpec)),
      details: JSON.stringify(toJson(ConnectionDetailsSchema, detailsOf(publicSpec))),
      runner_id: null,
      account_key: accountKeyOf(publicSpec) ?? null,
      credential_version: version,
      status: ConnectionStatus.PENDING_VERIFICATION,
      last_verification: null,
      next_verification_at: null,
      credential_sealed_at: at,
      credential_created_at: null,
      credential_expires_at: null,
      // The role, auth mode and credential version are the connection's
      // content, not status: an update prepared against the previous
      // content must be refused, not silently undo this completion.
      etag: newEtag(),
      updated_at: at,
    })
    .where("id", "=", locked.id)
    .execute();
  await insertOutboxEvent(
    trx,
    trustCompletedEvent(
      { orgId: setup.org_id, subject: CALLBACK_ACTOR, requestId: completion.requestId },
      {
        connectionId: locked.id,
        slug: locked.slug,
        setupId: setup.id,
        credentialVersion: version,
        previousCredentialVersion: locked.credential_version,
        roleArn: request.roleArn,
        accountId: setup.account_id,
        stackId: request.stackId,
        reconnect: setup.reconnect,
      },
    ),
  );
  return true;
}
