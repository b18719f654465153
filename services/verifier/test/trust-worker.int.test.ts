import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { connect } from "nats";
import { connectJetStream, startDurableConsumer, type DurableConsumer, type JetStreamPublisher } from "@planton/events";
import { CompleteSetupRequestSchema, StartSetupRequestSchema } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { providerChecks } from "../src/checks/all-checks.js";
import { checkAwsTrust } from "../src/checks/aws-trust-check.js";
import { loadVerifierConfig } from "../src/config.js";
import { inProcessPorts } from "../src/in-process-ports.js";
import { buildVerifier, type VerifierComponents } from "../src/verifier-components.js";
import { startFakeIam, type FakeIam } from "./support/fake-iam.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// AWS cross-account trust end to end on the real worker: the registry's
// trust setup completes, aws_trust.completed travels through the machine's
// JetStream to a durable consumer, and the real trust check assumes the role
// at a local STS (with the external id, then without it).

const logs = captureLogs();
const durable = `verifier_trust_${Math.random().toString(36).slice(2, 10)}`;
const ACCOUNT = "123456789012";
const PLATFORM_ARN = "arn:aws:iam::999999999999:role/planton-runner";
const PLATFORM_KEY = { accessKeyId: "AKIAPLATFORM00000001", secretAccessKey: "platformSecretKey0000000000000000000000a" };
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let publisher: JetStreamPublisher;
let verifier: VerifierComponents;
let consumer: DurableConsumer | undefined;
let sts: FakeSts;
// Holds no roles: each verified role's read-back is refused (NOT_CHECKABLE), never sent off the machine.
let iam: FakeIam;

beforeAll(async () => {
  sts = await startFakeSts();
  iam = await startFakeIam();
  sts.addKey(PLATFORM_KEY.accessKeyId, PLATFORM_KEY.secretAccessKey, { account: "999999999999", arn: PLATFORM_ARN });
  database = await createTestDatabase(inject("databaseUrl"), "verifier_trust");
  const dataDir = await mkdtemp(join(tmpdir(), "verifier-trust-"));
  publisher = await connectJetStream({ url: inject("natsUrl"), logger: logs.logger });
  await publisher.ready();
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20", AWS_TRUST_PRINCIPAL_ARN: PLATFORM_ARN }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher,
  });
  verifier = buildVerifier({
    config: loadVerifierConfig(
      { DATA_DIR: dataDir, AWS_STS_URL: sts.url, AWS_IAM_URL: iam.url, CHECK_TIMEOUT_MS: "1500", AWS_TRUST_PROPAGATION_MS: "60000" },
      { requireUrls: false },
    ),
    logger: logs.logger,
    ...inProcessPorts(registry, vault.vault),
    checks: providerChecks,
    trustCheck: checkAwsTrust,
    platformAwsCredentials: async () => PLATFORM_KEY,
  });
  consumer = await startDurableConsumer({
    url: inject("natsUrl"),
    logger: logs.logger,
    stream: "CONNECT",
    durable,
    filterSubject: "connect.>",
    startAt: "new",
    ackWaitMs: 5_000,
    handle: (data, _subject, deliveryCount) => verifier.handle(data, deliveryCount),
  });
});

afterAll(async () => {
  await consumer?.stop();
  const nc = await connect({ servers: inject("natsUrl") });
  await (await nc.jetstreamManager()).consumers.delete("CONNECT", durable).catch(() => false);
  await nc.close();
  await registry?.close();
  await vault?.close();
  await publisher?.close();
  await database?.drop();
  await sts?.close();
  await iam?.close();
});

const caller = { orgId: "org-trust-worker", subject: "user@org-trust-worker" };

