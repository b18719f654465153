/**
 * Valid connection specs for every provider and auth mode, for this
 * package's tests (not exported from the package index). They live in src/
 * because the package keeps all its code there; nothing runs at import.
 */
import { generateKeyPairSync } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  AwsSpecSchema,
  AzureSpecSchema,
  CivoSpecSchema,
  CloudflareSpecSchema,
  type ConnectionSpec,
  ConnectionSpecSchema,
  DigitalOceanSpecSchema,
  GcpSpecSchema,
} from "@planton/proto/planton/connect/v1/connection_spec_pb";

/** AWS's documented example access key id. */
export const AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
/** AWS's documented example secret access key. */
export const AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/** A well-formed runner id. */
export const RUNNER_ID = "runner_01j9x7k2m4";
/** The project of the fixture service-account key. */
export const GCP_PROJECT_ID = "acme-prod-123";
/** A tenant UUID. */
const AZURE_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
/** A subscription UUID (lower case). */
export const AZURE_SUBSCRIPTION_ID = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
/** An application (client) UUID. */
export const AZURE_CLIENT_ID = "11111111-2222-4333-8444-555555555555";
/** A client secret in the current `...Q~...` shape. */
const AZURE_CLIENT_SECRET = "abc8Q~Zr4pN1kT2vW3xY4zA5bC6dE7fG8hI9jK0";
/** A personal access token in the dop_v1_ + 64 hex shape. */
const DO_TOKEN = `dop_v1_${"0123456789abcdef".repeat(4)}`;
/** An opaque alphanumeric Civo API key. */
const CIVO_TOKEN = "Xy7pQ2rT9sV4wZ1aB6cD3eF8gH5jK0mN2pQ4rS6tU8vW0xY1z";
/** A classic 40-character Cloudflare API token. */
export const CF_TOKEN_40 = "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm3_";
/** A 2026-format 53-character user token (cfut_ + 40 + 8-character checksum). */
export const CF_TOKEN_53 = `cfut_${"Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8Nn7-"}a1b2c3d4`;
/** A classic 37-hex-character global API key. */
const CF_GLOBAL_KEY = "0123456789abcdef0123456789abcdef01234";
/** A 32-hex-character account id. */
export const CF_ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
/** An R2 access key id (the API token's 32-hex id). */
const R2_ACCESS_KEY_ID = "fedcba9876543210fedcba9876543210";
/** An R2 secret (the SHA-256 hex of a token). */
const R2_SECRET_ACCESS_KEY = "9".repeat(64);

let rsaPem: string | undefined;

/** A real 2048-bit RSA private key as PKCS#8 PEM, generated once per process. */
export function rsaPrivateKeyPem(): string {
  rsaPem ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return rsaPem;
}

/** A service-account key file's JSON fields, with `overrides` applied (`undefined` removes a field). */
function gcpKeyJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const json: Record<string, unknown> = {
    type: "service_account",
    project_id: GCP_PROJECT_ID,
    private_key_id: "a".repeat(40),
    private_key: rsaPrivateKeyPem(),
    client_email: `deployer@${GCP_PROJECT_ID}.iam.gserviceaccount.com`,
    client_id: "123456789012345678901",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    universe_domain: "googleapis.com",
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete json[name];
    else json[name] = value;
  }
  return json;
}

/** Base64 of {@link gcpKeyJson}, as a user would paste it into `key_base64`. */
export function gcpKeyBase64(overrides: Record<string, unknown> = {}): string {
  return Buffer.from(JSON.stringify(gcpKeyJson(overrides), null, 2)).toString("base64");
}

/** A spec for AWS built from `init`. */
export function aws(init: MessageInitShape<typeof AwsSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "aws", value: create(AwsSpecSchema, init) } });
}
/** A spec for GCP built from `init`. */
export function gcp(init: MessageInitShape<typeof GcpSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "gcp", value: create(GcpSpecSchema, init) } });
}
/** A spec for Azure built from `init`. */
export function azure(init: MessageInitShape<typeof AzureSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "azure", value: create(AzureSpecSchema, init) } });
}
/** A spec for DigitalOcean built from `init`. */
export function digitalocean(init: MessageInitShape<typeof DigitalOceanSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "digitalocean", value: create(DigitalOceanSpecSchema, init) } });
}
/** A spec for Civo built from `init`. */
export function civo(init: MessageInitShape<typeof CivoSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "civo", value: create(CivoSpecSchema, init) } });
}
/** A spec for Cloudflare built from `init`. */
export function cloudflare(init: MessageInitShape<typeof CloudflareSpecSchema>): ConnectionSpec {
  return create(ConnectionSpecSchema, { provider: { case: "cloudflare", value: create(CloudflareSpecSchema, init) } });
}

