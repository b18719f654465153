import { DecryptCommand, DescribeKeyCommand, GenerateDataKeyCommand, KMSClient, ReEncryptCommand, type KMSClientConfig } from "@aws-sdk/client-kms";

import { KeyProviderRejectedError, KeyProviderUnavailableError, type GeneratedDataKey, type KeyProvider, type RewrappedDataKey } from "./key-provider.js";

/** Static AWS credentials; leave them out to use the SDK's default credential chain. */
export interface AwsKmsStaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Configuration for {@link createAwsKmsKeyProvider}. */
export interface AwsKmsKeyProviderOptions {
  /**
   * The KMS key that new data keys are wrapped under: key id, key ARN, alias
   * name (`alias/…`) or alias ARN. Exposed unchanged as `defaultKeyId`; the
   * ids returned beside wrapped keys are always key ARNs.
   */
  readonly keyId: string;
  /** AWS region; also the SigV4 signing region when `endpoint` is set. */
  readonly region: string;
  /** Overrides the KMS endpoint (a VPC endpoint, or a fake server in tests). */
  readonly endpoint?: string;
  /** Total attempts per call including the SDK's own retries (SDK default: 3). */
  readonly maxAttempts?: number;
  /** Static credentials; when absent the SDK default credential chain is used. */
  readonly credentials?: AwsKmsStaticCredentials;
  /**
   * Per-attempt limit for one HTTP exchange with KMS, in ms (default 5000,
   * never more than `callTimeoutMs`). The SDK destroys the socket and, if
   * attempts and time are left, retries.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Bound on one provider call, every SDK attempt and backoff included, in ms
   * (default 8000). A KMS endpoint that accepts connections and never answers
   * becomes {@link KeyProviderUnavailableError} after this long, whatever the
   * caller's own deadline (which wins when it is sooner).
   */
  readonly callTimeoutMs?: number;
}

/** Default of {@link AwsKmsKeyProviderOptions.requestTimeoutMs}. */
export const DEFAULT_KMS_REQUEST_TIMEOUT_MS = 5_000;
/** Default of {@link AwsKmsKeyProviderOptions.callTimeoutMs}. */
// Below the 10 s deadline the other services put on vault calls, so a silent
// KMS reaches them as UNAVAILABLE from the vault, not as their own timeout.
export const DEFAULT_KMS_CALL_TIMEOUT_MS = 8_000;
// TCP connect limit per attempt; a KMS endpoint answers a SYN in milliseconds.
const CONNECTION_TIMEOUT_MS = 2_000;

type KmsOperation = "GenerateDataKey" | "Decrypt" | "ReEncrypt" | "DescribeKey";

const DATA_KEY_BYTES = 32;

// Error names the SDK itself treats as retryable (throttling, server faults,
// timeouts). They arrive after the SDK has spent its own attempts, so the
// caller can only back off and retry later. ThrottlingException and
// LimitExceededException come with HTTP 400, so the name has to win over the
// generic "4xx means rejected" rule below.
const UNAVAILABLE_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "LimitExceededException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "KMSInternalException",
  "DependencyTimeoutException",
  "KeyUnavailableException",
  "InternalFailure",
  "InternalFailureException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

// Socket-level failures: node:http rejects with a plain Error carrying `code`.
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ESOCKETTIMEDOUT",
]);

const INVALID_CIPHERTEXT_NAMES = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);

const KEY_UNUSABLE_NAMES = new Set(["NotFoundException", "DisabledException", "KMSInvalidStateException", "AccessDeniedException", "InvalidKeyUsageException"]);

/**
 * Creates a {@link KeyProvider} backed by AWS KMS through `@aws-sdk/client-kms`.
 *
 * Contract:
 * - Data keys are 256-bit (`KeySpec: "AES_256"`) and every call binds the given
 *   `EncryptionContext`; `rewrapDataKey` binds the same context on both
 *   sides and never returns plaintext to this process (it uses `ReEncrypt`).
 * - `keyId` results (generate, rewrap, resolve) are key ARNs, so they can be
 *   stored beside the wrapped key and passed back as the `KeyId` that KMS must
 *   match on decrypt.
 * - Every call ends within `callTimeoutMs` (all SDK attempts included) or the
 *   caller's `signal`, whichever comes first: both go to the SDK as one
 *   `abortSignal`, which destroys the in-flight socket.
 * - Every method rejects only with {@link KeyProviderUnavailableError} (network
 *   failure, timeout, throttling, server fault, unparseable response: after
 *   the SDK's own retries) or {@link KeyProviderRejectedError}
 *   (`invalid_ciphertext` for a corrupt, mis-bound or wrong-key blob;
 *   `key_unusable` for a missing, disabled, inaccessible key or any other
 *   client error). The one exception: if the caller's `signal` is aborted, the
 *   signal's `reason` is rethrown unchanged.
 * - Error messages name the operation, the KMS error name, the HTTP status and
 *   request id, and never contain key material, ciphertext or the service's
 *   own message text.
 * - Returned byte arrays are fresh copies the caller owns.
 *
 * The client is created once and kept for the provider's lifetime; the SDK's
 * retry quota is per client, so one provider shares it across all calls.
 */
