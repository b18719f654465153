import { ListAccessKeysCommand } from "@aws-sdk/client-iam";
import { asObject, str } from "./http-call.js";
import type { CheckOptions, CredentialLifetime } from "./provider-check.js";
import type { AwsCredentials } from "./sts-call.js";
import { iamClient } from "./iam-client.js";

/**
 * readAwsKeyDates reads an access key's creation date with the key itself:
 * IAM `ListAccessKeys` without a user name (the calling user's own keys),
 * through `@aws-sdk/client-iam` at `iamUrl`, one attempt, bounded by
 * `options.timeoutMs`. The key's `CreateDate` is the creation; AWS access
 * keys do not expire, so there is no expiry.
 *
 * The call needs `iam:ListAccessKeys` on the user itself, which many deploy
 * users lack: AccessDenied, or any other failure, gives `unavailableReason`
 * only. Never throws; never quotes the secret (nor the SDK's error text).
 */
export async function readAwsKeyDates(iamUrl: string, credentials: AwsCredentials, options: CheckOptions): Promise<CredentialLifetime> {
  const client = iamClient(iamUrl, credentials, options.timeoutMs);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    const output = await client.send(new ListAccessKeysCommand({}), { abortSignal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout });
    const mine = output.AccessKeyMetadata?.find((k) => k.AccessKeyId === credentials.accessKeyId);
    if (mine?.CreateDate === undefined) return { unavailableReason: "AWS IAM did not list this access key among the user's keys" };
    return { createTime: mine.CreateDate };
  } catch (error) {
    const metadata = asObject(asObject(error)?.["$metadata"]);
    const status = metadata?.["httpStatusCode"];
    const code = str(asObject(error), "Code") ?? str(asObject(error), "name");
    if (typeof status !== "number") return { unavailableReason: "AWS IAM did not answer ListAccessKeys" };
    return {
      unavailableReason: `AWS IAM refused ListAccessKeys (HTTP ${status}${code ? ` ${code.slice(0, 60)}` : ""}); allow the user iam:ListAccessKeys on itself to read the key's creation date`,
    };
  } finally {
    client.destroy();
  }
}
