import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { CheckOptions } from "./provider-check.js";
import { stsCall, type AwsCredentials, type StsError } from "./sts-call.js";
import type { Transient } from "./sts-results.js";

/** The shortest session AssumeRole grants; the check only needs one call with it. */
const SESSION_SECONDS = 900;

/** Temporary credentials from AssumeRole, and who AWS says they belong to. */
export interface Session {
  readonly credentials: Required<AwsCredentials>;
  readonly assumedRoleArn: string;
}

/** AssumeRole's outcome: a session, AccessDenied, another STS error answer, or a transient failure. */
export type AssumeOutcome = { readonly kind: "session"; readonly session: Session } | { readonly kind: "denied" } | StsError | Transient;

/**
 * assumeRole calls STS AssumeRole for `roleArn` with `platform` credentials,
 * session name `sessionName`, DurationSeconds 900 and, when given,
 * `externalId` (see {@link stsCall} for the endpoint, bound and retries).
 * `AccessDenied` is its own outcome: the check's verdict depends on it. A 200
 * answer without credentials or assumed-role ARN is `transient`
 * MALFORMED_RESPONSE.
 */
export async function assumeRole(
  roleArn: string,
  sessionName: string,
  externalId: string | undefined,
  platform: AwsCredentials,
  options: CheckOptions,
): Promise<AssumeOutcome> {
  const input = {
    RoleArn: roleArn,
    RoleSessionName: sessionName,
    DurationSeconds: SESSION_SECONDS,
    ...(externalId !== undefined ? { ExternalId: externalId } : {}),
  };
  const outcome = await stsCall("AssumeRole", platform, options, (client, abortSignal) => client.send(new AssumeRoleCommand(input), { abortSignal }));
  if (outcome.kind === "transient") return outcome;
  if (outcome.kind === "error") return outcome.code === "AccessDenied" ? { kind: "denied" } : outcome;
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken } = outcome.output.Credentials ?? {};
  const assumedRoleArn = outcome.output.AssumedRoleUser?.Arn;
  if (!accessKeyId || !secretAccessKey || !sessionToken || !assumedRoleArn) {
    return {
      kind: "transient",
      reason: "MALFORMED_RESPONSE",
      message: "AWS STS returned an unreadable AssumeRole response. This does not mean the role is bad; try again later.",
    };
  }
  return { kind: "session", session: { credentials: { accessKeyId, secretAccessKey, sessionToken }, assumedRoleArn } };
}
