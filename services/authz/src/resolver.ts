import { randomUUID } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Kysely } from "kysely";
import type { Logger } from "@planton/logging";
import { AuditDecision, ResolveCredentialsResponseSchema, type ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { mergeSecrets, runnerIdOf } from "@planton/providers";
import { scrubText } from "@planton/logging";
import { Violations } from "@planton/server";
import { RESOLVE_KIND } from "./audit-kinds.js";
import type { AuditLog } from "./audit-log.js";
import type { Authorizations, Caller } from "./authorizations.js";
import { ALL_ENVIRONMENTS, checkEnvironment } from "./environment-rules.js";
import { abortCodeOf, codeName, errorCodeOf } from "./error-codes.js";
import { ConflictError, NoConnectionError, NotAuthorizedError } from "./errors.js";
import type { CredentialOpener, RegistryLookup } from "./ports.js";
import type { AuthzDatabase, PinRow } from "./schema.js";

/** Dependencies of {@link createResolver}. */
export interface ResolverDeps {
  readonly db: Kysely<AuthzDatabase>;
  readonly registry: RegistryLookup;
  readonly vault: CredentialOpener;
  readonly authorizations: Authorizations;
  readonly audit: AuditLog;
  /** How long a pin holds when the deployment is not released. */
  readonly pinTtlMs: number;
  readonly logger: Logger;
}

/** Inputs of a resolve. */
export interface ResolveInput {
  readonly deploymentId: string;
  readonly environment: string;
  readonly provider: Provider;
  readonly connection: string;
}

/** Credential resolution for deployments, with version pinning and audit. */
export interface Resolver {
  resolve(caller: Caller, input: ResolveInput, signal?: AbortSignal): Promise<ResolveCredentialsResponse>;
  release(caller: Caller, deploymentId: string): Promise<boolean>;
}

const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** Creates the {@link Resolver}. */
export function createResolver(deps: ResolverDeps): Resolver {
  const findPin = async (orgId: string, deploymentId: string): Promise<PinRow | undefined> =>
    deps.db
      .selectFrom("deployment_pins")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("deployment_id", "=", deploymentId)
      .where("expires_at", ">", new Date())
      .executeTakeFirst();

  /** Pins `version` unless a live pin exists (a concurrent first resolve); returns the pin that holds. */
  const pin = async (orgId: string, input: ResolveInput, connectionId: string, version: number): Promise<PinRow> => {
    const now = new Date();
    const row = { org_id: orgId, deployment_id: input.deploymentId, connection_id: connectionId, credential_version: version, environment: input.environment, pinned_at: now, expires_at: new Date(now.getTime() + deps.pinTtlMs) };
    await deps.db
      .insertInto("deployment_pins")
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(["org_id", "deployment_id"])
          .doUpdateSet({ connection_id: connectionId, credential_version: version, environment: input.environment, pinned_at: now, expires_at: row.expires_at })
          // Only an expired pin is replaced; a live one (a concurrent first resolve) wins.
          .where("deployment_pins.expires_at", "<=", now),
      )
      .execute();
    return (await findPin(orgId, input.deploymentId)) ?? row;
  };

  const choose = async (caller: Caller, input: ResolveInput) => {
    if (input.connection !== "") return { ...(await deps.registry.lookup(caller.orgId, input.connection)), reason: "explicit connection" };
    for (const [environment, label] of [
      [input.environment, "environment default"],
      [ALL_ENVIRONMENTS, "organization default"],
    ] as const) {
      const row = await deps.db
        .selectFrom("default_connections")
        .select("connection_id")
        .where("org_id", "=", caller.orgId)
        .where("provider", "=", input.provider)
        .where("environment", "=", environment)
        .executeTakeFirst();
      if (row !== undefined) return { ...(await deps.registry.lookup(caller.orgId, row.connection_id)), reason: label };
    }
    throw new NoConnectionError(
      `no ${Provider[input.provider]} connection for environment ${input.environment}: pass "connection", or SetDefaultConnection for the environment or the organization`,
    );
  };

  /**
   * What the pinned `version` hands out. The sealed version decides, not the
   * connection's current auth mode: a deployment pinned before a change of
   * mode (keys to a trust role by a reconnect, a role to keys by a rotation)
   * keeps what it started with. Version 0 seals nothing: runner mode.
   */
  const credentialsOf = async (orgId: string, connection: Connection, publicSpec: ConnectionSpec, version: number, signal?: AbortSignal) => {
    if (version === 0) {
      const runnerId = runnerIdOf(publicSpec);
      if (connection.authMode === AuthMode.RUNNER && runnerId !== undefined) {
        return { authMode: AuthMode.RUNNER, credentials: { case: "runner" as const, value: { runnerId } } };
      }
      if (connection.authMode === AuthMode.CROSS_ACCOUNT_TRUST) throw noRoleYet(connection);
      throw new ConflictError(`connection ${connection.slug} no longer uses the runner this deployment was pinned to: release the deployment and resolve again`);
    }
    const sealed = fromBinary(ConnectionSpecSchema, await deps.vault.open(orgId, connection.id, version, signal));
    const trust = sealed.provider.case === "aws" && sealed.provider.value.auth.case === "crossAccountTrust" ? sealed.provider.value.auth.value : undefined;
    if (trust !== undefined) {
      // The role ARN is sealed with its external id, so a deployment pinned
      // before a reconnect keeps the role it started with.
      if (trust.roleArn === "") throw new Error(`connection ${connection.id} version ${version} seals no role`);
      return { authMode: AuthMode.CROSS_ACCOUNT_TRUST, credentials: { case: "awsRole" as const, value: { roleArn: trust.roleArn, externalId: trust.externalId } } };
    }
    let full: ConnectionSpec;
    try {
      full = mergeSecrets(publicSpec, sealed);
    } catch {
      // The connection changed auth method since this version was pinned:
      // the pinned version's own fields are what the deployment started with.
      full = sealed;
    }
    return { authMode: AuthMode.INLINE, credentials: { case: "inline" as const, value: full } };
  };

  return {
    async resolve(caller, input, signal) {
      const base = {
        // One id per attempt: the attempt has exactly one record, whichever way it ends.
        id: randomUUID(),
        kind: RESOLVE_KIND,
        requestId: caller.requestId ?? "",
        orgId: caller.orgId,
        actor: caller.subject,
        // Refused requests are recorded too; keep what they sent within bounds.
        deploymentId: input.deploymentId.slice(0, 128),
        environment: input.environment.slice(0, 128),
        provider: Provider[input.provider] !== undefined ? input.provider : Provider.UNSPECIFIED,
      };
      let connectionId = "";
      let version = 0;
      try {
        const v = new Violations()
          .check(DEPLOYMENT_ID.test(input.deploymentId), "deployment_id", input.deploymentId === "" ? "REQUIRED" : "PATTERN", input.deploymentId === "" ? "is required" : "must be 1-128 characters of letters, digits, '_', '.', ':' or '-'")
          .check(input.provider !== Provider.UNSPECIFIED && Provider[input.provider] !== undefined, "provider", "ENUM", "must be a known provider");
        checkEnvironment(v, "environment", input.environment).throwIfAny();
        const pinned = await findPin(caller.orgId, input.deploymentId);
        let chosen: { connection: Connection; publicSpec: ConnectionSpec; reason: string };
        if (pinned !== undefined) {
          chosen = { ...(await deps.registry.lookup(caller.orgId, pinned.connection_id)), reason: "pinned" };
          connectionId = chosen.connection.id;
          version = pinned.credential_version;
          if (pinned.environment !== input.environment) throw new ConflictError(`deployment ${input.deploymentId} is pinned in environment ${pinned.environment}; release it first`);
          if (input.connection !== "" && input.connection !== chosen.connection.id && input.connection !== chosen.connection.slug) {
            throw new ConflictError(`deployment ${input.deploymentId} is pinned to connection ${chosen.connection.slug}; release it first`);
          }
        } else {
          chosen = await choose(caller, input);
          connectionId = chosen.connection.id;
          if (!(await deps.authorizations.isAuthorized(caller.orgId, chosen.connection.id, input.environment))) {
            throw new NotAuthorizedError(
              `connection ${chosen.connection.slug} is not authorized for environment ${input.environment}: AuthorizeConnection for the environment or the organization`,
            );
          }
          version = chosen.connection.credentialVersion;
        }
        if (chosen.connection.provider !== input.provider) {
          throw new ConflictError(`connection ${chosen.connection.slug} is a ${Provider[chosen.connection.provider]} connection, not ${Provider[input.provider]}`);
        }
        // Refused before pinning: a pin to "no role yet" would outlive the setup's completion.
        if (pinned === undefined && chosen.connection.authMode === AuthMode.CROSS_ACCOUNT_TRUST && version === 0) throw noRoleYet(chosen.connection);
        const holding = pinned ?? (await pin(caller.orgId, input, chosen.connection.id, version));
        if (holding.connection_id !== chosen.connection.id || holding.environment !== input.environment) {
          // A concurrent first resolve of this deployment pinned something
          // else: never pair that pin's version with this connection.
          throw new ConflictError(`deployment ${input.deploymentId} was pinned concurrently to another connection or environment; retry`);
        }
        version = holding.credential_version;
        const { authMode, credentials } = await credentialsOf(caller.orgId, chosen.connection, chosen.publicSpec, version, signal);
        // The caller went away or its deadline passed: nothing will be sent,
        // so no ALLOWED record (the catch below records what happened).
        signal?.throwIfAborted();
        // Recorded before anything is handed out; if this fails, the resolve fails.
        await deps.audit.write({ ...base, connectionId, credentialVersion: version, decision: AuditDecision.ALLOWED, reason: chosen.reason });
        // Gone while the record was written: the catch turns it into ERROR.
        // (An abort after this instant cannot be told from a sent answer.)
        signal?.throwIfAborted();
        return create(ResolveCredentialsResponseSchema, {
          connectionId: chosen.connection.id,
          connectionSlug: chosen.connection.slug,
          provider: chosen.connection.provider,
          authMode,
          credentialVersion: version,
          credentials,
          pinTime: timestampFromDate(holding.pinned_at),
          pinExpireTime: timestampFromDate(holding.expires_at),
        });
      } catch (error) {
        if (isRefusal(error)) {
          await deps.audit.write({ ...base, connectionId, credentialVersion: version, decision: AuditDecision.DENIED, reason: reasonOf(error) });
          throw error;
        }
        // Everything else is an error after the request reached the
        // resolver: recorded with its code, and nothing was handed out.
        const aborted = signal?.aborted === true;
        const code = aborted ? abortCodeOf(signal!) : errorCodeOf(error);
        const failure = aborted ? signal!.reason : error;
        try {
          await deps.audit.write({ ...base, connectionId, credentialVersion: version, decision: AuditDecision.ERROR, errorCode: codeName(code), reason: failureReason(code, error) });
        } catch (auditError) {
          // The audit store itself failed (often the cause of `error`): the
          // resolve fails either way, with its own error.
          deps.logger.error({ error: auditError, org_id: caller.orgId, deployment_id: base.deploymentId, code: codeName(code) }, "failed resolve could not be audited");
        }
        throw failure;
      }
    },
    async release(caller, deploymentId) {
      new Violations().check(deploymentId !== "", "deployment_id", "REQUIRED", "is required").throwIfAny();
      const result = await deps.db.deleteFrom("deployment_pins").where("org_id", "=", caller.orgId).where("deployment_id", "=", deploymentId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

function noRoleYet(connection: Connection): ConflictError {
  return new ConflictError(`connection ${connection.slug} has no role yet: its AWS trust setup has not completed (open the setup link, or start a new setup)`);
}

// Refusals are decisions and get a DENIED record; every other failure (an
// outage, a damaged credential, a cancellation) gets an ERROR record.
function isRefusal(error: unknown): boolean {
  if (error instanceof NoConnectionError || error instanceof NotAuthorizedError || error instanceof ConflictError) return true;
  if (error instanceof ConnectError) return error.code === Code.InvalidArgument || error.code === Code.NotFound; /* NOT_FOUND from the registry or vault over RPC */
  const name = (error as { name?: unknown } | null)?.name;
  // The in-process registry's and vault's "not found" (a deleted connection, a destroyed pinned version).
  return name === "ConnectionNotFoundError" || name === "CredentialVersionNotFoundError" || name === "CredentialVersionDestroyedError";
}

// The reason of an ERROR record: what failed, in words that hold no secret.
function failureReason(code: Code, error: unknown): string {
  if (code === Code.Canceled) return "the caller canceled before the answer was sent; nothing was handed out";
  if (code === Code.DeadlineExceeded) return "the caller's deadline passed before the answer was sent; nothing was handed out";
  if (code === Code.Internal || code === Code.Unknown) return "internal error";
  const message = error instanceof ConnectError ? error.rawMessage : error instanceof Error ? error.message : "";
  return scrubText(message).slice(0, 300);
}

function reasonOf(error: unknown): string {
  if (error instanceof NoConnectionError) return "no connection named and no default";
  if (error instanceof NotAuthorizedError) return "connection not authorized for the environment";
  if (error instanceof ConflictError) return "conflicts with the deployment's pin or provider";
  if (error instanceof ConnectError && error.code === Code.InvalidArgument) return "invalid request";
  return "connection or credential version not found";
}
