import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { amzDate, sha256Hex, sigV4Signature } from "../../src/checks/sigv4.js";

/** Failures the fake can inject, in the shapes real STS (or a gateway in front of it) produces. */
export type FakeStsFailure =
  /** 400 `Throttling` "Rate exceeded", no Retry-After (real STS never sends one). */
  | "throttle"
  /** 429 with `Retry-After: 7`, as a proxy or gateway in front of STS answers. */
  | "429"
  /** 500 `InternalFailure`, Type Receiver. */
  | "500"
  /** Accept the request and never answer. */
  | "timeout"
  /** 200 text/xml with a truncated body. */
  | "malformed";

/** A running fake STS; see {@link startFakeSts}. */
export interface FakeSts {
  /** Base URL, e.g. http://127.0.0.1:PORT (use as `endpoints.awsSts`). */
  readonly url: string;
  /** Registers a long-term key that GetCallerIdentity reports as `arn` in `account`. */
  addKey(accessKeyId: string, secret: string, identity: { account: string; arn: string }): void;
  /** Answers the next `n` (default 1) requests with `kind` instead of serving them. */
  failNext(kind: FakeStsFailure, n?: number): void;
  /** Makes the key answer `ExpiredToken`, as expired temporary credentials do. */
  expireKey(accessKeyId: string): void;
  /** Number of requests received (failures included). */
  readonly requests: number;
  close(): Promise<void>;
}

interface Key {
  readonly secret: string;
  readonly account: string;
  readonly arn: string;
  expired: boolean;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const SKEW_MS = 15 * 60 * 1000;

/**
 * startFakeSts starts an HTTP server on 127.0.0.1 that answers the STS Query
 * protocol like the real service for GetCallerIdentity: form-encoded POST /,
 * XML bodies, error envelope `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`,
 * `Content-Type: text/xml`, `x-amzn-RequestId` and an accurate `Date`. It
 * verifies SigV4 by rebuilding the canonical request from the received
 * `SignedHeaders` with the secret it knows: unknown key → 403
 * InvalidClientTokenId, wrong signature → 403 SignatureDoesNotMatch, request
 * time off by more than 15 min → 403 SignatureDoesNotMatch "Signature expired".
 */
export async function startFakeSts(): Promise<FakeSts> {
  const keys = new Map<string, Key>();
  const failures: FakeStsFailure[] = [];
  let requests = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      handle(req, Buffer.concat(chunks).toString("utf8"), res);
    });
  });

  function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const failure = failures.shift();
    if (failure === "timeout") return; // hold the socket open; close() destroys it
    if (failure === "throttle") return error(res, 400, "Sender", "Throttling", "Rate exceeded");
    if (failure === "429") return error(res, 429, "Sender", "Throttling", "Rate exceeded", { "retry-after": "7" });
    if (failure === "500") return error(res, 500, "Receiver", "InternalFailure", "An internal error has occurred");
    if (failure === "malformed") return send(res, 200, `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::`);

    if (req.method !== "POST" || (req.url ?? "/") !== "/") return error(res, 404, "Sender", "UnknownOperationException", "");
    const form = new URLSearchParams(body);
    if (form.get("Version") !== "2011-06-15") return error(res, 400, "Sender", "InvalidParameterValue", "Version must be 2011-06-15");

    const authorization = req.headers["authorization"];
    if (authorization === undefined) {
      return error(res, 403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    const m = AUTH.exec(authorization);
    if (!m) return error(res, 400, "Sender", "IncompleteSignature", "Authorization header requires a valid AWS4-HMAC-SHA256 value");
    const [, keyId = "", day = "", region = "", service = "", signedList = "", signature = ""] = m;
    const key = keys.get(keyId);
    if (key === undefined) return error(res, 403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.");

    const date = header(req, "x-amz-date");
    const signed = signedList.split(";");
    if (date === undefined || !signed.includes("host") || !signed.includes("x-amz-date") || service !== "sts" || !date.startsWith(day)) {
      return signatureMismatch(res);
    }
    const when = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const now = Date.now();
    if (Number.isNaN(when)) return signatureMismatch(res);
    if (when < now - SKEW_MS) {
      return error(res, 403, "Sender", "SignatureDoesNotMatch",
        `Signature expired: ${date} is now earlier than ${amzDate(new Date(now - SKEW_MS))} (${amzDate(new Date(now))} - 15 min.)`);
    }
    if (when > now + SKEW_MS) {
      return error(res, 403, "Sender", "SignatureDoesNotMatch",
        `Signature not yet current: ${date} is still later than ${amzDate(new Date(now + SKEW_MS))} (${amzDate(new Date(now))} + 15 min.)`);
    }
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const value = header(req, name);
      if (value === undefined) return signatureMismatch(res);
      headers[name] = value;
    }
    // The payload hash is always computed from the bytes received, so a
    // tampered body fails even if x-amz-content-sha256 was left alone.
    const expected = sigV4Signature(
      { method: "POST", path: "/", query: "", headers, signedHeaders: signed, payloadHash: sha256Hex(body) },
      key.secret,
      date,
      region,
      "sts",
    );
    if (expected !== signature) return signatureMismatch(res);
    if (key.expired) return error(res, 403, "Sender", "ExpiredToken", "The security token included in the request is expired");

    if (form.get("Action") !== "GetCallerIdentity") {
      return error(res, 400, "Sender", "InvalidAction", `Could not find operation ${form.get("Action") ?? ""} for version 2011-06-15`);
    }
    const userId = "AIDA" + keyId.slice(4).padEnd(17, "X").slice(0, 17);
    send(res, 200,
      `<GetCallerIdentityResponse xmlns="${NS}">\n` +
      `  <GetCallerIdentityResult>\n` +
      `    <Arn>${key.arn}</Arn>\n` +
      `    <UserId>${userId}</UserId>\n` +
      `    <Account>${key.account}</Account>\n` +
      `  </GetCallerIdentityResult>\n` +
      `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
      `</GetCallerIdentityResponse>\n`);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    addKey(accessKeyId, secret, identity) {
      keys.set(accessKeyId, { secret, account: identity.account, arn: identity.arn, expired: false });
    },
    failNext(kind, n = 1) {
      for (let i = 0; i < n; i++) failures.push(kind);
    },
    expireKey(accessKeyId) {
      const key = keys.get(accessKeyId);
      if (key === undefined) throw new Error(`fake STS: unknown key ${accessKeyId}`);
      key.expired = true;
    },
    get requests() {
      return requests;
    },
    close() {
      server.closeAllConnections(); // includes requests held by "timeout"
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function send(res: ServerResponse, status: number, xml: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/xml",
    "x-amzn-requestid": randomUUID(),
    // Real, current Date: the AWS SDK corrects its clock from this header.
    date: new Date().toUTCString(),
    ...extra,
  });
  res.end(xml);
}

function error(res: ServerResponse, status: number, type: "Sender" | "Receiver", code: string, message: string, extra: Record<string, string> = {}): void {
  send(res, status,
    `<ErrorResponse xmlns="${NS}">\n` +
    `  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${randomUUID()}</RequestId>\n` +
    `</ErrorResponse>\n`, extra);
}

function signatureMismatch(res: ServerResponse): void {
  error(res, 403, "Sender", "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
