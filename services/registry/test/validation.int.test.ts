/**
 * Bad requests through the RPC API: every one is INVALID_ARGUMENT with a
 * google.rpc.BadRequest detail naming the field and the reason, never echoes
 * a secret, and writes nothing (connections, outbox, runners, vault).
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, type Client } from "@connectrpc/connect";
import { createInProcessBus } from "@planton/events";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import type { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ConnectionStatus, Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import type { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { captureLogs, markerForms, rpcFailure } from "@planton/testing";
import { awsSecret, gcpKeyBase64 } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;
type Clients = { connections: Client<typeof ConnectionService>; runners: Client<typeof RunnerService> };

const ORG_A = "org-validation-a";
const ORG_B = "org-validation-b";
// Letters and digits only, so it fits inside values that pass the character rules.
const MARKER = `Qx7Leak${Math.random()
  .toString(36)
  .slice(2, 8)
  .replace(/[^a-z0-9]/g, "")}`;

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
let h: RegistryHarness;
let a: Clients;
let runnerA: string;
let runnerB: string;
/** Org A's GCP Workload Identity and Azure Managed Identity runners (GCP and Azure connections accept only these). */
let runnerGcpA: string;
let runnerAzureA: string;
let existing: { id: string; slug: string; etag: string; credentialVersion: number };
let baseline: Snapshot;

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
  a = await h.clients(ORG_A);
  const b = await h.clients(ORG_B);
  runnerA = (
    await a.runners.registerRunner({
      name: "validation-runner-a",
      identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/runner-a" },
    })
  ).runner!.id;
  runnerGcpA = (
    await a.runners.registerRunner({
      name: "validation-runner-a-gcp",
      identity: { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "runner-a@acme-prod-1234.iam.gserviceaccount.com" },
    })
  ).runner!.id;
  runnerAzureA = (
    await a.runners.registerRunner({
      name: "validation-runner-a-azure",
      identity: { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d" },
    })
  ).runner!.id;
  runnerB = (
    await b.runners.registerRunner({
      name: "validation-runner-b",
      identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::210987654321:role/runner-b" },
    })
  ).runner!.id;
  const created = await a.connections.createConnection({ name: "validation-existing-aws", spec: awsSpec() });
  const c = created.connection!;
  existing = { id: c.id, slug: c.slug, etag: c.etag, credentialVersion: c.credentialVersion };
  expect(existing.credentialVersion).toBe(1);
  baseline = await snapshot();
});

afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

interface Snapshot {
  readonly connections: string;
  readonly runners: string;
  readonly outbox: number;
  readonly credentialVersions: number;
  readonly credentials: number;
}

/** Everything a bad request must not change: full connection and runner rows, outbox and vault row counts. */
async function snapshot(): Promise<Snapshot> {
  const connections = await h.registry.db.selectFrom("connections").selectAll().orderBy("id").execute();
  const runners = await h.registry.db.selectFrom("runners").selectAll().orderBy("id").execute();
  const outbox = await h.registry.db
    .selectFrom("outbox")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const versions = await h.vault.db
    .selectFrom("credential_versions")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const credentials = await h.vault.db
    .selectFrom("credentials")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return {
    connections: JSON.stringify(connections),
    runners: JSON.stringify(runners, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)),
    outbox: Number(outbox.n),
    credentialVersions: Number(versions.n),
    credentials: Number(credentials.n),
  };
}

const failure = rpcFailure;

function mask(...paths: string[]) {
  return create(FieldMaskSchema, { paths });
}

const ACCOUNT = "123456789012";
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const TENANT = "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00";
const SUBSCRIPTION = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const CLIENT_ID = "0f1e2d3c-4b5a-4968-8776-655443322110";
const CF_ACCOUNT = "0123456789abcdef0123456789abcdef";
const big = (n = 5000, ch = "a") => ch.repeat(n);

function awsSpec(over: { accountId?: string; region?: string; accessKeyId?: string; secretAccessKey?: string } = {}): SpecInit {
  return {
    provider: {
      case: "aws",
      value: {
        accountId: over.accountId ?? ACCOUNT,
        region: over.region ?? "eu-central-1",
        auth: { case: "inlineKeys", value: { accessKeyId: over.accessKeyId ?? KEY_ID, secretAccessKey: over.secretAccessKey ?? awsSecret(MARKER) } },
      },
    },
  };
}

function awsRunner(runnerId: string): SpecInit {
  return { provider: { case: "aws", value: { accountId: ACCOUNT, auth: { case: "runner", value: { runnerId } } } } };
}

