import { create, fromBinary, fromJson, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Kysely } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import type { Logger } from "@planton/logging";
import {
  AwsTrustSetupState,
  type AwsTrustSetup,
  type CompleteSetupRequest,
  type StartSetupRequest,
  type StartSetupResponse,
  StartSetupResponseSchema,
} from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionDetailsSchema, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, AwsCapability, ConnectionStatus, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { accountKeyOf, AWS_DEFAULT_REGION, AWS_EXTERNAL_ID, awsPartitionOf, awsRegionProblem, detailsOf, idPrefixOf, roleArnAccount, splitSecrets } from "@planton/providers";
import { Violations } from "@planton/server";
import { bestEffort } from "../best-effort.js";
import type { Caller } from "../caller.js";
import type { TrustConfig } from "../config.js";
import { platformNotConfigured } from "./platform-precondition.js";
import { findConnection, insertConnection, nameOrSlugTaken } from "../connection-store.js";
import { toConnection } from "../connections/to-connection.js";
import { connectionWarnings } from "../connection-warnings.js";
import { ConnectionNotFoundError, NameTakenError, SetupAlreadyCompletedError, SetupClosedError, SetupNotFoundError, SetupTokenInvalidError } from "../errors.js";
import { newEtag, newId, slugify } from "../ids.js";
import { connectionEvent, trustCompletedEvent, trustStartedEvent } from "../registry-events.js";
import { checkName, isUniqueViolation } from "../request-rules.js";
import type { AwsTrustSetupRow, ConnectionRow, RegistryDatabase } from "../schema.js";
import type { VaultClient } from "../vault-client.js";
import { ALL_CAPABILITIES, capabilityName, isKnownCapability } from "./capabilities.js";
import { newExternalId } from "./external-id.js";
import { quickCreateUrl } from "./quick-create-url.js";
import { claimCompletion, expireDue, findSetup, insertSetup, supersedePending } from "./setup-store.js";
import type { SetupTokens } from "./setup-tokens.js";
import { effectiveState, toSetup } from "./setup-view.js";

/** Setup ids: `awstrust_` and a time-ordered random id. */
const SETUP_PREFIX = "awstrust_";
const SETUP_ID = /^awstrust_[0-9a-z]{26}$/;
// arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>
// Groups: 1 partition, 2 region, 3 account.
const STACK_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudformation:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[0-9a-f-]{36}$/;
// The enum names as the wire spells them (AWS_CAPABILITY_EKS, ...).
const CAPABILITY_RULE = `must be one of: ${ALL_CAPABILITIES.map((c) => `AWS_CAPABILITY_${capabilityName(c).toUpperCase()}`).join(", ")}`;
// Who the outbox records as the actor of a completion (no user token is involved).
const CALLBACK_ACTOR = "aws-trust-callback";

/** Dependencies of {@link createAwsTrust}. */
export interface AwsTrustDeps {
  readonly db: Kysely<RegistryDatabase>;
  readonly vault: VaultClient;
  readonly logger: Logger;
  readonly tokens: SetupTokens;
  readonly config: TrustConfig;
  /** Called after a commit that wrote events (kicks the outbox relay). */
  readonly onCommit: () => void;
  /** Clock; injectable for tests. */
  readonly now?: () => Date;
}

/** A setup and its connection at one point in time. */
export interface SetupSnapshot {
  readonly setup: AwsTrustSetup;
  readonly connection: Connection;
}

/** The AwsTrustService use cases. */
export interface AwsTrust {
  /**
   * Starts a setup for a new connection, or a reconnect of an existing AWS
   * connection. After checking the request (INVALID_ARGUMENT comes first)
   * and before anything is created, refuses with FAILED_PRECONDITION while
   * `config.platformIssues` lists settings the operator must fix.
   */
  start(caller: Caller, request: StartSetupRequest, signal?: AbortSignal): Promise<StartSetupResponse>;
  /**
   * The stack's callback: token-authenticated, single-use. Returns the
   * connection id. `requestId` (of the callback's RPC) goes into the event.
   */
  complete(request: CompleteSetupRequest, signal?: AbortSignal, requestId?: string): Promise<string>;
  /** A setup of the caller's organization and its connection. */
  get(caller: Caller, setupId: string): Promise<SetupSnapshot>;
  /** Snapshots whenever the setup or its connection changes, until the setup is settled (see WatchSetup). */
  watch(caller: Caller, setupId: string, signal: AbortSignal): AsyncGenerator<SetupSnapshot>;
  /** One sweep: marks pending setups past their expiry EXPIRED and shreds their sealed external ids. */
  expirePass(): Promise<number>;
}

