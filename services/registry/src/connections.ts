import { create, equals, fromBinary, fromJson, toBinary, toJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { sql, type Kysely } from "kysely";
import { insertOutboxEvent } from "@planton/events";
import type { Logger } from "@planton/logging";
import { ConnectionDetailsSchema, ConnectionSchema, VerificationSchema, type Connection, type Verification, type Warning } from "@planton/proto/planton/connect/v1/connection_pb";
import { AwsCrossAccountTrustSchema, ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, ConnectionStatus, Provider, type RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import {
  accountKeyOf,
  applyUpdateMask,
  authModeOf,
  detailsOf,
  idPrefixOf,
  maskAccessKeyIdsIn,
  mergeSecrets,
  normalizeSpec,
  providerOf,
  runnerIdOf,
  runnerKindViolation,
  splitSecrets,
  validateSpec,
  type AwsRuleOptions,
} from "@planton/providers";
import { badRequest, Violations, type FieldViolation } from "@planton/server";
import type { Caller } from "./caller.js";
import {
  deleteConnectionIfEtag,
  findConnection,
  insertConnection,
  listConnections,
  lockConnection,
  nameOrSlugTaken,
  recordStatusIfVersion,
  updateConnectionIfEtag,
  type ConnectionFilter,
} from "./connection-store.js";
import { ConnectionInUseError, ConnectionNotFoundError, NameTakenError, StaleEtagError } from "./errors.js";
import { newEtag, newId, slugify } from "./ids.js";
import { bestEffort } from "./best-effort.js";
import { connectionWarnings } from "./connection-warnings.js";
import { decodePageToken, encodePageToken } from "./page-token.js";
import { connectionEvent, verifiedEvent } from "./registry-events.js";
import { checkName, isUniqueViolation, pageSizeOf } from "./request-rules.js";
import type { ConnectionRow, RegistryDatabase } from "./schema.js";
import type { VaultClient } from "./vault-client.js";

/**
 * How long an update waits for another writer's lock on the same connection
 * before giving up with ABORTED: longer than one vault call (the RPC vault
 * client's deadline is 10 s), so a waiter normally sees the holder finish.
 */
const LOCK_WAIT_MS = 15_000;

/** Dependencies of {@link createConnections}. */
export interface ConnectionsDeps {
  readonly db: Kysely<RegistryDatabase>;
  readonly vault: VaultClient;
  readonly logger: Logger;
  /** The identity kind of a runner of the org; undefined when the org has no such runner. */
  readonly runnerKind: (orgId: string, runnerId: string) => Promise<RunnerIdentityKind | undefined>;
  /** Called after a commit that wrote events (kicks the outbox relay). */
  readonly onCommit: () => void;
  /** Periodic re-verification interval; the next run is set when a result is recorded. */
  readonly reverifyIntervalMs: number;
  /** How many deployments are pinned to a connection (authz); absent: no check. */
  readonly countPins?: (orgId: string, connectionId: string, signal?: AbortSignal) => Promise<number>;
}

/** A connection and the advice that goes with a write. */
export interface ConnectionWithWarnings {
  readonly connection: Connection;
  readonly warnings: Warning[];
}

/** Inputs of {@link Connections.update}. */
export interface UpdateInput {
  readonly reference: string;
  readonly etag: string;
  readonly name: string;
  readonly spec: ConnectionSpec | undefined;
  readonly paths: readonly string[];
}

/** The ConnectionService use cases, always scoped to the caller's organization. */
export interface Connections {
  create(caller: Caller, name: string, spec: ConnectionSpec | undefined, signal?: AbortSignal): Promise<ConnectionWithWarnings>;
  get(caller: Caller, reference: string): Promise<Connection>;
  list(caller: Caller, filter: { provider: number; status: number; pageSize: number; pageToken: string }): Promise<{ connections: Connection[]; nextPageToken: string }>;
  update(caller: Caller, input: UpdateInput, signal?: AbortSignal): Promise<ConnectionWithWarnings & { rotated: boolean }>;
  /** Deletes a connection; refused while deployments are pinned to it unless `force`. */
  remove(caller: Caller, reference: string, etag: string, force: boolean, signal?: AbortSignal): Promise<void>;
  recordVerification(actor: Caller, orgId: string, connectionId: string, verification: Verification): Promise<{ applied: boolean; connection: Connection }>;
  /** For platform services: a connection of `orgId` with its public spec (secrets cleared). */
  lookup(orgId: string, reference: string): Promise<{ connection: Connection; publicSpec: ConnectionSpec }>;
}

/** Creates the {@link Connections} use cases. */
export function createConnections(deps: ConnectionsDeps): Connections {
  /**
   * Spec rules, plus for runner mode: the runner exists in the org and is of
   * a kind that can authenticate to the provider (runner-rules.ts). Throws
   * INVALID_ARGUMENT with every violation.
   */
  const checkSpec = async (orgId: string, spec: ConnectionSpec | undefined, extra: FieldViolation[], options: AwsRuleOptions = {}) => {
    const violations = [...extra, ...validateSpec(spec, "spec", options)];
    const runnerId = spec ? runnerIdOf(spec) : undefined;
    if (spec && runnerId !== undefined && !violations.some((v) => v.field.endsWith("runner.runner_id"))) {
      const field = `spec.${spec.provider.case ?? ""}.runner.runner_id`;
      const kind = await deps.runnerKind(orgId, runnerId);
      if (kind === undefined) {
        violations.push({ field, reason: "NOT_FOUND", description: "no runner with this id in your organization" });
      } else {
        const wrongKind = runnerKindViolation(field, providerOf(spec), kind);
        if (wrongKind) violations.push(wrongKind);
      }
    }
    if (violations.length > 0) throw badRequest(violations);
  };

  const stored = (spec: ConnectionSpec) => {
    const { publicSpec, secretSpec } = splitSecrets(spec);
    return {
      provider: providerOf(spec),
      authMode: authModeOf(spec),
      publicSpec,
      secretPayload: secretSpec ? toBinary(ConnectionSpecSchema, secretSpec) : undefined,
      details: detailsOf(spec),
      accountKey: accountKeyOf(spec) ?? null,
      runnerId: runnerIdOf(spec) ?? null,
    };
  };

  const warningsFor = (orgId: string, id: string, name: string, provider: Provider, accountKey: string | null) =>
    connectionWarnings(deps.db, { orgId, id, name, provider, accountKey });

  /**
   * The one way a request's connection reference is resolved: an empty one
   * is the caller's error (INVALID_ARGUMENT naming `field`), not NOT_FOUND.
   */
  const load = async (caller: Caller, reference: string, field = "connection") => {
    new Violations().check(reference !== "", field, "REQUIRED", "is required (a connection id or slug)").throwIfAny();
    const row = await findConnection(deps.db, caller.orgId, reference);
    if (row === undefined) throw new ConnectionNotFoundError(reference);
    return row;
  };

  return {
    async create(caller, name, spec, signal) {
      const nameViolations = checkName(new Violations(), "name", name);
      const slug = slugify(name);
      await checkSpec(caller.orgId, spec, collect(nameViolations));
      const full = normalizeSpec(spec!);
      if (await nameOrSlugTaken(deps.db, caller.orgId, name, slug)) throw new NameTakenError("connection", name);
      const parts = stored(full);
      const id = newId(idPrefixOf(parts.provider));
      // Seal first: the vault call must not hold a database transaction open.
      const version = parts.secretPayload ? await deps.vault.seal(caller.orgId, id, parts.secretPayload, signal) : 0;
      const now = new Date();
      try {
        await deps.db.transaction().execute(async (trx) => {
          await insertConnection(trx, {
            id,
            org_id: caller.orgId,
            name,
            slug,
            provider: parts.provider,
            auth_mode: parts.authMode,
            public_spec: JSON.stringify(toJson(ConnectionSpecSchema, parts.publicSpec)),
            details: JSON.stringify(toJson(ConnectionDetailsSchema, parts.details)),
            runner_id: parts.runnerId,
            account_key: parts.accountKey,
            credential_version: version,
            status: initialStatus(parts.authMode),
            last_verification: null,
            etag: newEtag(),
            created_at: now,
            updated_at: now,
          });
          await insertOutboxEvent(
            trx,
            connectionEvent("connection.created", caller, { connectionId: id, slug, name, provider: parts.provider, authMode: parts.authMode, credentialVersion: version }),
          );
        });
      } catch (error) {
        if (version > 0) await bestEffort(deps.logger, "destroy orphaned credential", () => deps.vault.destroy(caller.orgId, id, 0));
        if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
        // The runner was deleted between the check and the insert (foreign key).
        if (isForeignKeyViolation(error)) throw runnerGone(full);
        throw error;
      }
      deps.onCommit();
      const row = await load(caller, id);
      return { connection: toConnection(row), warnings: await warningsFor(caller.orgId, id, name, parts.provider, parts.accountKey) };
    },

    async get(caller, reference) {
      return toConnection(await load(caller, reference));
    },

    async list(caller, request) {
      const v = new Violations()
        .check(request.provider === 0 || Provider[request.provider] !== undefined, "provider", "ENUM", "must be a known provider or unset")
        .check(request.status === 0 || ConnectionStatus[request.status] !== undefined, "status", "ENUM", "must be a known status or unset");
      v.throwIfAny();
      const filter: ConnectionFilter = {
        ...(request.provider !== 0 ? { provider: request.provider } : {}),
        ...(request.status !== 0 ? { status: request.status } : {}),
      };
      const fingerprint = { org: caller.orgId, ...filter };
      const cursor = request.pageToken === "" ? undefined : decodePageToken(request.pageToken, fingerprint);
      const limit = pageSizeOf(request.pageSize);
      const rows = await listConnections(deps.db, caller.orgId, filter, cursor, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        connections: page.map(toConnection),
        nextPageToken: rows.length > limit && last ? encodePageToken({ createdAt: last.created_at, id: last.id }, fingerprint) : "",
      };
    },

    async update(caller, input, signal) {
      const v = new Violations()
        .check(input.reference !== "", "connection", "REQUIRED", "is required")
        .check(input.etag !== "", "etag", "REQUIRED", "is required (read the connection first)")
        .check(input.paths.length > 0, "update_mask", "REQUIRED", "must name at least one field")
        .check(
          input.paths.every((p) => p === "name" || p.startsWith("spec.")),
          "update_mask",
          "UNKNOWN_FIELD",
          'paths must be "name" or start with "spec."',
        );
      v.throwIfAny();
      const row = await load(caller, input.reference);
      if (row.etag !== input.etag) throw new StaleEtagError();
      const renaming = input.paths.includes("name");
      const name = renaming ? input.name : row.name;
      const nameViolations = renaming ? collect(checkName(new Violations(), "name", name)) : [];
      const specPaths = input.paths.filter((p) => p.startsWith("spec."));
      // Before any vault call: a refused rename must not leave a sealed version behind.
      if (renaming && nameViolations.length === 0 && name !== row.name && (await nameOrSlugTaken(deps.db, caller.orgId, name, undefined, row.id))) {
        throw new NameTakenError("connection", name);
      }

      let parts: ReturnType<typeof stored> | undefined;
      let needsSeal = false;
      if (specPaths.length > 0) {
        // Read and validated outside the lock: the etag check under the lock
        // below proves the row (spec, auth mode, version) is still this one.
        const current = mergeSecrets(
          fromJson(ConnectionSpecSchema, row.public_spec as JsonValue),
          row.credential_version > 0 ? fromBinary(ConnectionSpecSchema, await deps.vault.open(caller.orgId, row.id, row.credential_version, signal)) : undefined,
        );
        const masked = applyUpdateMask(current, input.spec, specPaths);
        if (masked.violations.length > 0) throw badRequest([...nameViolations, ...masked.violations]);
        // A cross-account role is only ever written by AwsTrustService: an
        // update may keep it exactly as it is, never set or edit it.
        await checkSpec(caller.orgId, masked.spec, nameViolations, { allowCrossAccountTrust: sameTrust(current, masked.spec) });
        parts = stored(normalizeSpec(masked.spec));
        needsSeal = masked.secretsChanged || parts.authMode !== row.auth_mode;
      } else if (nameViolations.length > 0) {
        throw badRequest(nameViolations);
      }

      // Check, seal and write under the connection's row lock, in one short
      // transaction. Concurrent writers that all read the same etag queue on
      // the lock; the first one seals and commits a new etag, and every later
      // one finds the etag changed BEFORE calling the vault: a refused update
      // seals nothing, destroys nothing and costs no KMS data key. (The
      // alternative, a conditional claim before the seal, would need a claim
      // column and a way to release a claim left by a crashed writer; the
      // lock is released by PostgreSQL whatever happens.) The price is a
      // transaction held across one vault call, bounded by the vault client's
      // deadline, and waiters bounded by LOCK_WAIT_MS.
      let version = row.credential_version;
      let sealed = false;
      let rotated = false;
      try {
        await deps.db.transaction().execute(async (trx) => {
          await sql`SET LOCAL lock_timeout = ${sql.lit(`${LOCK_WAIT_MS}ms`)}`.execute(trx);
          const locked = await lockConnection(trx, caller.orgId, row.id);
          if (locked === undefined) throw new ConnectionNotFoundError(input.reference);
          if (locked.etag !== input.etag) throw new StaleEtagError();
          if (needsSeal) {
            version = parts!.secretPayload ? await deps.vault.seal(caller.orgId, row.id, parts!.secretPayload, signal) : 0;
            sealed = version > 0;
            rotated = version !== row.credential_version;
          }
          const updated = await updateConnectionIfEtag(trx, caller.orgId, row.id, input.etag, {
            name,
            ...(parts
              ? {
                  auth_mode: parts.authMode,
                  public_spec: JSON.stringify(toJson(ConnectionSpecSchema, parts.publicSpec)),
                  details: JSON.stringify(toJson(ConnectionDetailsSchema, parts.details)),
                  runner_id: parts.runnerId,
                  account_key: parts.accountKey,
                }
              : {}),
            ...(rotated ? { credential_version: version, status: initialStatus(parts!.authMode), last_verification: null, next_verification_at: null } : {}),
            etag: newEtag(),
            updated_at: new Date(),
          });
          // Unreachable while the lock is held; kept so a change to the locking cannot silently lose a write.
          if (!updated) throw new StaleEtagError();
          await insertOutboxEvent(
            trx,
            connectionEvent(rotated ? "connection.rotated" : "connection.updated", caller, {
              connectionId: row.id,
              slug: row.slug,
              provider: row.provider,
              authMode: parts?.authMode ?? row.auth_mode,
              credentialVersion: version,
              previousCredentialVersion: row.credential_version,
              // For the audit log: what changed, never the values.
              updatePaths: [...input.paths],
              name,
              previousName: name !== row.name ? row.name : "",
            }),
          );
        });
      } catch (error) {
        if (sealed) await bestEffort(deps.logger, "destroy unused credential version", () => deps.vault.destroy(caller.orgId, row.id, version));
        if (isUniqueViolation(error)) throw new NameTakenError("connection", name);
        if (isForeignKeyViolation(error) && parts) throw runnerGone(parts.publicSpec);
        // Another writer held the connection for longer than LOCK_WAIT_MS: it is changing it.
        if (isLockTimeout(error)) throw new StaleEtagError();
        throw error;
      }
      deps.onCommit();
      const after = await load(caller, row.id);
      const warnings = renaming || parts ? await warningsFor(caller.orgId, row.id, name, row.provider, after.account_key) : [];
      return { connection: toConnection(after), warnings, rotated };
    },

    async remove(caller, reference, etag, force, signal) {
      new Violations()
        .check(reference !== "", "connection", "REQUIRED", "is required")
        .check(etag !== "", "etag", "REQUIRED", "is required (read the connection first)")
        .throwIfAny();
      const row = await load(caller, reference);
      if (row.etag !== etag) throw new StaleEtagError();
      if (!force && deps.countPins) {
        const pinned = await deps.countPins(caller.orgId, row.id, signal);
        if (pinned > 0) throw new ConnectionInUseError(row.slug, pinned);
      }
      // The row goes and the vault shreds every version in one unit: the
      // transaction commits only after the vault confirmed, so a vault outage
      // leaves the connection (and its secrets) intact and the call retryable.
      await deps.db.transaction().execute(async (trx) => {
        if (!(await deleteConnectionIfEtag(trx, caller.orgId, row.id, etag))) throw new StaleEtagError();
        await insertOutboxEvent(
          trx,
          connectionEvent("connection.deleted", caller, {
            connectionId: row.id,
            slug: row.slug,
            provider: row.provider,
            authMode: row.auth_mode,
            credentialVersion: row.credential_version,
            name: row.name,
            forced: force,
          }),
        );
        await deps.vault.destroy(caller.orgId, row.id, 0, signal);
      });
      deps.onCommit();
    },

    async lookup(orgId, reference) {
      new Violations()
        .check(orgId !== "", "org_id", "REQUIRED", "is required")
        .check(reference !== "", "connection", "REQUIRED", "is required")
        .throwIfAny();
      const row = await load({ orgId, subject: "" }, reference);
      return { connection: toConnection(row), publicSpec: fromJson(ConnectionSpecSchema, row.public_spec as JsonValue) };
    },

    async recordVerification(actor, orgId, connectionId, verification) {
      new Violations()
        .check(orgId !== "", "org_id", "REQUIRED", "is required")
        .check(connectionId !== "", "connection_id", "REQUIRED", "is required")
        .check(verification.credentialVersion >= 1, "verification.credential_version", "MIN", "must be at least 1")
        .throwIfAny();
      const owner = { orgId, subject: actor.subject, requestId: actor.requestId };
      const row = await load(owner, connectionId, "connection_id");
      // A result for an older version must never overwrite a newer one.
      if (row.credential_version !== verification.credentialVersion) return { applied: false, connection: toConnection(row) };
      // Defence in depth: the API shows AWS access key ids only as hints, so
      // a result quoting one (an older or third-party verifier) is stored masked.
      const recorded = create(VerificationSchema, { ...verification, message: maskAccessKeyIdsIn(verification.message), identity: maskAccessKeyIdsIn(verification.identity) });
      let applied = false;
      await deps.db.transaction().execute(async (trx) => {
        // Status is the system's, not the user's: conditional on the version
        // (a rotation meanwhile makes this result stale), never on the etag,
        // and the etag stays as it is (see Connection.etag in the proto).
        applied = await recordStatusIfVersion(trx, orgId, row.id, verification.credentialVersion, {
          status: verification.ok ? ConnectionStatus.VERIFIED : ConnectionStatus.VERIFICATION_FAILED,
          last_verification: JSON.stringify(toJson(VerificationSchema, recorded)),
          // Spread re-verifications: each connection is due interval x [0.9, 1.1) later.
          next_verification_at: new Date(Date.now() + deps.reverifyIntervalMs * (0.9 + Math.random() * 0.2)),
          updated_at: new Date(),
        });
        if (applied) {
          await insertOutboxEvent(
            trx,
            verifiedEvent(owner, { connectionId: row.id, credentialVersion: verification.credentialVersion, ok: verification.ok, reason: verification.reason }),
          );
        }
      });
      if (applied) deps.onCommit();
      return { applied, connection: toConnection(await load(owner, row.id)) };
    },
  };
}

/** toConnection maps a row to the response message: details and hints only, by construction. */
export function toConnection(row: ConnectionRow): Connection {
  return create(ConnectionSchema, {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    slug: row.slug,
    provider: row.provider,
    authMode: row.auth_mode,
    details: fromJson(ConnectionDetailsSchema, row.details as JsonValue),
    credentialVersion: row.credential_version,
    status: row.status,
    ...(row.last_verification ? { lastVerification: fromJson(VerificationSchema, row.last_verification as JsonValue) } : {}),
    etag: row.etag,
    createTime: timestampFromDate(row.created_at),
    updateTime: timestampFromDate(row.updated_at),
  });
}

function initialStatus(authMode: AuthMode): ConnectionStatus {
  return authMode === AuthMode.RUNNER ? ConnectionStatus.VERIFIED_BY_RUNNER : ConnectionStatus.PENDING_VERIFICATION;
}



// Whether both specs carry the same cross-account trust (role, external id,
// capabilities, stack): the update left it untouched.
function sameTrust(current: ConnectionSpec, updated: ConnectionSpec): boolean {
  const a = current.provider.case === "aws" && current.provider.value.auth.case === "crossAccountTrust" ? current.provider.value.auth.value : undefined;
  const b = updated.provider.case === "aws" && updated.provider.value.auth.case === "crossAccountTrust" ? updated.provider.value.auth.value : undefined;
  return a !== undefined && b !== undefined && equals(AwsCrossAccountTrustSchema, a, b);
}

// lock_not_available: SET LOCAL lock_timeout expired while waiting for the row.
function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "55P03";
}

function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "23503";
}

function runnerGone(spec: ConnectionSpec) {
  return badRequest([{ field: `spec.${spec.provider.case ?? ""}.runner.runner_id`, reason: "NOT_FOUND", description: "no runner with this id in your organization" }]);
}

function collect(v: Violations): FieldViolation[] {
  return v.list();
}

