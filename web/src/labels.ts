import { AwsTrustSetupState } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { AuthMode, AwsCapability, ConnectionStatus, Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";

/** The providers the console offers, in card order, with their URL keys. */
export const PROVIDERS = [
  { provider: Provider.AWS, key: "aws", label: "AWS", blurb: "Amazon Web Services: inline keys, cross-account trust or a self-hosted runner." },
  { provider: Provider.GCP, key: "gcp", label: "GCP", blurb: "Google Cloud: a service-account JSON key." },
  { provider: Provider.AZURE, key: "azure", label: "Azure", blurb: "Microsoft Azure: a service principal of a subscription." },
  { provider: Provider.DIGITALOCEAN, key: "digitalocean", label: "DigitalOcean", blurb: "A personal access token, a default region and optional Spaces keys." },
  { provider: Provider.CIVO, key: "civo", label: "Civo", blurb: "An API key, a default region and optional object-store keys." },
  { provider: Provider.CLOUDFLARE, key: "cloudflare", label: "Cloudflare", blurb: "A scoped API token (or the legacy global key) and optional R2 keys." },
] as const;

/** ProviderKey is a provider's URL key, e.g. "aws". */
export type ProviderKey = (typeof PROVIDERS)[number]["key"];

/** providerLabel names a provider for people. */
export function providerLabel(provider: Provider): string {
  return PROVIDERS.find((p) => p.provider === provider)?.label ?? "Unknown";
}

/** authModeLabel names an auth mode for people. */
export function authModeLabel(mode: AuthMode): string {
  switch (mode) {
    case AuthMode.INLINE:
      return "Inline credentials";
    case AuthMode.RUNNER:
      return "Self-hosted runner";
    case AuthMode.CROSS_ACCOUNT_TRUST:
      return "Cross-account trust";
    default:
      return "Unknown";
  }
}

/** STATUSES are the filterable statuses with their words. */
export const STATUSES: readonly { status: ConnectionStatus; label: string }[] = [
  { status: ConnectionStatus.PENDING_VERIFICATION, label: "Pending verification" },
  { status: ConnectionStatus.VERIFIED, label: "Verified" },
  { status: ConnectionStatus.VERIFICATION_FAILED, label: "Verification failed" },
  { status: ConnectionStatus.AWAITING_TRUST_SETUP, label: "Awaiting trust setup" },
  { status: ConnectionStatus.VERIFIED_BY_RUNNER, label: "Verified by runner" },
];

/** statusLabel names a status for people. */
export function statusLabel(status: ConnectionStatus): string {
  return STATUSES.find((s) => s.status === status)?.label ?? "Unknown";
}

/** The ten capabilities of the trust role, in the documentation's order. */
export const CAPABILITIES: readonly { capability: AwsCapability; label: string }[] = [
  { capability: AwsCapability.EKS, label: "EKS clusters" },
  { capability: AwsCapability.ECS, label: "ECS services" },
  { capability: AwsCapability.VPC_NETWORKING, label: "VPC networking" },
  { capability: AwsCapability.S3_STORAGE, label: "S3 storage" },
  { capability: AwsCapability.RDS, label: "RDS databases" },
  { capability: AwsCapability.LAMBDA, label: "Lambda compute" },
  { capability: AwsCapability.ROUTE53, label: "Route 53 DNS" },
  { capability: AwsCapability.CLOUDWATCH, label: "CloudWatch monitoring" },
  { capability: AwsCapability.ECR, label: "ECR container registry" },
  { capability: AwsCapability.KMS, label: "KMS encryption" },
];

/** capabilityLabel names a capability for people. */
export function capabilityLabel(capability: AwsCapability): string {
  return CAPABILITIES.find((c) => c.capability === capability)?.label ?? "Unknown";
}

/** RUNNER_KINDS are the runner identity kinds with their words and provider. */
export const RUNNER_KINDS: readonly { kind: RunnerIdentityKind; label: string; provider: Provider; principalHint: string }[] = [
  { kind: RunnerIdentityKind.AWS_IRSA, label: "AWS IRSA", provider: Provider.AWS, principalHint: "arn:aws:iam::123456789012:role/planton-runner" },
  {
    kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY,
    label: "GCP Workload Identity",
    provider: Provider.GCP,
    principalHint: "runner@project.iam.gserviceaccount.com",
  },
  {
    kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY,
    label: "Azure Managed Identity",
    provider: Provider.AZURE,
    principalHint: "managed identity client id (UUID)",
  },
];

/** runnerKindLabel names a runner kind for people. */
export function runnerKindLabel(kind: RunnerIdentityKind): string {
  return RUNNER_KINDS.find((k) => k.kind === kind)?.label ?? "Unknown";
}

/** setupStateLabel says where an AWS trust setup stands. */
export function setupStateLabel(state: AwsTrustSetupState): string {
  switch (state) {
    case AwsTrustSetupState.PENDING:
      return "Waiting for the CloudFormation stack";
    case AwsTrustSetupState.COMPLETED:
      return "Role captured";
    case AwsTrustSetupState.EXPIRED:
      return "Link expired";
    case AwsTrustSetupState.SUPERSEDED:
      return "Replaced by a newer setup";
    default:
      return "Unknown";
  }
}
