import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { amzDate, sha256Hex, sigV4Signature } from "./sigv4-verify.js";

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
  /** Send 200 headers and the start of the body, then nothing more. */
  | "stall-body"
  /** 200 text/xml with a truncated body (of the requested action's response). */
  | "malformed"
  /** 403 `RegionDisabledException`, as a regional endpoint in a region the account has not activated. */
  | "region-disabled";

/** One request the fake received, for tests to inspect (never the secret key or the session token). */
export interface StsCall {
  /** The `Action` form parameter ("" when missing). */
  readonly action: string;
  /** The other form parameters (Version excluded), e.g. RoleArn, RoleSessionName, DurationSeconds, ExternalId. */
  readonly params: Readonly<Record<string, string>>;
  /** The access key id named in the Authorization header, when there was one. */
  readonly accessKeyId: string | undefined;
  /** The region of the Authorization header's credential scope, when there was one. */
  readonly region: string | undefined;
  /** Whether an x-amz-security-token header was sent. */
  readonly securityToken: boolean;
  /** The injected failure that answered this request instead of the normal handler. */
  readonly injected?: FakeStsFailure;
}

/** A role that AssumeRole can grant; see {@link FakeSts.addRole}. */
export interface FakeRole {
  /** arn:<partition>:iam::<account>:role/<path><name>. */
  readonly roleArn: string;
  /** The only caller allowed: the one whose key's ARN (addKey's `arn`, or a session's assumed-role ARN) equals this. */
  readonly trustedPrincipalArn: string;
  /** When set, the trust policy has `StringEquals sts:ExternalId` with this value. */
  readonly externalId?: string;
  /** AccessDenied until this many ms have passed since addRole (IAM propagation). */
  readonly assumableAfterMs?: number;
  /** The role's MaxSessionDuration (default 3600). */
  readonly maxSessionDurationSeconds?: number;
  /**
   * The actions its trust statement allows the trusted principal (default
   * ["sts:AssumeRole"], as trust template v1). AssumeRole with Tags needs
   * "sts:TagSession" and with SourceIdentity "sts:SetSourceIdentity", else
   * AccessDenied naming the missing action, as IAM answers.
   */
  readonly trustActions?: readonly string[];
}

/** Temporary credentials the fake issued through AssumeRole. */
export interface FakeStsSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly assumedRoleArn: string;
  readonly expiresAt: number;
  /** The session tags (Tags.member.N) AssumeRole was given, in order. */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** The SourceIdentity AssumeRole was given, if any. */
  readonly sourceIdentity?: string;
}

/** A running fake STS; see {@link startFakeSts}. */
export interface FakeSts {
  /** Base URL, e.g. http://127.0.0.1:PORT (use as `endpoints.awsSts`). */
  readonly url: string;
  /**
   * Registers a key that GetCallerIdentity reports as `arn` in `account` (and
   * that AssumeRole sees as the caller `arn`). With `sessionToken` the key is
   * temporary: requests must carry that token as x-amz-security-token, else
   * InvalidClientTokenId.
   */
  addKey(accessKeyId: string, secret: string, identity: { account: string; arn: string }, options?: { sessionToken?: string }): void;
  /**
   * Answers the next `n` (default 1) requests with `kind` instead of serving
   * them; with `action`, only requests for that Action count (and are consumed).
   */
  failNext(kind: FakeStsFailure, n?: number, action?: string): void;
  /** Makes the key (long-term or issued by AssumeRole) answer `ExpiredToken`, as expired temporary credentials do. */
  expireKey(accessKeyId: string): void;
  /** Adds (or replaces) a role AssumeRole can grant to exactly its trusted principal. */
  addRole(role: FakeRole): void;
  /** Deletes a role: AssumeRole on it answers AccessDenied again (sessions already issued keep working). */
  removeRole(roleArn: string): void;
  /**
   * Overrides the lifetime of sessions issued from now on (default: their
   * DurationSeconds); 0 issues sessions that are already expired.
   */
  setSessionLifetime(ms: number | undefined): void;
  /**
   * Marks the SecretAccessKey and SessionToken of sessions issued from now on
   * with `marker` (letters and digits), so tests can search results for leaks.
   */
  markSessions(marker: string | undefined): void;
  /** Every session issued so far, oldest first. */
  sessions(): readonly FakeStsSession[];
  /** Every request received so far, oldest first (injected failures included). */
  calls(): readonly StsCall[];
  /** Number of requests received (failures included). */
  readonly requests: number;
  close(): Promise<void>;
}

