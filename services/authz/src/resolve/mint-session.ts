import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AwsRoleCredentials } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { maskIdentifier } from "@planton/providers";
import type { Caller } from "../caller.js";
import { roleSessionNameOf, sessionTagValueOf, sourceIdentityOf } from "../sessions/session-names.js";
import type { ResolverDeps } from "./resolver-deps.js";

/** The session tag keys: who the session is for, as the customer's policies and CloudTrail see it. */
const SESSION_TAG_KEYS = { org: "planton:org", environment: "planton:environment", deployment: "planton:deployment" } as const;

/**
 * mintSession assumes the pinned version's `role` for one deployment and
 * returns the response's `aws_session` credentials, and the audit summary
 * that names them by their masked access key id only. RoleSessionName is
 * derived from the deployment id, SourceIdentity from the caller's subject
 * (session-names.ts); the session tags say organization, environment and
 * deployment. Nothing is kept: the caller holds the only copy. Throws the
 * issuer's ConnectError (see sts-failures.ts).
 */
export async function mintSession(
  deps: Pick<ResolverDeps, "sessions">,
  caller: Caller,
  target: { readonly deploymentId: string; readonly environment: string; readonly region: string; readonly durationSeconds: number },
  role: Pick<AwsRoleCredentials, "roleArn" | "externalId">,
  signal?: AbortSignal,
) {
  const roleSessionName = roleSessionNameOf(target.deploymentId);
  const sourceIdentity = sourceIdentityOf(caller.subject);
  const session = await deps.sessions.assume(
    {
      roleArn: role.roleArn,
      externalId: role.externalId,
      roleSessionName,
      durationSeconds: target.durationSeconds,
      tags: [
        { key: SESSION_TAG_KEYS.org, value: sessionTagValueOf(caller.orgId) },
        { key: SESSION_TAG_KEYS.environment, value: sessionTagValueOf(target.environment) },
        { key: SESSION_TAG_KEYS.deployment, value: sessionTagValueOf(target.deploymentId) },
      ],
      sourceIdentity,
    },
    signal,
  );
  return {
    credentials: {
      case: "awsSession" as const,
      value: {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
        expireTime: timestampFromDate(session.expiration),
        roleArn: role.roleArn,
        assumedRoleArn: session.assumedRoleArn,
        roleSessionName,
        sourceIdentity,
        region: target.region,
      },
    },
    summary: `session credentials ${maskIdentifier(session.accessKeyId)} as ${session.assumedRoleArn}, expire ${session.expiration.toISOString()}`,
  };
}
