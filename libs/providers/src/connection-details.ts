import { create } from "@bufbuild/protobuf";
import {
  type AwsDetails,
  AwsDetailsSchema,
  type AzureDetails,
  AzureDetailsSchema,
  type CivoDetails,
  CivoDetailsSchema,
  type CloudflareDetails,
  CloudflareDetailsSchema,
  type ConnectionDetails,
  ConnectionDetailsSchema,
  type DigitalOceanDetails,
  DigitalOceanDetailsSchema,
  type GcpDetails,
  GcpDetailsSchema,
} from "@planton/proto/planton/connect/v1/connection_pb";
import type {
  AwsSpec,
  AzureSpec,
  CivoSpec,
  CloudflareSpec,
  ConnectionSpec,
  DigitalOceanSpec,
  GcpSpec,
} from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AWS_DEFAULT_REGION } from "./aws-rules.js";
import { maskIdentifier, maskSecret } from "./masking.js";
import { parseServiceAccountKey } from "./service-account-key.js";

/**
 * detailsOf builds the response view of a full spec (secrets included, as
 * merged from the vault, or the public half alone): non-secret fields as
 * they are, secrets only as masked hints. Key identifiers (AWS access key
 * id, R2 access key id) are masked with `maskIdentifier`, secrets with
 * `maskSecret`; GCP shows the project, client email and key id read from the
 * key; Cloudflare names its `credential_kind` ("api_token" or "legacy");
 * DigitalOcean, Civo and R2 report whether their optional keys are
 * configured. No secret value is ever copied whole. An empty spec gives
 * empty details.
 */
export function detailsOf(fullSpec: ConnectionSpec): ConnectionDetails {
  const provider = fullSpec.provider;
  switch (provider.case) {
    case "aws":
      return create(ConnectionDetailsSchema, { provider: { case: "aws", value: awsDetails(provider.value) } });
    case "gcp":
      return create(ConnectionDetailsSchema, { provider: { case: "gcp", value: gcpDetails(provider.value) } });
    case "azure":
      return create(ConnectionDetailsSchema, { provider: { case: "azure", value: azureDetails(provider.value) } });
    case "digitalocean":
      return create(ConnectionDetailsSchema, {
        provider: { case: "digitalocean", value: digitalOceanDetails(provider.value) },
      });
    case "civo":
      return create(ConnectionDetailsSchema, { provider: { case: "civo", value: civoDetails(provider.value) } });
    case "cloudflare":
      return create(ConnectionDetailsSchema, {
        provider: { case: "cloudflare", value: cloudflareDetails(provider.value) },
      });
    case undefined:
      return create(ConnectionDetailsSchema);
  }
}

function awsDetails(spec: AwsSpec): AwsDetails {
  const auth = spec.auth;
  return create(AwsDetailsSchema, {
    accountId: spec.accountId,
    // Show the region deployments will use, also for a spec stored before normalization.
    region: spec.region === "" ? AWS_DEFAULT_REGION : spec.region,
    accessKeyIdHint: auth.case === "inlineKeys" ? maskIdentifier(auth.value.accessKeyId) : "",
    runnerId: auth.case === "runner" ? auth.value.runnerId : "",
    roleArn: auth.case === "crossAccountTrust" ? auth.value.roleArn : "",
    capabilities: auth.case === "crossAccountTrust" ? [...auth.value.capabilities] : [],
    stackId: auth.case === "crossAccountTrust" ? auth.value.stackId : "",
  });
}

function gcpDetails(spec: GcpSpec): GcpDetails {
  const auth = spec.auth;
  const parsed = auth.case === "serviceAccountKey" ? parseServiceAccountKey(auth.value.keyBase64) : undefined;
  const key = parsed?.ok === true ? parsed.key : undefined;
  return create(GcpDetailsSchema, {
    projectId: spec.projectId !== "" ? spec.projectId : (key?.projectId ?? ""),
    clientEmail: key?.clientEmail ?? "",
    privateKeyId: key?.privateKeyId ?? "",
    runnerId: auth.case === "runner" ? auth.value.runnerId : "",
  });
}

function azureDetails(spec: AzureSpec): AzureDetails {
  const auth = spec.auth;
  return create(AzureDetailsSchema, {
    tenantId: spec.tenantId,
    subscriptionId: spec.subscriptionId,
    clientId: auth.case === "servicePrincipal" ? auth.value.clientId : "",
    clientSecretHint: auth.case === "servicePrincipal" ? maskSecret(auth.value.clientSecret) : "",
    runnerId: auth.case === "runner" ? auth.value.runnerId : "",
  });
}

function digitalOceanDetails(spec: DigitalOceanSpec): DigitalOceanDetails {
  return create(DigitalOceanDetailsSchema, {
    apiTokenHint: maskSecret(spec.apiToken),
    defaultRegion: spec.defaultRegion,
    spacesAccessId: spec.spacesAccessId,
    // The id alone is stored in public; the pair is what makes Spaces usable.
    spacesConfigured: spec.spacesAccessId !== "" && spec.spacesSecretKey !== "",
  });
}

function civoDetails(spec: CivoSpec): CivoDetails {
  return create(CivoDetailsSchema, {
    apiTokenHint: maskSecret(spec.apiToken),
    defaultRegion: spec.defaultRegion,
    objectStoreAccessId: spec.objectStoreAccessId,
    objectStoreConfigured: spec.objectStoreAccessId !== "" && spec.objectStoreSecretKey !== "",
  });
}

function cloudflareDetails(spec: CloudflareSpec): CloudflareDetails {
  const credentialKind = spec.apiToken !== "" ? "api_token" : spec.legacy !== undefined ? "legacy" : "";
  return create(CloudflareDetailsSchema, {
    credentialKind,
    apiTokenHint: maskSecret(spec.apiToken),
    legacyEmail: spec.legacy?.email ?? "",
    accountId: spec.accountId,
    r2Configured: spec.r2 !== undefined,
    r2AccessKeyIdHint: maskIdentifier(spec.r2?.accessKeyId ?? ""),
    r2Endpoint: spec.r2?.endpoint ?? "",
  });
}
