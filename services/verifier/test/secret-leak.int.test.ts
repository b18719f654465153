import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { createInProcessBus } from "@planton/events";
import { ConnectionSchema, VerificationSchema, type Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildRegistry, createLocalVaultClient, loadRegistryConfig, type RegistryComponents } from "@planton/registry";
import { captureLogs, createTestDatabase, dumpDatabase, markerForms, type TestDatabase } from "@planton/testing";
import { buildVault, loadVaultConfig, type VaultComponents } from "@planton/vault";
import { providerChecks } from "../src/checks/all-checks.js";
import { loadVerifierConfig } from "../src/config.js";
import { inProcessPorts } from "../src/in-process-ports.js";
import { subscribeInProcess } from "../src/in-process-subscription.js";
import { buildVerifier } from "../src/verifier-components.js";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.js";
import { startFakeCivo, type FakeCivo } from "./support/fake-civo.js";
import { startFakeCloudflare, type FakeCloudflare } from "./support/fake-cloudflare.js";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "./support/fake-digitalocean.js";
import { startFakeGoogleToken, type FakeGoogleToken } from "./support/fake-google-token.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// Secrets planted through every failure path of every provider's check, end
// to end: registry (create) -> outbox -> verifier -> local provider fakes ->
// RecordVerification -> PostgreSQL. Then the recorded messages, the API's
// answers (get, list, update) and a full database dump are searched for
// every planted secret, and for any AWS access key id shown in full (the API
// shows key ids only as masked hints). Transient failures are recorded at the
// first attempt (VERIFY_MAX_ATTEMPTS=1) so their messages are searched too.

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

// Upper-case letters and digits, so it fits inside AWS key ids; random per run.
const MARKER = `QZ${randomBytes(6).toString("hex").toUpperCase().slice(0, 6)}`;
const ORG = "org-leak";
const caller = { orgId: ORG, subject: `user@${ORG}` };
const ACCOUNT = "123456789012";
const TENANT = "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00";
const SUBSCRIPTION = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const NO_ROLE_SUBSCRIPTION = "3c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const GCP_EMAIL = "deployer@acme-prod-1234.iam.gserviceaccount.com";
const GCP_REVOKED_EMAIL = "revoked@acme-prod-1234.iam.gserviceaccount.com";
const GCP_UNKNOWN_EMAIL = "unknown@acme-prod-1234.iam.gserviceaccount.com";

/** Every secret planted, to be searched for everywhere. */
const planted = new Set<string>();
let serial = 0;

/** A secret: `prefix`, the marker and padding, `length` characters of [A-Za-z0-9]; never shows the marker in a 4-character hint. */
function secret(prefix: string, length = 40): string {
  serial += 1;
  const value = `${prefix}${MARKER}${String(serial).padStart(4, "0")}`.padEnd(length, "x").slice(0, length);
  planted.add(value);
  return value;
}

/** A lowercase-hex secret of `length` characters (R2's format) with the marker inside, hex-encoded. */
function hexSecret(length: number): string {
  serial += 1;
  const value = `${Buffer.from(MARKER).toString("hex")}${String(serial).padStart(4, "0")}`.padEnd(length, "0").slice(0, length);
  planted.add(value);
  return value;
}

/** An AWS access key id with the marker inside: AKIA/ASIA + 16 of [A-Z0-9], its hint shows neither. */
function keyId(prefix: "AKIA" | "ASIA" = "AKIA"): string {
  serial += 1;
  const value = `${prefix}${MARKER}${String(serial).padStart(8, "0")}`;
  planted.add(value);
  return value;
}

const gcpKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const gcpPem = gcpKey.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
// The PEM body lines are the secret part of a GCP key file.
for (const line of gcpPem.split("\n")) if (line.length >= 40 && !line.startsWith("-----")) planted.add(line);

