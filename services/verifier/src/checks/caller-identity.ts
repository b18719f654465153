import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { CheckOptions } from "./provider-check.js";
import { stsCall, type AwsCredentials, type StsError } from "./sts-call.js";
import type { Transient } from "./sts-results.js";

/** Who AWS says `credentials` belong to, an STS error answer, or a transient failure. */
export type CallerIdentityOutcome = { readonly kind: "identity"; readonly account: string; readonly arn: string } | StsError | Transient;

/**
 * callerIdentity calls STS GetCallerIdentity with `credentials` (see
 * {@link stsCall} for the endpoint, bound and retries). A 200 answer without
 * Account, Arn and UserId is `transient` MALFORMED_RESPONSE (UserId is read
 * only to confirm it is a GetCallerIdentity result).
 */
export async function callerIdentity(credentials: AwsCredentials, options: CheckOptions): Promise<CallerIdentityOutcome> {
  const outcome = await stsCall("GetCallerIdentity", credentials, options, (client, abortSignal) =>
    client.send(new GetCallerIdentityCommand({}), { abortSignal }),
  );
  if (outcome.kind !== "ok") return outcome;
  const { Account: account, Arn: arn, UserId: userId } = outcome.output;
  if (!account || !arn || !userId) {
    return { kind: "transient", reason: "MALFORMED_RESPONSE", message: "AWS STS returned an unreadable GetCallerIdentity response. Try again later." };
  }
  return { kind: "identity", account, arn };
}
