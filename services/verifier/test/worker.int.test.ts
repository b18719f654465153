import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { connect } from "nats";
import { connectJetStream, startDurableConsumer, type DurableConsumer, type JetStreamPublisher } from "@planton/events";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { CapabilityCheckResult } from "@planton/proto/planton/connect/v1/connection_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { GCP_FAMILY_CHECKS } from "../src/permissions/gcp-family-permissions.js";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { providerChecks } from "../src/checks/all-checks.js";
import { loadVerifierConfig } from "../src/config.js";
import { inProcessPorts } from "../src/in-process-ports.js";
import { buildVerifier, type VerifierComponents } from "../src/verifier-components.js";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.js";
import { startFakeCivo, type FakeCivo } from "./support/fake-civo.js";
import { startFakeCloudflare, type FakeCloudflare } from "./support/fake-cloudflare.js";
import { startFakeIam, type FakeIam } from "./support/fake-iam.js";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "./support/fake-digitalocean.js";
import { startFakeGoogleToken, type FakeGoogleToken } from "./support/fake-google-token.js";
import { startFakeResourceManager, type FakeResourceManager } from "./support/fake-resource-manager.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// The real worker: registry events through the machine's NATS JetStream, a
// durable consumer, the real provider checks against local servers that
// answer as the providers' documented APIs do, results in PostgreSQL.

const logs = captureLogs();
const durable = `verifier_test_${Math.random().toString(36).slice(2, 10)}`;
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let publisher: JetStreamPublisher;
let verifier: VerifierComponents;
let consumer: DurableConsumer | undefined;
let sts: FakeSts;
let google: FakeGoogleToken;
let azure: FakeAzure;
let digitalocean: FakeDigitalOcean;
let civo: FakeCivo;
let cloudflare: FakeCloudflare;
let iam: FakeIam;
let resourceManager: FakeResourceManager;

const gcpKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const GCP_EMAIL = "deployer@acme-prod-1234.iam.gserviceaccount.com";
const TENANT = "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00";
const SUBSCRIPTION = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const CLIENT = "0f1e2d3c-4b5a-4968-8776-655443322110";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DO_TOKEN = `dop_v1_${"a".repeat(64)}`;
const CIVO_TOKEN = "civo-api-token-worker-0123456789";
const CF_TOKEN = `cfut_${"w".repeat(48)}`;
const CF_TOKEN_2 = `cfat_${"v".repeat(48)}`;

const startConsumer = () =>
  startDurableConsumer({
    url: inject("natsUrl"),
    logger: logs.logger,
    stream: "CONNECT",
    durable,
    filterSubject: "connect.>",
    startAt: "new",
    ackWaitMs: 2_000,
    handle: (data, _subject, deliveryCount) => verifier.handle(data, deliveryCount),
  });

