import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError } from "@connectrpc/connect";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { AuditDecision, AuthorizationScope, type ResolveCredentialsResponse } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { CompleteSetupRequestSchema, StartSetupRequestSchema, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { maskIdentifier } from "@planton/providers";
import { silentLogger } from "@planton/logging";
import { captureLogs, dumpDatabase, markerForms, rpcFailure } from "@planton/testing";
import { Registry } from "prom-client";
import { startFakeSts, type FakeSts, type StsCall } from "../../verifier/test/support/fake-sts.js";
import { createAwsSessionIssuer } from "../src/sessions/aws-session-issuer.js";
import { startPlatform, type PlatformHarness } from "./support/platform-harness.js";

// Session credentials for AWS cross-account trust: authz assumes the pinned
// version's role itself, as the platform's identity from the standard AWS
// chain (here the environment), against a local STS that speaks the Query
// protocol, checks SigV4 and enforces the trust statement's actions.

const ACCOUNT = "123456789012";
const org = "org-sessions";
const caller = { orgId: org, subject: `deployer@${org}` };
const PLATFORM = {
  accessKeyId: "AKIAPLATFORMSESSION1",
  secretAccessKey: "platformSessionSecret0000000000000000000",
  arn: "arn:aws:iam::999999999999:role/planton-runner",
};
// Every session the fake issues carries this in its secret key and token.
const MARKER = "SessMark7q";
const V2_TRUST = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

const logs = captureLogs();
const metrics = new Registry();
let sts: FakeSts;
let p: PlatformHarness;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  sts = await startFakeSts();
  sts.addKey(PLATFORM.accessKeyId, PLATFORM.secretAccessKey, { account: "999999999999", arn: PLATFORM.arn });
  sts.markSessions(MARKER);
  // The standard AWS chain reads the environment first (this test file runs in its own process).
  for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"]) saved[name] = process.env[name];
  process.env["AWS_ACCESS_KEY_ID"] = PLATFORM.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] = PLATFORM.secretAccessKey;
  delete process.env["AWS_SESSION_TOKEN"];
  delete process.env["AWS_PROFILE"];
  p = await startPlatform({ logger: logs.logger, env: { AWS_STS_URL: sts.url, AWS_STS_MAX_ATTEMPTS: "2", AWS_STS_REQUEST_TIMEOUT_MS: "2000" }, metrics });
});
afterAll(async () => {
  await p?.dispose();
  await sts?.close();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function linkValues(started: StartSetupResponse) {
  const params = new URLSearchParams(started.quickCreateUrl.slice(started.quickCreateUrl.indexOf("?", started.quickCreateUrl.indexOf("#")) + 1));
  return { token: params.get("param_CallbackToken")!, externalId: params.get("param_ExternalId")! };
}

/** A trust connection whose role (in the fake) allows `trustActions`; authorized for every environment. */
async function trustConnection(name: string, roleName: string, trustActions: readonly string[], maxSessionDurationSeconds?: number) {
  const { authz } = await p.clients(org);
  const started = await p.registry.trust.start(caller, create(StartSetupRequestSchema, { name, accountId: ACCOUNT, region: "eu-west-1" }));
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;
  const { externalId } = linkValues(started);
  sts.addRole({
    roleArn,
    trustedPrincipalArn: PLATFORM.arn,
    externalId,
    trustActions,
    ...(maxSessionDurationSeconds ? { maxSessionDurationSeconds } : {}),
  });
  await p.registry.trust.complete(
    create(CompleteSetupRequestSchema, {
      setupId: started.setupId,
      token: linkValues(started).token,
      roleArn,
      accountId: ACCOUNT,
      stackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${started.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
    }),
  );
  const slug = started.connection!.slug;
  await authz.authorizeConnection({ connection: slug, scope: AuthorizationScope.ORGANIZATION });
  return { slug, id: started.connection!.id, roleArn, externalId, started };
}

const session = (r: ResolveCredentialsResponse) => (r.credentials.case === "awsSession" ? r.credentials.value : undefined);
const assumeCalls = (since: number): StsCall[] =>
  sts
    .calls()
    .slice(since)
    .filter((c) => c.action === "AssumeRole");

async function resolveSession(deploymentId: string, slug: string, extra: { seconds?: number; environment?: string } = {}) {
  const { authz } = await p.clients(org);
  return authz.resolveCredentials({
    deploymentId,
    environment: extra.environment ?? "prod",
    provider: Provider.AWS,
    connection: slug,
    sessionCredentials: true,
    ...(extra.seconds !== undefined ? { sessionDuration: { seconds: BigInt(extra.seconds) } } : {}),
  });
}

function violations(error: ConnectError) {
  return error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => ({ field: v.field, reason: v.reason, description: v.description })));
}

// The audit records of a deployment, once there is one (a resolve that ended on the caller's deadline records it as it unwinds).
async function waitForAudit(deploymentId: string) {
  const { authz } = await p.clients(org);
  for (let i = 0; ; i++) {
    const { events } = await authz.listAuditEvents({ deploymentId });
    if (events.length > 0 || i === 50) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("session credentials (ResolveCredentials with session_credentials)", () => {
  let main: Awaited<ReturnType<typeof trustConnection>>;
  beforeAll(async () => {
    main = await trustConnection("sessions-prod-aws", "PlantonSessions", V2_TRUST);
  });

  it("assumes the pinned role with the external id, the deployment's session name, tags and the caller as source identity, signed as the platform", async () => {
    const before = sts.calls().length;
    const response = await resolveSession("deploy-42", main.slug);
    const minted = sts.sessions().at(-1)!;
    const [call] = assumeCalls(before);
    expect(call).toBeDefined();
    // Signed by the platform's identity from the environment, for the endpoint's region.
    expect(call!.accessKeyId).toBe(PLATFORM.accessKeyId);
    expect(call!.region).toBe("us-east-1");
    expect(call!.securityToken).toBe(false);
    expect(call!.params).toEqual({
      RoleArn: main.roleArn,
      RoleSessionName: "deploy-42",
      DurationSeconds: "3600",
      ExternalId: main.externalId,
      "Tags.member.1.Key": "planton:org",
      "Tags.member.1.Value": org,
      "Tags.member.2.Key": "planton:environment",
      "Tags.member.2.Value": "prod",
      "Tags.member.3.Key": "planton:deployment",
      "Tags.member.3.Value": "deploy-42",
      SourceIdentity: `deployer@${org}`,
    });

    expect(response.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(response.connectionId).toBe(main.id);
    expect(session(response)).toMatchObject({
      accessKeyId: minted.accessKeyId,
      secretAccessKey: minted.secretAccessKey,
      sessionToken: minted.sessionToken,
      roleArn: main.roleArn,
      assumedRoleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/PlantonSessions/deploy-42`,
      roleSessionName: "deploy-42",
      sourceIdentity: `deployer@${org}`,
      region: "eu-west-1",
    });
    expect(minted.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    // The expiry AWS reported (second precision on the wire).
    expect(Math.abs(timestampMs(session(response)!.expireTime!) - minted.expiresAt)).toBeLessThan(1000);
    expect(minted.expiresAt - Date.now()).toBeGreaterThan(3500_000);

    // The credentials work: STS knows them as the assumed role.
    const client = new STSClient({
      endpoint: sts.url,
      region: "us-east-1",
      credentials: { accessKeyId: minted.accessKeyId, secretAccessKey: minted.secretAccessKey, sessionToken: minted.sessionToken },
    });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    client.destroy();
    expect(identity.Arn).toBe(session(response)!.assumedRoleArn);
  });

  it("mints fresh credentials on every resolve, for the version the deployment is pinned to, through a reconnect", async () => {
    const first = await resolveSession("deploy-refresh", main.slug, { seconds: 900 });
    const second = await resolveSession("deploy-refresh", main.slug, { seconds: 900 });
    expect(session(second)!.accessKeyId).not.toBe(session(first)!.accessKeyId);
    expect(session(second)!.sessionToken).not.toBe(session(first)!.sessionToken);
    expect(second.credentialVersion).toBe(first.credentialVersion);
    expect(sts.calls().at(-1)!.params["DurationSeconds"]).toBe("900");

    // A reconnect replaces the role; the pinned deployment keeps minting from its own version's role.
    const reconnect = await p.registry.trust.start(caller, create(StartSetupRequestSchema, { reconnect: main.slug }));
    const newRole = `arn:aws:iam::${ACCOUNT}:role/PlantonSessionsNext`;
    sts.addRole({ roleArn: newRole, trustedPrincipalArn: PLATFORM.arn, externalId: linkValues(reconnect).externalId, trustActions: V2_TRUST });
    await p.registry.trust.complete(
      create(CompleteSetupRequestSchema, {
        setupId: reconnect.setupId,
        token: linkValues(reconnect).token,
        roleArn: newRole,
        accountId: ACCOUNT,
        stackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${reconnect.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
      }),
    );
    const before = sts.calls().length;
    const third = await resolveSession("deploy-refresh", main.slug);
    expect(third.credentialVersion).toBe(first.credentialVersion);
    expect(session(third)!.roleArn).toBe(main.roleArn);
    expect(assumeCalls(before)[0]!.params).toMatchObject({ RoleArn: main.roleArn, ExternalId: main.externalId });
    // A new deployment gets the new role.
    const fresh = await resolveSession("deploy-after-reconnect", main.slug);
    expect(fresh.credentialVersion).toBeGreaterThan(first.credentialVersion);
    expect(session(fresh)!.roleArn).toBe(newRole);
    main = { ...main, roleArn: newRole, externalId: linkValues(reconnect).externalId };
  });

  it("keeps the runner's answer (the role and external id) for resolves without session_credentials", async () => {
    const before = sts.calls().length;
    const { authz } = await p.clients(org);
    const plain = await authz.resolveCredentials({ deploymentId: "deploy-42", environment: "prod", provider: Provider.AWS, connection: main.slug });
    expect(plain.credentials.case).toBe("awsRole");
    expect(sts.calls().length).toBe(before);
  });

  it("derives valid, distinct session names from deployment ids STS would refuse", async () => {
    const long = "release." + "x".repeat(100);
    const a = session(await resolveSession("build:7", main.slug))!;
    const b = session(await resolveSession("build-7", main.slug))!;
    const c = session(await resolveSession(long, main.slug))!;
    expect(b.roleSessionName).toBe("build-7");
    expect(a.roleSessionName).toMatch(/^build-7-[0-9a-f]{12}$/);
    expect(c.roleSessionName).toHaveLength(64);
    expect(c.roleSessionName.startsWith("release.xxx")).toBe(true);
    // The same deployment always gets the same name.
    expect(session(await resolveSession("build:7", main.slug))!.roleSessionName).toBe(a.roleSessionName);
    // STS accepted them all (it enforces 2-64 of [\w+=,.@-]); the tag keeps the deployment id itself.
    const tagged = sts.sessions().find((s) => s.sessionName === a.roleSessionName)!;
    expect(tagged.tags).toContainEqual({ key: "planton:deployment", value: "build:7" });
  });

  it("stores and logs nothing of the session, and audits the masked access key id before answering", async () => {
    const response = await resolveSession("deploy-audited", main.slug);
    const minted = session(response)!;
    expect(minted.secretAccessKey).toContain(MARKER);
    expect(minted.sessionToken).toContain(MARKER);

    const { authz } = await p.clients(org);
    const { events } = await authz.listAuditEvents({ deploymentId: "deploy-audited" });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ decision: AuditDecision.ALLOWED, connectionId: main.id, credentialVersion: response.credentialVersion });
    expect(events[0]!.summary).toContain(maskIdentifier(minted.accessKeyId));
    expect(events[0]!.summary).toContain(minted.assumedRoleArn);
    expect(events[0]!.summary).not.toContain(minted.accessKeyId);

    // Every session minted in this file: not in any table, log line or event.
    const { text: dump } = await dumpDatabase(p.database.url);
    const logText = logs.text();
    const eventText = p.events.map((e) => Buffer.from(e.data).toString("latin1")).join("\n");
    for (const forms of [markerForms(MARKER), ...sts.sessions().flatMap((s) => [markerForms(s.accessKeyId), markerForms(s.secretAccessKey)])]) {
      for (const form of forms) {
        expect(dump).not.toContain(form);
        expect(logText).not.toContain(form);
        expect(eventText).not.toContain(form);
      }
    }
  });

  it("refuses bad session requests before calling STS or pinning", async () => {
    const before = sts.requests;
    const { authz } = await p.clients(org);
    for (const seconds of [899, 43_201]) {
      const refused = await rpcFailure(resolveSession("deploy-bounds", main.slug, { seconds }));
      expect(refused.code).toBe(Code.InvalidArgument);
      expect(violations(refused)).toEqual([expect.objectContaining({ field: "session_duration", reason: "RANGE" })]);
    }
    const fractional = await rpcFailure(
      authz.resolveCredentials({
        deploymentId: "deploy-bounds",
        environment: "prod",
        provider: Provider.AWS,
        connection: main.slug,
        sessionCredentials: true,
        sessionDuration: { seconds: 1000n, nanos: 5 },
      }),
    );
    expect(violations(fractional).map((v) => v.field)).toEqual(["session_duration"]);
    const durationAlone = await rpcFailure(
      authz.resolveCredentials({
        deploymentId: "deploy-bounds",
        environment: "prod",
        provider: Provider.AWS,
        connection: main.slug,
        sessionDuration: { seconds: 900n },
      }),
    );
    expect(violations(durationAlone)).toEqual([expect.objectContaining({ field: "session_duration", reason: "SESSION_ONLY" })]);
    const notAws = await rpcFailure(
      authz.resolveCredentials({ deploymentId: "deploy-bounds", environment: "prod", provider: Provider.GCP, sessionCredentials: true }),
    );
    expect(notAws.code).toBe(Code.InvalidArgument);
    expect(violations(notAws)).toEqual([expect.objectContaining({ field: "session_credentials", reason: "AWS_ONLY" })]);
    expect(sts.requests).toBe(before);
    // Nothing was pinned: the deployment can still go anywhere.
    expect(await p.authz.db.selectFrom("deployment_pins").selectAll().where("deployment_id", "=", "deploy-bounds").execute()).toEqual([]);
    const { events } = await authz.listAuditEvents({ deploymentId: "deploy-bounds" });
    expect(events.map((e) => e.decision)).toEqual(Array(5).fill(AuditDecision.DENIED));
  });

  it("answers INVALID_ARGUMENT on session_duration when the role's maximum is lower, and mints up to it", async () => {
    const twoHours = await trustConnection("sessions-2h-aws", "PlantonTwoHours", V2_TRUST, 7200);
    const refused = await rpcFailure(resolveSession("deploy-long", main.slug, { seconds: 7200 }));
    expect(refused.code).toBe(Code.InvalidArgument);
    expect(violations(refused)).toEqual([expect.objectContaining({ field: "session_duration", reason: "ROLE_MAX_SESSION_DURATION" })]);
    expect(refused.rawMessage).toMatch(/MaxSessionDuration/);
    const ok = await resolveSession("deploy-long-ok", twoHours.slug, { seconds: 7200 });
    expect(timestampMs(session(ok)!.expireTime!) - Date.now()).toBeGreaterThan(7100_000);
  });

  it("answers FAILED_PRECONDITION, naming sts:TagSession and the template, when the role's trust is template v1's", async () => {
    const v1 = await trustConnection("sessions-v1-aws", "PlantonV1", ["sts:AssumeRole"]);
    const refused = await rpcFailure(resolveSession("deploy-v1", v1.slug));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toMatch(/sts:TagSession/);
    expect(refused.rawMessage).toMatch(/sts:SetSourceIdentity/);
    expect(refused.rawMessage).toMatch(/template/);
    expect(refused.rawMessage).not.toContain(v1.externalId);
    // STS said AccessDenied to the tags.
    expect(sts.calls().at(-1)!.params["RoleArn"]).toBe(v1.roleArn);
    const { authz } = await p.clients(org);
    const { events } = await authz.listAuditEvents({ deploymentId: "deploy-v1" });
    expect(events[0]).toMatchObject({ decision: AuditDecision.ERROR, errorCode: "FAILED_PRECONDITION" });
    // The runner's answer still works for the same deployment: the role itself is fine.
    const plain = await authz.resolveCredentials({ deploymentId: "deploy-v1", environment: "prod", provider: Provider.AWS, connection: v1.slug });
    expect(plain.credentials.case).toBe("awsRole");
  });

  it("answers UNAVAILABLE when STS fails (5xx after the SDK's retries, throttling)", async () => {
    sts.failNext("500", 2, "AssumeRole");
    const before = sts.calls().length;
    const failed = await rpcFailure(resolveSession("deploy-5xx", main.slug));
    expect(failed.code).toBe(Code.Unavailable);
    expect(assumeCalls(before)).toHaveLength(2); // AWS_STS_MAX_ATTEMPTS=2
    sts.failNext("throttle", 2, "AssumeRole");
    expect((await rpcFailure(resolveSession("deploy-5xx", main.slug))).code).toBe(Code.Unavailable);
    // One failure, then an answer: the SDK's retry hides it.
    sts.failNext("500", 1, "AssumeRole");
    expect(session(await resolveSession("deploy-5xx", main.slug))?.accessKeyId).toMatch(/^ASIA/);
    const { authz } = await p.clients(org);
    const { events } = await authz.listAuditEvents({ deploymentId: "deploy-5xx" });
    expect(events.map((e) => e.errorCode)).toEqual(["", "UNAVAILABLE", "UNAVAILABLE"]);
  });

  it("stops waiting for STS when the caller's deadline passes: DEADLINE_EXCEEDED, audited, nothing handed out", async () => {
    sts.failNext("timeout", 1, "AssumeRole");
    const { authz } = await p.clients(org);
    const late = await rpcFailure(
      authz.resolveCredentials(
        { deploymentId: "deploy-deadline", environment: "prod", provider: Provider.AWS, connection: main.slug, sessionCredentials: true },
        { timeoutMs: 300 },
      ),
    );
    expect(late.code).toBe(Code.DeadlineExceeded);
    const events = await waitForAudit("deploy-deadline");
    expect(events[0]).toMatchObject({ decision: AuditDecision.ERROR, errorCode: "DEADLINE_EXCEEDED" });
  });

  it("refuses sessions for connections that are not trust roles, before pinning", async () => {
    const { connections, authz } = await p.clients(org);
    const keys = await connections.createConnection({
      name: "sessions-keys-aws",
      spec: {
        provider: {
          case: "aws",
          value: {
            accountId: ACCOUNT,
            auth: { case: "inlineKeys", value: { accessKeyId: "AKIASESSIONKEYS00001", secretAccessKey: "sessionKeysSecret00000000000000000000000" } },
          },
        },
      },
    });
    await authz.authorizeConnection({ connection: keys.connection!.slug, scope: AuthorizationScope.ORGANIZATION });
    const before = sts.requests;
    const refused = await rpcFailure(resolveSession("deploy-keys", keys.connection!.slug));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toMatch(/cross-account trust/);
    expect(sts.requests).toBe(before);
    // Not pinned: the same deployment may take the trust connection.
    expect(session(await resolveSession("deploy-keys", main.slug))?.accessKeyId).toMatch(/^ASIA/);
    // A deployment pinned to keys is refused too (its pinned version decides).
    await authz.resolveCredentials({ deploymentId: "deploy-keys-pinned", environment: "prod", provider: Provider.AWS, connection: keys.connection!.slug });
    expect((await rpcFailure(resolveSession("deploy-keys-pinned", keys.connection!.slug))).code).toBe(Code.FailedPrecondition);
  });

  it("answers NOT_FOUND to a caller of another organization, as for any resolve", async () => {
    const { authz } = await p.clients("org-sessions-other");
    const before = sts.requests;
    const refused = await rpcFailure(
      authz.resolveCredentials({ deploymentId: "deploy-42", environment: "prod", provider: Provider.AWS, connection: main.slug, sessionCredentials: true }),
    );
    expect(refused.code).toBe(Code.NotFound);
    expect(sts.requests).toBe(before);
  });

  it("counts mints by outcome in planton_authz_aws_session_seconds", async () => {
    const text = await metrics.metrics();
    const count = (labels: string) => Number(new RegExp(`planton_authz_aws_session_seconds_count\\{${labels}\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('code="OK",sts_error=""')).toBeGreaterThanOrEqual(10);
    expect(count('code="FAILED_PRECONDITION",sts_error="AccessDenied"')).toBe(1);
    expect(count('code="INVALID_ARGUMENT",sts_error="ValidationError"')).toBe(1);
    expect(count('code="UNAVAILABLE",sts_error="InternalFailure"')).toBe(1);
    expect(count('code="UNAVAILABLE",sts_error="Throttling"')).toBe(1);
    expect(text).not.toMatch(/planton_authz_aws_session_seconds\w*\{[^}]*(deploy|org-|arn:)/);
  });
});

describe("the platform's own identity", () => {
  it("answers UNAVAILABLE when STS refuses the platform's key, and INVALID_ARGUMENT when role chaining caps the duration", async () => {
    const role = {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/PlantonChain`,
      trustedPrincipalArn: "",
      externalId: "chain-external-id-0001",
      trustActions: V2_TRUST,
    };
    const request = {
      roleArn: role.roleArn,
      externalId: role.externalId,
      roleSessionName: "deploy-chain",
      durationSeconds: 7200,
      tags: [{ key: "planton:deployment", value: "deploy-chain" }],
      sourceIdentity: "deployer",
    };
    const issuer = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
      createAwsSessionIssuer({ endpoint: sts.url, maxAttempts: 1, requestTimeoutMs: 2000, credentials: async () => credentials, logger: silentLogger });

    const unknown = await rpcFailure(issuer({ accessKeyId: "AKIAUNKNOWNPLATFORM1", secretAccessKey: "x".repeat(40) }).assume(request));
    expect(unknown.code).toBe(Code.Unavailable);
    expect(unknown.rawMessage).toMatch(/platform's own AWS identity \(InvalidClientTokenId\)/);

    // The platform running as an assumed role (a session the fake issued): role chaining caps sessions at 1 hour.
    const platformRole = `arn:aws:iam::999999999999:role/planton-platform`;
    sts.addRole({ roleArn: platformRole, trustedPrincipalArn: PLATFORM.arn, trustActions: V2_TRUST });
    sts.addRole({ ...role, trustedPrincipalArn: `arn:aws:sts::999999999999:assumed-role/planton-platform/platform` });
    const platform = await createAwsSessionIssuer({
      endpoint: sts.url,
      maxAttempts: 1,
      requestTimeoutMs: 2000,
      credentials: async () => PLATFORM,
      logger: silentLogger,
    }).assume({
      roleArn: platformRole,
      externalId: "unused-external-id",
      roleSessionName: "platform",
      durationSeconds: 3600,
      tags: [],
      sourceIdentity: "platform",
    });
    const chained = issuer(platform);
    const capped = await rpcFailure(chained.assume(request));
    expect(capped.code).toBe(Code.InvalidArgument);
    expect(violations(capped)).toEqual([expect.objectContaining({ field: "session_duration", reason: "ROLE_CHAINING_LIMIT" })]);
    expect((await chained.assume({ ...request, durationSeconds: 3600 })).assumedRoleArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/PlantonChain/deploy-chain`);

    // Expired platform credentials: UNAVAILABLE (the chain refreshes them; the operator is told in the log).
    sts.expireKey(platform.accessKeyId);
    const expired = await rpcFailure(chained.assume({ ...request, durationSeconds: 3600 }));
    expect(expired.code).toBe(Code.Unavailable);
    expect(expired.rawMessage).toMatch(/ExpiredToken/);
  });
});
