import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toJsonString } from "@bufbuild/protobuf";
import { createInProcessBus, type InProcessBus } from "@planton/events";
import { CompleteSetupRequestSchema, StartSetupRequestSchema } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSchema, TrustPolicyReviewResult } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AwsCapability, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { ALL_CAPABILITIES, buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { providerChecks } from "../src/checks/all-checks.js";
import { checkAwsTrust } from "../src/checks/aws-trust-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { loadVerifierConfig } from "../src/config.js";
import { inProcessPorts } from "../src/in-process-ports.js";
import { subscribeInProcess } from "../src/in-process-subscription.js";
import { buildVerifier } from "../src/verifier-components.js";
import { deployedTemplate } from "./support/deployed-template.js";
import { startFakeIam, type FakeIam } from "./support/fake-iam.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// The deployed role read back and linted after a successful trust check:
// a local STS issues the role's session, a local IAM answers GetRole and the
// policy reads signed with it (documents URL-encoded, as IAM sends them).
// The role the fake IAM holds is the registry's real template, resolved as
// CloudFormation would, so "sound" means "what the template deploys".

const EXT_MARKER = "EXTIDMARKER";
const SESSION_MARKER = "SESSMARKER";
const EXTERNAL_ID = `pl-${EXT_MARKER}-7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b`;
const ACCOUNT = "123456789012";
const CONNECTION_ID = "awsconn_01JTESTREVIEW000001";
const PLATFORM_ARN = "arn:aws:iam::999999999999:role/planton-runner";
const PLATFORM_KEY = { accessKeyId: "AKIAPLATFORMREVIEW01", secretAccessKey: "platformSecretKeyREVIEW00000000000000000" };
const STACK_ID = `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/planton-review/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`;
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

let sts: FakeSts;
let iam: FakeIam;
const results: CheckResult[] = [];
type RoleDefinition = Parameters<FakeIam["roles"]["addRole"]>[0];
// What each role in the fake IAM is now, so tests can change one part of it.
const deployed = new Map<string, RoleDefinition>();

function roleOf(roleArn: string): RoleDefinition {
  return deployed.get(roleArn)!;
}

function changeRole(roleArn: string, change: (role: RoleDefinition) => Partial<RoleDefinition>): void {
  const next = { ...roleOf(roleArn), ...change(roleOf(roleArn)) };
  deployed.set(roleArn, next);
  iam.roles.addRole(next);
}

/**
 * Deploys the template's role for `capabilities` into both fakes: STS may
 * assume it (platform + external id), IAM holds its trust policy, one managed
 * policy per capability and the inline self-inspection policy.
 */
function deployRole(name: string, capabilities: readonly AwsCapability[], options: { selfInspection?: boolean; externalId?: string } = {}): string {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/${name}`;
  const externalId = options.externalId ?? EXTERNAL_ID;
  sts.addRole({ roleArn, trustedPrincipalArn: PLATFORM_ARN, externalId });
  const template = deployedTemplate({ account: ACCOUNT, trustedPrincipalArn: PLATFORM_ARN, externalId, roleArn });
  const attached = capabilities.map((c) => {
    const arn = `arn:aws:iam::${ACCOUNT}:policy/${name}-${AwsCapability[c]}-Q1W2E3`;
    const { document, description } = template.capabilityPolicy(c);
    iam.roles.addPolicy({ arn, document, description });
    return arn;
  });
  const role: RoleDefinition = {
    roleArn,
    trustPolicy: template.trustPolicy,
    attachedPolicyArns: attached,
    inlinePolicies: { "planton-self-inspection": template.selfInspectionPolicy },
    selfInspection: options.selfInspection ?? true,
  };
  deployed.set(roleArn, role);
  iam.roles.addRole(role);
  return roleArn;
}

function spec(roleArn: string, capabilities: readonly AwsCapability[]): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "aws",
      value: {
        accountId: ACCOUNT,
        region: "us-west-2",
        auth: { case: "crossAccountTrust", value: { roleArn, externalId: EXTERNAL_ID, capabilities: [...capabilities], stackId: STACK_ID } },
      },
    },
  });
}

async function check(s: ConnectionSpec, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const result = await checkAwsTrust(s, {
    endpoints: { awsSts: sts.url, awsIam: iam.url, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
    timeoutMs: 2000,
    connectionId: CONNECTION_ID,
    platformAwsCredentials: async () => PLATFORM_KEY,
    trustedPrincipalArn: PLATFORM_ARN,
    ...overrides,
  });
  results.push(result);
  return result;
}

function review(result: CheckResult) {
  expect(result.kind).toBe("verified");
  return result.kind === "verified" ? result.trustPolicyReview : undefined;
}

beforeAll(async () => {
  sts = await startFakeSts();
  sts.markSessions(SESSION_MARKER);
  sts.addKey(PLATFORM_KEY.accessKeyId, PLATFORM_KEY.secretAccessKey, { account: "999999999999", arn: PLATFORM_ARN });
  iam = await startFakeIam();
  iam.roles.acceptSessions(() => sts.sessions());
  iam.roles.addPolicy({ arn: ADMIN, document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } });
});

afterAll(async () => {
  await iam?.close();
  await sts?.close();
});

describe("checkAwsTrust reads the role back and lints it", () => {
  it("finds the template's role SOUND, reading everything with the role's own session", async () => {
    const roleArn = deployRole("planton-Review-Sound", ALL_CAPABILITIES);
    const before = iam.roles.calls().length;
    const r = await check(spec(roleArn, ALL_CAPABILITIES));
    expect(r).toMatchObject({ kind: "verified", identity: `arn:aws:sts::${ACCOUNT}:assumed-role/planton-Review-Sound/${CONNECTION_ID}` });
    const outcome = review(r);
    expect(outcome).toMatchObject({ result: "SOUND", reason: "", warnings: [] });
    expect(outcome!.attachedPolicyArns).toHaveLength(10);
    const calls = iam.roles.calls().slice(before);
    expect(calls.map((c) => c.action).sort()).toEqual(
      [
        "GetRole",
        "ListAttachedRolePolicies",
        "ListRolePolicies",
        "GetRolePolicy",
        ...Array(10).fill("GetPolicy"),
        ...Array(10).fill("GetPolicyVersion"),
      ].sort(),
    );
    expect(calls[0]).toMatchObject({ action: "GetRole", params: { RoleName: "planton-Review-Sound" } });
    // Signed by the session AssumeRole issued, never by the platform's key.
    expect(new Set(calls.map((c) => c.caller))).toEqual(new Set([`arn:aws:sts::${ACCOUNT}:assumed-role/planton-Review-Sound/${CONNECTION_ID}`]));
    expect(calls.find((c) => c.action === "GetPolicyVersion")?.params["VersionId"]).toBe("v1");
  });

  it("follows Marker while IAM truncates the listings", async () => {
    const roleArn = deployRole("planton-Review-Pages", ALL_CAPABILITIES);
    iam.roles.setPageSize(3);
    try {
      const before = iam.roles.calls().length;
      const outcome = review(await check(spec(roleArn, ALL_CAPABILITIES)));
      expect(outcome).toMatchObject({ result: "SOUND", warnings: [] });
      expect(outcome!.attachedPolicyArns).toHaveLength(10);
      const lists = iam.roles
        .calls()
        .slice(before)
        .filter((c) => c.action === "ListAttachedRolePolicies");
      expect(lists).toHaveLength(4);
      expect(lists[0]!.params["Marker"]).toBeUndefined();
      expect(lists.slice(1).every((c) => c.params["Marker"] !== undefined)).toBe(true);
    } finally {
      iam.roles.setPageSize(undefined);
    }
  });

  it("reports a tampered trust policy and AdministratorAccess as FINDINGS, the connection staying verified", async () => {
    const roleArn = deployRole("planton-Review-Tampered", [AwsCapability.S3_STORAGE]);
    const template = deployedTemplate({ account: ACCOUNT, trustedPrincipalArn: PLATFORM_ARN, externalId: EXTERNAL_ID, roleArn });
    const statement = (template.trustPolicy["Statement"] as Record<string, unknown>[])[0]!;
    changeRole(roleArn, (role) => ({
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          { ...statement, Action: "sts:AssumeRole" },
          { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole", Condition: { StringLike: { "STS:EXTERNALID": "pl-*" } } },
        ],
      },
      attachedPolicyArns: [...(role.attachedPolicyArns ?? []), ADMIN],
    }));
    const r = await check(spec(roleArn, [AwsCapability.S3_STORAGE]));
    const outcome = review(r);
    expect(outcome?.result).toBe("FINDINGS");
    expect(outcome!.attachedPolicyArns).toContain(ADMIN);
    expect(outcome!.warnings.map((w) => w.code)).toEqual([
      "TRUST_POLICY_WILDCARD_PRINCIPAL",
      "TRUST_POLICY_WEAK_EXTERNAL_ID_CONDITION",
      "TRUST_POLICY_NO_SESSION_TAGS",
      "POLICY_BROADER_THAN_CAPABILITIES",
    ]);
    expect(outcome!.warnings[1]!.fix).toContain("<the ExternalId parameter of stack planton-review>");
    expect(outcome!.warnings[3]!.fix).toContain(`--policy-arn ${ADMIN}`);
  });

  it("reports a template v1 role (GetRole denied) as NOT_CHECKABLE with the fix, still verified", async () => {
    const roleArn = deployRole("planton-Review-V1", [AwsCapability.EKS], { selfInspection: false });
    const r = await check(spec(roleArn, [AwsCapability.EKS]));
    expect(r).toMatchObject({ kind: "verified" });
    const outcome = review(r);
    expect(outcome).toMatchObject({ result: "NOT_CHECKABLE", attachedPolicyArns: [], warnings: [] });
    expect(outcome!.reason).toMatch(/denied iam:GetRole .*AccessDenied/);
    expect(outcome!.reason).toMatch(/update the stack to trust template v2/);
  });

  it("flags AdministratorAccess by name when its document cannot be read, and says what was not read", async () => {
    const roleArn = deployRole("planton-Review-NoVersions", [AwsCapability.KMS]);
    changeRole(roleArn, (role) => ({ attachedPolicyArns: [...(role.attachedPolicyArns ?? []), ADMIN] }));
    iam.roles.deny("GetPolicyVersion");
    try {
      const outcome = review(await check(spec(roleArn, [AwsCapability.KMS])));
      expect(outcome?.result).toBe("FINDINGS");
      expect(outcome!.warnings.map((w) => w.code)).toEqual(["POLICY_BROADER_THAN_CAPABILITIES"]);
      expect(outcome!.reason).toMatch(/could not be read \(GetPolicyVersion: HTTP 403 AccessDenied\)/);
      // Without the admin policy, nothing found but not everything read: NOT_CHECKABLE.
      changeRole(roleArn, (role) => ({ attachedPolicyArns: (role.attachedPolicyArns ?? []).filter((a) => a !== ADMIN) }));
      const partial = review(await check(spec(roleArn, [AwsCapability.KMS])));
      expect(partial).toMatchObject({ result: "NOT_CHECKABLE", warnings: [] });
    } finally {
      iam.roles.deny(undefined);
    }
  });

  it("reports IAM throttling or an outage as NOT_CHECKABLE for this time, never as a failure", async () => {
    const roleArn = deployRole("planton-Review-Flaky", [AwsCapability.ECR]);
    iam.roles.failNext("GetRole", "throttle");
    const throttled = await check(spec(roleArn, [AwsCapability.ECR]));
    expect(review(throttled)).toMatchObject({ result: "NOT_CHECKABLE" });
    expect(review(throttled)!.reason).toMatch(/GetRole: HTTP 400 Throttling.*next verification/);
    iam.roles.failNext("ListRolePolicies", "500");
    const outage = review(await check(spec(roleArn, [AwsCapability.ECR])));
    expect(outage).toMatchObject({ result: "NOT_CHECKABLE" });
    expect(outage!.reason).toMatch(/inline policies could not be listed \(ListRolePolicies: HTTP 500 InternalFailure\)/);
    const dead = await startFakeIam();
    const url = dead.url;
    await dead.close();
    const unreachable = await check(spec(roleArn, [AwsCapability.ECR]), {
      endpoints: { awsSts: sts.url, awsIam: url, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
    });
    expect(review(unreachable)).toMatchObject({ result: "NOT_CHECKABLE" });
  });

  it("bounds the whole read-back by three per-call timeouts when IAM stops answering", async () => {
    const roleArn = deployRole("planton-Review-Hung", ALL_CAPABILITIES);
    iam.roles.failNext("GetPolicy", "hang", 10);
    const started = Date.now();
    const r = await check(spec(roleArn, ALL_CAPABILITIES), { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(2500);
    expect(r).toMatchObject({ kind: "verified" });
    const outcome = review(r);
    expect(outcome).toMatchObject({ result: "NOT_CHECKABLE", warnings: [] });
    expect(outcome!.reason).toMatch(/could not be read \(GetPolicy: no answer in time\)/);
  });

  it("lints without the platform's principal and says so", async () => {
    const roleArn = deployRole("planton-Review-NoPrincipal", [AwsCapability.ROUTE53]);
    const outcome = review(await check(spec(roleArn, [AwsCapability.ROUTE53]), { trustedPrincipalArn: undefined }));
    expect(outcome).toMatchObject({ result: "SOUND", warnings: [] });
    expect(outcome!.reason).toMatch(/AWS_TRUST_PRINCIPAL_ARN/);
  });

  it("does not read the role back when no IAM endpoint is configured", async () => {
    const roleArn = deployRole("planton-Review-NoIam", [AwsCapability.KMS]);
    const r = await check(spec(roleArn, [AwsCapability.KMS]), {
      endpoints: { awsSts: sts.url, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
    });
    expect(r).toEqual({ kind: "verified", identity: `arn:aws:sts::${ACCOUNT}:assumed-role/planton-Review-NoIam/${CONNECTION_ID}` });
  });

  it("never puts the external id or the session's credentials in a result", () => {
    expect(results.length).toBeGreaterThan(8);
    const secrets = [
      EXT_MARKER,
      EXTERNAL_ID,
      SESSION_MARKER,
      PLATFORM_KEY.secretAccessKey,
      ...sts.sessions().flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken]),
    ];
    for (const r of results) {
      const text = JSON.stringify(r);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });
});

describe("the review recorded on the connection", () => {
  const logs = captureLogs();
  let database: TestDatabase;
  let vault: VaultComponents;
  let registry: RegistryComponents;
  let bus: InProcessBus;
  let stop: () => void;
  const caller = { orgId: "org-trust-review", subject: "user@org-trust-review" };

  beforeAll(async () => {
    database = await createTestDatabase(inject("databaseUrl"), "verifier_review");
    const dataDir = await mkdtemp(join(tmpdir(), "verifier-review-"));
    bus = createInProcessBus(logs.logger);
    vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
    registry = await buildRegistry({
      config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20", AWS_TRUST_PRINCIPAL_ARN: PLATFORM_ARN }, { requireVaultUrl: false }),
      databaseUrl: database.url,
      logger: logs.logger,
      vault: createLocalVaultClient(vault.vault),
      publisher: bus,
    });
    const verifier = buildVerifier({
      config: loadVerifierConfig(
        // The permission check (its own tests: aws-permissions.int.test.ts) stays out of the review's warnings here.
        {
          DATA_DIR: dataDir,
          AWS_STS_URL: sts.url,
          AWS_IAM_URL: iam.url,
          AWS_TRUST_PRINCIPAL_ARN: PLATFORM_ARN,
          CHECK_TIMEOUT_MS: "1500",
          PERMISSION_CHECKS: "false",
        },
        { requireUrls: false },
      ),
      logger: logs.logger,
      ...inProcessPorts(registry, vault.vault),
      checks: providerChecks,
      trustCheck: checkAwsTrust,
      platformAwsCredentials: async () => PLATFORM_KEY,
    });
    stop = subscribeInProcess(bus, verifier, logs.logger);
  });

  afterAll(async () => {
    stop?.();
    await registry?.close();
    await vault?.close();
    await database?.drop();
  });

  /** The trust flow up to the stack's callback, with the role deployed from the template into the fakes. */
  async function connect(name: string, capabilities: readonly AwsCapability[], options: { selfInspection?: boolean; tamper?: (roleArn: string) => void } = {}) {
    const started = await registry.trust.start(caller, create(StartSetupRequestSchema, { name, accountId: ACCOUNT, capabilities: [...capabilities] }));
    const params = new URLSearchParams(started.quickCreateUrl.slice(started.quickCreateUrl.indexOf("#/stacks/quickcreate?") + "#/stacks/quickcreate?".length));
    const externalId = params.get("param_ExternalId")!;
    const roleArn = deployRole(`planton-${name}`, capabilities, { externalId, selfInspection: options.selfInspection ?? true });
    options.tamper?.(roleArn);
    await registry.trust.complete(
      create(CompleteSetupRequestSchema, {
        setupId: started.setupId,
        token: params.get("param_CallbackToken")!,
        roleArn,
        accountId: ACCOUNT,
        stackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/${started.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
      }),
    );
    return { connectionId: started.connection!.id, externalId };
  }

  async function settled(id: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const c = await registry.connections.get(caller, id);
      if (c.status === ConnectionStatus.VERIFIED || c.status === ConnectionStatus.VERIFICATION_FAILED || Date.now() > deadline) return c;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("records SOUND and no warnings for the template's role", async () => {
    const { connectionId } = await connect("review-sound", [AwsCapability.EKS, AwsCapability.S3_STORAGE]);
    const c = await settled(connectionId);
    expect(c.status).toBe(ConnectionStatus.VERIFIED);
    expect(c.lastVerification?.trustPolicyReview?.result).toBe(TrustPolicyReviewResult.SOUND);
    expect(c.lastVerification?.trustPolicyReview?.attachedPolicyArns).toHaveLength(2);
    expect(c.lastVerification?.warnings).toEqual([]);
  });

  it("records FINDINGS with each warning's code, message and fix; the connection is VERIFIED", async () => {
    const { connectionId, externalId } = await connect("review-tampered", [AwsCapability.LAMBDA], {
      tamper: (roleArn) =>
        changeRole(roleArn, (role) => {
          const trust = role.trustPolicy as { Statement: Record<string, unknown>[] };
          return {
            trustPolicy: {
              ...trust,
              Statement: [...trust.Statement, { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
            },
            attachedPolicyArns: [...(role.attachedPolicyArns ?? []), ADMIN],
          };
        }),
    });
    const c = await settled(connectionId);
    expect(c.status).toBe(ConnectionStatus.VERIFIED);
    expect(c.lastVerification?.ok).toBe(true);
    expect(c.lastVerification?.trustPolicyReview?.result).toBe(TrustPolicyReviewResult.FINDINGS);
    expect(c.lastVerification?.trustPolicyReview?.attachedPolicyArns).toContain(ADMIN);
    const warnings = c.lastVerification?.warnings ?? [];
    expect(warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_OTHER_PRINCIPAL", "POLICY_BROADER_THAN_CAPABILITIES"]);
    expect(warnings[0]!.message).toContain("Service ec2.amazonaws.com");
    expect(warnings[0]!.fix).toContain(PLATFORM_ARN);
    expect(warnings[1]!.fix).toContain(`--policy-arn ${ADMIN}`);
    expect(toJsonString(ConnectionSchema, c)).not.toContain(externalId);
  });

  it("records NOT_CHECKABLE for a role that may not read itself, and still VERIFIED", async () => {
    const { connectionId } = await connect("review-v1", [AwsCapability.ECS], { selfInspection: false });
    const c = await settled(connectionId);
    expect(c.status).toBe(ConnectionStatus.VERIFIED);
    expect(c.lastVerification?.trustPolicyReview?.result).toBe(TrustPolicyReviewResult.NOT_CHECKABLE);
    expect(c.lastVerification?.trustPolicyReview?.reason).toMatch(/trust template v2/);
    expect(c.lastVerification?.warnings).toEqual([]);
  });
});