function gcpKey(keyBase64: string, projectId = ""): SpecInit {
  return { provider: { case: "gcp", value: { projectId, auth: { case: "serviceAccountKey", value: { keyBase64 } } } } };
}

function gcpRunner(runnerId: string, projectId: string): SpecInit {
  return { provider: { case: "gcp", value: { projectId, auth: { case: "runner", value: { runnerId } } } } };
}

function azureSpec(over: { tenantId?: string; subscriptionId?: string; clientId?: string; clientSecret?: string } = {}): SpecInit {
  return {
    provider: {
      case: "azure",
      value: {
        tenantId: over.tenantId ?? TENANT,
        subscriptionId: over.subscriptionId ?? SUBSCRIPTION,
        auth: { case: "servicePrincipal", value: { clientId: over.clientId ?? CLIENT_ID, clientSecret: over.clientSecret ?? `${MARKER}-azure-secret` } },
      },
    },
  };
}

function doSpec(over: { apiToken?: string; defaultRegion?: string; spacesAccessId?: string; spacesSecretKey?: string } = {}): SpecInit {
  return {
    provider: {
      case: "digitalocean",
      value: {
        apiToken: over.apiToken ?? `dop_v1_${MARKER}${"a".repeat(64)}`.slice(0, 71),
        defaultRegion: over.defaultRegion ?? "fra1",
        spacesAccessId: over.spacesAccessId ?? "",
        spacesSecretKey: over.spacesSecretKey ?? "",
      },
    },
  };
}

function civoSpec(over: { apiToken?: string; defaultRegion?: string; objectStoreAccessId?: string; objectStoreSecretKey?: string } = {}): SpecInit {
  return {
    provider: {
      case: "civo",
      value: {
        apiToken: over.apiToken ?? `${MARKER}civoapitoken0123456789`,
        defaultRegion: over.defaultRegion ?? "LON1",
        objectStoreAccessId: over.objectStoreAccessId ?? "",
        objectStoreSecretKey: over.objectStoreSecretKey ?? "",
      },
    },
  };
}

type CloudflareInit = Extract<NonNullable<SpecInit["provider"]>, { case: "cloudflare" }>["value"];
function cfSpec(value: CloudflareInit): SpecInit {
  return { provider: { case: "cloudflare", value } };
}
const CF_TOKEN = `cfut_${MARKER}${"x".repeat(60)}`.slice(0, 53);
// R2 keys are hex (the token id and the SHA-256 of the token): the marker goes into the secret as hex.
const R2_KEY_ID = "fedcba9876543210fedcba9876543210";
const R2_SECRET = `${Buffer.from(MARKER).toString("hex")}${"0".repeat(64)}`.slice(0, 64);

const ecPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const notBase64 = `${MARKER}!!not*base64`;
const notJson = Buffer.from(`{"type": "service_account", ${MARKER}`).toString("base64");
const badPem = `-----BEGIN PRIVATE KEY-----\n${MARKER}${"A".repeat(40)}\n-----END PRIVATE KEY-----\n`;

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

interface Expected {
  readonly field: string;
  /** The reason code; a RegExp where the contract fixes only the field. */
  readonly reason: string | RegExp;
}

interface Case {
  readonly label: string;
  readonly call: () => Promise<unknown>;
  /** Every violation the answer must list, and nothing else. */
  readonly violations: readonly Expected[];
}

/** A CreateConnection call; a spec given as a function is built at call time (runner ids exist only after beforeAll). */
const create1 = (name: string, spec: SpecInit | (() => SpecInit) | undefined) => () => {
  const built = typeof spec === "function" ? spec() : spec;
  return a.connections.createConnection(built === undefined ? { name } : { name, spec: built });
};
const bad = (field: string, reason: string | RegExp): Expected => ({ field, reason });
type UpdateInit = { name?: string; spec?: SpecInit; paths: string[]; etag?: string };
const update = (lazy: UpdateInit | (() => UpdateInit)) => () => {
  const init = typeof lazy === "function" ? lazy() : lazy;
  return a.connections.updateConnection({
    connection: existing.id,
    etag: init.etag ?? existing.etag,
    ...(init.name !== undefined ? { name: init.name } : {}),
    ...(init.spec !== undefined ? { spec: init.spec } : {}),
    updateMask: mask(...init.paths),
  });
};

