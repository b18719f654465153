import { generateKeyPairSync } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";

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

/** One runner id per runner-capable provider (each provider accepts only its own kind of runner). */
export interface RunnerIds {
  readonly aws: string;
  readonly gcp: string;
  readonly azure: string;
}

/** Principals of valid runner identities, one per kind, for tests that register runners. */
export const RUNNER_IDENTITIES = {
  aws: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/planton-runner" },
  gcp: { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "planton-runner@acme-prod-1234.iam.gserviceaccount.com" },
  azure: { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d" },
} as const;

/** registerRunners registers one runner of each kind through `runners` (names get `prefix`). */
export async function registerRunners(
  runners: { registerRunner(request: { name: string; identity: { kind: RunnerIdentityKind; principal: string } }): Promise<{ runner?: { id: string } }> },
  prefix: string,
): Promise<RunnerIds> {
  const one = async (provider: keyof typeof RUNNER_IDENTITIES) =>
    (await runners.registerRunner({ name: `${prefix}-${provider}`, identity: RUNNER_IDENTITIES[provider] })).runner!.id;
  return { aws: await one("aws"), gcp: await one("gcp"), azure: await one("azure") };
}

/**
 * Valid specs, one per provider and auth mode, with secrets that embed
 * `marker`; runner specs name `runners` (one id used for all three when a
 * string: only for tests that never store them).
 */
export function validSpecs(marker: string, runners: string | RunnerIds): Record<string, SpecInit> {
  const m = marker.replace(/[^A-Za-z0-9]/g, "");
  const ids = typeof runners === "string" ? { aws: runners, gcp: runners, azure: runners } : runners;
  return {
    "aws inline": {
      provider: {
        case: "aws",
        value: { accountId: "123456789012", auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret(m) } } },
      },
    },
    "aws runner": {
      provider: { case: "aws", value: { accountId: "210987654321", region: "eu-west-1", auth: { case: "runner", value: { runnerId: ids.aws } } } },
    },
    "gcp key": { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64({ marker: m }) } } } } },
    "gcp runner": { provider: { case: "gcp", value: { projectId: "acme-stage-5678", auth: { case: "runner", value: { runnerId: ids.gcp } } } } },
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
        value: {
          tenantId: "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00",
          subscriptionId: "2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
          auth: { case: "runner", value: { runnerId: ids.azure } },
        },
      },
    },
    digitalocean: {
      provider: {
        case: "digitalocean",
        value: {
          apiToken: `dop_v1_${m}${"a".repeat(64)}`.slice(0, 71),
          defaultRegion: "fra1",
          spacesAccessId: "DO00EXAMPLEACCESSID12",
          spacesSecretKey: `${m}spacessecretkeyvalue0123456789`,
        },
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