function gcpKeyBase64(clientEmail: string): string {
  const key = Buffer.from(
    JSON.stringify({
      type: "service_account",
      project_id: "acme-prod-1234",
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: gcpPem,
      client_email: clientEmail,
      token_uri: "https://oauth2.googleapis.com/token",
    }),
  ).toString("base64");
  planted.add(key.slice(0, 200));
  return key;
}

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
let database: TestDatabase;
let vault: VaultComponents;
let registry: RegistryComponents;
let stop: (() => void) | undefined;
let sts: FakeSts;
let google: FakeGoogleToken;
let azure: FakeAzure;
let digitalocean: FakeDigitalOcean;
let civo: FakeCivo;
let cloudflare: FakeCloudflare;

beforeAll(async () => {
  [sts, google, azure, digitalocean, civo, cloudflare] = await Promise.all([
    startFakeSts(),
    startFakeGoogleToken(),
    startFakeAzure(),
    startFakeDigitalOcean(),
    startFakeCivo(),
    startFakeCloudflare(),
  ]);
  const publicPem = gcpKey.publicKey.export({ type: "spki", format: "pem" }).toString();
  google.registerKey(GCP_EMAIL, publicPem);
  google.registerKey(GCP_REVOKED_EMAIL, publicPem);
  google.revoke(GCP_REVOKED_EMAIL);
  civo.setRegions(["LON1", "FRA1"]);

  database = await createTestDatabase(inject("databaseUrl"), "verifier_leak");
  const dataDir = await mkdtemp(join(tmpdir(), "verifier-leak-"));
  vault = await buildVault({ config: loadVaultConfig({ DATA_DIR: dataDir }), databaseUrl: database.url, logger: logs.logger });
  registry = await buildRegistry({
    config: loadRegistryConfig({ DATA_DIR: dataDir, OUTBOX_POLL_MS: "20" }, { requireVaultUrl: false }),
    databaseUrl: database.url,
    logger: logs.logger,
    vault: createLocalVaultClient(vault.vault),
    publisher: bus,
  });
  const verifier = buildVerifier({
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
        CHECK_TIMEOUT_MS: "300",
        VERIFY_MAX_ATTEMPTS: "1",
      },
      { requireUrls: false },
    ),
    logger: logs.logger,
    ...inProcessPorts(registry, vault.vault),
    checks: providerChecks,
  });
  stop = subscribeInProcess(bus, verifier, logs.logger);
});

afterAll(async () => {
  stop?.();
  await registry?.close();
  await vault?.close();
  await bus.close();
  await database?.drop();
  await Promise.all([sts, google, azure, digitalocean, civo, cloudflare].map((f) => f?.close()));
});

/** One failure path: set the fakes up, then the spec that goes through it, and the reason it must be recorded with. */
interface LeakCase {
  readonly label: string;
  readonly arrange?: () => void;
  readonly spec: () => SpecInit;
  readonly reason: string;
}

const aws = (accessKeyId: string, secretAccessKey: string, accountId = ACCOUNT): SpecInit => ({
  provider: { case: "aws", value: { accountId, auth: { case: "inlineKeys", value: { accessKeyId, secretAccessKey } } } },
});

/** An AWS key pair the fake STS knows (for paths that need a real key). */
function knownAwsKey(options: { account?: string; temporary?: boolean } = {}): { id: string; secret: string } {
  const id = keyId(options.temporary ? "ASIA" : "AKIA");
  const key = secret("awsS", 40);
  sts.addKey(id, key, { account: options.account ?? ACCOUNT, arn: `arn:aws:iam::${options.account ?? ACCOUNT}:user/deployer` });
  return { id, secret: key };
}

function awsTransient(kind: "throttle" | "429" | "500" | "timeout" | "malformed" | "region-disabled", reason: string): LeakCase {
  return {
    label: `aws ${kind}`,
    spec: () => {
      const k = knownAwsKey();
      sts.failNext(kind);
      return aws(k.id, k.secret);
    },
    reason,
  };
}