/**
 * createAwsTrust builds the cross-account trust flow. The external id of a
 * setup is sealed in the vault as a version of the connection from the start
 * (never written to a table); on completion a new version sealing both the
 * role ARN and the external id becomes the connection's current version, so
 * a deployment pinned to the previous version keeps the previous role.
 */
export function createAwsTrust(deps: AwsTrustDeps): AwsTrust {
  const now = deps.now ?? (() => new Date());

  const loadConnection = async (orgId: string, reference: string) => {
    const row = await findConnection(deps.db, orgId, reference);
    if (row === undefined) throw new ConnectionNotFoundError(reference);
    return row;
  };

  const shred = (orgId: string, connectionId: string, versions: readonly number[]) =>
    Promise.all(versions.map((version) => bestEffort(deps.logger, "shred a setup's sealed external id", () => deps.vault.destroy(orgId, connectionId, version))));

  const snapshot = async (orgId: string, setupId: string): Promise<SetupSnapshot> => {
    const setup = await findSetup(deps.db, setupId, orgId);
    if (setup === undefined) throw new SetupNotFoundError(setupId);
    const connection = await loadConnection(orgId, setup.connection_id);
    return { setup: toSetup(setup, now()), connection: toConnection(connection) };
  };

  return {
    async start(caller, request, signal) {
      const existing = request.reconnect === "" ? undefined : await loadConnection(caller.orgId, request.reconnect);
      const current = existing ? awsSpecOf(existing) : undefined;
      const v = new Violations();
      if (existing !== undefined) {
        v.check(existing.provider === Provider.AWS, "reconnect", "MISMATCH", "must name an AWS connection")
          .check(request.name === "" || request.name === existing.name, "name", "MISMATCH", "must be empty or the connection's current name when reconnecting (rename with UpdateConnection)")
          .check(request.accountId === "" || request.accountId === current?.accountId, "account_id", "MISMATCH", "must be empty or the connection's account when reconnecting");
      } else {
        checkName(v, "name", request.name);
        v.check(/^\d{12}$/.test(request.accountId), "account_id", request.accountId === "" ? "REQUIRED" : "PATTERN", "must be a 12-digit AWS account id");
      }
      const region = request.region !== "" ? request.region : current?.region || AWS_DEFAULT_REGION;
      // The known regions, not the shape: the link opens the console in this region, and a made-up one is a dead link.
      const regionProblem = awsRegionProblem(region);
      if (regionProblem !== undefined) v.check(false, "region", regionProblem.reason, regionProblem.description);
      // Each entry must be one of the ten: an unknown or UNSPECIFIED entry is refused, never
      // dropped, so "every capability" can only come from a list the caller sent empty.
      request.capabilities.forEach((c, i) =>
        v.check(isKnownCapability(c), `capabilities[${i}]`, "ENUM", CAPABILITY_RULE),
      );
      v.throwIfAny();
      // Bad input is the caller's to fix whatever the platform's state (INVALID_ARGUMENT first);
      // then the platform's own gaps, before anything is created or sealed.
      if (deps.config.platformIssues.length > 0) throw platformNotConfigured(deps.config.platformIssues);
      const capabilities = request.capabilities.length === 0 ? [...ALL_CAPABILITIES] : ALL_CAPABILITIES.filter((c) => request.capabilities.includes(c));
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
      const createdAt = now();
      // Whole milliseconds: the token is an HMAC over this instant, stored and read back exactly.
      const expiresAt = new Date(createdAt.getTime() + deps.config.setupTtlMs);
      const stackName = stackNameOf(slug, setupId);
      let superseded: number[] = [];
      try {
        await deps.db.transaction().execute(async (trx) => {
          if (existing === undefined) {
            const publicSpec = splitSecrets(pendingSpec).publicSpec;
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
          } else {
            // Serializes setups of one connection: a concurrent reconnect
            // waits here, then sees (and supersedes) this one's setup.
            const locked = await trx.selectFrom("connections").select("id").where("id", "=", connectionId).forUpdate().executeTakeFirst();
            if (locked === undefined) throw new ConnectionNotFoundError(request.reconnect);
            superseded = await supersedePending(trx, connectionId);
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
            trustStartedEvent(caller, { connectionId, slug, setupId, accountId, region, capabilities, reconnect: existing !== undefined, expireTime: timestampFromDate(expiresAt) }),
          );
        });
      } catch (error) {
        await shred(caller.orgId, connectionId, [pendingVersion]);
        if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
        // The reconnected connection was deleted meanwhile (foreign key).
        if ((error as { code?: unknown } | null)?.code === "23503") throw new ConnectionNotFoundError(request.reconnect);
        throw error;
      }
      deps.onCommit();
      await shred(caller.orgId, connectionId, superseded);
      const row = await loadConnection(caller.orgId, connectionId);
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
        connection: toConnection(row),
        setup: toSetup(setup!, now()),
        warnings: existing ? [] : await connectionWarnings(deps.db, { orgId: caller.orgId, id: connectionId, name, provider: Provider.AWS, accountKey: row.account_key }, "account_id"),
      });
    },

    async complete(request, signal, requestId) {
      new Violations()
        .check(request.setupId !== "", "setup_id", "REQUIRED", "is required")
        .check(request.token !== "", "token", "REQUIRED", "is required")
        .throwIfAny();
      // Unknown setup and wrong token get the same answer: ids cannot be probed.
      const setup = SETUP_ID.test(request.setupId) ? await findSetup(deps.db, request.setupId) : undefined;
      if (setup === undefined || !deps.tokens.matches(request.token, setup.id, setup.expires_at)) throw new SetupTokenInvalidError();
      checkOpen(setup, now());
      checkCompletion(request, setup);
      const connection = await loadConnection(setup.org_id, setup.connection_id);
      const sealedPending = await deps.vault.open(setup.org_id, setup.connection_id, setup.pending_version, signal).catch(async (error: unknown) => {
        // The expiry sweep (or a newer setup) shredded it meanwhile: say so, not INTERNAL.
        if (!isGone(error)) throw error;
        const latest = await findSetup(deps.db, setup.id);
        if (latest !== undefined) checkOpen(latest, now());
        throw new SetupClosedError("this setup expired or was replaced while completing: start a new setup");
      });
      const pending = fromBinary(ConnectionSpecSchema, sealedPending);
      const externalId = trustOf(pending)?.externalId ?? "";
      if (!AWS_EXTERNAL_ID.test(externalId)) throw new Error(`setup ${setup.id}: sealed external id is unreadable`);
      const capabilities = setup.capabilities as AwsCapability[];
      const fullSpec = awsSpec({ accountId: setup.account_id, region: setup.region, trust: { roleArn: request.roleArn, externalId, capabilities, stackId: request.stackId } });
      const version = await deps.vault.seal(setup.org_id, setup.connection_id, toBinary(ConnectionSpecSchema, fullSpec), signal);
      const publicSpec = splitSecrets(fullSpec).publicSpec;
      let claimed = false;
      // Taken after the vault calls: the claim must not land after the expiry.
      const at = now();
      try {
        await deps.db.transaction().execute(async (trx) => {
          claimed = await claimCompletion(trx, setup.id, at, { roleArn: request.roleArn, stackId: request.stackId, completedVersion: version });
          if (!claimed) return;
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
            trustCompletedEvent({ orgId: setup.org_id, subject: CALLBACK_ACTOR, requestId }, {
              connectionId: locked.id,
              slug: locked.slug,
              setupId: setup.id,
              credentialVersion: version,
              previousCredentialVersion: locked.credential_version,
              roleArn: request.roleArn,
              accountId: setup.account_id,
              stackId: request.stackId,
              reconnect: setup.reconnect,
            }),
          );
        });
      } catch (error) {
        await shred(setup.org_id, setup.connection_id, [version]);
        throw error;
      }
      if (!claimed) {
        await shred(setup.org_id, setup.connection_id, [version]);
        // Lost a race with another completion, a supersede or the expiry: say which.
        const latest = await findSetup(deps.db, setup.id);
        if (latest === undefined) throw new ConnectionNotFoundError(setup.connection_id);
        checkOpen(latest, now());
        throw new SetupClosedError("the setup changed while completing; start a new setup");
      }
      deps.onCommit();
      await shred(setup.org_id, setup.connection_id, [setup.pending_version]);
      deps.logger.info(
        { org_id: setup.org_id, connection_id: connection.id, setup_id: setup.id, role_arn: request.roleArn, version, reconnect: setup.reconnect },
        "AWS trust setup completed",
      );
      return connection.id;
    },

    async get(caller, setupId) {
      new Violations().check(setupId !== "", "setup_id", "REQUIRED", "is required").throwIfAny();
      return snapshot(caller.orgId, setupId);
    },

    async *watch(caller, setupId, signal) {
      new Violations().check(setupId !== "", "setup_id", "REQUIRED", "is required").throwIfAny();
      let last = "";
      let first = true;
      // Bounded: a watch outlives neither the setup by much nor a missing verifier.
      const deadline = now().getTime() + deps.config.setupTtlMs + 10 * 60_000;
      while (!signal.aborted) {
        let current: SetupSnapshot;
        try {
          current = await snapshot(caller.orgId, setupId);
        } catch (error) {
          // The connection (and with it the setup) was deleted while watched.
          if (!first && (error instanceof SetupNotFoundError || error instanceof ConnectionNotFoundError)) return;
          throw error;
        }
        first = false;
        // The etag moves only with user-visible content (spec, name, version):
        // status and the verification result are compared on their own.
        const c = current.connection;
        const fingerprint = `${current.setup.state}/${c.etag}/${c.status}/${c.lastVerification?.verifyTime?.seconds ?? ""}.${c.lastVerification?.verifyTime?.nanos ?? ""}`;
        if (fingerprint !== last) {
          last = fingerprint;
          yield current;
        }
        if (isSettled(current) || now().getTime() >= deadline) return;
        await sleep(deps.config.watchPollMs, signal);
      }
    },

    async expirePass() {
      const expired = await expireDue(deps.db, now(), 100);
      for (const row of expired) await shred(row.org_id, row.connection_id, [row.pending_version]);
      if (expired.length > 0) deps.logger.info({ expired: expired.length }, "AWS trust setups expired");
      return expired.length;
    },
  };
}

