import { IAMClient } from "@aws-sdk/client-iam";
import type { AwsCredentials } from "./sts-call.js";

/**
 * iamClient is the IAM client of the reads a verified AWS credential makes
 * about itself (key dates, its role read back, its simulated permissions):
 * at exactly `iamUrl` (`AWS_IAM_URL`), signed with `credentials` for IAM's
 * one region of the endpoint's partition, one attempt per call (a refusal or
 * an outage is reported, and the next verification reads again), each
 * connection and request bounded by `timeoutMs`.
 */
export function iamClient(iamUrl: string, credentials: AwsCredentials, timeoutMs: number): IAMClient {
  return new IAMClient({
    endpoint: iamUrl,
    // IAM is global; its requests are signed for the partition's one region.
    region: /\.amazonaws\.com\.cn(\/|$)/.test(iamUrl) ? "cn-north-1" : /us-gov/.test(iamUrl) ? "us-gov-west-1" : "us-east-1",
    credentials,
    maxAttempts: 1,
    retryMode: "standard",
    // An explicit endpoint excludes these; set so that AWS_USE_FIPS_ENDPOINT
    // in the environment cannot turn every read into a configuration error.
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}