const azureSpec = (clientSecret: string, options: { clientId?: string; tenantId?: string; subscriptionId?: string } = {}): SpecInit => ({
  provider: {
    case: "azure",
    value: {
      tenantId: options.tenantId ?? TENANT,
      subscriptionId: options.subscriptionId ?? SUBSCRIPTION,
      auth: { case: "servicePrincipal", value: { clientId: options.clientId ?? "0f1e2d3c-4b5a-4968-8776-655443322110", clientSecret } },
    },
  },
});

let azureApps = 0;
/** Registers a new Azure app in TENANT and returns its client id and secret. */
function azureApp(options: { expired?: boolean; reader?: boolean } = {}): { clientId: string; secret: string } {
  azureApps += 1;
  const clientId = `0f1e2d3c-4b5a-4968-8776-${String(azureApps).padStart(12, "0")}`;
  const key = secret("azS", 40);
  azure.addApp(TENANT, clientId, key, { expired: options.expired ?? false });
  return { clientId, secret: key };
}

const doSpec = (apiToken: string): SpecInit => ({
  provider: { case: "digitalocean", value: { apiToken, defaultRegion: "fra1", spacesAccessId: "DO00SPACESACCESSID00", spacesSecretKey: secret("doSp", 43) } },
});
const civoSpec = (apiToken: string, defaultRegion = "LON1"): SpecInit => ({
  provider: { case: "civo", value: { apiToken, defaultRegion, objectStoreAccessId: "CIVOOBJECTSTOREID000", objectStoreSecretKey: secret("cvOs", 40) } },
});
function r2() {
  // The R2 access key id is sealed like AWS's (SECRET_PATHS): planted, so it
  // is searched for in the database dump too.
  return { accessKeyId: hexSecret(32), secretAccessKey: hexSecret(64) };
}
const cfToken = (apiToken: string): SpecInit => ({ provider: { case: "cloudflare", value: { apiToken, r2: r2() } } });

