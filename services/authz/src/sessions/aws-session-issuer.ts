import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { Logger } from "@planton/logging";
import { abortCodeOf } from "../error-codes.js";
import type { PlatformAwsCredentials } from "./platform-credentials.js";
import type { SessionMetrics } from "./session-metrics.js";
import { stsRegionOf } from "./sts-region.js";
import { sessionFailureOf } from "./sts-failures.js";

/** One session tag: key and value already within IAM's rules. */
export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

/** What one AssumeRole asks for; every string already within STS's rules. */
export interface AwsSessionRequest {
  readonly roleArn: string;
  /** Secret-like (sealed in the vault): never logged. */
  readonly externalId: string;
  readonly roleSessionName: string;
  readonly durationSeconds: number;
  readonly tags: readonly SessionTag[];
  readonly sourceIdentity: string;
}

/** Temporary credentials of one session. `secretAccessKey` and `sessionToken` are secret. */
export interface AwsSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session name>. */
  readonly assumedRoleArn: string;
}

/**
 * AwsSessionIssuer mints temporary credentials of a customer's trust role.
 * Nothing is cached: every call is one AssumeRole (with the SDK's retries).
 */
export interface AwsSessionIssuer {
  /**
   * assume calls STS AssumeRole as the platform's own AWS identity. Throws a
   * ConnectError with the code the resolve answers with (see
   * sts-failures.ts), or, when `signal` aborted, the abort's error.
   */
  assume(request: AwsSessionRequest, signal?: AbortSignal): Promise<AwsSession>;
}

/** Settings of {@link createAwsSessionIssuer}. */
export interface AwsSessionIssuerOptions {
  /** STS endpoint URL (`AWS_STS_URL`); its host decides the signing region. */
  readonly endpoint: string;
  /** SDK attempts per AssumeRole, first included (`AWS_STS_MAX_ATTEMPTS`). */
  readonly maxAttempts: number;
  /** Bound on one attempt, connecting included (`AWS_STS_REQUEST_TIMEOUT_MS`). */
  readonly requestTimeoutMs: number;
  readonly credentials: PlatformAwsCredentials;
  readonly logger: Logger;
  readonly metrics?: SessionMetrics;
}

/**
 * createAwsSessionIssuer builds the {@link AwsSessionIssuer} over one
 * `STSClient` for the process, pointed at exactly `options.endpoint` and
 * signing for its region, with the SDK's standard retries (throttling, 5xx,
 * network errors) up to `maxAttempts`. The platform's credentials are asked
 * for on each call (the chain caches and refreshes them). Failures are
 * logged with the STS code and role ARN only; the platform's own
 * identity being refused is logged as an error, for the operator.
 */
export function createAwsSessionIssuer(options: AwsSessionIssuerOptions): AwsSessionIssuer {
  // Made at the first session: a process that never mints one builds no SDK client.
  let client: STSClient | undefined;
  const stsClient = (): STSClient => (client ??= createStsClient(options));
  return {
    async assume(request, signal) {
      const started = performance.now();
      const input = {
        RoleArn: request.roleArn,
        RoleSessionName: request.roleSessionName,
        DurationSeconds: request.durationSeconds,
        // Every setup generates one; a version sealed without one is asked for without (STS refuses "").
        ...(request.externalId !== "" ? { ExternalId: request.externalId } : {}),
        ...(request.tags.length > 0 ? { Tags: request.tags.map((t) => ({ Key: t.key, Value: t.value })) } : {}),
        SourceIdentity: request.sourceIdentity,
      };
      let output;
      try {
        output = await stsClient().send(new AssumeRoleCommand(input), signal ? { abortSignal: signal } : {});
      } catch (error) {
        if (signal?.aborted) {
          options.metrics?.observe(abortCodeOf(signal), "", started);
          throw error;
        }
        const failure = sessionFailureOf(error, request);
        options.metrics?.observe(failure.error.code, failure.stsCode, started);
        const fields = { sts_code: failure.stsCode, code: failure.error.code, role_arn: request.roleArn };
        if (failure.platformProblem) options.logger.error(fields, "AssumeRole failed: the platform's own AWS identity is missing or refused");
        else options.logger.warn(fields, "AssumeRole for session credentials failed");
        throw failure.error;
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = output.Credentials ?? {};
      const assumedRoleArn = output.AssumedRoleUser?.Arn;
      if (!AccessKeyId || !SecretAccessKey || !SessionToken || !(Expiration instanceof Date) || Number.isNaN(Expiration.getTime()) || !assumedRoleArn) {
        // A 200 without what a session is made of: nothing usable to hand out.
        const failure = sessionFailureOf({ $metadata: { httpStatusCode: 200 } }, request);
        options.metrics?.observe(failure.error.code, "", started);
        options.logger.warn({ role_arn: request.roleArn }, "AssumeRole answered without credentials");
        throw failure.error;
      }
      options.metrics?.observe(undefined, "", started);
      return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration, assumedRoleArn };
    },
  };
}

function createStsClient(options: AwsSessionIssuerOptions): STSClient {
  return new STSClient({
    endpoint: options.endpoint,
    region: stsRegionOf(options.endpoint),
    credentials: async () => {
      try {
        return await options.credentials();
      } catch (error) {
        // The chain's own message is not passed on: it may echo configuration.
        throw Object.assign(new Error("no platform AWS credentials", { cause: error }), { name: "PlatformCredentialsError" });
      }
    },
    maxAttempts: options.maxAttempts,
    retryMode: "standard",
    // An explicit endpoint excludes these; set so that AWS_USE_FIPS_ENDPOINT
    // in the environment cannot turn every session into a configuration error.
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: { connectionTimeout: options.requestTimeoutMs, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
}