interface Key {
  readonly secret: string;
  readonly account: string;
  readonly arn: string;
  /** GetCallerIdentity's UserId; computed from the key id for long-term keys. */
  readonly userId?: string;
  /** Temporary keys only: the token that must accompany every request. */
  readonly sessionToken?: string;
  /** Temporary keys only: when they stop working (epoch ms). */
  readonly expiresAt?: number;
  /** True for keys issued by AssumeRole (role chaining caps DurationSeconds at 1 h). */
  readonly fromRole?: boolean;
  expired: boolean;
}

interface Role extends FakeRole {
  readonly addedAt: number;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const SKEW_MS = 15 * 60 * 1000;

/**
 * startFakeSts starts an HTTP server on 127.0.0.1 that answers the STS Query
 * protocol like the real service for GetCallerIdentity and AssumeRole:
 * form-encoded POST /, XML bodies, error envelope
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`,
 * `Content-Type: text/xml`, `x-amzn-RequestId` and an accurate `Date`. It
 * verifies SigV4 by rebuilding the canonical request from the received
 * `SignedHeaders` with the secret it knows: unknown key → 403
 * InvalidClientTokenId, temporary key without its session token (or with
 * another) → 403 InvalidClientTokenId, wrong signature → 403
 * SignatureDoesNotMatch, request time off by more than 15 min → 403
 * SignatureDoesNotMatch "Signature expired", expired key → 403 ExpiredToken.
 *
 * AssumeRole validates its parameters as the STS model does (400
 * ValidationError "N validation error(s) detected: …"), answers 403
 * AccessDenied ("User: <caller> is not authorized to perform: sts:AssumeRole
 * on resource: <role>") for an unknown role, a caller the role does not
 * trust, a missing or wrong ExternalId when the role requires one, or a role
 * not yet propagated, or session tags (`Tags.member.N.Key/Value`) or a
 * `SourceIdentity` the role's trust statement does not allow
 * (`sts:TagSession`, `sts:SetSourceIdentity`; see {@link FakeRole.trustActions});
 * otherwise it issues ASIA… credentials that GetCallerIdentity reports as
 * the assumed-role ARN, answering `PackedPolicySize` when tags were passed
 * and echoing `SourceIdentity`.
 */
export async function startFakeSts(): Promise<FakeSts> {
  const keys = new Map<string, Key>();
  const roles = new Map<string, Role>();
  const issued: FakeStsSession[] = [];
  const log: StsCall[] = [];
  const failures: { readonly kind: FakeStsFailure; readonly action: string | undefined }[] = [];
  let requests = 0;
  let sessionLifetimeMs: number | undefined;
  let marker: string | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests++;
      handle(req, Buffer.concat(chunks).toString("utf8"), res);
    });
  });

  function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const action = form.get("Action") ?? "";
    const scope = AUTH.exec(header(req, "authorization") ?? "");
    const callerKeyId = scope?.[1];
    const at = failures.findIndex((f) => f.action === undefined || f.action === action);
    const failure = at < 0 ? undefined : failures.splice(at, 1)[0]?.kind;
    const params: Record<string, string> = {};
    for (const [name, value] of form) if (name !== "Action" && name !== "Version") params[name] = value;
    log.push({
      action,
      params,
      accessKeyId: callerKeyId,
      region: scope?.[3],
      securityToken: header(req, "x-amz-security-token") !== undefined,
      ...(failure !== undefined ? { injected: failure } : {}),
    });

    if (failure === "timeout") return; // hold the socket open; close() destroys it
    if (failure === "stall-body") {
      res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": randomUUID(), date: new Date().toUTCString() });
      res.write(`<${action}Response xmlns="${NS}">`);
      return; // the rest never comes; close() destroys the socket
    }
    if (failure === "throttle") return error(res, 400, "Sender", "Throttling", "Rate exceeded");
    if (failure === "429") return error(res, 429, "Sender", "Throttling", "Rate exceeded", { "retry-after": "7" });
    if (failure === "500") return error(res, 500, "Receiver", "InternalFailure", "An internal error has occurred");
    if (failure === "malformed") {
      return send(
        res,
        200,
        action === "AssumeRole"
          ? `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA`
          : `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::`,
      );
    }
    if (failure === "region-disabled") {
      const account = (callerKeyId !== undefined ? keys.get(callerKeyId)?.account : undefined) ?? "123456789012";
      return error(
        res,
        403,
        "Sender",
        "RegionDisabledException",
        `STS is not activated in this region for account:${account}. Your account administrator can activate STS in this region using the IAM Console.`,
      );
    }

    if (req.method !== "POST" || (req.url ?? "/") !== "/") return error(res, 404, "Sender", "UnknownOperationException", "");
    if (form.get("Version") !== "2011-06-15") return error(res, 400, "Sender", "InvalidParameterValue", "Version must be 2011-06-15");

    const authorization = req.headers["authorization"];
    if (authorization === undefined) {
      return error(res, 403, "Sender", "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    const m = AUTH.exec(authorization);
    if (!m) return error(res, 400, "Sender", "IncompleteSignature", "Authorization header requires a valid AWS4-HMAC-SHA256 value");
    const [, keyId = "", day = "", region = "", service = "", signedList = "", signature = ""] = m;
    const key = keys.get(keyId);
    if (key === undefined) return invalidToken(res);
    // A temporary key is only valid together with its own session token.
    if (key.sessionToken !== undefined && header(req, "x-amz-security-token") !== key.sessionToken) return invalidToken(res);

    const date = header(req, "x-amz-date");
    const signed = signedList.split(";");
    if (date === undefined || !signed.includes("host") || !signed.includes("x-amz-date") || service !== "sts" || !date.startsWith(day)) {
      return signatureMismatch(res);
    }
    const when = Date.parse(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
    const now = Date.now();
    if (Number.isNaN(when)) return signatureMismatch(res);
    if (when < now - SKEW_MS) {
      return error(
        res,
        403,
        "Sender",
        "SignatureDoesNotMatch",
        `Signature expired: ${date} is now earlier than ${amzDate(new Date(now - SKEW_MS))} (${amzDate(new Date(now))} - 15 min.)`,
      );
    }
    if (when > now + SKEW_MS) {
      return error(
        res,
        403,
        "Sender",
        "SignatureDoesNotMatch",
        `Signature not yet current: ${date} is still later than ${amzDate(new Date(now + SKEW_MS))} (${amzDate(new Date(now))} + 15 min.)`,
      );
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
    if (key.expired || (key.expiresAt !== undefined && now >= key.expiresAt)) {
      return error(res, 403, "Sender", "ExpiredToken", "The security token included in the request is expired");
    }

    if (action === "AssumeRole") return assumeRole(key, form, res);
    if (action !== "GetCallerIdentity") {
      return error(res, 400, "Sender", "InvalidAction", `Could not find operation ${action} for version 2011-06-15`);
    }
    const userId = key.userId ?? "AIDA" + keyId.slice(4).padEnd(17, "X").slice(0, 17);
    send(
      res,
      200,
      `<GetCallerIdentityResponse xmlns="${NS}">\n` +
        `  <GetCallerIdentityResult>\n` +
        `    <Arn>${escapeXml(key.arn)}</Arn>\n` +
        `    <UserId>${escapeXml(userId)}</UserId>\n` +
        `    <Account>${key.account}</Account>\n` +
        `  </GetCallerIdentityResult>\n` +
        `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
        `</GetCallerIdentityResponse>\n`,
    );
  }

  function assumeRole(caller: Key, form: URLSearchParams, res: ServerResponse): void {
    const roleArn = form.get("RoleArn");
    const sessionName = form.get("RoleSessionName");
    const durationText = form.get("DurationSeconds");
    const externalId = form.get("ExternalId");
    const sourceIdentity = form.get("SourceIdentity");
    const tags: { key: string; value: string }[] = [];
    for (let n = 1; form.has(`Tags.member.${n}.Key`); n++) {
      tags.push({ key: form.get(`Tags.member.${n}.Key`) ?? "", value: form.get(`Tags.member.${n}.Value`) ?? "" });
    }

    // Model constraints, reported together as STS does.
    const problems: string[] = [];
    const bad = (value: string | null, member: string, constraint: string): void => {
      problems.push(`Value ${value === null ? "null" : `'${value}'`} at '${member}' failed to satisfy constraint: Member must ${constraint}`);
    };
    if (roleArn === null) bad(null, "roleArn", "not be null");
    else if (roleArn.length < 20) bad(roleArn, "roleArn", "have length greater than or equal to 20");
    else if (roleArn.length > 2048) bad(roleArn, "roleArn", "have length less than or equal to 2048");
    if (sessionName === null) bad(null, "roleSessionName", "not be null");
    else if (sessionName.length < 2) bad(sessionName, "roleSessionName", "have length greater than or equal to 2");
    else if (sessionName.length > 64) bad(sessionName, "roleSessionName", "have length less than or equal to 64");
    else if (!/^[\w+=,.@-]*$/.test(sessionName)) bad(sessionName, "roleSessionName", "satisfy regular expression pattern: [\\w+=,.@-]*");
    let duration = 3600;
    if (durationText !== null) {
      duration = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
      if (Number.isNaN(duration)) bad(durationText, "durationSeconds", "be an integer");
      else if (duration < 900) bad(durationText, "durationSeconds", "have value greater than or equal to 900");
      else if (duration > 43200) bad(durationText, "durationSeconds", "have value less than or equal to 43200");
    }
    if (externalId !== null) {
      if (externalId.length < 2) bad(externalId, "externalId", "have length greater than or equal to 2");
      else if (externalId.length > 1224) bad(externalId, "externalId", "have length less than or equal to 1224");
      else if (!/^[\w+=,.@:/-]*$/.test(externalId)) bad(externalId, "externalId", "satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
    }
    // Session tags and SourceIdentity, as the model and IAM's tag rules constrain them.
    if (tags.length > 50) bad(`[${tags.length} tags]`, "tags", "have length less than or equal to 50");
    tags.forEach((tag, i) => {
      if (tag.key.length < 1 || tag.key.length > 128) bad(tag.key, `tags.${i + 1}.member.key`, "have length between 1 and 128");
      else if (!TAG_TEXT.test(tag.key)) bad(tag.key, `tags.${i + 1}.member.key`, "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
      if (tag.value.length > 256) bad(tag.value, `tags.${i + 1}.member.value`, "have length less than or equal to 256");
      else if (tag.value !== "" && !TAG_TEXT.test(tag.value))
        bad(tag.value, `tags.${i + 1}.member.value`, "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    });
    if (sourceIdentity !== null) {
      if (sourceIdentity.length < 2) bad(sourceIdentity, "sourceIdentity", "have length greater than or equal to 2");
      else if (sourceIdentity.length > 64) bad(sourceIdentity, "sourceIdentity", "have length less than or equal to 64");
      else if (!/^[\w+=,.@-]*$/.test(sourceIdentity)) bad(sourceIdentity, "sourceIdentity", "satisfy regular expression pattern: [\\w+=,.@-]*");
    }
    if (problems.length > 0) {
      return error(
        res,
        400,
        "Sender",
        "ValidationError",
        `${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`,
      );
    }
    const arn = ROLE_ARN.exec(roleArn ?? "");
    if (roleArn === null || sessionName === null || !arn) return error(res, 400, "Sender", "ValidationError", `${roleArn ?? ""} is invalid`);
    const [, partition = "", account = "", roleName = ""] = arn;

    const role = roles.get(roleArn);
    const allowed =
      role !== undefined &&
      caller.arn === role.trustedPrincipalArn &&
      (role.externalId === undefined || externalId === role.externalId) &&
      Date.now() - role.addedAt >= (role.assumableAfterMs ?? 0);
    if (!allowed) {
      return error(res, 403, "Sender", "AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    // The trust statement must also allow tagging the session and setting its source identity.
    const trustActions = role.trustActions ?? ["sts:AssumeRole"];
    for (const [needed, used] of [
      ["sts:TagSession", tags.length > 0],
      ["sts:SetSourceIdentity", sourceIdentity !== null],
    ] as const) {
      if (used && !trustActions.includes(needed)) {
        return error(res, 403, "Sender", "AccessDenied", `User: ${caller.arn} is not authorized to perform: ${needed} on resource: ${roleArn}`);
      }
    }
    if (caller.fromRole && duration > 3600) {
      return error(res, 400, "Sender", "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    }
    if (duration > (role.maxSessionDurationSeconds ?? 3600)) {
      return error(res, 400, "Sender", "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }

    const accessKeyId = "ASIA" + randomChars(BASE32, 16);
    const secretAccessKey = ((marker ?? "") + randomChars(SECRET_CHARS, 40)).slice(0, 40);
    const sessionToken = "IQoJb3JpZ2luX2VjE" + (marker ?? "") + randomBytes(180).toString("base64");
    const expiresAt = Date.now() + (sessionLifetimeMs ?? duration * 1000);
    const assumedRoleId = `${roleIdOf(roleArn)}:${sessionName}`;
    const assumedRoleArn = `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    keys.set(accessKeyId, {
      secret: secretAccessKey,
      account,
      arn: assumedRoleArn,
      userId: assumedRoleId,
      sessionToken,
      expiresAt,
      fromRole: true,
      expired: false,
    });
    issued.push({
      accessKeyId,
      secretAccessKey,
      sessionToken,
      roleArn,
      sessionName,
      assumedRoleArn,
      expiresAt,
      tags,
      ...(sourceIdentity !== null ? { sourceIdentity } : {}),
    });
    send(
      res,
      200,
      `<AssumeRoleResponse xmlns="${NS}">\n` +
        `  <AssumeRoleResult>\n` +
        `    <Credentials>\n` +
        `      <AccessKeyId>${accessKeyId}</AccessKeyId>\n` +
        `      <SecretAccessKey>${escapeXml(secretAccessKey)}</SecretAccessKey>\n` +
        `      <SessionToken>${escapeXml(sessionToken)}</SessionToken>\n` +
        `      <Expiration>${new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z")}</Expiration>\n` +
        `    </Credentials>\n` +
        `    <AssumedRoleUser>\n` +
        `      <AssumedRoleId>${escapeXml(assumedRoleId)}</AssumedRoleId>\n` +
        `      <Arn>${escapeXml(assumedRoleArn)}</Arn>\n` +
        `    </AssumedRoleUser>\n` +
        // Only present when tags (or a session policy) were passed, resp. a source identity.
        (tags.length > 0 ? `    <PackedPolicySize>${Math.min(100, tags.length * 2)}</PackedPolicySize>\n` : "") +
        (sourceIdentity !== null ? `    <SourceIdentity>${escapeXml(sourceIdentity)}</SourceIdentity>\n` : "") +
        `  </AssumeRoleResult>\n` +
        `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n` +
        `</AssumeRoleResponse>\n`,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    addKey(accessKeyId, secret, identity, options = {}) {
      keys.set(accessKeyId, {
        secret,
        account: identity.account,
        arn: identity.arn,
        ...(options.sessionToken !== undefined ? { sessionToken: options.sessionToken } : {}),
        expired: false,
      });
    },
    failNext(kind, n = 1, action) {
      for (let i = 0; i < n; i++) failures.push({ kind, action });
    },
    expireKey(accessKeyId) {
      const key = keys.get(accessKeyId);
      if (key === undefined) throw new Error(`fake STS: unknown key ${accessKeyId}`);
      key.expired = true;
    },
    addRole(role) {
      if (!ROLE_ARN.test(role.roleArn)) throw new Error(`fake STS: not a role ARN: ${role.roleArn}`);
      roles.set(role.roleArn, { ...role, addedAt: Date.now() });
    },
    removeRole(roleArn) {
      roles.delete(roleArn);
    },
    setSessionLifetime(ms) {
      sessionLifetimeMs = ms;
    },
    markSessions(value) {
      if (value !== undefined && !/^[A-Za-z0-9]{1,20}$/.test(value)) throw new Error("fake STS: marker must be 1-20 letters or digits");
      marker = value;
    },
    sessions() {
      return [...issued];
    },
    calls() {
      return [...log];
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

/** An IAM role ARN as IAM accepts it: partition, account, optional path, name. */
const ROLE_ARN = /^arn:([a-z][a-z0-9-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
// IAM's tag key and value characters: letters, separators, numbers and _.:/=+-@.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

function randomChars(alphabet: string, n: number): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
}

// Stable per role, like IAM's unique role id: AROA + 17 characters.
function roleIdOf(roleArn: string): string {
  return (
    "AROA" +
    [...createHash("sha256").update(roleArn).digest()]
      .slice(0, 17)
      .map((b) => BASE32[b % 32])
      .join("")
  );
}

function invalidToken(res: ServerResponse): void {
  error(res, 403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid.");
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
  send(
    res,
    status,
    `<ErrorResponse xmlns="${NS}">\n` +
      `  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${escapeXml(message)}</Message>\n  </Error>\n` +
      `  <RequestId>${randomUUID()}</RequestId>\n` +
      `</ErrorResponse>\n`,
    extra,
  );
}

function signatureMismatch(res: ServerResponse): void {
  error(
    res,
    403,
    "Sender",
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
