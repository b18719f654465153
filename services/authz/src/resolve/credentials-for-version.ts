import { fromBinary } from "@bufbuild/protobuf";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode } from "@planton/proto/planton/connect/v1/provider_pb";
import { mergeSecrets, runnerIdOf } from "@planton/providers";
import { ConflictError } from "../errors.js";
import type { ResolverDeps } from "./resolver-deps.js";

/**
 * What the pinned `version` hands out. The sealed version decides, not the
 * connection's current auth mode: a deployment pinned before a change of
 * mode (keys to a trust role by a reconnect, a role to keys by a rotation)
 * keeps what it started with. Version 0 seals nothing: runner mode.
 * `opening`, when given, is the vault's answer for `version` already asked
 * for (in parallel with the connection's lookup).
 */
export async function credentialsForVersion(
  deps: Pick<ResolverDeps, "vault">,
  orgId: string,
  connection: Connection,
  publicSpec: ConnectionSpec,
  version: number,
  signal?: AbortSignal,
  opening?: Promise<Uint8Array>,
) {
  if (version === 0) {
    const runnerId = runnerIdOf(publicSpec);
    if (connection.authMode === AuthMode.RUNNER && runnerId !== undefined) {
      return { authMode: AuthMode.RUNNER, credentials: { case: "runner" as const, value: { runnerId } } };
    }
    if (connection.authMode === AuthMode.CROSS_ACCOUNT_TRUST) throw noRoleYet(connection);
    throw new ConflictError(`connection ${connection.slug} no longer uses the runner this deployment was pinned to: release the deployment and resolve again`);
  }
  const sealed = fromBinary(ConnectionSpecSchema, await (opening ?? deps.vault.open(orgId, connection.id, version, signal)));
  const trust = sealed.provider.case === "aws" && sealed.provider.value.auth.case === "crossAccountTrust" ? sealed.provider.value.auth.value : undefined;
  if (trust !== undefined) {
    // The role ARN is sealed with its external id, so a deployment pinned
    // before a reconnect keeps the role it started with.
    if (trust.roleArn === "") throw new Error(`connection ${connection.id} version ${version} seals no role`);
    return {
      authMode: AuthMode.CROSS_ACCOUNT_TRUST,
      credentials: { case: "awsRole" as const, value: { roleArn: trust.roleArn, externalId: trust.externalId } },
    };
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
}

/** The refusal for a trust connection whose setup has not completed: nothing to hand out yet. */
export function noRoleYet(connection: Connection): ConflictError {
  return new ConflictError(`connection ${connection.slug} has no role yet: its AWS trust setup has not completed (open the setup link, or start a new setup)`);
}
