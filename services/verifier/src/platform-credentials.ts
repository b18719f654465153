import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { AwsCredentials } from "./checks/sts-call.js";

/**
 * createPlatformAwsCredentials returns the verifier's own AWS identity from
 * the standard AWS credential chain (environment, web identity / IRSA, ECS,
 * EC2 instance metadata, shared config), refreshed before it expires. This
 * identity must be the runner principal that customer trust roles name
 * (AWS_TRUST_PRINCIPAL_ARN in the registry): the verifier assumes the roles
 * exactly as deployments will. Nothing is resolved until the first
 * cross-account check, so a verifier without AWS access starts fine.
 */
export function createPlatformAwsCredentials(): () => Promise<AwsCredentials> {
  const provider = defaultProvider();
  return async () => {
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    };
  };
}

/** What the operator must provide when the platform has no AWS identity (banner, logs, StartSetup's refusal). */
export const PLATFORM_AWS_IDENTITY_SETTING = "AWS credentials";

/**
 * findPlatformAwsIdentityProblem asks the credential chain once, at start,
 * whether the platform has an AWS identity at all, giving up after
 * `timeoutMs` (instance metadata lookups can be slow off AWS). It resolves
 * with what is missing, or undefined when credentials were found. It does
 * not call AWS: whether they are the trusted principal shows at the first
 * trust check. The chain's own error is not quoted (it may echo configuration).
 */
export async function findPlatformAwsIdentityProblem(credentials: () => Promise<AwsCredentials>, timeoutMs = 5_000): Promise<string | undefined> {
  const missing =
    "the platform has no AWS identity of its own, so it cannot assume customer roles: provide the runner principal's credentials through the standard AWS chain " +
    "(AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or an instance, task or IRSA role)";
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${missing}; none was found within ${timeoutMs} ms`), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      credentials().then(
        (found) => (found.accessKeyId !== "" && found.secretAccessKey !== "" ? undefined : missing),
        () => missing,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
