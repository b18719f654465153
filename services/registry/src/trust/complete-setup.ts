import { fromBinary, toBinary } from "@bufbuild/protobuf";
import type { CompleteSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { AWS_EXTERNAL_ID, splitSecrets } from "@planton/providers";
import { Violations } from "@planton/server";
import { connectionOrThrow } from "../connections/load-connection.js";
import { ConnectionNotFoundError, SetupClosedError, SetupTokenInvalidError } from "../errors.js";
import type { TrustContext } from "./aws-trust-deps.js";
import { awsSpec, trustOf } from "./aws-trust-spec.js";
import { commitCompletion } from "./commit-completion.js";
import { checkCompletion, checkOpen } from "./completion-rules.js";
import { SETUP_ID } from "./setup-id.js";
import { findSetup } from "./setup-store.js";
import { shredVersions } from "./shred-versions.js";

/**
 * CompleteSetup, the stack's callback: token-authenticated, single-use.
 * Seals the role ARN with the setup's external id as a new version of the
 * connection and makes it the current one (a deployment pinned to the
 * previous version keeps the previous role). Returns the connection id.
 * `requestId` (of the callback's RPC) goes into the event.
 */
export async function completeSetup(deps: TrustContext, request: CompleteSetupRequest, signal?: AbortSignal, requestId?: string): Promise<string> {
  new Violations()
    .check(request.setupId !== "", "setup_id", "REQUIRED", "is required")
    .check(request.token !== "", "token", "REQUIRED", "is required")
    .throwIfAny();
  // Unknown setup and wrong token get the same answer: ids cannot be probed.
  const setup = SETUP_ID.test(request.setupId) ? await findSetup(deps.db, request.setupId) : undefined;
  if (setup === undefined || !deps.tokens.matches(request.token, setup.id, setup.expires_at)) throw new SetupTokenInvalidError();
  checkOpen(setup, deps.now());
  checkCompletion(request, setup);
  const connection = await connectionOrThrow(deps.db, setup.org_id, setup.connection_id);
  const sealedPending = await deps.vault.open(setup.org_id, setup.connection_id, setup.pending_version, signal).catch(async (error: unknown) => {
    // The expiry sweep (or a newer setup) shredded it meanwhile: say so, not INTERNAL.
    if (!isGone(error)) throw error;
    const latest = await findSetup(deps.db, setup.id);
    if (latest !== undefined) checkOpen(latest, deps.now());
    throw new SetupClosedError("this setup expired or was replaced while completing: start a new setup");
  });
  const pending = fromBinary(ConnectionSpecSchema, sealedPending);
  const externalId = trustOf(pending)?.externalId ?? "";
  if (!AWS_EXTERNAL_ID.test(externalId)) throw new Error(`setup ${setup.id}: sealed external id is unreadable`);
  const capabilities = setup.capabilities as AwsCapability[];
  const fullSpec = awsSpec({
    accountId: setup.account_id,
    region: setup.region,
    trust: { roleArn: request.roleArn, externalId, capabilities, stackId: request.stackId },
  });
  const version = await deps.vault.seal(setup.org_id, setup.connection_id, toBinary(ConnectionSpecSchema, fullSpec), signal);
  const publicSpec = splitSecrets(fullSpec).publicSpec;
  let claimed = false;
  // Taken after the vault calls: the claim must not land after the expiry.
  const at = deps.now();
  try {
    await deps.db.transaction().execute(async (trx) => {
      claimed = await commitCompletion(trx, { setup, request, version, publicSpec, at, requestId });
    });
  } catch (error) {
    await shredVersions(deps, setup.org_id, setup.connection_id, [version]);
    throw error;
  }
  if (!claimed) {
    await shredVersions(deps, setup.org_id, setup.connection_id, [version]);
    // Lost a race with another completion, a supersede or the expiry: say which.
    const latest = await findSetup(deps.db, setup.id);
    if (latest === undefined) throw new ConnectionNotFoundError(setup.connection_id);
    checkOpen(latest, deps.now());
    throw new SetupClosedError("the setup changed while completing; start a new setup");
  }
  deps.onCommit();
  await shredVersions(deps, setup.org_id, setup.connection_id, [setup.pending_version]);
  deps.logger.info(
    { org_id: setup.org_id, connection_id: connection.id, setup_id: setup.id, role_arn: request.roleArn, version, reconnect: setup.reconnect },
    "AWS trust setup completed",
  );
  return connection.id;
}

// The vault's answer for a destroyed or unknown version (in process or over RPC).
function isGone(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return e?.code === 5 || e?.name === "CredentialVersionNotFoundError" || e?.name === "CredentialVersionDestroyedError";
}