const CASES: LeakCase[] = [
  // AWS inline keys
  { label: "aws unknown key id", spec: () => aws(keyId(), secret("awsS", 40)), reason: "INVALID_CREDENTIALS" },
  { label: "aws unknown temporary key id", spec: () => aws(keyId("ASIA"), secret("awsS", 40)), reason: "INVALID_CREDENTIALS" },
  {
    label: "aws wrong secret",
    spec: () => {
      const k = knownAwsKey();
      return aws(k.id, secret("awsW", 40));
    },
    reason: "INVALID_CREDENTIALS",
  },
  {
    label: "aws expired",
    spec: () => {
      const k = knownAwsKey({ temporary: true });
      sts.expireKey(k.id);
      return aws(k.id, k.secret);
    },
    reason: "EXPIRED",
  },
  {
    label: "aws account mismatch",
    spec: () => {
      const k = knownAwsKey({ account: "210987654321" });
      return aws(k.id, k.secret);
    },
    reason: "ACCOUNT_MISMATCH",
  },
  awsTransient("throttle", "PROVIDER_UNAVAILABLE"),
  awsTransient("429", "PROVIDER_UNAVAILABLE"),
  awsTransient("500", "PROVIDER_UNAVAILABLE"),
  awsTransient("timeout", "PROVIDER_UNAVAILABLE"),
  awsTransient("malformed", "PROVIDER_UNAVAILABLE"),
  awsTransient("region-disabled", "REGION_UNAVAILABLE"),
  // GCP service-account keys
  {
    label: "gcp revoked key",
    spec: () => ({ provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64(GCP_REVOKED_EMAIL) } } } } }),
    reason: "KEY_REVOKED",
  },
  {
    label: "gcp unknown account",
    spec: () => ({ provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64(GCP_UNKNOWN_EMAIL) } } } } }),
    reason: "INVALID_CREDENTIALS",
  },
  ...(["throttle", "500", "timeout", "malformed"] as const).map((kind): LeakCase => ({
    label: `gcp ${kind}`,
    arrange: () => google.failNext(kind),
    spec: () => ({ provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64(GCP_EMAIL) } } } } }),
    reason: "PROVIDER_UNAVAILABLE",
  })),
  // Azure service principals
  {
    label: "azure wrong secret",
    spec: () => {
      const app = azureApp();
      return azureSpec(secret("azW", 40), { clientId: app.clientId });
    },
    reason: "INVALID_CREDENTIALS",
  },
  {
    label: "azure expired secret",
    spec: () => {
      const app = azureApp({ expired: true });
      return azureSpec(app.secret, { clientId: app.clientId });
    },
    reason: "EXPIRED",
  },
  {
    label: "azure unknown app",
    spec: () => azureSpec(secret("azU", 40), { clientId: "9f1e2d3c-4b5a-4968-8776-655443322110" }),
    reason: "APPLICATION_NOT_FOUND",
  },
  { label: "azure unknown tenant", spec: () => azureSpec(secret("azT", 40), { tenantId: "7d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00" }), reason: "TENANT_NOT_FOUND" },
  {
    label: "azure no role on the subscription",
    spec: () => {
      const app = azureApp();
      return azureSpec(app.secret, { clientId: app.clientId, subscriptionId: NO_ROLE_SUBSCRIPTION });
    },
    reason: "INSUFFICIENT_PERMISSIONS",
  },
  {
    label: "azure unknown subscription",
    spec: () => {
      const app = azureApp();
      return azureSpec(app.secret, { clientId: app.clientId, subscriptionId: "4c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f" });
    },
    reason: "SUBSCRIPTION_NOT_FOUND",
  },
  ...(["429", "500", "timeout", "malformed"] as const).map((kind): LeakCase => ({
    label: `azure token ${kind}`,
    spec: () => {
      const app = azureApp();
      azure.failNext(kind, 1, undefined, "/oauth2/");
      return azureSpec(app.secret, { clientId: app.clientId });
    },
    reason: "PROVIDER_UNAVAILABLE",
  })),
  {
    label: "azure management 500",
    spec: () => {
      const app = azureApp();
      azure.failNext("500", 1, undefined, "/subscriptions/");
      return azureSpec(app.secret, { clientId: app.clientId });
    },
    reason: "PROVIDER_UNAVAILABLE",
  },
  // DigitalOcean (Spaces keys planted beside the token)
  { label: "digitalocean unknown token", spec: () => doSpec(`dop_v1_${secret("do", 64)}`), reason: "INVALID_CREDENTIALS" },
  {
    label: "digitalocean token without account:read",
    spec: () => {
      const token = `dop_v1_${secret("do", 64)}`;
      digitalocean.addToken(token, { email: "ops@example.com", canReadAccount: false });
      return doSpec(token);
    },
    reason: "INSUFFICIENT_PERMISSIONS",
  },
  {
    label: "digitalocean locked account",
    spec: () => {
      const token = `dop_v1_${secret("do", 64)}`;
      digitalocean.addToken(token, { email: "ops@example.com", status: "locked" });
      return doSpec(token);
    },
    reason: "ACCOUNT_LOCKED",
  },
  ...(["429", "500", "timeout", "malformed"] as const).map((kind): LeakCase => ({
    label: `digitalocean ${kind}`,
    spec: () => {
      const token = `dop_v1_${secret("do", 64)}`;
      digitalocean.addToken(token, { email: "ops@example.com" });
      digitalocean.failNext(kind);
      return doSpec(token);
    },
    reason: "PROVIDER_UNAVAILABLE",
  })),
  // Civo (object-store keys planted beside the token)
  { label: "civo wrong key", arrange: () => civo.setApiKey(secret("cvK", 40)), spec: () => civoSpec(secret("cvW", 40)), reason: "INVALID_CREDENTIALS" },
  {
    label: "civo wrong key, legacy error body",
    arrange: () => {
      civo.setApiKey(secret("cvK", 40));
      civo.useLegacyAuthError(true);
    },
    spec: () => civoSpec(secret("cvW", 40)),
    reason: "INVALID_CREDENTIALS",
  },
  {
    label: "civo region not offered",
    arrange: () => civo.useLegacyAuthError(false),
    spec: () => {
      const key = secret("cvK", 40);
      civo.setApiKey(key);
      return civoSpec(key, "NYC1");
    },
    reason: "REGION_UNAVAILABLE",
  },
  ...(["429", "500", "timeout", "malformed"] as const).map((kind): LeakCase => ({
    label: `civo ${kind}`,
    spec: () => {
      const key = secret("cvK", 40);
      civo.setApiKey(key);
      civo.failNext(kind);
      return civoSpec(key);
    },
    reason: "PROVIDER_UNAVAILABLE",
  })),
  // Cloudflare (R2 keys planted beside the credential)
  { label: "cloudflare unknown token", spec: () => cfToken(secret("cfT", 40)), reason: "INVALID_CREDENTIALS" },
  {
    label: "cloudflare disabled token",
    spec: () => {
      const token = secret("cfT", 40);
      cloudflare.addToken(token, { id: "tokdisabled", status: "disabled" });
      return cfToken(token);
    },
    reason: "TOKEN_DISABLED",
  },
  {
    label: "cloudflare expired token",
    spec: () => {
      const token = `cfut_${secret("cfT", 48)}`;
      cloudflare.addToken(token, { id: "tokexpired", status: "expired" });
      return cfToken(token);
    },
    reason: "EXPIRED",
  },
  {
    label: "cloudflare account token on the wrong account",
    spec: () => {
      const token = `cfat_${secret("cfT", 48)}`;
      cloudflare.addToken(token, { id: "tokaccount", accountId: "0123456789abcdef0123456789abcdef" });
      return { provider: { case: "cloudflare", value: { apiToken: token, accountId: "fedcba9876543210fedcba9876543210", r2: r2() } } };
    },
    reason: "INVALID_CREDENTIALS",
  },
  {
    label: "cloudflare legacy key unknown",
    spec: () => ({ provider: { case: "cloudflare", value: { legacy: { apiKey: hexSecret(37), email: "ops@example.com" }, r2: r2() } } }),
    reason: "INVALID_CREDENTIALS",
  },
  ...(["429", "500", "timeout", "malformed"] as const).map((kind): LeakCase => ({
    label: `cloudflare ${kind}`,
    spec: () => {
      const token = secret("cfT", 40);
      cloudflare.addToken(token, { id: "tokflaky" });
      cloudflare.failNext(kind);
      return cfToken(token);
    },
    reason: "PROVIDER_UNAVAILABLE",
  })),
];

