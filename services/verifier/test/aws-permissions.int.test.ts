import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAws } from "../src/checks/aws-check.js";
import { checkAwsTrust } from "../src/checks/aws-trust-check.js";
import type { CheckOptions, CheckResult, ProviderEndpoints } from "../src/checks/provider-check.js";
import type { CapabilityVerdict, PermissionReport } from "../src/permissions/permission-report.js";
import type { FakeStatement } from "./support/fake-iam-simulate.js";
import { startFakeIam, type FakeIam } from "./support/fake-iam.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// Markers in every secret: no result may carry one.
const MARKER = "PERMLEAKMARKER";
const SECRET = `wJalrXUtnFEMI/${MARKER}/K7MDENGbPxRfiCYEXAMPLEKEY`.slice(0, 40);
const EXT_MARKER = "PERMEXTMARKER";
const EXTERNAL_ID = `pl-${EXT_MARKER}-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b`;
const ACCOUNT = "123456789012";
const CONNECTION_ID = "awsconn_01JPERMISSIONCHECK001";

const CAPABILITIES = ["EKS", "ECS", "VPC_NETWORKING", "S3_STORAGE", "RDS", "LAMBDA", "ROUTE53", "CLOUDWATCH", "ECR", "KMS"];

const PLATFORM_ARN = "arn:aws:iam::111111111111:user/planton-runner";
const PLATFORM = { accessKeyId: "AKIAPLATFORMRUNNER01", secretAccessKey: `wJalrXUtnFEMI/PLATFORMX/bPxRfiCYEXAMPLEKEY`.slice(0, 40) };

let sts: FakeSts;
let iam: FakeIam;
const results: CheckResult[] = [];

/** Adds an IAM user with a key and an effective policy; returns the user's ARN. */
function addUser(name: string, keyId: string, statements: readonly FakeStatement[], opts: { maySimulateSelf?: boolean } = {}): string {
  const arn = `arn:aws:iam::${ACCOUNT}:user/${name}`;
  sts.addKey(keyId, SECRET, { account: ACCOUNT, arn });
  iam.addKey(keyId, { secret: SECRET, userName: name, account: ACCOUNT, createDate: "2026-01-01T00:00:00Z", mayListOwnKeys: false });
  const self: FakeStatement[] = opts.maySimulateSelf === false ? [] : [{ effect: "Allow", actions: ["iam:SimulatePrincipalPolicy"], resources: [arn] }];
  iam.setPolicy(arn, [...self, ...statements]);
  return arn;
}

beforeAll(async () => {
  sts = await startFakeSts();
  sts.markSessions("SESSMARKER");
  sts.addKey(PLATFORM.accessKeyId, PLATFORM.secretAccessKey, { account: "111111111111", arn: PLATFORM_ARN });
  iam = await startFakeIam();
  iam.acceptSessionsOf(sts);
});

afterAll(async () => {
  for (const r of results) {
    const text = JSON.stringify(r);
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain(EXT_MARKER);
    expect(text).not.toContain("SESSMARKER");
    expect(text).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
  }
  await iam.close();
  await sts.close();
});

function endpoints(): ProviderEndpoints {
  return { awsSts: sts.url, awsIam: iam.url, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" };
}

function keySpec(accessKeyId: string, region = "eu-central-1"): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: { case: "aws", value: { accountId: ACCOUNT, region, auth: { case: "inlineKeys", value: { accessKeyId, secretAccessKey: SECRET } } } },
  });
}

async function checkKey(accessKeyId: string, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const r = await checkAws(keySpec(accessKeyId), { endpoints: endpoints(), timeoutMs: 2000, connectionId: "c1", checkPermissions: true, ...overrides });
  results.push(r);
  return r;
}

function report(r: CheckResult): PermissionReport {
  expect(r.kind).toBe("verified");
  if (r.kind !== "verified" || r.permissions === undefined) throw new Error("no permission report");
  return r.permissions;
}

