import { generateKeyPairSync } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();

/** A service-account JSON key as GCP issues it, base64 encoded. */
export function gcpKeyBase64(overrides: Record<string, unknown> = {}, projectId = "acme-prod-1234"): string {
  const key = {
    type: "service_account",
    project_id: projectId,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: pem,
    client_email: `deployer@${projectId}.iam.gserviceaccount.com`,
    client_id: "112233445566778899000",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    ...overrides,
  };
  return Buffer.from(JSON.stringify(key)).toString("base64");
}

/** A 40-character AWS secret shape containing `marker` (so tests can search for it). */
export function awsSecret(marker = ""): string {
  const base = `${marker}wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYabcdefgh`.replace(/[^A-Za-z0-9/+]/g, "");
  return base.slice(0, 40);
}

/** Valid specs, one per provider and auth mode, with secrets that embed `marker`. */
export function validSpecs(marker: string, runnerId: string): Record<string, SpecInit> {
  const m = marker.replace(/[^A-Za-z0-9]/g, "");
  return {
    "aws inline": {
      provider: { case: "aws", value: { accountId: "123456789012", auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret(m) } } } },
    },
    "aws runner": { provider: { case: "aws", value: { accountId: "210987654321", region: "eu-west-1", auth: { case: "runner", value: { runnerId } } } } },
    "gcp key": { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64({ marker: m }) } } } } },
    "gcp runner": { provider: { case: "gcp", value: { projectId: "acme-stage-5678", auth: { case: "runner", value: { runnerId } } } } },
    "azure service principal": {
      provider: {
        case: "azure",
        value: {
          tenantId: "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00",
          subscriptionId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
          auth: { case: "servicePrincipal", value: { clientId: "0f1e2d3c-4b5a-4968-8776-655443322110", clientSecret: `${m}-azure-client-secret-value` } },
        },
      },
    },
    "azure runner": {
      provider: {
        case: "azure",
        value: { tenantId: "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00", subscriptionId: "2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", auth: { case: "runner", value: { runnerId } } },
      },
    },
    digitalocean: {
      provider: {
        case: "digitalocean",
        value: { apiToken: `dop_v1_${m}${"a".repeat(64)}`.slice(0, 71), defaultRegion: "fra1", spacesAccessId: "DO00EXAMPLEACCESSID12", spacesSecretKey: `${m}spacessecretkeyvalue0123456789` },
      },
    },
    civo: { provider: { case: "civo", value: { apiToken: `${m}civoapitokenvalue0123456789`, defaultRegion: "LON1" } } },
    "cloudflare token": {
      provider: {
        case: "cloudflare",
        value: {
          apiToken: `cfut_${m}${"x".repeat(48)}`.slice(0, 53),
          accountId: "0123456789abcdef0123456789abcdef",
          // R2 keys are hex (token id, SHA-256 of the token): the marker goes in as hex, a form leak checks search for.
          r2: {
            accessKeyId: "fedcba9876543210fedcba9876543210",
            secretAccessKey: `${Buffer.from(m).toString("hex")}${"0".repeat(64)}`.slice(0, 64),
            endpoint: "https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com",
          },
        },
      },
    },
    "cloudflare legacy": {
      provider: { case: "cloudflare", value: { legacy: { apiKey: `cfk_${m}${"k".repeat(48)}`.slice(0, 52), email: "ops@example.com" } } },
    },
  };
}
