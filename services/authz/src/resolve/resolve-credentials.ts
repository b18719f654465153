import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { AuditDecision, ResolveCredentialsResponseSchema, type ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { AWS_DEFAULT_REGION } from "@planton/providers";
import { Violations } from "@planton/server";
import { RESOLVE_KIND } from "../audit-kinds.js";
import type { Caller } from "../caller.js";
import { checkEnvironment } from "../environment-rules.js";
import { ConflictError, NotAuthorizedError } from "../errors.js";
import { auditFailure, type AttemptRecord } from "./audit-outcome.js";
import { chooseConnection, type ChosenConnection } from "./choose-connection.js";
import { credentialsForVersion, noRoleYet } from "./credentials-for-version.js";
import { mintSession } from "./mint-session.js";
import { pinVersion } from "./pin.js";
import type { ResolveInput, ResolverDeps } from "./resolver-deps.js";
import { checkSessionRequest } from "./session-request.js";

const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * ResolveCredentials: the credentials a deployment uses. The first resolve
 * of a deployment chooses a connection (choose-connection.ts), checks its
 * authorization for the environment and pins its current credential
 * version (pin.ts); later resolves hand out the pinned version whatever
 * changed since (credentials-for-version.ts); with `sessionCredentials`, the
 * pinned trust role is assumed for the deployment and its fresh session is
 * handed out instead of the role (mint-session.ts). Every attempt has exactly one
 * audit record: ALLOWED before anything is handed out, else DENIED or ERROR
 * (audit-outcome.ts).
 */
export async function resolveCredentials(deps: ResolverDeps, caller: Caller, input: ResolveInput, signal?: AbortSignal): Promise<ResolveCredentialsResponse> {
  const attempt: AttemptRecord = {
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
      .check(
        DEPLOYMENT_ID.test(input.deploymentId),
        "deployment_id",
        input.deploymentId === "" ? "REQUIRED" : "PATTERN",
        input.deploymentId === "" ? "is required" : "must be 1-128 characters of letters, digits, '_', '.', ':' or '-'",
      )
      .check(input.provider !== Provider.UNSPECIFIED && Provider[input.provider] !== undefined, "provider", "ENUM", "must be a known provider");
    checkEnvironment(v, "environment", input.environment);
    // Plain resolves (the hot path) skip this entirely.
    const sessionSeconds = input.sessionCredentials === true || input.sessionDuration !== undefined ? checkSessionRequest(v, input) : 0;
    v.throwIfAny();
    const pinned = await deps.pins.live(caller.orgId, input.deploymentId);
    let chosen: ChosenConnection;
    let opening: Promise<Uint8Array> | undefined;
    if (pinned !== undefined) {
      // The pinned version is opened while the connection is looked up: neither needs the other.
      if (pinned.credential_version > 0) {
        opening = deps.vault.open(caller.orgId, pinned.connection_id, pinned.credential_version, signal);
        // Awaited below unless a check throws first; then its outcome no longer matters.
        opening.catch(() => undefined);
      }
      chosen = { ...(await deps.connections.get(caller.orgId, pinned.connection_id)), reason: "pinned" };
      connectionId = chosen.connection.id;
      version = pinned.credential_version;
      if (pinned.environment !== input.environment)
        throw new ConflictError(`deployment ${input.deploymentId} is pinned in environment ${pinned.environment}; release it first`);
      if (input.connection !== "" && input.connection !== chosen.connection.id && input.connection !== chosen.connection.slug) {
        throw new ConflictError(`deployment ${input.deploymentId} is pinned to connection ${chosen.connection.slug}; release it first`);
      }
    } else {
      chosen = await chooseConnection(deps, caller, input);
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
    // Refused before pinning too: a first resolve for a session pins only a trust role.
    if (pinned === undefined && input.sessionCredentials === true && chosen.connection.authMode !== AuthMode.CROSS_ACCOUNT_TRUST) {
      throw notTrust(`connection ${chosen.connection.slug} does not use AWS cross-account trust`);
    }
    const holding = pinned ?? (await pinVersion(deps, caller.orgId, input, chosen.connection.id, version));
    if (holding.connection_id !== chosen.connection.id || holding.environment !== input.environment) {
      // A concurrent first resolve of this deployment pinned something
      // else: never pair that pin's version with this connection.
      throw new ConflictError(`deployment ${input.deploymentId} was pinned concurrently to another connection or environment; retry`);
    }
    version = holding.credential_version;
    const opened = await credentialsForVersion(deps, caller.orgId, chosen.connection, chosen.publicSpec, version, signal, opening);
    const authMode = opened.authMode;
    let credentials: MessageInitShape<typeof ResolveCredentialsResponseSchema>["credentials"] = opened.credentials;
    // What the record says of a minted session (its masked key id); "" for every other resolve.
    let summary = "";
    if (input.sessionCredentials === true) {
      // The pinned version decides, as for every resolve: keys or a runner pinned before a reconnect stay what they are.
      if (opened.credentials.case !== "awsRole")
        throw notTrust(`deployment ${input.deploymentId} is pinned to a version of ${chosen.connection.slug} that holds no trust role`);
      const region =
        chosen.publicSpec.provider.case === "aws" && chosen.publicSpec.provider.value.region !== ""
          ? chosen.publicSpec.provider.value.region
          : AWS_DEFAULT_REGION;
      const target = { deploymentId: input.deploymentId, environment: input.environment, region, durationSeconds: sessionSeconds };
      ({ credentials, summary } = await mintSession(deps, caller, target, opened.credentials.value, signal));
    }
    // The caller went away or its deadline passed: nothing will be sent,
    // so no ALLOWED record (the catch below records what happened).
    signal?.throwIfAborted();
    // Recorded before anything is handed out; if this fails, the resolve fails.
    await deps.audit.write({
      ...attempt,
      connectionId,
      credentialVersion: version,
      decision: AuditDecision.ALLOWED,
      reason: chosen.reason,
      summary,
    });
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
    throw await auditFailure(deps, attempt, { connectionId, credentialVersion: version }, error, signal);
  }
}

// The refusal of session credentials for what is not a trust role: the
// request is fine, the connection (or the deployment's pin) is not for it.
function notTrust(what: string): ConflictError {
  return new ConflictError(
    `${what}: session credentials are minted only from an AWS cross-account trust role; resolve without session_credentials, or reconnect the connection by AWS trust (and release the deployment)`,
  );
}