function byName(r: PermissionReport): Record<string, CapabilityVerdict> {
  return Object.fromEntries(r.capabilities.map((c) => [c.capability, c]));
}

describe("AWS permission check of an inline key (IAM SimulatePrincipalPolicy on the key's user)", () => {
  it("reports every capability GRANTED for a user allowed everything, simulating its own ARN in the connection's region", async () => {
    const arn = addUser("deployer-admin", "AKIAPERMADMIN0000001", [{ effect: "Allow", actions: ["*"] }]);
    const before = iam.simulations().length;
    const r = report(await checkKey("AKIAPERMADMIN0000001"));
    expect(r.capabilities.map((c) => c.capability)).toEqual(CAPABILITIES);
    for (const c of r.capabilities) expect(c).toMatchObject({ enabled: true, outcome: "granted", missingActions: [], reason: "" });
    expect(byName(r)["EKS"]?.checkedActionCount).toBe(9);
    expect(r.warnings).toEqual([]);

    const sims = iam.simulations().slice(before);
    expect(sims.every((s) => s.policySourceArn === arn)).toBe(true);
    const eks = sims.find((s) => s.actionNames.includes("eks:CreateCluster"));
    expect(eks).toMatchObject({
      resourceArns: [`arn:aws:eks:eu-central-1:${ACCOUNT}:cluster/planton-permission-check`],
      context: { "aws:RequestTag/planton:managed": ["true"], "aws:ResourceTag/planton:managed": ["true"], "s3:ResourceAccount": [ACCOUNT] },
    });
    const passRole = sims.find((s) => s.actionNames.includes("iam:PassRole") && s.context["iam:PassedToService"]?.[0] === "eks.amazonaws.com");
    expect(passRole?.resourceArns).toEqual([`arn:aws:iam::${ACCOUNT}:role/planton/planton-permission-check`]);
  });

  it("lists the exact missing actions (implicit and explicit denies) and warns once for the unusable capabilities", async () => {
    addUser("deployer-s3", "AKIAPERMS30000000001", [
      { effect: "Allow", actions: ["s3:*"], resources: ["arn:aws:s3:::planton-*"] },
      { effect: "Deny", actions: ["s3:DeleteBucket"] },
      { effect: "Allow", actions: ["ecr:*"] },
    ]);
    const r = report(await checkKey("AKIAPERMS30000000001"));
    const caps = byName(r);
    expect(caps["ECR"]).toMatchObject({ outcome: "granted", checkedActionCount: 7 });
    expect(caps["S3_STORAGE"]).toMatchObject({ enabled: true, outcome: "missing", missingActions: ["s3:DeleteBucket"], checkedActionCount: 10 });
    expect(caps["KMS"]).toMatchObject({
      outcome: "missing",
      missingActions: [
        "kms:CreateKey",
        "kms:DescribeKey",
        "kms:EnableKeyRotation",
        "kms:PutKeyPolicy",
        "kms:TagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CreateAlias",
        "kms:ListAliases",
      ],
    });
    expect(caps["EKS"]?.missingActions).toContain("iam:PassRole");
    // A key has no selection: one warning names every unusable capability.
    expect(r.warnings).toHaveLength(1);
    const [warning] = r.warnings;
    expect(warning).toMatchObject({ code: "CAPABILITY_NOT_USABLE", capability: "" });
    expect(warning?.message).toContain("S3_STORAGE (1 of 10 missing)");
    expect(warning?.message).not.toContain("ECR");
    expect(warning?.fix).toContain("Attach a policy to IAM user deployer-s3 that allows");
    expect(warning?.fix).toContain("s3:DeleteBucket");
  });

  it("reads every page of a truncated simulation (IsTruncated / Marker)", async () => {
    addUser("deployer-paged", "AKIAPERMPAGED0000001", [
      { effect: "Allow", actions: ["*"] },
      { effect: "Deny", actions: ["ecr:PutImage"] },
    ]);
    iam.setSimulationPageSize(3);
    try {
      const before = iam.simulations().length;
      const r = report(await checkKey("AKIAPERMPAGED0000001"));
      const caps = byName(r);
      // ecr:PutImage is the 7th of ECR's actions: on the third page.
      expect(caps["ECR"]).toMatchObject({ outcome: "missing", missingActions: ["ecr:PutImage"] });
      for (const name of CAPABILITIES.filter((c) => c !== "ECR")) expect(caps[name]?.outcome).toBe("granted");
      const followUps = iam
        .simulations()
        .slice(before)
        .filter((s) => s.marker !== undefined);
      expect(followUps.length).toBeGreaterThan(10);
    } finally {
      iam.setSimulationPageSize(100);
    }
  });

  it("records NOT_CHECKABLE, never MISSING, when the user may not simulate itself (AccessDenied), and still verifies", async () => {
    addUser("deployer-nosim", "AKIAPERMNOSIM0000001", [{ effect: "Allow", actions: ["*"], resources: ["arn:aws:s3:::*"] }], { maySimulateSelf: false });
    const r = await checkKey("AKIAPERMNOSIM0000001");
    expect(r).toMatchObject({ kind: "verified", identity: `arn:aws:iam::${ACCOUNT}:user/deployer-nosim` });
    const p = report(r);
    for (const c of p.capabilities) {
      expect(c).toMatchObject({ enabled: true, outcome: "not_checkable", missingActions: [], checkedActionCount: 0 });
      expect(c.reason).toMatch(/AccessDenied.*user deployer-nosim may not simulate its own policies/);
    }
    expect(p.warnings).toEqual([
      expect.objectContaining({
        code: "PERMISSIONS_NOT_CHECKABLE",
        fix: `Allow IAM user deployer-nosim iam:SimulatePrincipalPolicy on itself (Resource arn:aws:iam::${ACCOUNT}:user/deployer-nosim), then verify again.`,
      }),
    ]);
  });

  it.each([
    ["throttle", /Throttling.*checked again/],
    ["500", /ServiceFailure.*checked again/],
  ] as const)("records NOT_CHECKABLE without a warning when IAM answers %s", async (kind, reason) => {
    addUser(`deployer-${kind}`, kind === "throttle" ? "AKIAPERMTHROTTLE0001" : "AKIAPERMFIVEHUNDRED1", [{ effect: "Allow", actions: ["*"] }]);
    iam.failNext(kind);
    const p = report(await checkKey(kind === "throttle" ? "AKIAPERMTHROTTLE0001" : "AKIAPERMFIVEHUNDRED1"));
    for (const c of p.capabilities) expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(reason) });
    expect(p.warnings).toEqual([]);
  });

  it("records NOT_CHECKABLE when IAM does not know the user (NoSuchEntity)", async () => {
    const arn = addUser("deployer-gone", "AKIAPERMGONE00000001", [{ effect: "Allow", actions: ["*"] }]);
    iam.deletePrincipal(arn);
    const p = report(await checkKey("AKIAPERMGONE00000001"));
    for (const c of p.capabilities)
      expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(/does not know user deployer-gone \(NoSuchEntity\)/) });
    expect(p.warnings).toEqual([]);
  });

  it("asks nothing when permission checks are off", async () => {
    addUser("deployer-off", "AKIAPERMOFF000000001", [{ effect: "Allow", actions: ["*"] }]);
    const before = iam.simulations().length;
    const r = await checkKey("AKIAPERMOFF000000001", { checkPermissions: false });
    expect(r).toEqual({ kind: "verified", identity: `arn:aws:iam::${ACCOUNT}:user/deployer-off`, lifetime: expect.anything() });
    expect(iam.simulations().length).toBe(before);
  });
});

