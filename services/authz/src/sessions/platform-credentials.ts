import { defaultProvider } from "@aws-sdk/credential-provider-node";

/** AWS credentials to sign STS calls with. `secretAccessKey` and `sessionToken` are secret. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Session token of temporary (ASIA…) credentials. */
  readonly sessionToken?: string;
  /** When temporary credentials stop working; the provider refreshes before. */
  readonly expiration?: Date;
}

/** Where authz's own AWS identity comes from: called before every AssumeRole, cheap when cached. */
export type PlatformAwsCredentials = () => Promise<AwsCredentials>;

/**
 * createPlatformAwsCredentials returns the platform's own AWS identity from
 * the standard AWS credential chain (environment keys, web identity / IRSA,
 * ECS, EC2 instance metadata, shared config), cached and refreshed before it
 * expires by the chain itself. It must be the runner principal that customer
 * trust roles name (the registry's AWS_TRUST_PRINCIPAL_ARN), as for the
 * verifier. Nothing is looked up before the first session is asked for, so
 * authz without an AWS identity starts and serves everything else.
 */
export function createPlatformAwsCredentials(): PlatformAwsCredentials {
  const provider = defaultProvider();
  return async () => {
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
      ...(credentials.expiration ? { expiration: credentials.expiration } : {}),
    };
  };
}
