import { createPublicKey, randomBytes, verify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Failures the fake can inject. */
export type FakeGoogleTokenFailure =
  /** 429 RESOURCE_EXHAUSTED-style answer with `Retry-After: 5`. */
  | "throttle"
  /** 500 `{"error":"internal_failure"}`. */
  | "500"
  /** Accept the request and never answer. */
  | "timeout"
  /** 200 with an HTML body, as a captive proxy would send. */
  | "malformed";

/** A running fake Google OAuth token endpoint; see {@link startFakeGoogleToken}. */
export interface FakeGoogleToken {
  /** The token endpoint, http://127.0.0.1:PORT/token: put it in the key file's token_uri. */
  readonly url: string;
  /** Base URL of the IAM API on the same server (serviceAccounts.keys.get), for `endpoints.gcpIam`. */
  readonly iamUrl: string;
  /**
   * Accepts JWTs with iss = clientEmail signed by the matching private key.
   * `iam` describes the key to the IAM API: its id, validity window, and
   * whether the account may read its own keys (iam.serviceAccountKeys.get,
   * e.g. through roles/iam.serviceAccountKeyAdmin); without it keys.get
   * answers 403 PERMISSION_DENIED.
   */
  registerKey(
    clientEmail: string,
    publicKeyPem: string,
    iam?: { keyId: string; validAfterTime: string; validBeforeTime: string; mayGetKeys: boolean; projectId: string },
  ): void;
  /** Deletes the account's key: its JWTs now get `invalid_grant` "Invalid JWT Signature.". */
  revoke(clientEmail: string): void;
  /** Answers the next `n` (default 1) requests with `kind` instead of serving them. */
  failNext(kind: FakeGoogleTokenFailure, n?: number): void;
  /** Number of requests received (failures included). */
  readonly requests: number;
  /** Whom an access token this fake issued belongs to, and its scope (for other fake Google APIs). */
  tokenInfo(accessToken: string): { readonly email: string; readonly scope: string } | undefined;
  close(): Promise<void>;
}

const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

/**
 * startFakeGoogleToken starts an HTTP server on 127.0.0.1 serving `POST /token`
 * like oauth2.googleapis.com for the JWT-bearer grant: checks grant_type,
 * verifies the RS256 signature with the registered public key, requires
 * aud = Google's token URI or this server's URL, exp - iat <= 3600, iat not
 * more than 5 min ahead and exp not past, and a scope. Errors are flat OAuth
 * JSON (`error`, `error_description`) with Google's wording; success is
 * `{"access_token":"ya29…","expires_in":3599,"token_type":"Bearer"}`. `kid`
 * is not required (Google's Node library omits it).
 */
export async function startFakeGoogleToken(): Promise<FakeGoogleToken> {
  type Iam = { keyId: string; validAfterTime: string; validBeforeTime: string; mayGetKeys: boolean; projectId: string };
  const keys = new Map<string, { key: KeyObject; revoked: boolean; iam: Iam | undefined }>();
  const accessTokens = new Map<string, string>();
  const scopes = new Map<string, string>();
  const failures: FakeGoogleTokenFailure[] = [];
  let requests = 0;
  let url = "";

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
    if (failure === "timeout") return; // held open until close()
    if (failure === "throttle") return json(res, 429, { error: "rate_limit_exceeded", error_description: "Rate limit exceeded" }, { "retry-after": "5" });
    if (failure === "500") return json(res, 500, { error: "internal_failure", error_description: "Backend error" });
    if (failure === "malformed") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", date: new Date().toUTCString() });
      return void res.end("<html><body>Proxy login</body></html>");
    }

    if (req.method === "GET" && (req.url ?? "").startsWith("/v1/projects/")) return keysGet(req, res);
    if (req.method !== "POST" || req.url !== "/token") return json(res, 404, { error: "not_found" });
    const form = new URLSearchParams(body);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
      return json(res, 400, { error: "unsupported_grant_type", error_description: "Invalid grant_type: " + (form.get("grant_type") ?? "") });
    }
    const parts = (form.get("assertion") ?? "").split(".");
    if (parts.length !== 3) return invalidGrant(res, "Invalid JWT: Malformed token");
    const [h = "", c = "", s = ""] = parts;
    const header = decode(h);
    const claims = decode(c);
    if (header === undefined || claims === undefined || header["alg"] !== "RS256") return invalidGrant(res, "Invalid JWT: Malformed token");

    const iss = typeof claims["iss"] === "string" ? claims["iss"] : "";
    const entry = keys.get(iss);
    if (entry === undefined) return invalidGrant(res, "Invalid grant: account not found");
    if (entry.revoked || !verify("sha256", Buffer.from(`${h}.${c}`, "utf8"), entry.key, Buffer.from(s, "base64url"))) {
      return invalidGrant(res, "Invalid JWT Signature.");
    }
    const aud = claims["aud"];
    if (aud !== GOOGLE_TOKEN_URI && aud !== url) return invalidGrant(res, "Invalid JWT: Failed audience check.");
    const iat = claims["iat"];
    const exp = claims["exp"];
    const now = Math.floor(Date.now() / 1000);
    if (typeof iat !== "number" || typeof exp !== "number" || exp - iat > 3600 || exp <= iat || iat > now + 300 || exp < now) {
      return invalidGrant(
        res,
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.",
      );
    }
    if (typeof claims["scope"] !== "string" || claims["scope"] === "") {
      return json(res, 400, { error: "invalid_scope", error_description: "Invalid OAuth scope or ID token audience provided." });
    }
    const accessToken = "ya29.c.fake-" + randomBytes(24).toString("base64url");
    accessTokens.set(accessToken, iss);
    scopes.set(accessToken, claims["scope"]);
    json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: "Bearer" });
  }

  // IAM v1 projects.serviceAccounts.keys.get: GET /v1/projects/{p}/serviceAccounts/{email}/keys/{keyId},
  // errors in Google's JSON error format ({"error":{"code","message","status"}}).
  function keysGet(req: IncomingMessage, res: ServerResponse): void {
    const googleError = (code: number, status: string, message: string) => json(res, code, { error: { code, message, status } });
    const m = /^\/v1\/projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys\/([^/?]+)$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    if (!m) return googleError(404, "NOT_FOUND", "Requested entity was not found.");
    const auth = req.headers["authorization"] ?? "";
    const caller = auth.startsWith("Bearer ") ? accessTokens.get(auth.slice(7)) : undefined;
    if (caller === undefined) {
      return googleError(
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
      );
    }
    const [, project = "", email = "", keyId = ""] = m.map(decodeURIComponent);
    const resource = `projects/${project}/serviceAccounts/${email}/keys/${keyId}`;
    const callerIam = keys.get(caller)?.iam;
    if (!callerIam?.mayGetKeys)
      return googleError(403, "PERMISSION_DENIED", `Permission 'iam.serviceAccountKeys.get' denied on resource (or it may not exist).`);
    const target = keys.get(email)?.iam;
    if (target === undefined || target.keyId !== keyId || (project !== "-" && project !== target.projectId)) {
      return googleError(404, "NOT_FOUND", `Service account key ${resource} does not exist.`);
    }
    json(res, 200, {
      name: `projects/${target.projectId}/serviceAccounts/${email}/keys/${keyId}`,
      validAfterTime: target.validAfterTime,
      validBeforeTime: target.validBeforeTime,
      keyAlgorithm: "KEY_ALG_RSA_2048",
      keyOrigin: "GOOGLE_PROVIDED",
      keyType: "USER_MANAGED",
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;

  return {
    url,
    iamUrl: url.replace(/\/token$/, ""),
    registerKey(clientEmail, publicKeyPem, iam) {
      keys.set(clientEmail, { key: createPublicKey(publicKeyPem), revoked: false, iam });
    },
    revoke(clientEmail) {
      const entry = keys.get(clientEmail);
      if (entry === undefined) throw new Error(`fake Google token: unknown account ${clientEmail}`);
      entry.revoked = true;
    },
    failNext(kind, n = 1) {
      for (let i = 0; i < n; i++) failures.push(kind);
    },
    get requests() {
      return requests;
    },
    tokenInfo(accessToken) {
      const email = accessTokens.get(accessToken);
      return email === undefined ? undefined : { email, scope: scopes.get(accessToken) ?? "" };
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", date: new Date().toUTCString(), ...extra });
  res.end(JSON.stringify(body));
}

function invalidGrant(res: ServerResponse, description: string): void {
  json(res, 400, { error: "invalid_grant", error_description: description });
}