describe("AWS permission check of a cross-account trust role (the role simulates itself)", () => {
  function trustSpec(roleArn: string, capabilities: AwsCapability[]): ConnectionSpec {
    return create(ConnectionSpecSchema, {
      provider: {
        case: "aws",
        value: {
          accountId: ACCOUNT,
          region: "us-east-2",
          auth: { case: "crossAccountTrust", value: { roleArn, externalId: EXTERNAL_ID, capabilities, stackId: "" } },
        },
      },
    });
  }

  async function checkRole(roleArn: string, capabilities: AwsCapability[]): Promise<CheckResult> {
    const r = await checkAwsTrust(trustSpec(roleArn, capabilities), {
      endpoints: endpoints(),
      timeoutMs: 2000,
      connectionId: CONNECTION_ID,
      platformAwsCredentials: async () => PLATFORM,
      checkPermissions: true,
    });
    results.push(r);
    return r;
  }

  function addRole(name: string, statements: readonly FakeStatement[], selfInspection = true): string {
    const arn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
    sts.addRole({ roleArn: arn, trustedPrincipalArn: PLATFORM_ARN, externalId: EXTERNAL_ID });
    const self: FakeStatement[] = selfInspection ? [{ effect: "Allow", actions: ["iam:GetRole", "iam:SimulatePrincipalPolicy"], resources: [arn] }] : [];
    iam.setPolicy(arn, [...self, ...statements]);
    return arn;
  }

  it("marks the role's capabilities enabled and warns for each enabled one that is not usable, with the fix", async () => {
    const arn = addRole("planton-perm-role", [
      { effect: "Allow", actions: ["eks:*", "ec2:Describe*"] },
      { effect: "Allow", actions: ["iam:PassRole"], resources: [`arn:aws:iam::${ACCOUNT}:role/planton/*`] },
    ]);
    const before = iam.simulations().length;
    const r = await checkRole(arn, [AwsCapability.EKS, AwsCapability.S3_STORAGE]);
    expect(r).toMatchObject({ kind: "verified", identity: `arn:aws:sts::${ACCOUNT}:assumed-role/planton-perm-role/${CONNECTION_ID}` });
    const p = report(r);
    const caps = byName(p);
    expect(caps["EKS"]).toMatchObject({ enabled: true, outcome: "granted" });
    expect(caps["S3_STORAGE"]).toMatchObject({ enabled: true, outcome: "missing" });
    expect(caps["S3_STORAGE"]?.missingActions).toHaveLength(10);
    // Capabilities the role was not created with are checked but never warned about.
    expect(caps["RDS"]).toMatchObject({ enabled: false, outcome: "missing" });
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatchObject({ code: "CAPABILITY_NOT_USABLE", capability: "S3_STORAGE" });
    expect(p.warnings[0]?.fix).toMatch(/^Re-run the setup for this connection \(planton connect aws --reconnect <connection>\)/);
    // Every simulation names the role and is signed by the role's own session.
    const sims = iam.simulations().slice(before);
    expect(sims.length).toBeGreaterThan(10);
    expect(sims.every((s) => s.policySourceArn === arn)).toBe(true);
    expect(sims.find((s) => s.actionNames.includes("eks:CreateCluster"))?.resourceArns).toEqual([
      `arn:aws:eks:us-east-2:${ACCOUNT}:cluster/planton-permission-check`,
    ]);
  });

  it("records NOT_CHECKABLE with the reconnect fix for a role that may not simulate itself (an older template)", async () => {
    const arn = addRole("planton-perm-old", [{ effect: "Allow", actions: ["eks:*", "ec2:*", "s3:*"] }], false);
    const p = report(await checkRole(arn, [AwsCapability.EKS]));
    for (const c of p.capabilities) expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(/AccessDenied/) });
    expect(p.capabilities.find((c) => c.capability === "EKS")?.enabled).toBe(true);
    expect(p.warnings).toEqual([expect.objectContaining({ code: "PERMISSIONS_NOT_CHECKABLE", fix: expect.stringMatching(/--reconnect/) })]);
  });
});
