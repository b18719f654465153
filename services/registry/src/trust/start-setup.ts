import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { insertOutboxEvent } from "@planton/events";
import {
  AwsTrustSetupState,
  StartSetupResponseSchema,
  type StartSetupRequest,
  type StartSetupResponse,
} from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { idPrefixOf } from "@planton/providers";
import type { Caller } from "../caller.js";
import { nameOrSlugTaken } from "../connection-store.js";
import { connectionWarnings } from "../connection-warnings.js";
import { connectionOrThrow } from "../connections/load-connection.js";
import { isForeignKeyViolation } from "../connections/pg-errors.js";
import { toConnection } from "../connections/to-connection.js";
import { ConnectionNotFoundError, NameTakenError } from "../errors.js";
import { newId, slugify } from "../ids.js";
import { trustStartedEvent } from "../registry-events.js";
import { isUniqueViolation } from "../request-rules.js";
import type { TrustContext } from "./aws-trust-deps.js";
import { awsSpec } from "./aws-trust-spec.js";
import { newExternalId } from "./external-id.js";
import { insertAwaitingConnection } from "./insert-awaiting-connection.js";
import { platformNotConfigured } from "./platform-precondition.js";
import { quickCreateUrl } from "./quick-create-url.js";
import { findReconnected, supersedeForReconnect } from "./reconnect.js";
import { SETUP_PREFIX } from "./setup-id.js";
import { findSetup, insertSetup } from "./setup-store.js";
import { toSetup } from "./setup-view.js";
import { shredVersions } from "./shred-versions.js";
import { stackNameOf } from "./stack-name.js";
import { checkStartRequest, requestedCapabilities } from "./start-request-rules.js";

/**
 * StartSetup: a setup for a new AWS connection, or a reconnect of an
 * existing one (reconnect.ts). Seals a fresh external id as a pending
 * version of the connection, records the setup and returns the Quick Create
 * link with the setup's one-time callback token. Checks the request first
 * (INVALID_ARGUMENT), then the platform's configuration (FAILED_PRECONDITION
 * while `config.platformIssues` lists settings the operator must fix),
 * before anything is created.
 */
export async function startSetup(deps: TrustContext, caller: Caller, request: StartSetupRequest, signal?: AbortSignal): Promise<StartSetupResponse> {
  const reconnected = await findReconnected(deps.db, caller.orgId, request);
  const existing = reconnected?.existing;
  const current = reconnected?.current;
  const { region } = checkStartRequest(request, existing, current);
  // Bad input is the caller's to fix whatever the platform's state (INVALID_ARGUMENT first);
  // then the platform's own gaps, before anything is created or sealed.
  if (deps.config.platformIssues.length > 0) throw platformNotConfigured(deps.config.platformIssues);
  const capabilities = requestedCapabilities(request);
  const accountId = existing ? (current?.accountId ?? "") : request.accountId;
  const name = existing ? existing.name : request.name;
  const slug = existing ? existing.slug : slugify(name);
  if (existing === undefined && (await nameOrSlugTaken(deps.db, caller.orgId, name, slug))) throw new NameTakenError("connection", name);

  const connectionId = existing?.id ?? newId(idPrefixOf(Provider.AWS));
  const externalId = newExternalId();
  const pendingSpec = awsSpec({ accountId, region, trust: { roleArn: "", externalId, capabilities, stackId: "" } });
  // Sealed before the transaction: a vault call must not hold one open.
  const pendingVersion = await deps.vault.seal(caller.orgId, connectionId, toBinary(ConnectionSpecSchema, pendingSpec), signal);
  const setupId = newId(SETUP_PREFIX);
  const createdAt = deps.now();
  // Whole milliseconds: the token is an HMAC over this instant, stored and read back exactly.
  const expiresAt = new Date(createdAt.getTime() + deps.config.setupTtlMs);
  const stackName = stackNameOf(slug, setupId);
  let superseded: number[] = [];
  try {
    await deps.db.transaction().execute(async (trx) => {
      if (existing === undefined) {
        await insertAwaitingConnection(trx, caller, { connectionId, name, slug, pendingSpec, createdAt });
      } else {
        superseded = await supersedeForReconnect(trx, connectionId, request.reconnect);
      }
      await insertSetup(trx, {
        id: setupId,
        org_id: caller.orgId,
        connection_id: connectionId,
        state: AwsTrustSetupState.PENDING,
        account_id: accountId,
        region,
        capabilities,
        reconnect: existing !== undefined,
        stack_name: stackName,
        pending_version: pendingVersion,
        created_by: caller.subject,
        expires_at: expiresAt,
        created_at: createdAt,
        completed_at: null,
        role_arn: null,
        stack_id: null,
        completed_version: null,
      });
      await insertOutboxEvent(
        trx,
        trustStartedEvent(caller, {
          connectionId,
          slug,
          setupId,
          accountId,
          region,
          capabilities,
          reconnect: existing !== undefined,
          expireTime: timestampFromDate(expiresAt),
        }),
      );
    });
  } catch (error) {
    await shredVersions(deps, caller.orgId, connectionId, [pendingVersion]);
    if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
    // The reconnected connection was deleted meanwhile (foreign key).
    if (isForeignKeyViolation(error)) throw new ConnectionNotFoundError(request.reconnect);
    throw error;
  }
  deps.onCommit();
  await shredVersions(deps, caller.orgId, connectionId, superseded);
  const row = await connectionOrThrow(deps.db, caller.orgId, connectionId);
  const setup = await findSetup(deps.db, setupId, caller.orgId);
  deps.logger.info({ org_id: caller.orgId, connection_id: connectionId, setup_id: setupId, reconnect: existing !== undefined }, "AWS trust setup started");
  return create(StartSetupResponseSchema, {
    setupId,
    quickCreateUrl: quickCreateUrl({
      region,
      templateUrl: deps.config.templateUrl,
      stackName,
      externalId,
      trustedPrincipalArn: deps.config.principalArn,
      callbackUrl: deps.config.callbackUrl,
      setupId,
      callbackToken: deps.tokens.mint(setupId, expiresAt),
      capabilities,
    }),
    expiresAt: timestampFromDate(expiresAt),
    connection: toConnection(row, deps.rotation),
    setup: toSetup(setup!, deps.now()),
    warnings: existing
      ? []
      : await connectionWarnings(deps.db, { orgId: caller.orgId, id: connectionId, name, provider: Provider.AWS, accountKey: row.account_key }, "account_id"),
  });
}
