import { createHash, createHmac } from "node:crypto";

/**
 * AWS Signature Version 4 (header form) as a server checks it, for the fake
 * STS: the canonical request is rebuilt from the received `SignedHeaders` and
 * signed with the secret the server knows. Written with node:crypto from the
 * published algorithm, not taken from the SDK whose requests it checks, and
 * pinned to AWS's published test vectors (test/sigv4-verify.test.ts).
 */

/**
 * The parts of a request that SigV4 covers. `headers` must already contain
 * every header to be signed (names in any case); `host` and `x-amz-date` are
 * required and always signed.
 */
export interface CanonicalRequestParts {
  readonly method: string;
  /** Absolute path, already URI-encoded as sent on the wire ("/" for STS). */
  readonly path: string;
  /** Raw query string without "?" ("" for POST form requests). */
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-case header names to sign; sorted by this function. */
  readonly signedHeaders: readonly string[];
  /** Lower-case hex SHA-256 of the body. */
  readonly payloadHash: string;
}

/** Hex SHA-256 of `data` (UTF-8 for strings). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters percent-encoded, upper-case hex. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `20150830T123600Z` for `date` (UTC, no milliseconds). */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

// Query parameters are sorted by encoded name, then value, and re-encoded so
// that differently-encoded but equal inputs canonicalise the same way.
function canonicalQuery(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((p) => p !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      const rawValue = eq < 0 ? "" : pair.slice(eq + 1);
      const decode = (s: string): string => decodeURIComponent(s.replace(/\+/g, " "));
      return [uriEncode(decode(rawName)), uriEncode(decode(rawValue))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * canonicalRequest builds the SigV4 canonical request text: method, path,
 * canonical query, `name:value` lines (values trimmed, inner whitespace runs
 * collapsed to one space), blank line, signed-header list, payload hash.
 * Throws if a signed header is missing from `headers` (a programming error).
 */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(parts.headers)) lowered.set(name.toLowerCase(), value);
  const names = [...parts.signedHeaders].map((n) => n.toLowerCase()).sort();
  const lines = names.map((name) => {
    const value = lowered.get(name);
    if (value === undefined) throw new Error(`sigv4: signed header ${name} is not in the request`);
    return `${name}:${value.trim().replace(/\s+/g, " ")}`;
  });
  return [parts.method.toUpperCase(), parts.path, canonicalQuery(parts.query), ...lines, "", names.join(";"), parts.payloadHash].join("\n");
}

/** The credential scope `yyyymmdd/region/service/aws4_request`. */
function credentialScope(amzDateValue: string, region: string, service: string): string {
  return `${amzDateValue.slice(0, 8)}/${region}/${service}/aws4_request`;
}

/** The derived signing key: HMAC chain "AWS4"+secret → date → region → service → "aws4_request". */
export function signingKey(secretAccessKey: string, yyyymmdd: string, region: string, service: string): Buffer {
  const kDate = hmac("AWS4" + secretAccessKey, yyyymmdd);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

/**
 * sigV4Signature returns the 64-hex signature of `parts` for the given
 * secret, `X-Amz-Date` value, region and service. Servers verifying a
 * received request rebuild `parts` from its SignedHeaders.
 */
export function sigV4Signature(parts: CanonicalRequestParts, secretAccessKey: string, amzDateValue: string, region: string, service: string): string {
  const stringToSign = ["AWS4-HMAC-SHA256", amzDateValue, credentialScope(amzDateValue, region, service), sha256Hex(canonicalRequest(parts))].join("\n");
  return createHmac("sha256", signingKey(secretAccessKey, amzDateValue.slice(0, 8), region, service))
    .update(stringToSign, "utf8")
    .digest("hex");
}
