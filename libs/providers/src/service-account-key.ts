import { createPrivateKey } from "node:crypto";
import { ViolationReason } from "./field-violation.js";
import { isEmailAddress } from "./string-rules.js";

/** ServiceAccountKey is what the platform uses from a GCP service-account JSON key file. */
export interface ServiceAccountKey {
  readonly projectId: string;
  readonly clientEmail: string;
  readonly privateKeyId: string;
  /** PEM (PKCS#8 as GCP issues it). Secret: never log or return it. */
  readonly privateKey: string;
}

/**
 * ServiceAccountKeyResult is the outcome of {@link parseServiceAccountKey}:
 * the key, or the reason code and a description of what is wrong. The
 * description never quotes the key's content.
 */
export type ServiceAccountKeyResult =
  | { readonly ok: true; readonly key: ServiceAccountKey }
  | {
      readonly ok: false;
      readonly reason: typeof ViolationReason.FORMAT | typeof ViolationReason.INVALID_KEY;
      readonly description: string;
    };

// Standard alphabet; padding optional because some tools strip it.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const INVALID_KEY_PREFIX = "must be a service-account JSON key: ";

/**
 * parseServiceAccountKey decodes `key_base64` (base64 of the JSON key file as
 * downloaded from GCP; line breaks allowed) and checks it is a usable
 * service-account key: `type == "service_account"`, non-empty `project_id`
 * and `private_key_id`, an email-shaped `client_email`, and a `private_key`
 * that `crypto.createPrivateKey` accepts as an unencrypted RSA PEM key (the
 * verifier signs RS256 JWTs with it). Bad base64 gives `FORMAT`; anything
 * else wrong gives `INVALID_KEY` listing every problem found. Never throws.
 */
export function parseServiceAccountKey(keyBase64: string): ServiceAccountKeyResult {
  const compact = keyBase64.replace(/[\t\n\r ]+/g, "");
  if (!isBase64(compact)) {
    return {
      ok: false,
      reason: ViolationReason.FORMAT,
      description: "must be base64 (standard alphabet) of the service-account JSON key file",
    };
  }
  let json: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(compact, "base64"));
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which may be key material: keep it out.
    return invalidKey(["the decoded content is not JSON text"]);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return invalidKey(["the decoded JSON is not an object"]);
  }
  const fields = json as Record<string, unknown>;
  const problems: string[] = [];
  if (fields["type"] !== "service_account") problems.push('type is not "service_account"');
  const projectId = nonEmptyString(fields["project_id"]);
  if (projectId === undefined) problems.push("project_id is missing");
  const clientEmail = nonEmptyString(fields["client_email"]);
  if (clientEmail === undefined) problems.push("client_email is missing");
  else if (!isEmailAddress(clientEmail)) problems.push("client_email is not an email address");
  const privateKeyId = nonEmptyString(fields["private_key_id"]);
  if (privateKeyId === undefined) problems.push("private_key_id is missing");
  const privateKey = nonEmptyString(fields["private_key"]);
  if (privateKey === undefined) problems.push("private_key is missing");
  else {
    const keyProblem = privateKeyProblem(privateKey);
    if (keyProblem !== undefined) problems.push(keyProblem);
  }
  // The undefined checks repeat what `problems` says, for the compiler's sake.
  if (problems.length > 0 || !projectId || !clientEmail || !privateKeyId || !privateKey) return invalidKey(problems);
  return { ok: true, key: { projectId, clientEmail, privateKeyId, privateKey } };
}

function isBase64(compact: string): boolean {
  if (!BASE64.test(compact)) return false;
  // Padded input comes in whole quads; unpadded input can never leave a single char over.
  return compact.includes("=") ? compact.length % 4 === 0 : compact.length % 4 !== 1;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function privateKeyProblem(pem: string): string | undefined {
  const notPem = "private_key is not a PEM private key";
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return notPem;
  try {
    // Encrypted keys throw here too (no passphrase): the verifier could not use them either.
    const key = createPrivateKey({ key: pem, format: "pem" });
    return key.asymmetricKeyType === "rsa" ? undefined : "private_key is not an RSA key";
  } catch {
    return notPem;
  }
}

function invalidKey(problems: readonly string[]): ServiceAccountKeyResult {
  return { ok: false, reason: ViolationReason.INVALID_KEY, description: INVALID_KEY_PREFIX + problems.join("; ") };
}
