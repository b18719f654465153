/**
 * A local stand-in for AWS KMS that speaks the JSON 1.1 wire protocol well
 * enough for the real `@aws-sdk/client-kms` (see
 * /work/shared/reference/aws-kms-cloudformation-iam.md section 1).
 *
 * It is a test double, not an emulator: symmetric keys only, no policies or
 * grants, and the SigV4 signature is not verified (only its credential scope).
 * What it does get right, because the vault's behaviour depends on it:
 * - wrapped blobs name the key that wrapped them and authenticate the
 *   encryption context (AES-256-GCM, sorted context in the AAD), so a changed
 *   context or a flipped bit gives InvalidCiphertextException;
 * - `KeyId` on Decrypt must match the wrapping key (IncorrectKeyException);
 * - ReEncrypt re-wraps server-side; the plaintext never leaves the fake;
 * - errors use the live service's status codes (client errors 400, internal
 *   500, dependency timeout 503), so the SDK's retry decisions match
 *   production;
 * - responses carry a real `Date` header (Node's default), which the SDK uses
 *   for clock-skew correction, and `x-amzn-RequestId`.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Account id in every ARN the fake issues (the AWS documentation account). */
export const FAKE_KMS_ACCOUNT_ID = "111122223333";

/**
 * Dummy static credentials for clients talking to the fake. Passing them keeps
 * the SDK away from the real credential chain (env, ~/.aws, IMDS).
 */
export const fakeKmsCredentials: {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
} = Object.freeze({
  accessKeyId: "AKIAFAKEKMS000000000",
  secretAccessKey: "fake-kms-secret-access-key-not-a-real-secret",
});

/**
 * Injected failure kinds:
 * - `throttle`: 400 ThrottlingException (the SDK retries it, 1 s backoff base)
 * - `internal`: 500 KMSInternalException (retried, 50 ms base)
 * - `unavailable-503`: 503 DependencyTimeoutException (retried, 50 ms base)
 * - `malformed`: 200 with an HTML body, as from a misrouted proxy (not retried;
 *   the SDK fails with a deserialization error)
 */
export type FakeKmsFailureKind = "throttle" | "internal" | "unavailable-503" | "malformed";

/** One request as the fake received it, recorded before any failure injection. */
export interface FakeKmsRequest {
  /** The full `X-Amz-Target` header, e.g. `TrentService.Decrypt`. */
  readonly target: string;
  /** `EncryptionContext`, or `SourceEncryptionContext` for ReEncrypt. */
  readonly encryptionContext?: Record<string, string>;
  /** `DestinationEncryptionContext` (ReEncrypt only). */
  readonly destinationEncryptionContext?: Record<string, string>;
  /** `KeyId` as sent, or `DestinationKeyId` for ReEncrypt. */
  readonly keyId?: string;
  /** `SourceKeyId` (ReEncrypt only). */
  readonly sourceKeyId?: string;
}

/** A fake KMS key. */
export interface FakeKmsKey {
  /** The bare key id (a UUID). */
  readonly keyId: string;
  /** `arn:aws:kms:<region>:111122223333:key/<keyId>`. */
  readonly arn: string;
}

/** Handle on a running fake KMS server. */
export interface FakeKms {
  /** Base URL (`http://127.0.0.1:<port>`) to pass as the client `endpoint`. */
  readonly url: string;
  /** Region used in ARNs and expected in the SigV4 credential scope. */
  readonly region: string;
  /** Creates an enabled symmetric key, optionally with an alias (`alias/…`). */
  createKey(opts?: { alias?: string }): FakeKmsKey;
  /** Disables a key (id, ARN or alias): later use gives DisabledException. */
  disableKey(keyId: string): void;
  /** Re-enables a disabled key. */
  enableKey(keyId: string): void;
  /** The next `n` requests (after those already queued) fail with `kind`. */
  failNext(n: number, kind: FakeKmsFailureKind): void;
  /** Every request fails with `kind` until called with `null`, which also clears `failNext`. */
  failAll(kind: FakeKmsFailureKind | null): void;
  /** Delays every response by `ms` (0 turns it off); for abort and timeout tests. */
  delayResponses(ms: number): void;
  /** Every request received, in order, including ones answered with an injected failure. */
  readonly requests: FakeKmsRequest[];
  /** Stops listening and drops open (keep-alive) connections. Idempotent. */
  close(): Promise<void>;
}

