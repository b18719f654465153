import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAwsTrust } from "../src/checks/aws-trust-check.js";
import type { CheckOptions, CheckResult, ProviderEndpoints } from "../src/checks/provider-check.js";
import type { AwsCredentials } from "../src/checks/sts-call.js";
import { startFakeSts, type FakeSts, type StsCall } from "./support/fake-sts.js";

// Marker values are planted in everything secret (the external id, the
// platform's secret, the session secret and token the fake issues), so any
// leak into a result is easy to spot.
const EXT_MARKER = "EXTIDMARKER";
const SESSION_MARKER = "SESSMARKER";
const PLATFORM_MARKER = "PLATMARKER";
const EXTERNAL_ID = `pl-${EXT_MARKER}-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b`;

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const CONNECTION_ID = "awsconn_01JTESTCONNECTION0001";

// The platform's runner principal: a long-term key, and a temporary one with a session token.
const PLATFORM_ARN = "arn:aws:iam::111111111111:user/planton-runner";
const PLATFORM_KEY = "AKIAPLATFORMRUNNER01";
const PLATFORM_SECRET = `wJalrXUtnFEMI/${PLATFORM_MARKER}/bPxRfiCYEXAMPLEKEY`.slice(0, 40);
const PLATFORM_TEMP_ARN = "arn:aws:sts::111111111111:assumed-role/planton-runner/runner-pod-1";
const PLATFORM_TEMP_KEY = "ASIAPLATFORMRUNNER02";
const PLATFORM_TEMP_SECRET = `je7MtGbClwBF/${PLATFORM_MARKER}/2Zp9Utk/h3yCo8nvbEXAMPLEKEY`.slice(0, 40);
const PLATFORM_TEMP_TOKEN = `IQoJb3JpZ2luX2VjEPLATFORM${PLATFORM_MARKER}TOKEN0123456789abcdef`;

const platform: AwsCredentials = { accessKeyId: PLATFORM_KEY, secretAccessKey: PLATFORM_SECRET };

let sts: FakeSts;
const results: CheckResult[] = [];

function roleArn(name: string, account = ACCOUNT): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

function assumedArn(name: string, account = ACCOUNT): string {
  return `arn:aws:sts::${account}:assumed-role/${name}/${CONNECTION_ID}`;
}

/** Adds a role trusting the platform with the setup's external id (the template's role). */
function addTemplateRole(name: string, extra: { account?: string; assumableAfterMs?: number; trusted?: string } = {}): string {
  const arn = roleArn(name, extra.account);
  sts.addRole({
    roleArn: arn,
    trustedPrincipalArn: extra.trusted ?? PLATFORM_ARN,
    externalId: EXTERNAL_ID,
    ...(extra.assumableAfterMs !== undefined ? { assumableAfterMs: extra.assumableAfterMs } : {}),
  });
  return arn;
}

beforeAll(async () => {
  sts = await startFakeSts();
  sts.markSessions(SESSION_MARKER);
  sts.addKey(PLATFORM_KEY, PLATFORM_SECRET, { account: "111111111111", arn: PLATFORM_ARN });
  sts.addKey(PLATFORM_TEMP_KEY, PLATFORM_TEMP_SECRET, { account: "111111111111", arn: PLATFORM_TEMP_ARN }, { sessionToken: PLATFORM_TEMP_TOKEN });
});

afterAll(async () => {
  await sts.close();
});

function endpoints(awsSts: string): ProviderEndpoints {
  return { awsSts, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" };
}

function spec(role: string, externalId = EXTERNAL_ID, accountId = ACCOUNT): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "aws",
      value: { accountId, region: "us-west-2", auth: { case: "crossAccountTrust", value: { roleArn: role, externalId, capabilities: [], stackId: "" } } },
    },
  });
}

async function check(s: ConnectionSpec, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const result = await checkAwsTrust(s, {
    endpoints: endpoints(sts.url),
    timeoutMs: 2000,
    connectionId: CONNECTION_ID,
    platformAwsCredentials: async () => platform,
    ...overrides,
  });
  results.push(result);
  return result;
}

