import { STSClient, STSServiceException } from "@aws-sdk/client-sts";
import { asObject, parseRetryAfter, str, unanswered } from "./http-call.js";
import type { CheckOptions } from "./provider-check.js";
import type { Transient } from "./sts-results.js";
import { stsRegionOf } from "@planton/providers";

/** AWS credentials to call STS with. `secretAccessKey` and `sessionToken` are secret. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Session token of temporary (ASIA…) credentials. */
  readonly sessionToken?: string;
}

/** An STS error answer: HTTP status, the `<Code>` (undefined when the body had none) and `<Message>`. */
export interface StsError {
  readonly kind: "error";
  readonly status: number;
  readonly code: string | undefined;
  readonly message: string;
  /** From a valid `Retry-After` header (real STS never sends one; gateways may). */
  readonly retryAfterMs: number | undefined;
}

/** Outcome of one STS call: the SDK's output, an STS error answer, or a transient failure. */
export type StsOutcome<O> = { readonly kind: "ok"; readonly output: O } | StsError | Transient;

/**
 * stsCall runs `send` (one STS command) with an `STSClient` made for
 * `credentials` and pointed at `options.endpoints.awsSts` (the configured
 * `AWS_STS_URL`), signing for that endpoint's region. It never throws.
 *
 * - One attempt only (`maxAttempts: 1`): retrying transients is the caller's
 *   job (the worker's backoff), and SDK retries would multiply the
 *   `CHECK_TIMEOUT_MS` bound and hide throttling from the worker.
 * - Bounded by `options.timeoutMs` per call, body included (an abort signal
 *   combined with `options.signal`), and by the request handler's connection
 *   and request timeouts as a second bound.
 * - An answer with an error status becomes {@link StsError}; a 2xx body the
 *   SDK cannot read becomes `transient` MALFORMED_RESPONSE naming `action`;
 *   no answer becomes `transient` TIMEOUT, ABORTED or NETWORK_ERROR. The
 *   SDK's own error texts are never used for them (they may quote requests).
 */
export async function stsCall<O>(
  action: string,
  credentials: AwsCredentials,
  options: CheckOptions,
  send: (client: STSClient, abortSignal: AbortSignal) => Promise<O>,
): Promise<StsOutcome<O>> {
  const endpoint = options.endpoints.awsSts;
  const client = new STSClient({
    endpoint,
    region: stsRegionOf(endpoint),
    credentials,
    maxAttempts: 1,
    retryMode: "standard", // not AWS_RETRY_MODE: "adaptive" would also delay sends client-side
    // An explicit endpoint excludes these; set so that AWS_USE_FIPS_ENDPOINT
    // in the environment cannot turn every check into a configuration error.
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs, throwOnRequestTimeout: true },
  });
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const limits = { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  try {
    return { kind: "ok", output: await send(client, options.signal ? AbortSignal.any([timeout, options.signal]) : timeout) };
  } catch (error) {
    const status = answeredStatus(error);
    if (status === undefined || options.signal?.aborted || timeout.aborted) {
      return unanswered("AWS STS", error, limits, timeout.aborted || str(asObject(error), "name") === "TimeoutError");
    }
    if (status < 300) {
      return { kind: "transient", reason: "MALFORMED_RESPONSE", message: `AWS STS returned an unreadable ${action} response. Try again later.` };
    }
    const retryAfterMs = parseRetryAfter(str(asObject(asObject(asObject(error)?.["$response"])?.["headers"]), "retry-after"));
    if (!(error instanceof STSServiceException)) {
      return { kind: "error", status, code: undefined, message: "", retryAfterMs };
    }
    // `Code` is the wire code (`name` may be the model's exception name).
    const code = str(asObject(error), "Code");
    return { kind: "error", status, code, message: code === undefined ? "" : error.message, retryAfterMs };
  } finally {
    client.destroy();
  }
}

// The HTTP status when STS (or whatever is at the endpoint) answered; the SDK
// attaches the raw response to every error raised while reading one.
function answeredStatus(error: unknown): number | undefined {
  const response = asObject(asObject(error)?.["$response"]);
  const status = response?.["statusCode"];
  return typeof status === "number" && status > 0 ? status : undefined;
}