export function createAwsKmsKeyProvider(options: AwsKmsKeyProviderOptions): KeyProvider {
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_KMS_CALL_TIMEOUT_MS;
  const attemptTimeoutMs = Math.min(options.requestTimeoutMs ?? DEFAULT_KMS_REQUEST_TIMEOUT_MS, callTimeoutMs);
  const config: KMSClientConfig = {
    region: options.region,
    requestHandler: {
      // Without throwOnRequestTimeout the SDK only logs a warning when the
      // request timeout passes and keeps waiting on the socket.
      requestTimeout: attemptTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, attemptTimeoutMs),
      // A socket that goes quiet mid-response is closed, not kept.
      socketTimeout: attemptTimeoutMs,
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  if (options.credentials !== undefined) {
    const { accessKeyId, secretAccessKey, sessionToken } = options.credentials;
    config.credentials = sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
  }
  const client = new KMSClient(config);
  const call = <T>(operation: KmsOperation, signal: AbortSignal | undefined, send: (abortSignal: AbortSignal) => Promise<T>) =>
    bounded(operation, callTimeoutMs, signal, send);

  return {
    name: "aws-kms",
    defaultKeyId: options.keyId,

    async generateDataKey(context, signal): Promise<GeneratedDataKey> {
      const out = await call("GenerateDataKey", signal, (abortSignal) =>
        client.send(
          new GenerateDataKeyCommand({
            KeyId: options.keyId,
            KeySpec: "AES_256",
            EncryptionContext: { ...context },
          }),
          { abortSignal },
        ),
      );
      const plaintext = takeDataKey("GenerateDataKey", out.Plaintext, () => malformed("GenerateDataKey", "a Plaintext that is not a 256-bit key"));
      try {
        return {
          plaintext,
          wrapped: copyBlob("GenerateDataKey", out.CiphertextBlob, "CiphertextBlob"),
          keyId: requireString("GenerateDataKey", out.KeyId, "KeyId"),
        };
      } catch (err) {
        plaintext.fill(0);
        throw err;
      }
    },

    async decryptDataKey(wrapped, keyId, context, signal): Promise<Uint8Array> {
      const out = await call("Decrypt", signal, (abortSignal) =>
        client.send(
          new DecryptCommand({
            CiphertextBlob: wrapped,
            // Passing KeyId makes KMS refuse a blob wrapped by any other key
            // (IncorrectKeyException) instead of silently using whichever key
            // the blob names.
            KeyId: keyId,
            EncryptionContext: { ...context },
          }),
          { abortSignal },
        ),
      );
      // A blob that decrypts to something other than 32 bytes was not a data
      // key wrapped by this vault, so it is the ciphertext that is wrong.
      return takeDataKey(
        "Decrypt",
        out.Plaintext,
        () => new KeyProviderRejectedError("invalid_ciphertext", "AWS KMS Decrypt returned a plaintext that is not a 256-bit data key"),
      );
    },

    async rewrapDataKey(wrapped, keyId, context, targetKeyId, signal): Promise<RewrappedDataKey> {
      const out = await call("ReEncrypt", signal, (abortSignal) =>
        client.send(
          new ReEncryptCommand({
            CiphertextBlob: wrapped,
            SourceKeyId: keyId,
            SourceEncryptionContext: { ...context },
            DestinationKeyId: targetKeyId,
            DestinationEncryptionContext: { ...context },
          }),
          { abortSignal },
        ),
      );
      return {
        wrapped: copyBlob("ReEncrypt", out.CiphertextBlob, "CiphertextBlob"),
        keyId: requireString("ReEncrypt", out.KeyId, "KeyId"),
      };
    },

    async resolveKeyId(keyId, signal): Promise<string> {
      const out = await call("DescribeKey", signal, (abortSignal) => client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal }));
      return requireString("DescribeKey", out.KeyMetadata?.Arn, "KeyMetadata.Arn");
    },
  };
}

/**
 * Runs one KMS call under a signal that aborts at the caller's signal or
 * after `timeoutMs`, whichever is first. The caller's abort wins the
 * attribution: its reason (e.g. the RPC's DEADLINE_EXCEEDED) is rethrown
 * unchanged, while our own timeout is KMS's fault and so unavailable.
 */