// The vault's answer for a destroyed or unknown version (in process or over RPC).
function isGone(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown } | null;
  return e?.code === 5 || e?.name === "CredentialVersionNotFoundError" || e?.name === "CredentialVersionDestroyedError";
}

// A completion is possible only while the setup is pending and unexpired.
function checkOpen(setup: AwsTrustSetupRow, at: Date): void {
  switch (effectiveState(setup, at)) {
    case AwsTrustSetupState.PENDING:
      return;
    case AwsTrustSetupState.COMPLETED:
      throw new SetupAlreadyCompletedError();
    case AwsTrustSetupState.SUPERSEDED:
      throw new SetupClosedError("a newer setup replaced this one: use the newest link, or start a new setup");
    default:
      throw new SetupClosedError(`this setup expired at ${setup.expires_at.toISOString()}: start a new setup and use its link`);
  }
}

// What the stack reports must be a role and a stack of the setup's account.
function checkCompletion(request: CompleteSetupRequest, setup: AwsTrustSetupRow): void {
  const v = new Violations();
  const roleAccount = roleArnAccount(request.roleArn);
  v.check(request.accountId === setup.account_id, "account_id", request.accountId === "" ? "REQUIRED" : "MISMATCH", `must be the account the setup was started for (${setup.account_id})`);
  if (request.roleArn === "") v.check(false, "role_arn", "REQUIRED", "is required");
  else if (roleAccount === undefined) v.check(false, "role_arn", "PATTERN", "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>");
  else v.check(roleAccount === setup.account_id, "role_arn", "MISMATCH", `must be a role of account ${setup.account_id}`);
  const stack = STACK_ARN.exec(request.stackId);
  if (request.stackId === "") v.check(false, "stack_id", "REQUIRED", "is required");
  else if (stack === null) v.check(false, "stack_id", "PATTERN", "must be a CloudFormation stack ARN");
  // A stack lives in a real region of its ARN's partition.
  else if (awsPartitionOf(stack[2]!) !== stack[1]) v.check(false, "stack_id", "PATTERN", "must be a CloudFormation stack ARN of a known region of its partition");
  else v.check(stack[3] === setup.account_id, "stack_id", "MISMATCH", `must be a stack of account ${setup.account_id}`);
  v.throwIfAny();
}