async function settled(id: string): Promise<Connection> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const c = await registry.connections.get(caller, id);
    if (c.lastVerification !== undefined || Date.now() > deadline) return c;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Where a planted value (and, unless `storedOnly`, the marker) showed up, if anywhere. */
function leaksIn(text: string, storedOnly = false): string[] {
  const found: string[] = [];
  const values = storedOnly ? [...planted] : [MARKER, ...planted];
  for (const value of values) for (const form of markerForms(value)) if (text.includes(form)) found.push(value);
  const keyIds = text.match(/(?:AKIA|ASIA)[A-Z0-9]{16}/g) ?? [];
  return [...new Set([...found, ...keyIds])];
}

describe("no planted secret or full AWS key id in verification messages, API answers or the database", () => {
  const recorded: { label: string; connection: Connection }[] = [];

  beforeAll(async () => {
    azure.addSubscription(SUBSCRIPTION, {
      tenantId: TENANT,
      displayName: "acme-prod",
      readers: Array.from({ length: 40 }, (_, i) => `0f1e2d3c-4b5a-4968-8776-${String(i + 1).padStart(12, "0")}`),
    });
    azure.addSubscription(NO_ROLE_SUBSCRIPTION, { tenantId: TENANT, displayName: "acme-empty", readers: [] });
    // One at a time: an injected failure must hit its own case's request.
    for (const [i, c] of CASES.entries()) {
      c.arrange?.();
      const { connection } = await registry.connections.create(caller, `leak-${i}`, create(ConnectionSpecSchema, c.spec()));
      recorded.push({ label: c.label, connection: await settled(connection.id) });
    }
  }, 120_000);

  it(`runs ${CASES.length} failure paths across the six providers, each recorded as VERIFICATION_FAILED with its reason`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    const outcomes = recorded.map(({ label, connection }) => [label, ConnectionStatus[connection.status], connection.lastVerification?.reason ?? "(none)"]);
    expect(outcomes).toEqual(CASES.map((c) => [c.label, "VERIFICATION_FAILED", c.reason]));
  });

  it("the recorded messages name AWS keys by their hint only and contain no planted secret", () => {
    for (const { label, connection } of recorded) {
      const message = connection.lastVerification?.message ?? "";
      expect(message, label).not.toBe("");
      expect(leaksIn(message), `${label}: ${message}`).toEqual([]);
    }
    const unknownKey = recorded.find((r) => r.label === "aws unknown key id")!.connection;
    expect(unknownKey.lastVerification!.message).toMatch(/access key ID AKIA\*{12}[A-Z0-9]{4}/);
  });

  it("GetConnection, ListConnections and UpdateConnection answers contain none of them", async () => {
    const answers: string[] = [];
    for (const { connection } of recorded) {
      answers.push(toJsonString(ConnectionSchema, await registry.connections.get(caller, connection.id)));
      const renamed = await registry.connections.update(caller, {
        reference: connection.id,
        etag: connection.etag,
        name: `${connection.name}-renamed`,
        spec: undefined,
        paths: ["name"],
      });
      answers.push(toJsonString(ConnectionSchema, renamed.connection));
      // A rename is not a rotation: the failure it shows is still the recorded one.
      expect(renamed.connection.lastVerification?.message).toBe(connection.lastVerification?.message);
    }
    let pageToken = "";
    do {
      const page = await registry.connections.list(caller, { provider: 0, status: 0, pageSize: 100, pageToken });
      for (const c of page.connections) answers.push(toJsonString(ConnectionSchema, c));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(answers.length).toBeGreaterThanOrEqual(CASES.length * 3);
    expect(leaksIn(answers.join("\n"))).toEqual([]);
  });

  it("a verification message quoting a key id in full (an older verifier) is stored with the hint", async () => {
    const { connection } = await registry.connections.create(caller, "leak-quoted", create(ConnectionSpecSchema, aws(keyId(), secret("awsQ", 40))));
    await settled(connection.id);
    const quoted = keyId();
    const result = await registry.connections.recordVerification(
      { orgId: "platform", subject: "svc-verifier" },
      ORG,
      connection.id,
      create(VerificationSchema, {
        verifyTime: timestampFromDate(new Date()),
        credentialVersion: 1,
        ok: false,
        reason: "INVALID_CREDENTIALS",
        message: `AWS does not recognise access key ID ${quoted}.`,
      }),
    );
    expect(result.applied).toBe(true);
    expect(result.connection.lastVerification?.message).toBe(`AWS does not recognise access key ID ${quoted.slice(0, 4)}${"*".repeat(12)}${quoted.slice(-4)}.`);
  });

  it("a full database dump contains none of them", async () => {
    expect(await registry.relay.drain(10_000)).toBe(true);
    const dump = await dumpDatabase(database.url);
    expect(dump.text).toContain("registry.connections");
    expect(dump.text).toContain("last_verification");
    const lines = dump.text
      .split("\n")
      .filter((line) => leaksIn(line, true).length > 0)
      .map((line) => line.slice(0, 300));
    expect(lines).toEqual([]);
  });
});