async function bounded<T>(
  operation: KmsOperation,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  // Checked up front so an already-cancelled request never reaches KMS.
  if (signal?.aborted) throw signal.reason;
  const timeout = AbortSignal.timeout(timeoutMs);
  const abortSignal = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  try {
    return await untilAborted(send(abortSignal), abortSignal);
  } catch (err) {
    // The SDK wraps the abort reason in its own AbortError; callers compare
    // against the reason they aborted with, so hand that back instead.
    if (signal?.aborted) throw signal.reason;
    if (timeout.aborted) {
      // The SDK's AbortError says nothing useful; no cause is attached, so
      // nothing from the request can reach a log through it.
      throw new KeyProviderUnavailableError(`AWS KMS ${operation} did not answer within ${timeoutMs} ms`);
    }
    throw toProviderError(operation, err);
  }
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts. The SDK honours
 * its abortSignal while a request is on the wire, but not in every step
 * before it (credential providers, endpoint resolution); this makes the bound
 * hold there too. A late outcome of `work` is dropped.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Maps anything the SDK (or node:http beneath it) throws onto the two
 * provider errors.
 */
function toProviderError(operation: string, err: unknown): KeyProviderUnavailableError | KeyProviderRejectedError {
  if (err instanceof KeyProviderUnavailableError || err instanceof KeyProviderRejectedError) {
    return err;
  }
  const info = describeSdkError(err);
  const message = `AWS KMS ${operation} failed: ${info.summary}`;
  // A deserialization error's message quotes part of the response body and
  // its hidden $response holds the body stream; a 200 body can carry a
  // plaintext data key, so such errors are never attached as the cause.
  const cause = info.deserialization ? new Error(`unparseable KMS response (${info.summary})`) : err;

  if (INVALID_CIPHERTEXT_NAMES.has(info.name)) {
    return new KeyProviderRejectedError("invalid_ciphertext", message, { cause });
  }
  if (KEY_UNUSABLE_NAMES.has(info.name)) {
    return new KeyProviderRejectedError("key_unusable", message, { cause });
  }
  if (info.deserialization || UNAVAILABLE_NAMES.has(info.name) || (info.code !== undefined && NETWORK_ERROR_CODES.has(info.code))) {
    return new KeyProviderUnavailableError(message, { cause });
  }
  if (info.status !== undefined && (info.status === 429 || info.status >= 500)) {
    return new KeyProviderUnavailableError(message, { cause });
  }
  if (info.status !== undefined && info.status >= 400 && info.status < 500) {
    return new KeyProviderRejectedError("key_unusable", message, { cause });
  }
  // No HTTP status means KMS never answered (socket error, credential chain
  // failure, DNS): the request may well succeed later.
  return new KeyProviderUnavailableError(message, { cause });
}

interface SdkErrorInfo {
  readonly name: string;
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly deserialization: boolean;
  /** Safe for logs: names, codes, status and request id only. */
  readonly summary: string;
}

function describeSdkError(err: unknown): SdkErrorInfo {
  const e = (typeof err === "object" && err !== null ? err : {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  };
  const name = typeof e.name === "string" && e.name !== "" ? e.name : "UnknownError";
  const code = typeof e.code === "string" ? e.code : undefined;
  const meta = typeof e.$metadata === "object" && e.$metadata !== null ? e.$metadata : {};
  const status = typeof meta.httpStatusCode === "number" ? meta.httpStatusCode : undefined;
  const requestId = typeof meta.requestId === "string" ? meta.requestId : undefined;
  const attempts = typeof meta.attempts === "number" ? meta.attempts : undefined;
  const message = typeof e.message === "string" ? e.message : "";
  const deserialization = name === "SyntaxError" || message.includes("Deserialization error");

  let label = name;
  if (code !== undefined && code !== name) label = name === "Error" ? code : `${name} (${code})`;
  if (deserialization) label = `${name}: response is not valid KMS JSON`;
  const parts = [label];
  if (status !== undefined) parts.push(`HTTP ${status}`);
  if (requestId !== undefined) parts.push(`request id ${requestId}`);
  if (attempts !== undefined && attempts > 1) parts.push(`after ${attempts} attempts`);
  return { name, code, status, deserialization, summary: parts.join(", ") };
}

function malformed(operation: KmsOperation, what: string): KeyProviderUnavailableError {
  return new KeyProviderUnavailableError(`AWS KMS ${operation} returned ${what}`);
}

/**
 * Copies a plaintext data key out of the SDK's buffer and zeroes the source.
 * The SDK decodes base64 into a view over Node's shared 8 KiB Buffer pool, so
 * handing that view out would let callers reach unrelated pool bytes, and the
 * key would otherwise linger in the pool after the caller zeroes its copy.
 */
function takeDataKey(operation: KmsOperation, value: Uint8Array | undefined, wrongLength: () => Error): Uint8Array {
  if (!(value instanceof Uint8Array)) throw malformed(operation, "no Plaintext");
  const key = new Uint8Array(value);
  value.fill(0);
  if (key.length !== DATA_KEY_BYTES) {
    key.fill(0);
    throw wrongLength();
  }
  return key;
}

function copyBlob(operation: KmsOperation, value: Uint8Array | undefined, field: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) throw malformed(operation, `no ${field}`);
  return new Uint8Array(value);
}

function requireString(operation: KmsOperation, value: string | undefined, field: string): string {
  if (typeof value !== "string" || value === "") throw malformed(operation, `no ${field}`);
  return value;
}
