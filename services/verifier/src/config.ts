import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";
import { readConsumerSettings, type ConsumerSettings } from "@planton/events";
import type { ProviderEndpoints } from "./checks/provider-check.js";

/** The verifier's configuration, parsed once at start. */
export interface VerifierConfig {
  readonly service: ServiceConfig;
  readonly vaultUrl: string | undefined;
  readonly registryUrl: string | undefined;
  readonly serviceTokenFile: string | undefined;
  readonly serviceToken: string | undefined;
  /** Its durable consumer of the registry's events (`CONSUMER_ACK_WAIT_MS`). */
  readonly consumer: ConsumerSettings;
  /** Provider API base URLs (tests point them at local servers). */
  readonly endpoints: ProviderEndpoints;
  /** Per-request timeout of a provider call. */
  readonly checkTimeoutMs: number;
  /** Deliveries of one event before a provider outage is recorded as a failure. */
  readonly maxTransientAttempts: number;
  /** AWS_TRUST_PROPAGATION_MS: how long a new cross-account role that cannot be assumed is retried (IAM propagation). */
  readonly trustPropagationMs: number;
  /** PERMISSION_CHECKS: after a successful verification, ask AWS, GCP and Azure what the credential may do per capability. */
  readonly checkPermissions: boolean;
  /** AWS_TRUST_PRINCIPAL_ARN: the platform principal trust roles must trust alone (the trust-policy lint); undefined when unset. */
  readonly trustPrincipalArn: string | undefined;
}

/** loadVerifierConfig parses the verifier's environment; throws ConfigError naming the variable. */
export function loadVerifierConfig(environment: Env, options: { requireUrls: boolean }): VerifierConfig {
  const env = createEnvReader(environment);
  const service = readServiceConfig(env);
  const url = (name: string, fallback: string) => (env.url(name, ["https:", "http:"])?.toString() ?? fallback).replace(/\/$/, "");
  const vaultUrl = env.url("VAULT_URL", ["http:", "https:"]);
  const registryUrl = env.url("REGISTRY_URL", ["http:", "https:"]);
  if (options.requireUrls && vaultUrl === undefined) throw new ConfigError("VAULT_URL", "is required (native gRPC URL of the vault)");
  if (options.requireUrls && registryUrl === undefined) throw new ConfigError("REGISTRY_URL", "is required (native gRPC URL of the registry)");
  return Object.freeze({
    service,
    vaultUrl: vaultUrl?.toString().replace(/\/$/, ""),
    registryUrl: registryUrl?.toString().replace(/\/$/, ""),
    serviceTokenFile: env.string("SERVICE_TOKEN_FILE"),
    serviceToken: env.string("SERVICE_TOKEN"),
    consumer: readConsumerSettings(env),
    endpoints: Object.freeze({
      awsSts: url("AWS_STS_URL", "https://sts.amazonaws.com"),
      azureLogin: url("AZURE_LOGIN_URL", "https://login.microsoftonline.com"),
      azureManagement: url("AZURE_MANAGEMENT_URL", "https://management.azure.com"),
      digitalocean: url("DIGITALOCEAN_API_URL", "https://api.digitalocean.com"),
      civo: url("CIVO_API_URL", "https://api.civo.com"),
      cloudflare: url("CLOUDFLARE_API_URL", "https://api.cloudflare.com"),
      gcpTokenUri: env.url("GCP_TOKEN_URI", ["https:", "http:"])?.toString() ?? "",
      awsIam: url("AWS_IAM_URL", "https://iam.amazonaws.com"),
      azureGraph: url("AZURE_GRAPH_URL", "https://graph.microsoft.com"),
      gcpIam: url("GCP_IAM_URL", "https://iam.googleapis.com"),
      gcpResourceManager: url("GCP_RESOURCE_MANAGER_URL", "https://cloudresourcemanager.googleapis.com"),
    }),
    checkTimeoutMs: env.int("CHECK_TIMEOUT_MS", 10_000, { min: 100, max: 120_000 }),
    maxTransientAttempts: env.int("VERIFY_MAX_ATTEMPTS", 10, { min: 1, max: 100 }),
    trustPropagationMs: env.int("AWS_TRUST_PROPAGATION_MS", 300_000, { min: 0, max: 3_600_000 }),
    checkPermissions: env.bool("PERMISSION_CHECKS", true),
    trustPrincipalArn: trustPrincipalArn(env.string("AWS_TRUST_PRINCIPAL_ARN")),
  });
}

// The registry's rule for the same variable: an IAM role or user ARN, or an account root.
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]{1,512})$/;

function trustPrincipalArn(value: string | undefined): string | undefined {
  if (value !== undefined && !PRINCIPAL_ARN.test(value)) {
    throw new ConfigError("AWS_TRUST_PRINCIPAL_ARN", "must be an IAM role, user or account-root ARN (arn:aws:iam::<account>:role/<name>)");
  }
  return value;
}
