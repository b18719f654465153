import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { SigV4Credentials } from "./checks/sigv4.js";

/**
 * createPlatformAwsCredentials returns the verifier's own AWS identity from
 * the standard AWS credential chain (environment, web identity / IRSA, ECS,
 * EC2 instance metadata, shared config), refreshed before it expires. This
 * identity must be the runner principal that customer trust roles name
 * (AWS_TRUST_PRINCIPAL_ARN in the registry): the verifier assumes the roles
 * exactly as deployments will. Nothing is resolved until the first
 * cross-account check, so a verifier without AWS access starts fine.
 */
export function createPlatformAwsCredentials(): () => Promise<SigV4Credentials> {
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