beforeAll(async () => {
  [sts, google, azure, digitalocean, civo, cloudflare, iam] = await Promise.all([
    startFakeSts(),
    startFakeGoogleToken(),
    startFakeAzure(),
    startFakeDigitalOcean(),
    startFakeCivo(),
    startFakeCloudflare(),
    startFakeIam(),
  ]);
  // What each credential may read about itself: the dates the connections show.
  iam.addKey("AKIAIOSFODNN7EXAMPLE", {
    secret: AWS_SECRET,
    userName: "deployer",
    account: "123456789012",
    createDate: "2025-06-01T00:00:00Z",
    mayListOwnKeys: true,
  });
  sts.addKey("AKIAIOSFODNN7EXAMPLE", AWS_SECRET, { account: "123456789012", arn: "arn:aws:iam::123456789012:user/deployer" });
  // What each credential may do: the AWS user everything but KMS, the others everything.
  iam.setPolicy("arn:aws:iam::123456789012:user/deployer", [
    { effect: "Allow", actions: ["*"] },
    { effect: "Deny", actions: ["kms:*"] },
  ]);
  resourceManager = await startFakeResourceManager((token) => google.tokenInfo(token));
  resourceManager.grant("acme-prod-1234", GCP_EMAIL, [...new Set(GCP_FAMILY_CHECKS.flatMap((f) => f.permissions))]);
  azure.setPermissions(SUBSCRIPTION, CLIENT, [{ actions: ["*"], notActions: ["Microsoft.Authorization/*/Write"] }]);
  google.registerKey(GCP_EMAIL, gcpKey.publicKey.export({ type: "spki", format: "pem" }).toString(), {
    keyId: "0123456789abcdef0123456789abcdef01234567",
    validAfterTime: "2025-07-01T00:00:00Z",
    validBeforeTime: "2027-07-01T00:00:00Z",
    mayGetKeys: true,
    projectId: "acme-prod-1234",
  });
  azure.addApp(TENANT, CLIENT, "azure-client-secret-worker", {
    mayReadApplication: true,
    secretDates: { start: "2025-08-01T00:00:00Z", end: "2027-08-01T00:00:00Z" },
  });
  azure.addSubscription(SUBSCRIPTION, { tenantId: TENANT, displayName: "acme-prod", readers: [CLIENT] });
  digitalocean.addToken(DO_TOKEN, { email: "ops@example.com" });
  civo.setApiKey(CIVO_TOKEN);
  civo.setRegions(["LON1", "FRA1"]);
  cloudflare.addToken(CF_TOKEN, { id: "tok123", expiresOn: "2027-09-01T00:00:00Z" });
  cloudflare.addToken(CF_TOKEN_2, { id: "tok456" });

  database = await createTestDatabase(inject("databaseUrl"), "verifier_worker");
  const dataDir = await mkdtemp(join(tmpdir(), "verifier-worker-"));
  publisher = await connectJetStream({ url: inject("natsUrl"), logger: logs.logger });
  await publisher.ready();
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20" }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher,
  });
  verifier = buildVerifier({
    config: loadVerifierConfig(
      {
        DATA_DIR: dataDir,
        AWS_STS_URL: sts.url,
        AZURE_LOGIN_URL: azure.url,
        AZURE_MANAGEMENT_URL: azure.url,
        DIGITALOCEAN_API_URL: digitalocean.url,
        CIVO_API_URL: civo.url,
        CLOUDFLARE_API_URL: cloudflare.url,
        GCP_TOKEN_URI: google.url,
        AWS_IAM_URL: iam.url,
        AZURE_GRAPH_URL: azure.url,
        GCP_IAM_URL: google.iamUrl,
        GCP_RESOURCE_MANAGER_URL: resourceManager.url,
        CHECK_TIMEOUT_MS: "1500",
        VERIFY_MAX_ATTEMPTS: "4",
      },
      { requireUrls: false },
    ),
    logger: logs.logger,
    ...inProcessPorts(registry, vault.vault),
    checks: providerChecks,
  });
  consumer = await startConsumer();
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
  await Promise.all([sts, google, azure, digitalocean, civo, cloudflare, iam, resourceManager].map((f) => f?.close()));
});

const caller = { orgId: "org-worker", subject: "user@org-worker" };
type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

async function createConnection(name: string, spec: SpecInit) {
  return (await registry.connections.create(caller, name, create(ConnectionSpecSchema, spec))).connection;
}