interface KeyRecord {
  readonly keyId: string;
  readonly arn: string;
  readonly material: Buffer;
  readonly materialId: string;
  readonly creationDate: number;
  enabled: boolean;
}

type Json = Record<string, unknown>;

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const BLOB_VERSION = 0x01;
const HEADER_BYTES = 1 + 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Starts a fake KMS on 127.0.0.1 with an OS-assigned port. */
export async function startFakeKms(opts: { region?: string } = {}): Promise<FakeKms> {
  const region = opts.region ?? "eu-west-1";
  const keys = new Map<string, KeyRecord>();
  const aliases = new Map<string, string>();
  const requests: FakeKmsRequest[] = [];
  const failureQueue: FakeKmsFailureKind[] = [];
  let failAlways: FakeKmsFailureKind | null = null;
  let delayMs = 0;
  const pendingDelays = new Set<NodeJS.Timeout>();

  const keyArn = (keyId: string) => `arn:aws:kms:${region}:${FAKE_KMS_ACCOUNT_ID}:key/${keyId}`;
  const aliasArnPrefix = `arn:aws:kms:${region}:${FAKE_KMS_ACCOUNT_ID}:`;

  function findKey(ref: string): KeyRecord | undefined {
    let id: string | undefined = ref;
    if (ref.startsWith("arn:")) {
      if (!ref.startsWith(aliasArnPrefix)) return undefined;
      const resource = ref.slice(aliasArnPrefix.length);
      if (resource.startsWith("key/")) id = resource.slice(4);
      else if (resource.startsWith("alias/")) id = aliases.get(resource);
      else return undefined;
    } else if (ref.startsWith("alias/")) {
      id = aliases.get(ref);
    }
    return id === undefined ? undefined : keys.get(id);
  }

  function resolveKey(ref: string): KeyRecord {
    const key = findKey(ref);
    if (key === undefined) {
      throw new KmsError("NotFoundException", `Key '${ref}' does not exist`);
    }
    return key;
  }

  function requireEnabled(key: KeyRecord): void {
    if (!key.enabled) throw new KmsError("DisabledException", `${key.arn} is disabled.`);
  }

  function wrap(key: KeyRecord, plaintext: Buffer, context: Record<string, string>): Buffer {
    const header = Buffer.concat([Buffer.of(BLOB_VERSION), uuidToBytes(key.keyId)]);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.material, nonce);
    cipher.setAAD(aad(header, context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
  }

  /** Returns the key a blob claims, or throws InvalidCiphertextException. */
  function blobKey(blob: Buffer): KeyRecord {
    if (blob.length < HEADER_BYTES + NONCE_BYTES + TAG_BYTES + 1 || blob[0] !== BLOB_VERSION) {
      throw invalidCiphertext();
    }
    const key = keys.get(bytesToUuid(blob.subarray(1, HEADER_BYTES)));
    if (key === undefined) throw invalidCiphertext();
    return key;
  }

  function unwrap(key: KeyRecord, blob: Buffer, context: Record<string, string>): Buffer {
    const header = blob.subarray(0, HEADER_BYTES);
    const nonce = blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
    const body = blob.subarray(HEADER_BYTES + NONCE_BYTES, blob.length - TAG_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv("aes-256-gcm", key.material, nonce);
      decipher.setAAD(aad(header, context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw invalidCiphertext();
    }
  }

  /** Decrypt's checks, in the order KMS applies them. */
  function openBlob(blob: Buffer, claimedKeyId: string | undefined, context: Record<string, string>): { key: KeyRecord; plaintext: Buffer } {
    const claimed = claimedKeyId === undefined ? undefined : resolveKey(claimedKeyId);
    const key = blobKey(blob);
    if (claimed !== undefined && claimed.keyId !== key.keyId) {
      throw new KmsError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.");
    }
    requireEnabled(key);
    return { key, plaintext: unwrap(key, blob, context) };
  }

  const handlers: Record<string, (input: Json) => Json> = {
    GenerateDataKey(input) {
      const keyId = requiredString(input, "KeyId");
      const keySpec = optionalString(input, "KeySpec");
      const numberOfBytes = optionalInteger(input, "NumberOfBytes");
      const context = optionalContext(input, "EncryptionContext");
      let length: number;
      if (keySpec !== undefined && numberOfBytes !== undefined) {
        throw new KmsError("ValidationException", "Please specify either number of bytes or key spec.");
      } else if (keySpec !== undefined) {
        if (keySpec === "AES_256") length = 32;
        else if (keySpec === "AES_128") length = 16;
        else throw validation("keySpec", "Member must satisfy enum value set: [AES_256, AES_128]");
      } else if (numberOfBytes !== undefined) {
        if (numberOfBytes < 1 || numberOfBytes > 1024) {
          throw validation("numberOfBytes", "Member must have value between 1 and 1024");
        }
        length = numberOfBytes;
      } else {
        throw new KmsError("ValidationException", "Please specify either number of bytes or key spec.");
      }
      const key = resolveKey(keyId);
      requireEnabled(key);
      const plaintext = randomBytes(length);
      const blob = wrap(key, plaintext, context);
      return {
        CiphertextBlob: blob.toString("base64"),
        Plaintext: plaintext.toString("base64"),
        KeyId: key.arn,
        KeyMaterialId: key.materialId,
      };
    },

    Encrypt(input) {
      const keyId = requiredString(input, "KeyId");
      const plaintext = requiredBlob(input, "Plaintext", 4096);
      const context = optionalContext(input, "EncryptionContext");
      const key = resolveKey(keyId);
      requireEnabled(key);
      return {
        CiphertextBlob: wrap(key, plaintext, context).toString("base64"),
        KeyId: key.arn,
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
      };
    },

    Decrypt(input) {
      // The 2026 model marks no member required; CiphertextBlob is still
      // needed outside DryRun, which the fake does not support.
      const blob = requiredBlob(input, "CiphertextBlob", 6144);
      const keyId = optionalString(input, "KeyId");
      const context = optionalContext(input, "EncryptionContext");
      const { key, plaintext } = openBlob(blob, keyId, context);
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString("base64"),
        EncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        KeyMaterialId: key.materialId,
      };
    },

    ReEncrypt(input) {
      const destinationKeyId = requiredString(input, "DestinationKeyId");
      const blob = requiredBlob(input, "CiphertextBlob", 6144);
      const sourceKeyId = optionalString(input, "SourceKeyId");
      const sourceContext = optionalContext(input, "SourceEncryptionContext");
      const destinationContext = optionalContext(input, "DestinationEncryptionContext");
      const destination = resolveKey(destinationKeyId);
      const { key: source, plaintext } = openBlob(blob, sourceKeyId, sourceContext);
      requireEnabled(destination);
      const rewrapped = wrap(destination, plaintext, destinationContext);
      plaintext.fill(0);
      return {
        CiphertextBlob: rewrapped.toString("base64"),
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
        SourceKeyMaterialId: source.materialId,
        DestinationKeyMaterialId: destination.materialId,
      };
    },

    DescribeKey(input) {
      const key = resolveKey(requiredString(input, "KeyId"));
      return {
        KeyMetadata: {
          AWSAccountId: FAKE_KMS_ACCOUNT_ID,
          KeyId: key.keyId,
          Arn: key.arn,
          CreationDate: key.creationDate,
          Enabled: key.enabled,
          Description: "",
          KeyUsage: "ENCRYPT_DECRYPT",
          KeyState: key.enabled ? "Enabled" : "Disabled",
          Origin: "AWS_KMS",
          KeyManager: "CUSTOMER",
          CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
          KeySpec: "SYMMETRIC_DEFAULT",
          EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"],
          MultiRegion: false,
          CurrentKeyMaterialId: key.materialId,
        },
      };
    },
  };

  function nextFailure(): FakeKmsFailureKind | null {
    return failureQueue.shift() ?? failAlways;
  }

  function record(target: string, input: Json | undefined): void {
    const entry: {
      target: string;
      encryptionContext?: Record<string, string>;
      destinationEncryptionContext?: Record<string, string>;
      keyId?: string;
      sourceKeyId?: string;
    } = { target };
    if (input !== undefined) {
      const isReEncrypt = target.endsWith(".ReEncrypt");
      const ctx = snapshotContext(input[isReEncrypt ? "SourceEncryptionContext" : "EncryptionContext"]);
      if (ctx !== undefined) entry.encryptionContext = ctx;
      const destCtx = isReEncrypt ? snapshotContext(input.DestinationEncryptionContext) : undefined;
      if (destCtx !== undefined) entry.destinationEncryptionContext = destCtx;
      const keyId = input[isReEncrypt ? "DestinationKeyId" : "KeyId"];
      if (typeof keyId === "string") entry.keyId = keyId;
      if (isReEncrypt && typeof input.SourceKeyId === "string") entry.sourceKeyId = input.SourceKeyId;
    }
    requests.push(entry);
  }

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const target = headerValue(req, "x-amz-target") ?? "";
    let input: Json | undefined;
    try {
      const parsed: unknown = JSON.parse(body.toString("utf8") || "{}");
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) input = parsed as Json;
    } catch {
      input = undefined;
    }
    record(target, input);

    const failure = nextFailure();
    if (failure !== null) {
      sendFailure(res, failure);
      return;
    }
    try {
      if (req.method !== "POST" || !(req.url ?? "").split("?")[0]!.endsWith("/")) {
        throw new KmsError("UnknownOperationException", "", 404);
      }
      checkAuthorization(req, region);
      const contentType = headerValue(req, "content-type") ?? "";
      if (!contentType.includes("json")) {
        throw new KmsError("SerializationException", "Unsupported content type");
      }
      const prefix = "TrentService.";
      const operation = target.startsWith(prefix) ? target.slice(prefix.length) : "";
      const handler = Object.hasOwn(handlers, operation) ? handlers[operation] : undefined;
      if (handler === undefined) throw new KmsError("UnknownOperationException", "");
      if (input === undefined) throw new KmsError("SerializationException", "Malformed JSON body");
      sendJson(res, 200, handler(input));
    } catch (err) {
      if (err instanceof KmsError) {
        sendJson(res, err.status, { __type: err.type, message: err.message });
      } else {
        sendJson(res, 500, { __type: "KMSInternalException", message: "fake KMS handler crashed" });
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (delayMs <= 0) {
        handle(req, body, res);
        return;
      }
      const timer = setTimeout(() => {
        pendingDelays.delete(timer);
        if (!res.destroyed) handle(req, body, res);
      }, delayMs);
      pendingDelays.add(timer);
      res.on("close", () => {
        clearTimeout(timer);
        pendingDelays.delete(timer);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    requests,
    createKey(createOpts = {}) {
      const keyId = randomUUID();
      const key: KeyRecord = {
        keyId,
        arn: keyArn(keyId),
        material: randomBytes(32),
        materialId: randomBytes(32).toString("hex"),
        creationDate: Math.floor(Date.now() / 1000),
        enabled: true,
      };
      keys.set(keyId, key);
      if (createOpts.alias !== undefined) {
        if (!/^alias\/[a-zA-Z0-9:/_-]+$/.test(createOpts.alias) || createOpts.alias.startsWith("alias/aws/")) {
          throw new Error(`fake KMS: invalid alias name ${createOpts.alias}`);
        }
        if (aliases.has(createOpts.alias)) throw new Error(`fake KMS: alias ${createOpts.alias} exists`);
        aliases.set(createOpts.alias, keyId);
      }
      return { keyId, arn: key.arn };
    },
    disableKey(keyId) {
      setEnabled(keyId, false);
    },
    enableKey(keyId) {
      setEnabled(keyId, true);
    },
    failNext(n, kind) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`fake KMS: failNext count must be >= 0, got ${n}`);
      for (let i = 0; i < n; i++) failureQueue.push(kind);
    },
    failAll(kind) {
      failAlways = kind;
      if (kind === null) failureQueue.length = 0;
    },
    delayResponses(ms) {
      delayMs = ms;
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of pendingDelays) clearTimeout(timer);
        pendingDelays.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        // The SDK's agent keeps sockets alive; without this close() would
        // wait for them to idle out.
        server.closeAllConnections();
      });
      return closing;
    },
  };

  function setEnabled(ref: string, enabled: boolean): void {
    const key = findKey(ref);
    if (key === undefined) throw new Error(`fake KMS: no key ${ref}`);
    key.enabled = enabled;
  }
}