/** Inits of valid specs, one per provider and mode; spread one and override a field to make a bad spec. */
export const valid = {
  awsInline: () => ({
    accountId: "123456789012",
    region: "us-east-1",
    auth: { case: "inlineKeys" as const, value: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY } },
  }),
  awsRunner: () => ({ accountId: "123456789012", auth: { case: "runner" as const, value: { runnerId: RUNNER_ID } } }),
  gcpKey: () => ({ auth: { case: "serviceAccountKey" as const, value: { keyBase64: gcpKeyBase64() } } }),
  gcpRunner: () => ({ projectId: GCP_PROJECT_ID, auth: { case: "runner" as const, value: { runnerId: RUNNER_ID } } }),
  azureServicePrincipal: () => ({
    tenantId: AZURE_TENANT_ID,
    subscriptionId: AZURE_SUBSCRIPTION_ID,
    auth: { case: "servicePrincipal" as const, value: { clientId: AZURE_CLIENT_ID, clientSecret: AZURE_CLIENT_SECRET } },
  }),
  azureRunner: () => ({
    tenantId: AZURE_TENANT_ID,
    subscriptionId: AZURE_SUBSCRIPTION_ID,
    auth: { case: "runner" as const, value: { runnerId: RUNNER_ID } },
  }),
  digitalocean: () => ({ apiToken: DO_TOKEN, defaultRegion: "nyc3" }),
  civo: () => ({ apiToken: CIVO_TOKEN, defaultRegion: "LON1" }),
  cloudflareToken: () => ({ apiToken: CF_TOKEN_40 }),
  cloudflareLegacy: () => ({ legacy: { apiKey: CF_GLOBAL_KEY, email: "ops@example.com" } }),
};

/** Every valid spec shape by name: each provider, each auth mode, optional parts set and unset. */
export function validSpecs(): Record<string, ConnectionSpec> {
  return {
    "aws inline keys": aws(valid.awsInline()),
    "aws inline keys, default region, ASIA key": aws({
      ...valid.awsInline(),
      region: "",
      auth: { case: "inlineKeys", value: { accessKeyId: "ASIAY34FZKBOKMUTVV7A", secretAccessKey: AWS_SECRET_ACCESS_KEY } },
    }),
    "aws inline keys, gov region": aws({ ...valid.awsInline(), region: "us-gov-west-1" }),
    "aws runner": aws(valid.awsRunner()),
    "gcp service account key": gcp(valid.gcpKey()),
    "gcp service account key, line-wrapped, with matching project": gcp({
      projectId: GCP_PROJECT_ID,
      auth: { case: "serviceAccountKey", value: { keyBase64: (gcpKeyBase64().match(/.{1,76}/g) ?? []).join("\n") } },
    }),
    "gcp runner": gcp(valid.gcpRunner()),
    "azure service principal": azure(valid.azureServicePrincipal()),
    "azure runner": azure(valid.azureRunner()),
    digitalocean: digitalocean(valid.digitalocean()),
    "digitalocean with spaces": digitalocean({
      ...valid.digitalocean(),
      defaultRegion: "atl1",
      spacesAccessId: "EXAMPLE7UQOTHDTF3GK4",
      spacesSecretKey: "Qm9vdGxlZ2dlZFNwYWNlc1NlY3JldEtleUV4YW1wbGUx",
    }),
    civo: civo(valid.civo()),
    "civo with object store": civo({
      ...valid.civo(),
      defaultRegion: "PHX1",
      objectStoreAccessId: "CIVOACCESSKEY0000001",
      objectStoreSecretKey: "civo-object-store-secret-0000000001",
    }),
    "cloudflare 40-char token": cloudflare(valid.cloudflareToken()),
    "cloudflare 53-char cfut_ token, account and r2": cloudflare({
      apiToken: CF_TOKEN_53,
      accountId: CF_ACCOUNT_ID,
      r2: {
        accessKeyId: R2_ACCESS_KEY_ID,
        secretAccessKey: R2_SECRET_ACCESS_KEY,
        endpoint: `https://${CF_ACCOUNT_ID}.r2.cloudflarestorage.com`,
      },
    }),
    "cloudflare legacy global key": cloudflare(valid.cloudflareLegacy()),
  };
}