async function settled(id: string, until: (c: Awaited<ReturnType<typeof registry.connections.get>>) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await registry.connections.get(caller, id);
    if (until(c) || Date.now() > deadline) return c;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const gcpKeyBase64 = Buffer.from(
  JSON.stringify({
    type: "service_account",
    project_id: "acme-prod-1234",
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: gcpKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: GCP_EMAIL,
    token_uri: "https://oauth2.googleapis.com/token",
  }),
).toString("base64");

describe("the verifier worker on JetStream", () => {
  it("brings one connection per provider to VERIFIED with the identity the provider reported", async () => {
    const specs: Record<string, SpecInit> = {
      aws: {
        provider: {
          case: "aws",
          value: { accountId: "123456789012", auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: AWS_SECRET } } },
        },
      },
      gcp: { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64 } } } } },
      azure: {
        provider: {
          case: "azure",
          value: {
            tenantId: TENANT,
            subscriptionId: SUBSCRIPTION,
            auth: { case: "servicePrincipal", value: { clientId: CLIENT, clientSecret: "azure-client-secret-worker" } },
          },
        },
      },
      digitalocean: { provider: { case: "digitalocean", value: { apiToken: DO_TOKEN, defaultRegion: "fra1" } } },
      civo: { provider: { case: "civo", value: { apiToken: CIVO_TOKEN, defaultRegion: "LON1" } } },
      cloudflare: { provider: { case: "cloudflare", value: { apiToken: CF_TOKEN } } },
    };
    const created = await Promise.all(Object.entries(specs).map(async ([p, spec]) => [p, await createConnection(`worker-${p}`, spec)] as const));
    for (const [p, c] of created) {
      const done = await settled(c.id, (x) => x.status !== ConnectionStatus.PENDING_VERIFICATION);
      expect([p, ConnectionStatus[done.status], done.lastVerification?.reason ?? ""]).toEqual([p, "VERIFIED", ""]);
      expect(done.lastVerification?.identity, p).not.toBe("");
      expect(done.credentialSealTime, p).toBeDefined();
      const date = (t: typeof done.credentialCreateTime) => (t ? new Date(Number(t.seconds) * 1000).toISOString() : undefined);
      // The provider's own dates, read with the credential, land on the connection.
      const expected: Record<string, [string | undefined, string | undefined]> = {
        aws: ["2025-06-01T00:00:00.000Z", undefined],
        gcp: ["2025-07-01T00:00:00.000Z", "2027-07-01T00:00:00.000Z"],
        azure: ["2025-08-01T00:00:00.000Z", "2027-08-01T00:00:00.000Z"],
        cloudflare: [undefined, "2027-09-01T00:00:00.000Z"],
        digitalocean: [undefined, undefined],
        civo: [undefined, undefined],
      };
      expect([p, date(done.credentialCreateTime), date(done.credentialExpireTime)]).toEqual([p, ...(expected[p] ?? [])]);
    }
  });

  it("records what each credential may do per capability and announces the unusable ones on connection.verified", async () => {
    const nc = await connect({ servers: inject("natsUrl") });
    const verifiedEvents = nc.subscribe("connect.connection.verified");
    try {
      const aws = await createConnection("worker-perm-aws", {
        provider: {
          case: "aws",
          value: { accountId: "123456789012", auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: AWS_SECRET } } },
        },
      });
      const gcp = await createConnection("worker-perm-gcp", {
        provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64 } } } },
      });
      const results = (id: string) =>
        settled(id, (x) => x.status !== ConnectionStatus.PENDING_VERIFICATION).then((c) => {
          expect(ConnectionStatus[c.status]).toBe("VERIFIED");
          return Object.fromEntries((c.lastVerification?.capabilityChecks ?? []).map((k) => [k.capability, CapabilityCheckResult[k.result]]));
        });
      const awsChecks = await results(aws.id);
      expect(Object.keys(awsChecks)).toHaveLength(10);
      expect(awsChecks).toMatchObject({ EKS: "GRANTED", S3_STORAGE: "GRANTED", KMS: "MISSING" });
      const done = await registry.connections.get(caller, aws.id);
      expect(done.lastVerification?.warnings.map((w) => [w.code, w.capability])).toEqual([["CAPABILITY_NOT_USABLE", ""]]);
      expect(Object.values(await results(gcp.id)).every((r) => r === "GRANTED")).toBe(true);

      // The event says which enabled capabilities are not usable, without reading the connection.
      for await (const message of verifiedEvents) {
        const event = fromBinary(EventSchema, message.data);
        if (event.payload.case !== "verified" || event.payload.value.connectionId !== aws.id) continue;
        expect(event.payload.value.warningCodes).toEqual(["CAPABILITY_NOT_USABLE"]);
        expect(event.payload.value.unusableCapabilities).toEqual(["KMS"]);
        break;
      }
    } finally {
      verifiedEvents.unsubscribe();
      await nc.close();
    }
  });

  it("reports a wrong credential as VERIFICATION_FAILED with a reason, and retries a transient failure until it verifies", async () => {
    const wrong = await createConnection("worker-wrong-do", {
      provider: { case: "digitalocean", value: { apiToken: `dop_v1_${"b".repeat(64)}`, defaultRegion: "fra1" } },
    });
    const failed = await settled(wrong.id, (x) => x.status !== ConnectionStatus.PENDING_VERIFICATION);
    expect([ConnectionStatus[failed.status], failed.lastVerification?.reason]).toEqual(["VERIFICATION_FAILED", "INVALID_CREDENTIALS"]);

    civo.failNext("500", 2);
    const flaky = await createConnection("worker-flaky-civo", { provider: { case: "civo", value: { apiToken: CIVO_TOKEN, defaultRegion: "FRA1" } } });
    const verified = await settled(flaky.id, (x) => x.status !== ConnectionStatus.PENDING_VERIFICATION);
    expect(ConnectionStatus[verified.status]).toBe("VERIFIED");
  });

  it("loses nothing when the worker dies in the middle of a check: the event is redelivered and verified when it is back", async () => {
    // The next Civo answer hangs, so the check is in flight when the worker stops.
    civo.failNext("timeout", 1);
    const c = await createConnection("worker-crash-civo", { provider: { case: "civo", value: { apiToken: CIVO_TOKEN, defaultRegion: "LON1" } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // As a crash: no ack, no nak for the message in flight.
    await consumer!.kill();
    consumer = undefined;
    expect((await registry.connections.get(caller, c.id)).status).toBe(ConnectionStatus.PENDING_VERIFICATION);
    consumer = await startConsumer();
    const done = await settled(c.id, (x) => x.status !== ConnectionStatus.PENDING_VERIFICATION);
    expect(ConnectionStatus[done.status]).toBe("VERIFIED");
  });

  it("a rotation during a slow check ends with the newer version's result", async () => {
    const c = await createConnection("worker-rotate-cf", { provider: { case: "cloudflare", value: { apiToken: CF_TOKEN } } });
    await settled(c.id, (x) => x.status === ConnectionStatus.VERIFIED);
    // v2's check is slow (one hanging answer, then retried); meanwhile v3 arrives with a revoked token.
    cloudflare.failNext("timeout", 1);
    const v1 = await registry.connections.get(caller, c.id);
    const r2 = await registry.connections.update(caller, {
      reference: c.id,
      etag: v1.etag,
      name: "",
      spec: create(ConnectionSpecSchema, { provider: { case: "cloudflare", value: { apiToken: CF_TOKEN_2 } } }),
      paths: ["spec.cloudflare.api_token"],
    });
    expect(r2.rotated).toBe(true);
    const badToken = `cfut_${"z".repeat(48)}`;
    await registry.connections.update(caller, {
      reference: c.id,
      etag: r2.connection.etag,
      name: "",
      spec: create(ConnectionSpecSchema, { provider: { case: "cloudflare", value: { apiToken: badToken } } }),
      paths: ["spec.cloudflare.api_token"],
    });
    const done = await settled(c.id, (x) => x.lastVerification?.credentialVersion === 3);
    expect([done.credentialVersion, done.lastVerification?.credentialVersion, ConnectionStatus[done.status], done.lastVerification?.reason]).toEqual([
      3,
      3,
      "VERIFICATION_FAILED",
      "INVALID_CREDENTIALS",
    ]);
    // Whatever v2's slow check concludes later, it cannot overwrite v3's result.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await registry.connections.get(caller, c.id)).lastVerification?.credentialVersion).toBe(3);
  });

  it("writes no secret to the logs", () => {
    for (const secret of [AWS_SECRET, DO_TOKEN, CIVO_TOKEN, CF_TOKEN, CF_TOKEN_2, "azure-client-secret-worker"]) {
      expect(logs.text().includes(secret), secret.slice(0, 6)).toBe(false);
    }
  });
});