const cases: Case[] = [
  // Name
  { label: "create: empty name", call: create1("", awsSpec()), violations: [bad("name", "REQUIRED")] },
  { label: "create: 64-character name", call: create1("n".repeat(64), awsSpec()), violations: [bad("name", "MAX_LENGTH")] },
  { label: "create: 5000-character name", call: create1(big(), awsSpec()), violations: [bad("name", "MAX_LENGTH")] },
  { label: "create: name of only symbols", call: create1("!!! --- ???", awsSpec()), violations: [bad("name", "PATTERN")] },
  { label: "create: name with leading whitespace", call: create1(" payments-prod-aws", awsSpec()), violations: [bad("name", "PATTERN")] },
  { label: "create: name with a control character", call: create1("payments\u0007prod", awsSpec()), violations: [bad("name", "PATTERN")] },
  // Spec and provider oneof
  { label: "create: no spec", call: create1("no-spec", undefined), violations: [bad("spec", "ONE_OF_REQUIRED")] },
  { label: "create: spec without provider", call: create1("no-provider", {}), violations: [bad("spec", "ONE_OF_REQUIRED")] },
  // AWS
  { label: "aws: empty account id", call: create1("aws-bad", awsSpec({ accountId: "" })), violations: [bad("spec.aws.account_id", "REQUIRED")] },
  { label: "aws: 11-digit account id", call: create1("aws-bad", awsSpec({ accountId: "12345678901" })), violations: [bad("spec.aws.account_id", "LENGTH")] },
  {
    label: "aws: account id with a letter",
    call: create1("aws-bad", awsSpec({ accountId: "12345678901a" })),
    violations: [bad("spec.aws.account_id", "PATTERN")],
  },
  {
    label: "aws: 5000-character account id",
    call: create1("aws-bad", awsSpec({ accountId: big(5000, "1") })),
    violations: [bad("spec.aws.account_id", "MAX_LENGTH")],
  },
  { label: "aws: upper-case region", call: create1("aws-bad", awsSpec({ region: "US-WEST-2" })), violations: [bad("spec.aws.region", "ENUM")] },
  { label: "aws: region without number", call: create1("aws-bad", awsSpec({ region: "eu-central" })), violations: [bad("spec.aws.region", "ENUM")] },
  { label: "aws: 5000-character region", call: create1("aws-bad", awsSpec({ region: big() })), violations: [bad("spec.aws.region", "MAX_LENGTH")] },
  {
    label: "aws: lower-case access key id",
    call: create1("aws-bad", awsSpec({ accessKeyId: "akiaiosfodnn7example" })),
    violations: [bad("spec.aws.inline_keys.access_key_id", "PATTERN")],
  },
  {
    label: "aws: access key id with wrong prefix",
    call: create1("aws-bad", awsSpec({ accessKeyId: "AKIBIOSFODNN7EXAMPLE" })),
    violations: [bad("spec.aws.inline_keys.access_key_id", "PATTERN")],
  },
  {
    label: "aws: 19-character access key id",
    call: create1("aws-bad", awsSpec({ accessKeyId: "AKIAIOSFODNN7EXAMPL" })),
    violations: [bad("spec.aws.inline_keys.access_key_id", "LENGTH")],
  },
  {
    label: "aws: empty secret key",
    call: create1("aws-bad", awsSpec({ secretAccessKey: "" })),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "REQUIRED")],
  },
  {
    label: "aws: 39-character secret key",
    call: create1("aws-bad", awsSpec({ secretAccessKey: awsSecret(MARKER).slice(0, 39) })),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "LENGTH")],
  },
  {
    label: "aws: secret key with a forbidden character",
    call: create1("aws-bad", awsSpec({ secretAccessKey: `${MARKER}!${"k".repeat(40)}`.slice(0, 40) })),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "PATTERN")],
  },
  {
    label: "aws: secret key with a trailing newline",
    call: create1("aws-bad", awsSpec({ secretAccessKey: `${awsSecret(MARKER).slice(0, 39)}\n` })),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "PATTERN")],
  },
  {
    label: "aws: 5000-character secret key",
    call: create1("aws-bad", awsSpec({ secretAccessKey: `${MARKER}${big(5000, "s")}` })),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "MAX_LENGTH")],
  },
  {
    label: "aws: no auth method (oneof unset)",
    call: create1("aws-bad", { provider: { case: "aws", value: { accountId: ACCOUNT } } }),
    violations: [bad("spec.aws.auth", "ONE_OF_REQUIRED")],
  },
  { label: "aws runner: malformed runner id", call: create1("aws-bad", awsRunner("Runner-1")), violations: [bad("spec.aws.runner.runner_id", "PATTERN")] },
  { label: "aws runner: empty runner id", call: create1("aws-bad", awsRunner("")), violations: [bad("spec.aws.runner.runner_id", "REQUIRED")] },
  {
    label: "aws runner: 5000-character runner id",
    call: create1("aws-bad", awsRunner(`runner_${big()}`)),
    violations: [bad("spec.aws.runner.runner_id", "MAX_LENGTH")],
  },
  {
    label: "aws runner: runner that does not exist",
    call: create1("aws-bad", awsRunner("runner_doesnotexist0000000000")),
    violations: [bad("spec.aws.runner.runner_id", "NOT_FOUND")],
  },
  {
    label: "aws runner: another organization's runner",
    call: create1("aws-bad", () => awsRunner(runnerB)),
    violations: [bad("spec.aws.runner.runner_id", "NOT_FOUND")],
  },
  // GCP
  { label: "gcp: key that is not base64", call: create1("gcp-bad", gcpKey(notBase64)), violations: [bad("spec.gcp.service_account_key.key_base64", "FORMAT")] },
  {
    label: "gcp: key that is not JSON",
    call: create1("gcp-bad", gcpKey(notJson)),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: key that is a JSON array",
    call: create1("gcp-bad", gcpKey(Buffer.from(`["${MARKER}"]`).toString("base64"))),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: key of the wrong type",
    call: create1("gcp-bad", gcpKey(gcpKeyBase64({ type: "authorized_user", marker: MARKER }))),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: key missing client_email and private_key_id",
    call: create1("gcp-bad", gcpKey(gcpKeyBase64({ client_email: undefined, private_key_id: undefined, marker: MARKER }))),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: key with a bad PEM",
    call: create1("gcp-bad", gcpKey(gcpKeyBase64({ private_key: badPem }))),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: key with a non-RSA private key",
    call: create1("gcp-bad", gcpKey(gcpKeyBase64({ private_key: ecPem }))),
    violations: [bad("spec.gcp.service_account_key.key_base64", "INVALID_KEY")],
  },
  {
    label: "gcp: 20000-character key",
    call: create1("gcp-bad", gcpKey(`${MARKER}${big(20000, "A")}`)),
    violations: [bad("spec.gcp.service_account_key.key_base64", "MAX_LENGTH")],
  },
  {
    label: "gcp: project id differs from the key's",
    call: create1("gcp-bad", gcpKey(gcpKeyBase64({}), "acme-other-9999")),
    violations: [bad("spec.gcp.project_id", "MISMATCH")],
  },
  { label: "gcp runner: no project id", call: create1("gcp-bad", () => gcpRunner(runnerGcpA, "")), violations: [bad("spec.gcp.project_id", "REQUIRED")] },
  {
    label: "gcp runner: malformed project id",
    call: create1("gcp-bad", () => gcpRunner(runnerGcpA, "Acme_Prod_1")),
    violations: [bad("spec.gcp.project_id", "PATTERN")],
  },
  {
    label: "aws runner: a GCP Workload Identity runner",
    call: create1("aws-bad", () => awsRunner(runnerGcpA)),
    violations: [bad("spec.aws.runner.runner_id", "MISMATCH")],
  },
  {
    label: "aws runner: an Azure Managed Identity runner",
    call: create1("aws-bad", () => awsRunner(runnerAzureA)),
    violations: [bad("spec.aws.runner.runner_id", "MISMATCH")],
  },
  {
    label: "gcp runner: an AWS IRSA runner",
    call: create1("gcp-bad", () => gcpRunner(runnerA, "acme-prod-1234")),
    violations: [bad("spec.gcp.runner.runner_id", "MISMATCH")],
  },
  {
    label: "azure runner: a GCP Workload Identity runner",
    call: create1("azure-bad", () => ({
      provider: { case: "azure", value: { tenantId: TENANT, subscriptionId: SUBSCRIPTION, auth: { case: "runner", value: { runnerId: runnerGcpA } } } },
    })),
    violations: [bad("spec.azure.runner.runner_id", "MISMATCH")],
  },
  {
    label: "gcp runner: another organization's runner",
    call: create1("gcp-bad", () => gcpRunner(runnerB, "acme-prod-1234")),
    violations: [bad("spec.gcp.runner.runner_id", "NOT_FOUND")],
  },
  {
    label: "gcp: no auth method (oneof unset)",
    call: create1("gcp-bad", { provider: { case: "gcp", value: { projectId: "acme-prod-1234" } } }),
    violations: [bad("spec.gcp.auth", "ONE_OF_REQUIRED")],
  },
  // Azure
  {
    label: "azure: tenant id not a UUID",
    call: create1("azure-bad", azureSpec({ tenantId: "contoso.onmicrosoft.com" })),
    violations: [bad("spec.azure.tenant_id", "FORMAT")],
  },
  {
    label: "azure: subscription id not a UUID",
    call: create1("azure-bad", azureSpec({ subscriptionId: "1c2d3e4f5a6b4c7d8e9f0a1b2c3d4e5f" })),
    violations: [bad("spec.azure.subscription_id", "FORMAT")],
  },
  {
    label: "azure: client id not a UUID",
    call: create1("azure-bad", azureSpec({ clientId: "0f1e2d3c-4b5a-4968-8776-65544332211" })),
    violations: [bad("spec.azure.service_principal.client_id", "FORMAT")],
  },
  {
    label: "azure: client secret with a space",
    call: create1("azure-bad", azureSpec({ clientSecret: `${MARKER} secret` })),
    violations: [bad("spec.azure.service_principal.client_secret", "PATTERN")],
  },
  {
    label: "azure: 1025-character client secret",
    call: create1("azure-bad", azureSpec({ clientSecret: `${MARKER}${big(1025)}` })),
    violations: [bad("spec.azure.service_principal.client_secret", "MAX_LENGTH")],
  },
  {
    label: "azure: no auth method (oneof unset)",
    call: create1("azure-bad", { provider: { case: "azure", value: { tenantId: TENANT, subscriptionId: SUBSCRIPTION } } }),
    violations: [bad("spec.azure.auth", "ONE_OF_REQUIRED")],
  },
  {
    label: "azure runner: runner that does not exist",
    call: create1("azure-bad", {
      provider: {
        case: "azure",
        value: { tenantId: TENANT, subscriptionId: SUBSCRIPTION, auth: { case: "runner", value: { runnerId: "runner_zzzzzzzzzzzz" } } },
      },
    }),
    violations: [bad("spec.azure.runner.runner_id", "NOT_FOUND")],
  },
  // DigitalOcean
  {
    label: "digitalocean: unknown region",
    call: create1("do-bad", doSpec({ defaultRegion: "nyc4" })),
    violations: [bad("spec.digitalocean.default_region", "ENUM")],
  },
  {
    label: "digitalocean: no region",
    call: create1("do-bad", doSpec({ defaultRegion: "" })),
    violations: [bad("spec.digitalocean.default_region", "REQUIRED")],
  },
  {
    label: "digitalocean: short token",
    call: create1("do-bad", doSpec({ apiToken: `${MARKER}short` })),
    violations: [bad("spec.digitalocean.api_token", "MIN_LENGTH")],
  },
  {
    label: "digitalocean: 5000-character token",
    call: create1("do-bad", doSpec({ apiToken: `${MARKER}${big()}` })),
    violations: [bad("spec.digitalocean.api_token", "MAX_LENGTH")],
  },
  {
    label: "digitalocean: Spaces id without secret",
    call: create1("do-bad", doSpec({ spacesAccessId: "DO00EXAMPLEACCESSID12" })),
    violations: [bad("spec.digitalocean.spaces_secret_key", "BOTH_OR_NEITHER")],
  },
  {
    label: "digitalocean: Spaces secret without id",
    call: create1("do-bad", doSpec({ spacesSecretKey: `${MARKER}spacessecret0123456789` })),
    violations: [bad("spec.digitalocean.spaces_access_id", "BOTH_OR_NEITHER")],
  },
  // Civo
  { label: "civo: lower-case region", call: create1("civo-bad", civoSpec({ defaultRegion: "lon1" })), violations: [bad("spec.civo.default_region", "ENUM")] },
  { label: "civo: short token", call: create1("civo-bad", civoSpec({ apiToken: MARKER })), violations: [bad("spec.civo.api_token", "MIN_LENGTH")] },
  {
    label: "civo: object-store id without secret",
    call: create1("civo-bad", civoSpec({ objectStoreAccessId: "civoobjectstoreid0001" })),
    violations: [bad("spec.civo.object_store_secret_key", "BOTH_OR_NEITHER")],
  },
  {
    label: "civo: object-store secret without id",
    call: create1("civo-bad", civoSpec({ objectStoreSecretKey: `${MARKER}objectstoresecret0123` })),
    violations: [bad("spec.civo.object_store_access_id", "BOTH_OR_NEITHER")],
  },
  // Cloudflare
  {
    label: "cloudflare: token and legacy key both",
    call: create1("cf-bad", cfSpec({ apiToken: CF_TOKEN, legacy: { apiKey: `cfk_${MARKER}${"k".repeat(48)}`.slice(0, 52), email: "ops@example.com" } })),
    violations: [bad("spec.cloudflare.legacy", "CONFLICT")],
  },
  {
    label: "cloudflare: neither token nor legacy key",
    call: create1("cf-bad", cfSpec({ accountId: CF_ACCOUNT })),
    violations: [bad("spec.cloudflare", "ONE_OF_REQUIRED")],
  },
  {
    label: "cloudflare: short token",
    call: create1("cf-bad", cfSpec({ apiToken: `${MARKER}tooshort` })),
    violations: [bad("spec.cloudflare.api_token", "LENGTH")],
  },
  {
    label: "cloudflare: legacy with a bad email",
    call: create1("cf-bad", cfSpec({ legacy: { apiKey: `cfk_${MARKER}${"k".repeat(48)}`.slice(0, 52), email: "ops.example.com" } })),
    violations: [bad("spec.cloudflare.legacy.email", "FORMAT")],
  },
  {
    label: "cloudflare: short legacy key",
    call: create1("cf-bad", cfSpec({ legacy: { apiKey: `${MARKER}k`, email: "ops@example.com" } })),
    violations: [bad("spec.cloudflare.legacy.api_key", "PATTERN")],
  },
  {
    label: "cloudflare: upper-case account id",
    call: create1("cf-bad", cfSpec({ apiToken: CF_TOKEN, accountId: CF_ACCOUNT.toUpperCase() })),
    violations: [bad("spec.cloudflare.account_id", "PATTERN")],
  },
  {
    label: "cloudflare: 31-character account id",
    call: create1("cf-bad", cfSpec({ apiToken: CF_TOKEN, accountId: CF_ACCOUNT.slice(1) })),
    violations: [bad("spec.cloudflare.account_id", "LENGTH")],
  },
  {
    label: "cloudflare: short R2 keys",
    call: create1("cf-bad", cfSpec({ apiToken: CF_TOKEN, r2: { accessKeyId: "r2short", secretAccessKey: MARKER } })),
    violations: [bad("spec.cloudflare.r2.access_key_id", "LENGTH"), bad("spec.cloudflare.r2.secret_access_key", "LENGTH")],
  },
  {
    label: "cloudflare: non-https R2 endpoint",
    call: create1(
      "cf-bad",
      cfSpec({ apiToken: CF_TOKEN, r2: { accessKeyId: R2_KEY_ID, secretAccessKey: R2_SECRET, endpoint: "http://acct.r2.cloudflarestorage.com" } }),
    ),
    violations: [bad("spec.cloudflare.r2.endpoint", "FORMAT")],
  },
  {
    label: "cloudflare: R2 endpoint with a password",
    call: create1(
      "cf-bad",
      cfSpec({
        apiToken: CF_TOKEN,
        r2: { accessKeyId: R2_KEY_ID, secretAccessKey: R2_SECRET, endpoint: `https://user:${MARKER}@acct.r2.cloudflarestorage.com` },
      }),
    ),
    violations: [bad("spec.cloudflare.r2.endpoint", "FORMAT")],
  },
  {
    label: "cloudflare: 5000-character R2 endpoint",
    call: create1(
      "cf-bad",
      cfSpec({ apiToken: CF_TOKEN, r2: { accessKeyId: R2_KEY_ID, secretAccessKey: R2_SECRET, endpoint: `https://${big()}.example.com` } }),
    ),
    violations: [bad("spec.cloudflare.r2.endpoint", "MAX_LENGTH")],
  },
  // Several problems at once: all in one answer.
  {
    label: "create: four problems at once",
    call: create1("", awsSpec({ accountId: "12", region: "Mars", secretAccessKey: `${MARKER}%%%%${"z".repeat(40)}`.slice(0, 40) })),
    violations: [
      bad("name", "REQUIRED"),
      bad("spec.aws.account_id", "LENGTH"),
      bad("spec.aws.region", "ENUM"),
      bad("spec.aws.inline_keys.secret_access_key", "PATTERN"),
    ],
  },
  // ListConnections
  { label: "list: unknown provider 99", call: () => a.connections.listConnections({ provider: 99 as Provider }), violations: [bad("provider", "ENUM")] },
  { label: "list: unknown status 99", call: () => a.connections.listConnections({ status: 99 as ConnectionStatus }), violations: [bad("status", "ENUM")] },
  {
    label: "list: unknown provider and status",
    call: () => a.connections.listConnections({ provider: 42 as Provider, status: 77 as ConnectionStatus }),
    violations: [bad("provider", "ENUM"), bad("status", "ENUM")],
  },
  {
    label: "list: garbage page_token",
    call: () => a.connections.listConnections({ pageToken: "not-a-page-token" }),
    violations: [bad("page_token", /^[A-Z_]+$/)],
  },
  {
    label: "list: page_token forged for another listing",
    call: () =>
      a.connections.listConnections({ pageToken: Buffer.from(JSON.stringify({ t: new Date().toISOString(), i: "x", f: "forged" })).toString("base64url") }),
    violations: [bad("page_token", /^[A-Z_]+$/)],
  },
  { label: "list runners: garbage page_token", call: () => a.runners.listRunners({ pageToken: "%%%" }), violations: [bad("page_token", /^[A-Z_]+$/)] },
  // RegisterRunner
  {
    label: "runner: unknown identity kind 99",
    call: () => a.runners.registerRunner({ name: "runner-bad", identity: { kind: 99 as RunnerIdentityKind, principal: "arn:aws:iam::123456789012:role/x" } }),
    violations: [bad("identity.kind", "ENUM")],
  },
  {
    label: "runner: unspecified identity kind",
    call: () =>
      a.runners.registerRunner({ name: "runner-bad", identity: { kind: RunnerIdentityKind.UNSPECIFIED, principal: "arn:aws:iam::123456789012:role/x" } }),
    violations: [bad("identity.kind", "ENUM")],
  },
  { label: "runner: no identity", call: () => a.runners.registerRunner({ name: "runner-bad" }), violations: [bad("identity", "REQUIRED")] },
  {
    label: "runner: empty principal",
    call: () => a.runners.registerRunner({ name: "runner-bad", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "" } }),
    violations: [bad("identity.principal", "REQUIRED")],
  },
  {
    label: "runner: empty name",
    call: () => a.runners.registerRunner({ name: "", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/x" } }),
    violations: [bad("name", "REQUIRED")],
  },
  {
    label: "runner: 64-character name",
    call: () =>
      a.runners.registerRunner({ name: "r".repeat(64), identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/x" } }),
    violations: [bad("name", "MAX_LENGTH")],
  },
  {
    label: "runner: IRSA principal that is not a role ARN",
    call: () =>
      a.runners.registerRunner({ name: "runner-bad", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:user/alice" } }),
    violations: [bad("identity.principal", "PATTERN")],
  },
  {
    label: "runner: 5000-character principal",
    call: () =>
      a.runners.registerRunner({ name: "runner-bad", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: `arn:aws:iam::123456789012:role/${big()}` } }),
    violations: [bad("identity.principal", "PATTERN")],
  },
  // UpdateConnection
  { label: "update: empty update mask", call: update({ name: "renamed", paths: [] }), violations: [bad("update_mask", "REQUIRED")] },
  {
    label: "update: unknown top-level mask path",
    call: update({ name: "renamed", paths: ["description"] }),
    violations: [bad("update_mask", "UNKNOWN_FIELD")],
  },
  { label: "update: unknown spec mask path", call: update({ spec: awsSpec(), paths: ["spec.aws.nope"] }), violations: [bad("update_mask", "UNKNOWN_FIELD")] },
  {
    label: "update: mask path for another provider",
    call: update(() => ({ spec: gcpRunner(runnerA, "acme-prod-1234"), paths: ["spec.gcp.project_id"] })),
    violations: [bad("update_mask", "MISMATCH")],
  },
  { label: "update: patch spec for another provider", call: update({ spec: azureSpec(), paths: ["spec.aws.region"] }), violations: [bad("spec", "MISMATCH")] },
  {
    label: "update: mask inside an auth method not in use",
    call: update(() => ({ spec: awsRunner(runnerA), paths: ["spec.aws.runner.runner_id"] })),
    violations: [bad("update_mask", "MISMATCH")],
  },
  {
    label: "update: switch to runner without a runner in the patch",
    call: update({ spec: { provider: { case: "aws", value: {} } }, paths: ["spec.aws.runner"] }),
    violations: [bad("spec.aws.runner", "REQUIRED")],
  },
  {
    label: "update: switch to another organization's runner",
    call: update(() => ({ spec: awsRunner(runnerB), paths: ["spec.aws.runner"] })),
    violations: [bad("spec.aws.runner.runner_id", "NOT_FOUND")],
  },
  {
    label: "update: invalid region",
    call: update({ spec: awsSpec({ region: "mars-north" }), paths: ["spec.aws.region"] }),
    violations: [bad("spec.aws.region", "ENUM")],
  },
  {
    label: "update: rotation to an invalid secret",
    call: update({
      spec: awsSpec({ secretAccessKey: `${MARKER}/bad secret with spaces/${"x".repeat(40)}`.slice(0, 40) }),
      paths: ["spec.aws.inline_keys.secret_access_key"],
    }),
    violations: [bad("spec.aws.inline_keys.secret_access_key", "PATTERN")],
  },
  { label: "update: rename to an empty name", call: update({ name: "", paths: ["name"] }), violations: [bad("name", "REQUIRED")] },
  { label: "update: rename to a 64-character name", call: update({ name: "x".repeat(64), paths: ["name"] }), violations: [bad("name", "MAX_LENGTH")] },
  {
    label: "update: bad name and bad region together",
    call: update({ name: "%%%", spec: awsSpec({ region: "nowhere" }), paths: ["name", "spec.aws.region"] }),
    violations: [bad("name", "PATTERN"), bad("spec.aws.region", "ENUM")],
  },
  { label: "update: no etag", call: update({ name: "renamed", paths: ["name"], etag: "" }), violations: [bad("etag", "REQUIRED")] },
  { label: "delete: no etag", call: () => a.connections.deleteConnection({ connection: existing.id, etag: "" }), violations: [bad("etag", "REQUIRED")] },
];

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe("bad requests are INVALID_ARGUMENT with the field path and reason, and write nothing", () => {
  it("the table holds at least 45 distinct cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    expect(new Set(cases.map((c) => c.label)).size).toBe(cases.length);
  });

  it.each(cases)("$label", async ({ label, call, violations }) => {
    const before = await snapshot();
    const error = await failure(call());
    expect(error.code, `${label}: ${error.rawMessage}`).toBe(Code.InvalidArgument);

    const details = error.findDetails(BadRequestSchema);
    expect(details, `${label}: one google.rpc.BadRequest detail`).toHaveLength(1);
    const got = details[0]!.fieldViolations.map((v) => ({ field: v.field, reason: v.reason }));
    for (const want of violations) {
      expect(got, label).toContainEqual({ field: want.field, reason: typeof want.reason === "string" ? want.reason : expect.stringMatching(want.reason) });
    }
    expect(got, `${label}: no other violations`).toHaveLength(violations.length);
    for (const v of details[0]!.fieldViolations) expect(v.description, `${label}: every violation is described`).not.toBe("");

    // No secret comes back, in any form.
    const detailJson = toJsonString(BadRequestSchema, details[0]!);
    for (const form of markerForms(MARKER)) {
      expect(error.rawMessage, label).not.toContain(form);
      expect(detailJson, label).not.toContain(form);
    }

    expect(await snapshot(), `${label}: nothing written`).toEqual(before);
  });

  it("after the whole table nothing was written and no secret was logged", async () => {
    const after = await snapshot();
    expect(after).toEqual(baseline);
    // The connection the update cases aimed at kept its etag and credential version.
    const row = await h.registry.db.selectFrom("connections").selectAll().where("id", "=", existing.id).executeTakeFirstOrThrow();
    expect(row.etag).toBe(existing.etag);
    expect(row.credential_version).toBe(existing.credentialVersion);
    const live = await h.vault.db.selectFrom("credential_versions").select("version").where("connection_id", "=", existing.id).execute();
    expect(live.map((r) => r.version)).toEqual([1]);
    const text = logs.text();
    for (const form of markerForms(MARKER)) expect(text).not.toContain(form);
  });

  it("the same requests made valid are accepted (the table fails for the reason it names)", async () => {
    // Guards the table itself: the base specs it mutates are valid, so each case is rejected for its one change.
    const bases: [string, SpecInit][] = [
      ["aws", awsSpec()],
      ["gcp", gcpKey(gcpKeyBase64({}))],
      ["gcp-runner", gcpRunner(runnerGcpA, "acme-prod-1234")],
      ["azure", azureSpec()],
      ["do", doSpec({ spacesAccessId: "DO00EXAMPLEACCESSID12", spacesSecretKey: `${MARKER}spacessecret0123456789` })],
      ["civo", civoSpec({ objectStoreAccessId: "civoobjectstoreid0001", objectStoreSecretKey: `${MARKER}objectstoresecret0123` })],
      [
        "cf",
        cfSpec({
          apiToken: CF_TOKEN,
          accountId: CF_ACCOUNT,
          r2: { accessKeyId: R2_KEY_ID, secretAccessKey: R2_SECRET, endpoint: `https://${CF_ACCOUNT}.r2.cloudflarestorage.com` },
        }),
      ],
      ["cf-legacy", cfSpec({ legacy: { apiKey: `cfk_${MARKER}${"k".repeat(48)}`.slice(0, 52), email: "ops@example.com" } })],
    ];
    for (const [label, spec] of bases) {
      const { connection } = await a.connections.createConnection({ name: `validation-base-${label}`, spec });
      expect(connection!.slug).toBe(`validation-base-${label}`);
    }
  });
});