function sendJson(res: ServerResponse, status: number, body: Json): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "Content-Length": Buffer.byteLength(payload),
    "x-amzn-RequestId": randomUUID(),
  });
  res.end(payload);
}

function sendFailure(res: ServerResponse, kind: FakeKmsFailureKind): void {
  switch (kind) {
    case "throttle":
      sendJson(res, 400, {
        __type: "ThrottlingException",
        message: "You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.",
      });
      return;
    case "internal":
      sendJson(res, 500, { __type: "KMSInternalException", message: "An internal error occurred." });
      return;
    case "unavailable-503":
      sendJson(res, 503, {
        __type: "DependencyTimeoutException",
        message: "The system timed out while trying to fulfill the request.",
      });
      return;
    case "malformed": {
      const payload = "<html><body><h1>It works!</h1></body></html>";
      res.writeHead(200, {
        "Content-Type": "text/html",
        "Content-Length": Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
  }
}

/**
 * Checks the SigV4 credential scope only: a client configured for another
 * region or service is a test bug worth failing loudly. The signature itself
 * is not verified.
 */
function checkAuthorization(req: IncomingMessage, region: string): void {
  const auth = headerValue(req, "authorization");
  if (auth === undefined) {
    throw new KmsError("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  if (!auth.startsWith("AWS4-HMAC-SHA256 ") || scope === null) {
    throw new KmsError("IncompleteSignatureException", "Authorization header is not SigV4");
  }
  if (scope[1] !== region || scope[2] !== "kms") {
    throw new KmsError("InvalidSignatureException", `Credential should be scoped to a valid region and service kms/${region}, not ${scope[2]}/${scope[1]}`);
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function validation(member: string, constraint: string): KmsError {
  return new KmsError("ValidationException", `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function requiredString(input: Json, name: string): string {
  const value = input[name];
  if (value === undefined || value === null) {
    throw validation(lowerFirst(name), "Member must not be null");
  }
  if (typeof value !== "string") throw new KmsError("SerializationException", `${name} must be a string`);
  if (value.length < 1 || value.length > 2048) {
    throw validation(lowerFirst(name), "Member must have length between 1 and 2048");
  }
  return value;
}

function optionalString(input: Json, name: string): string | undefined {
  return input[name] === undefined || input[name] === null ? undefined : requiredString(input, name);
}

function optionalInteger(input: Json, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new KmsError("SerializationException", `${name} must be an integer`);
  }
  return value;
}

function requiredBlob(input: Json, name: string, maxBytes: number): Buffer {
  const value = input[name];
  if (value === undefined || value === null) {
    throw validation(lowerFirst(name), "Member must not be null");
  }
  if (typeof value !== "string" || !BASE64_RE.test(value)) {
    throw new KmsError("SerializationException", `${name} is not valid base64`);
  }
  const bytes = Buffer.from(value, "base64");
  if (bytes.length < 1 || bytes.length > maxBytes) {
    throw validation(lowerFirst(name), `Member must have length between 1 and ${maxBytes}`);
  }
  return bytes;
}

function optionalContext(input: Json, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new KmsError("SerializationException", `${name} must be a map`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") throw new KmsError("SerializationException", `${name} values must be strings`);
    out[k] = v;
  }
  return out;
}

function snapshotContext(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

/**
 * AAD binds the blob header (version and wrapping key) and the context. The
 * context is sorted by key and JSON-encoded so that, unlike a plain
 * concatenation, {"ab":"c"} and {"a":"bc"} differ. An empty context is the
 * same as none, as in KMS.
 */
function aad(header: Buffer, context: Record<string, string>): Buffer {
  const entries = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.concat([header, Buffer.from(JSON.stringify(entries), "utf8")]);
}

function invalidCiphertext(): KmsError {
  return new KmsError("InvalidCiphertextException", "");
}

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID_RE.test(uuid) ? uuid : "";
}
