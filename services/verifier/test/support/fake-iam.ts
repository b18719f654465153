import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readSimulation, simulationPage, type FakeSimulation, type FakeStatement } from "./fake-iam-simulate.js";
import { createFakeIamRoles, type FakeIamCaller, type FakeIamRoles } from "./fake-iam-roles.js";
import type { FakeStsSession } from "./fake-sts.js";
import { sha256Hex, sigV4Signature } from "./sigv4-verify.js";

/** An IAM user's access key as the fake knows it. */
export interface FakeIamKey {
  readonly secret: string;
  readonly userName: string;
  readonly account: string;
  /** ISO-8601 CreateDate as ListAccessKeys reports it. */
  readonly createDate: string;
  /** Whether the user's policies allow iam:ListAccessKeys on itself. */
  readonly mayListOwnKeys: boolean;
}

/** A running fake IAM; see {@link startFakeIam}. */
export interface FakeIam {
  /** Base URL, e.g. http://127.0.0.1:PORT (use as `endpoints.awsIam`). */
  readonly url: string;
  addKey(accessKeyId: string, key: FakeIamKey): void;
  /** Role read-back (GetRole and the role's policies), signed by the fake STS's sessions; see fake-iam-roles.ts. */
  readonly roles: FakeIamRoles;
  /** Actions received, oldest first. */
  actions(): readonly string[];
  /**
   * Sets the effective policy of a user or role (by ARN) for
   * SimulatePrincipalPolicy: the principal exists from then on. It may call
   * iam:SimulatePrincipalPolicy only where its own statements allow it.
   */
  setPolicy(principalArn: string, statements: readonly FakeStatement[]): void;
  /**
   * Makes SimulatePrincipalPolicy answer 404 NoSuchEntity for this user or
   * role while its credentials keep authenticating (as right after a
   * deletion, before IAM's change has propagated everywhere).
   */
  deletePrincipal(principalArn: string): void;
  /** Accepts the temporary credentials a fake STS issued, as their role (signed with the session token). */
  acceptSessionsOf(sts: { sessions(): readonly FakeStsSession[] }): void;
  /** At most this many EvaluationResults per page (IAM may return fewer than MaxItems). */
  setSimulationPageSize(size: number): void;
  /** The next `n` SimulatePrincipalPolicy requests answer 400 Throttling or 500 ServiceFailure. */
  failNext(kind: "throttle" | "500", n?: number): void;
  /** SimulatePrincipalPolicy requests received, oldest first. */
  simulations(): readonly FakeSimulation[];
  close(): Promise<void>;
}

const NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * startFakeIam starts an HTTP server on 127.0.0.1 answering the IAM Query
 * protocol (API version 2010-05-08) for `ListAccessKeys` as the IAM API
 * reference documents it: form-encoded POST /, SigV4 for service `iam`
 * (verified with the secret the fake knows: unknown key 403
 * InvalidClientTokenId, bad signature 403 SignatureDoesNotMatch), without
 * `UserName` the caller's own user; `AccessKeyMetadata` members with
 * UserName, AccessKeyId, Status and CreateDate; 403 AccessDenied ("User: ...
 * is not authorized to perform: iam:ListAccessKeys on resource: user ...")
 * when the user may not list its own keys. Role reads (GetRole and the
 * role's policies, see fake-iam-roles.ts) are signed by sessions of the fake
 * STS (`roles.acceptSessions`): their token must come as
 * x-amz-security-token (else InvalidClientTokenId), an expired one answers
 * ExpiredToken.
 *
 * `SimulatePrincipalPolicy` as the IAM API reference documents it:
 * PolicySourceArn, ActionNames.member.N, ResourceArns.member.N,
 * ContextEntries.member.N (ContextKeyName, ContextKeyValues.member.N,
 * ContextKeyType), MaxItems and Marker; the answer is
 * SimulatePrincipalPolicyResult with EvaluationResults members
 * (EvalActionName, EvalResourceName, EvalDecision allowed / explicitDeny /
 * implicitDeny), IsTruncated and Marker (see fake-iam-simulate.ts).
 * Errors as `<ErrorResponse>`: 403 AccessDenied when the caller's own
 * statements do not allow iam:SimulatePrincipalPolicy on the source ARN,
 * 400 InvalidInput for an ARN that is not a user or role ARN (or an unknown
 * Marker), 404 NoSuchEntity for an unknown user or role, 400 Throttling
 * and 500 ServiceFailure when injected. A role's session acts as its role.
 */
export async function startFakeIam(): Promise<FakeIam> {
  const keys = new Map<string, FakeIamKey>();
  const log: string[] = [];
  const roles = createFakeIamRoles();
  const policies = new Map<string, readonly FakeStatement[]>();
  const simulations: FakeSimulation[] = [];
  const markers = new Map<string, number>();
  const deleted = new Set<string>();
  const failures: ("throttle" | "500")[] = [];
  let pageSize = 100;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks).toString("utf8"), res));
  });

  function handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const action = form.get("Action") ?? "";
    log.push(action);
    if (req.method !== "POST" || form.get("Version") !== "2010-05-08") return error(res, 400, "InvalidAction", "Could not find operation");
    const m = AUTH.exec(header(req, "authorization") ?? "");
    if (!m) return error(res, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    const [, keyId = "", , region = "", service = "", signedList = "", signature = ""] = m;
    const session = keys.has(keyId) ? undefined : roles.session(keyId);
    if (session !== undefined && header(req, "x-amz-security-token") !== session.sessionToken) {
      return error(res, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (session !== undefined && Date.now() >= session.expiresAt)
      return error(res, 403, "ExpiredToken", "The security token included in the request is expired");
    const key = keys.get(keyId) ?? (session ? { secret: session.secretAccessKey } : undefined);
    if (key === undefined) return error(res, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    const date = header(req, "x-amz-date") ?? "";
    const signed = signedList.split(";");
    const headers: Record<string, string> = {};
    for (const name of signed) headers[name] = header(req, name) ?? "";
    const expected = sigV4Signature(
      { method: "POST", path: req.url ?? "/", query: "", headers, signedHeaders: signed, payloadHash: sha256Hex(body) },
      key?.secret ?? session?.secretAccessKey ?? "",
      date,
      region,
      "iam",
    );
    if (service !== "iam" || expected !== signature) {
      return error(res, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
    }
    if (action === "SimulatePrincipalPolicy") {
      // A key acts as its user; a session as its role (checked against the role's policy).
      const user = keys.get(keyId);
      const caller = session ? session.assumedRoleArn : `arn:aws:iam::${user?.account ?? ""}:user/${user?.userName ?? ""}`;
      return simulate(res, form, caller, session ? session.roleArn : caller);
    }
    if (roles.handles(action)) {
      const caller: FakeIamCaller = session
        ? { arn: session.assumedRoleArn, roleArn: session.roleArn }
        : { arn: `arn:aws:iam::${keys.get(keyId)!.account}:user/${keys.get(keyId)!.userName}` };
      const answer = roles.answer(action, form, caller);
      if (answer === "hang") return;
      return "xml" in answer ? send(res, 200, answer.xml) : error(res, answer.status, answer.code, answer.message);
    }
    if (action !== "ListAccessKeys" || !("userName" in key))
      return error(res, 400, "InvalidAction", `Could not find operation ${action} for version 2010-05-08`);
    const userName = form.get("UserName") ?? key.userName;
    if (!key.mayListOwnKeys || userName !== key.userName) {
      return error(
        res,
        403,
        "AccessDenied",
        `User: arn:aws:iam::${key.account}:user/${key.userName} is not authorized to perform: iam:ListAccessKeys on resource: user ${userName} because no identity-based policy allows the iam:ListAccessKeys action`,
      );
    }
    const members = [...keys.entries()]
      .filter(([, k]) => k.userName === userName && k.account === key.account)
      .map(
        ([id, k]) =>
          `      <member>\n        <UserName>${k.userName}</UserName>\n        <AccessKeyId>${id}</AccessKeyId>\n        <Status>Active</Status>\n        <CreateDate>${k.createDate}</CreateDate>\n      </member>\n`,
      )
      .join("");
    send(
      res,
      200,
      `<ListAccessKeysResponse xmlns="${NS}">\n  <ListAccessKeysResult>\n    <UserName>${userName}</UserName>\n    <AccessKeyMetadata>\n${members}    </AccessKeyMetadata>\n    <IsTruncated>false</IsTruncated>\n  </ListAccessKeysResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</ListAccessKeysResponse>\n`,
    );
  }

  function simulate(res: ServerResponse, form: URLSearchParams, callerArn: string, callerPrincipal: string): void {
    const request = readSimulation(form);
    simulations.push(request);
    const failure = failures.shift();
    if (failure === "throttle") return error(res, 400, "Throttling", "Rate exceeded");
    if (failure === "500") return error(res, 500, "ServiceFailure", "Request processing has failed due to an unknown error, exception or failure.");
    const source = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role)\/(?:.*\/)?([\w+=,.@-]+)$/.exec(request.policySourceArn);
    if (!source) return error(res, 400, "InvalidInput", `ARN ${request.policySourceArn} is not valid.`);
    const [, , kind = "", name = ""] = source;
    const own = policies.get(callerPrincipal) ?? [];
    if (
      !own.some(
        (s) =>
          s.effect === "Allow" &&
          s.actions.some((a) => /^(\*|iam:\*|iam:SimulatePrincipalPolicy)$/i.test(a)) &&
          (s.resources ?? ["*"]).some((r) => r === "*" || r === request.policySourceArn),
      )
    ) {
      return error(
        res,
        403,
        "AccessDenied",
        `User: ${callerArn} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${kind} ${name} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
      );
    }
    const statements = deleted.has(request.policySourceArn) ? undefined : policies.get(request.policySourceArn);
    if (statements === undefined) return error(res, 404, "NoSuchEntity", `The ${kind} with name ${name} cannot be found.`);
    if (request.actionNames.length === 0)
      return error(
        res,
        400,
        "ValidationError",
        "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null",
      );
    const page = simulationPage(request, statements, pageSize, markers);
    if ("error" in page) return error(res, page.error.status, page.error.code, page.error.message);
    send(res, page.status, page.xml);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    addKey(accessKeyId, key) {
      keys.set(accessKeyId, key);
    },
    roles,
    actions: () => [...log],
    setPolicy(principalArn, statements) {
      policies.set(principalArn, statements);
    },
    deletePrincipal(principalArn) {
      deleted.add(principalArn);
    },
    acceptSessionsOf(sts) {
      roles.acceptSessions(() => sts.sessions());
    },
    setSimulationPageSize(size) {
      pageSize = size;
    },
    failNext(kind, n = 1) {
      for (let i = 0; i < n; i++) failures.push(kind);
    },
    simulations: () => [...simulations],
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function send(res: ServerResponse, status: number, xml: string): void {
  // Real, current Date: the AWS SDK corrects its clock from this header.
  res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID(), date: new Date().toUTCString() });
  res.end(xml);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  send(
    res,
    status,
    `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${status >= 500 ? "Receiver" : "Sender"}</Type>\n    <Code>${code}</Code>\n    <Message>${message.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
  );
}