/** Runs `fn` and returns the STS calls it caused. */
async function callsDuring(fn: () => Promise<unknown>): Promise<StsCall[]> {
  const before = sts.calls().length;
  await fn();
  return sts.calls().slice(before);
}

describe("checkAwsTrust against a fake STS", () => {
  it("verifies a role that trusts the platform with the external id and reports the assumed-role ARN", async () => {
    const arn = addTemplateRole("planton-deployer");
    let result: CheckResult | undefined;
    const calls = await callsDuring(async () => {
      result = await check(spec(arn));
    });
    expect(result).toEqual({ kind: "verified", identity: assumedArn("planton-deployer") });

    expect(calls.map((c) => c.action)).toEqual(["AssumeRole", "GetCallerIdentity", "AssumeRole"]);
    const [first, identity, second] = calls;
    expect(first).toMatchObject({
      accessKeyId: PLATFORM_KEY,
      securityToken: false,
      params: { RoleArn: arn, RoleSessionName: CONNECTION_ID, DurationSeconds: "900", ExternalId: EXTERNAL_ID },
    });
    // GetCallerIdentity is signed with the session AssumeRole issued, token included.
    const session = sts.sessions().at(-1);
    expect(session?.roleArn).toBe(arn);
    expect(identity).toMatchObject({ accessKeyId: session?.accessKeyId, securityToken: true, params: {} });
    // The confused-deputy probe: same principal and session name, no external id.
    expect(second).toMatchObject({ accessKeyId: PLATFORM_KEY, params: { RoleArn: arn, RoleSessionName: CONNECTION_ID } });
    expect(second?.params).not.toHaveProperty("ExternalId");
  });

  it("signs with the platform's temporary credentials including their session token", async () => {
    const arn = addTemplateRole("planton-deployer-temp", { trusted: PLATFORM_TEMP_ARN });
    let result: CheckResult | undefined;
    const calls = await callsDuring(async () => {
      result = await check(spec(arn), {
        platformAwsCredentials: async () => ({ accessKeyId: PLATFORM_TEMP_KEY, secretAccessKey: PLATFORM_TEMP_SECRET, sessionToken: PLATFORM_TEMP_TOKEN }),
      });
    });
    expect(result).toEqual({ kind: "verified", identity: assumedArn("planton-deployer-temp") });
    expect(calls[0]).toMatchObject({ action: "AssumeRole", accessKeyId: PLATFORM_TEMP_KEY, securityToken: true });
  });

  it("handles a role with a path: the assumed-role ARN carries only the name", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/planton/deployers/planton-deployer-path`;
    sts.addRole({ roleArn: arn, trustedPrincipalArn: PLATFORM_ARN, externalId: EXTERNAL_ID });
    expect(await check(spec(arn))).toEqual({ kind: "verified", identity: assumedArn("planton-deployer-path") });
  });

  it("reports a role without an external-id condition as EXTERNAL_ID_NOT_ENFORCED without printing the id", async () => {
    const arn = roleArn("planton-deployer-open");
    sts.addRole({ roleArn: arn, trustedPrincipalArn: PLATFORM_ARN });
    const r = await check(spec(arn));
    expect(r).toMatchObject({ kind: "failed", reason: "EXTERNAL_ID_NOT_ENFORCED" });
    const message = r.kind === "failed" ? r.message : "";
    expect(message).toContain('"sts:ExternalId"');
    expect(message).toContain("the external id from the setup");
    expect(message).toMatch(/confused deputy/);
    expect(message).not.toContain(EXTERNAL_ID);
  });

  it("reports a wrong external id as ROLE_NOT_ASSUMABLE", async () => {
    const arn = roleArn("planton-deployer-other-id");
    sts.addRole({ roleArn: arn, trustedPrincipalArn: PLATFORM_ARN, externalId: "pl-someone-elses-external-id" });
    const r = await check(spec(arn));
    expect(r).toMatchObject({ kind: "failed", reason: "ROLE_NOT_ASSUMABLE" });
    const message = r.kind === "failed" ? r.message : "";
    expect(message).toContain(arn);
    expect(message).toMatch(/does not exist yet or was deleted/);
    expect(message).toMatch(/does not trust the platform/);
    expect(message).toMatch(/external id/);
    expect(message).toMatch(/re-run the setup/);
  });

  it("reports a role not yet propagated as ROLE_NOT_ASSUMABLE, then verifies once it has propagated", async () => {
    const arn = addTemplateRole("planton-deployer-new", { assumableAfterMs: 400 });
    expect(await check(spec(arn))).toMatchObject({ kind: "failed", reason: "ROLE_NOT_ASSUMABLE" });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await check(spec(arn))).toEqual({ kind: "verified", identity: assumedArn("planton-deployer-new") });
  });

  it("reports an unknown role as ROLE_NOT_ASSUMABLE", async () => {
    expect(await check(spec(roleArn("planton-deployer-missing")))).toMatchObject({ kind: "failed", reason: "ROLE_NOT_ASSUMABLE" });
  });

  it("reports a deleted role as ROLE_NOT_ASSUMABLE", async () => {
    const arn = addTemplateRole("planton-deployer-deleted");
    expect(await check(spec(arn))).toMatchObject({ kind: "verified" });
    sts.removeRole(arn);
    expect(await check(spec(arn))).toMatchObject({ kind: "failed", reason: "ROLE_NOT_ASSUMABLE" });
  });

  it("reports a role trusting another principal as ROLE_NOT_ASSUMABLE", async () => {
    const arn = addTemplateRole("planton-deployer-foreign", { trusted: "arn:aws:iam::444455556666:role/someone-else" });
    expect(await check(spec(arn))).toMatchObject({ kind: "failed", reason: "ROLE_NOT_ASSUMABLE" });
  });

  it("reports a role in another account than the spec's as ACCOUNT_MISMATCH naming both accounts", async () => {
    const arn = addTemplateRole("planton-deployer-b", { account: OTHER_ACCOUNT });
    const r = await check(spec(arn));
    expect(r).toMatchObject({ kind: "failed", reason: "ACCOUNT_MISMATCH" });
    expect(r.kind === "failed" && r.message).toContain(ACCOUNT);
    expect(r.kind === "failed" && r.message).toContain(OTHER_ACCOUNT);
  });

  describe("the platform's own credentials", () => {
    const arn = roleArn("planton-deployer-platform");
    beforeAll(() => {
      addTemplateRole("planton-deployer-platform");
    });

    it("reports an unknown platform key as transient PLATFORM_CREDENTIALS, not the user's fault", async () => {
      const r = await check(spec(arn), { platformAwsCredentials: async () => ({ accessKeyId: "AKIAUNKNOWNPLATFORM0", secretAccessKey: PLATFORM_SECRET }) });
      expect(r).toMatchObject({ kind: "transient", reason: "PLATFORM_CREDENTIALS" });
      expect(r.kind === "transient" && r.message).toMatch(/platform's own AWS identity/);
      expect(r.kind === "transient" && r.message).toMatch(/not your role/);
    });

    it("reports a wrong platform secret (SignatureDoesNotMatch) as transient PLATFORM_CREDENTIALS", async () => {
      const r = await check(spec(arn), {
        platformAwsCredentials: async () => ({ accessKeyId: PLATFORM_KEY, secretAccessKey: PLATFORM_SECRET.replace(/.$/, "Z") }),
      });
      expect(r).toMatchObject({ kind: "transient", reason: "PLATFORM_CREDENTIALS" });
    });

    it("reports temporary platform credentials sent without their token as transient PLATFORM_CREDENTIALS", async () => {
      const r = await check(spec(arn), { platformAwsCredentials: async () => ({ accessKeyId: PLATFORM_TEMP_KEY, secretAccessKey: PLATFORM_TEMP_SECRET }) });
      expect(r).toMatchObject({ kind: "transient", reason: "PLATFORM_CREDENTIALS" });
    });

    it("reports expired platform credentials (ExpiredToken) as transient PLATFORM_CREDENTIALS", async () => {
      const key = "ASIAPLATFORMEXPIRED3";
      sts.addKey(key, PLATFORM_TEMP_SECRET, { account: "111111111111", arn: PLATFORM_TEMP_ARN }, { sessionToken: PLATFORM_TEMP_TOKEN });
      sts.expireKey(key);
      const r = await check(spec(arn), {
        platformAwsCredentials: async () => ({ accessKeyId: key, secretAccessKey: PLATFORM_TEMP_SECRET, sessionToken: PLATFORM_TEMP_TOKEN }),
      });
      expect(r).toMatchObject({ kind: "transient", reason: "PLATFORM_CREDENTIALS" });
    });

    it("reports a credential provider that throws as transient PLATFORM_CREDENTIALS without quoting it", async () => {
      const r = await check(spec(arn), {
        platformAwsCredentials: async () => {
          throw new Error(`Could not load credentials: ${PLATFORM_SECRET}`);
        },
      });
      expect(r).toMatchObject({ kind: "transient", reason: "PLATFORM_CREDENTIALS" });
    });

    it("returns NOT_CONFIGURED without calling STS when the verifier has no AWS identity", async () => {
      const before = sts.requests;
      const r = await check(spec(arn), { platformAwsCredentials: undefined });
      expect(r).toMatchObject({ kind: "failed", reason: "NOT_CONFIGURED" });
      expect(r.kind === "failed" && r.message).toMatch(/no AWS identity to assume roles with/);
      expect(r.kind === "failed" && r.message).toMatch(/standard AWS credential chain/);
      expect(sts.requests).toBe(before);
    });
  });

  describe("provider trouble on AssumeRole", () => {
    const arn = roleArn("planton-deployer-flaky");
    beforeAll(() => {
      addTemplateRole("planton-deployer-flaky");
    });

    it("reports STS Throttling (400, no Retry-After) as transient THROTTLED", async () => {
      sts.failNext("throttle", 1, "AssumeRole");
      const r = await check(spec(arn));
      expect(r).toMatchObject({ kind: "transient", reason: "THROTTLED" });
      expect(r.kind === "transient" && r.retryAfterMs).toBeUndefined();
    });

    it("reports 429 with Retry-After as transient THROTTLED with retryAfterMs", async () => {
      sts.failNext("429", 1, "AssumeRole");
      expect(await check(spec(arn))).toMatchObject({ kind: "transient", reason: "THROTTLED", retryAfterMs: 7000 });
    });

    it("reports a 500 InternalFailure as transient PROVIDER_UNAVAILABLE", async () => {
      sts.failNext("500", 1, "AssumeRole");
      expect(await check(spec(arn))).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
    });

    it("reports a hanging server as transient TIMEOUT within about timeoutMs", async () => {
      sts.failNext("timeout", 1, "AssumeRole");
      const started = Date.now();
      expect(await check(spec(arn), { timeoutMs: 150 })).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it("reports a truncated AssumeRole body as transient MALFORMED_RESPONSE", async () => {
      sts.failNext("malformed", 1, "AssumeRole");
      expect(await check(spec(arn))).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
    });

    it("reports RegionDisabledException as REGION_UNAVAILABLE", async () => {
      sts.failNext("region-disabled", 1, "AssumeRole");
      expect(await check(spec(arn))).toMatchObject({ kind: "failed", reason: "REGION_UNAVAILABLE" });
    });

    it("reports trouble on the session's GetCallerIdentity as transient too", async () => {
      sts.failNext("500", 1, "GetCallerIdentity");
      expect(await check(spec(arn))).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
      sts.failNext("malformed", 1, "GetCallerIdentity");
      expect(await check(spec(arn))).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
    });

    it("reports a cancelled check as transient ABORTED", async () => {
      sts.failNext("timeout", 1, "AssumeRole");
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      expect(await check(spec(arn), { signal: controller.signal, timeoutMs: 5000 })).toMatchObject({ kind: "transient", reason: "ABORTED" });
    });

    it("serves normally again after injected failures", async () => {
      expect(await check(spec(arn))).toEqual({ kind: "verified", identity: assumedArn("planton-deployer-flaky") });
    });

    it("reports an unreachable endpoint as transient NETWORK_ERROR", async () => {
      const dead = await startFakeSts();
      const url = dead.url;
      await dead.close();
      expect(await check(spec(arn), { endpoints: endpoints(url) })).toMatchObject({ kind: "transient", reason: "NETWORK_ERROR" });
    });
  });

  it("reports temporary credentials AWS calls expired as EXPIRED, as checkAws does", async () => {
    const arn = addTemplateRole("planton-deployer-short");
    sts.setSessionLifetime(0);
    try {
      expect(await check(spec(arn))).toMatchObject({ kind: "failed", reason: "EXPIRED" });
    } finally {
      sts.setSessionLifetime(undefined);
    }
  });

  it("reports STS's ValidationError as INVALID_ROLE quoting STS", async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/bad name`;
    const r = await check(spec(arn));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_ROLE" });
    expect(r.kind === "failed" && r.message).toContain(`${arn} is invalid`);
  });

  it("refuses a role ARN that is not an IAM role ARN as INVALID_ROLE without calling STS", async () => {
    const before = sts.requests;
    expect(await check(spec("arn:aws:s3:::my-bucket"))).toMatchObject({ kind: "failed", reason: "INVALID_ROLE" });
    expect(sts.requests).toBe(before);
  });

  it("refuses a missing or malformed external id as INVALID_EXTERNAL_ID without calling STS", async () => {
    const before = sts.requests;
    const arn = roleArn("planton-deployer");
    expect(await check(spec(arn, ""))).toMatchObject({ kind: "failed", reason: "INVALID_EXTERNAL_ID" });
    expect(await check(spec(arn, `bad id ${EXT_MARKER}`))).toMatchObject({ kind: "failed", reason: "INVALID_EXTERNAL_ID" });
    expect(sts.requests).toBe(before);
  });

  it("throws for specs that are not AWS cross-account trust and for an invalid session name (programming errors)", async () => {
    const options: CheckOptions = { endpoints: endpoints(sts.url), timeoutMs: 100, connectionId: CONNECTION_ID, platformAwsCredentials: async () => platform };
    const civo = create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: "x" } } });
    await expect(checkAwsTrust(civo, options)).rejects.toThrow(/not aws/);
    const inline = create(ConnectionSpecSchema, {
      provider: {
        case: "aws",
        value: { accountId: ACCOUNT, auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" } } },
      },
    });
    await expect(checkAwsTrust(inline, options)).rejects.toThrow(/not crossAccountTrust/);
    await expect(checkAwsTrust(spec(roleArn("planton-deployer")), { ...options, connectionId: "bad session" })).rejects.toThrow(/RoleSessionName/);
  });

  it("never puts the external id, the session credentials or the platform's secret in any result", () => {
    expect(results.length).toBeGreaterThan(25);
    const sessions = sts.sessions();
    expect(sessions.length).toBeGreaterThan(5);
    const secrets = [
      EXT_MARKER,
      EXTERNAL_ID,
      SESSION_MARKER,
      PLATFORM_MARKER,
      PLATFORM_SECRET,
      PLATFORM_TEMP_SECRET,
      PLATFORM_TEMP_TOKEN,
      ...sessions.flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken]),
    ];
    for (const r of results) {
      const text = JSON.stringify(r);
      for (const secret of secrets) expect(text).not.toContain(secret);
      // Nor any access key id in full (the platform's, a session's): hints only.
      expect(text).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    }
  });
});