/** Runs the trust flow up to the stack's callback, the way the custom resource reports the role. */
async function connectRole(name: string, role: { roleArn: string; requireExternalId: boolean; assumableAfterMs?: number }) {
  const started = await registry.trust.start(caller, create(StartSetupRequestSchema, { name, accountId: ACCOUNT }));
  const params = new URLSearchParams(started.quickCreateUrl.slice(started.quickCreateUrl.indexOf("#/stacks/quickcreate?") + "#/stacks/quickcreate?".length));
  const externalId = params.get("param_ExternalId")!;
  expect(params.get("param_TrustedPrincipalArn")).toBe(PLATFORM_ARN);
  sts.addRole({
    roleArn: role.roleArn,
    trustedPrincipalArn: PLATFORM_ARN,
    ...(role.requireExternalId ? { externalId } : {}),
    ...(role.assumableAfterMs !== undefined ? { assumableAfterMs: role.assumableAfterMs } : {}),
  });
  await registry.trust.complete(
    create(CompleteSetupRequestSchema, {
      setupId: started.setupId,
      token: params.get("param_CallbackToken")!,
      roleArn: role.roleArn,
      accountId: ACCOUNT,
      stackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/${started.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
    }),
  );
  return { connectionId: started.connection!.id, externalId };
}

async function settled(id: string, until: (c: Awaited<ReturnType<typeof registry.connections.get>>) => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await registry.connections.get(caller, id);
    if (until(c) || Date.now() > deadline) return c;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const done = (c: { status: ConnectionStatus }) => c.status === ConnectionStatus.VERIFIED || c.status === ConnectionStatus.VERIFICATION_FAILED;

describe("cross-account trust verification on JetStream", () => {
  it("assumes the role with the external id, confirms the account, and sees it refused without", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/planton-TrustRole-OK`;
    const { connectionId, externalId } = await connectRole("trust-ok-aws", { roleArn, requireExternalId: true });
    const c = await settled(connectionId, done);
    expect(c.status).toBe(ConnectionStatus.VERIFIED);
    expect(c.lastVerification!.identity).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/planton-TrustRole-OK/${connectionId}`);
    const assumes = sts.calls().filter((call) => call.action === "AssumeRole" && call.params["RoleArn"] === roleArn);
    expect(assumes.map((call) => [call.params["RoleSessionName"], call.params["ExternalId"]])).toEqual([
      [connectionId, externalId],
      [connectionId, undefined],
    ]);
    expect(assumes.every((call) => call.accessKeyId === PLATFORM_KEY.accessKeyId)).toBe(true);
    expect(logs.text()).not.toContain(externalId);
    expect(logs.text()).not.toContain(PLATFORM_KEY.secretAccessKey);
  });

  it("fails a role that does not require the external id (confused deputy)", async () => {
    const { connectionId } = await connectRole("trust-open-aws", { roleArn: `arn:aws:iam::${ACCOUNT}:role/planton-TrustRole-Open`, requireExternalId: false });
    const c = await settled(connectionId, done);
    expect(c.status).toBe(ConnectionStatus.VERIFICATION_FAILED);
    expect(c.lastVerification!.reason).toBe("EXTERNAL_ID_NOT_ENFORCED");
  });

  it("retries a role IAM has not propagated yet, then verifies it", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/planton-TrustRole-Slow`;
    const { connectionId } = await connectRole("trust-slow-aws", { roleArn, requireExternalId: true, assumableAfterMs: 2_500 });
    const c = await settled(connectionId, done);
    expect(c.status).toBe(ConnectionStatus.VERIFIED);
    const denied = sts.calls().filter((call) => call.action === "AssumeRole" && call.params["RoleArn"] === roleArn && call.params["ExternalId"] !== undefined);
    expect(denied.length).toBeGreaterThanOrEqual(2);
  });

  it("finds a deleted role at the next periodic re-verification, at once (no propagation grace)", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/planton-TrustRole-Gone`;
    const { connectionId } = await connectRole("trust-gone-aws", { roleArn, requireExternalId: true });
    expect((await settled(connectionId, done)).status).toBe(ConnectionStatus.VERIFIED);
    sts.removeRole(roleArn);
    await registry.db
      .updateTable("connections")
      .set({ next_verification_at: new Date(Date.now() - 1000) })
      .where("id", "=", connectionId)
      .execute();
    expect(await registry.reverification.runOnce()).toBeGreaterThanOrEqual(1);
    const c = await settled(connectionId, (x) => x.status === ConnectionStatus.VERIFICATION_FAILED, 15_000);
    expect(c.lastVerification!.reason).toBe("ROLE_NOT_ASSUMABLE");
  });
});