// Settled: nothing more will happen to this setup without a new request.
function isSettled({ setup, connection }: SetupSnapshot): boolean {
  if (setup.state === AwsTrustSetupState.EXPIRED || setup.state === AwsTrustSetupState.SUPERSEDED) return true;
  if (setup.state !== AwsTrustSetupState.COMPLETED) return false;
  return connection.status === ConnectionStatus.VERIFIED || connection.status === ConnectionStatus.VERIFICATION_FAILED || connection.authMode !== AuthMode.CROSS_ACCOUNT_TRUST;
}

function awsSpec(input: { accountId: string; region: string; trust: { roleArn: string; externalId: string; capabilities: AwsCapability[]; stackId: string } }): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "aws",
      value: { accountId: input.accountId, region: input.region, auth: { case: "crossAccountTrust", value: input.trust } },
    },
  });
}

function awsSpecOf(row: ConnectionRow) {
  const spec = fromJson(ConnectionSpecSchema, row.public_spec as JsonValue);
  return spec.provider.case === "aws" ? spec.provider.value : undefined;
}

function trustOf(spec: ConnectionSpec) {
  return spec.provider.case === "aws" && spec.provider.value.auth.case === "crossAccountTrust" ? spec.provider.value.auth.value : undefined;
}

/**
 * stackNameOf suggests a stack name: `planton-<slug>-<setup suffix>`, unique
 * per setup (a reconnect's stack sits beside the old one until that is
 * deleted), within CloudFormation's rule (a letter first, then letters,
 * digits and hyphens, at most 128).
 */
export function stackNameOf(slug: string, setupId: string): string {
  return `planton-${slug}`.slice(0, 120).replace(/-+$/, "") + `-${setupId.slice(-6)}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
