import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import type { PermissionReport } from "../permissions/permission-report.js";
import type { TrustPolicyReviewOutcome } from "./review-warning.js";
import type { AwsCredentials } from "./sts-call.js";

/**
 * The outcome of proving one credential version against its provider.
 * - `verified`: the provider accepted the credentials; `identity` is what it
 *   reported (AWS caller ARN, GCP service-account email, Azure
 *   subscription display name or id, DigitalOcean account email, Civo
 *   "civo", Cloudflare token id or user email); `lifetime` the credential's
 *   own dates where the provider reports them to the credential itself;
 *   `permissions` what it may do, per capability, where the provider can
 *   say (AWS, GCP, Azure, with `checkPermissions` on);
 *   `trustPolicyReview` (AWS cross-account trust) the deployed role read
 *   back and linted, its findings becoming the verification's warnings.
 * - `failed`: the provider refused for a reason the user must fix;
 *   `reason` is a stable UPPER_SNAKE code (INVALID_CREDENTIALS, EXPIRED,
 *   INSUFFICIENT_PERMISSIONS, ACCOUNT_MISMATCH, REGION_UNAVAILABLE,
 *   ROLE_NOT_FOUND, EXTERNAL_ID_NOT_ENFORCED, ...) and `message` says what to
 *   do, never containing a secret.
 * - `transient`: the provider could not answer now (timeout, 429, 5xx,
 *   malformed response, network error); `retryAfterMs` when the provider said.
 */
export type CheckResult =
  | {
      readonly kind: "verified";
      readonly identity: string;
      readonly lifetime?: CredentialLifetime;
      readonly permissions?: PermissionReport;
      readonly trustPolicyReview?: TrustPolicyReviewOutcome;
    }
  | { readonly kind: "failed"; readonly reason: string; readonly message: string }
  | { readonly kind: "transient"; readonly reason: string; readonly message: string; readonly retryAfterMs?: number };

/**
 * A credential's own dates as its provider reports them, read with the
 * credential itself: creation (AWS access key CreateDate, GCP key
 * validAfterTime, Azure client secret startDateTime) and expiry (Cloudflare
 * token expires_on, Azure endDateTime, GCP validBeforeTime). Where the
 * provider refuses the read, `unavailableReason` says why (never a secret)
 * and the registry falls back to the seal time. Reading them never decides
 * whether the credential is verified.
 */
export interface CredentialLifetime {
  readonly createTime?: Date;
  readonly expireTime?: Date;
  readonly unavailableReason?: string;
}

/** Base URLs of the providers' APIs: configuration, so tests point them at local servers. */
export interface ProviderEndpoints {
  /** AWS STS, e.g. https://sts.amazonaws.com (regional endpoints work too). */
  readonly awsSts: string;
  /** Azure Entra ID token host, e.g. https://login.microsoftonline.com. */
  readonly azureLogin: string;
  /** Azure Resource Manager, e.g. https://management.azure.com. */
  readonly azureManagement: string;
  /** DigitalOcean API, e.g. https://api.digitalocean.com. */
  readonly digitalocean: string;
  /** Civo API, e.g. https://api.civo.com. */
  readonly civo: string;
  /** Cloudflare API, e.g. https://api.cloudflare.com. */
  readonly cloudflare: string;
  /**
   * GCP token endpoint override; when empty the key's own `token_uri` is used
   * (Google's Node library ignores it; we honour it, see the reference).
   */
  readonly gcpTokenUri: string;
  /**
   * AWS IAM (ListAccessKeys: an access key's CreateDate; a trust role read
   * back with GetRole and its policies), e.g. https://iam.amazonaws.com;
   * absent or empty: not read.
   */
  readonly awsIam?: string;
  /** Microsoft Graph (the application's passwordCredentials), e.g. https://graph.microsoft.com; absent or empty: not read. */
  readonly azureGraph?: string;
  /** GCP IAM (serviceAccounts.keys.get), e.g. https://iam.googleapis.com; absent or empty: not read. */
  readonly gcpIam?: string;
  /** GCP Resource Manager (projects.testIamPermissions), e.g. https://cloudresourcemanager.googleapis.com; absent or empty: not checked. */
  readonly gcpResourceManager?: string;
}

/** Options every check gets. */
export interface CheckOptions {
  readonly endpoints: ProviderEndpoints;
  /** Aborts the check (deadline or shutdown). */
  readonly signal?: AbortSignal;
  /** Per-request timeout in ms. */
  readonly timeoutMs: number;
  /** The connection id (AWS AssumeRole uses it as the session name). */
  readonly connectionId: string;
  /**
   * The platform's own AWS identity: the runner principal that customers'
   * cross-account roles trust. In production it comes from the standard AWS
   * credential chain (and may be temporary, with a session token); undefined
   * when the verifier has no AWS identity, in which case cross-account trust
   * cannot be verified. Called once per check; it may throw when the chain
   * cannot produce credentials.
   */
  readonly platformAwsCredentials?: () => Promise<AwsCredentials>;
  /**
   * After a successful verification, ask the provider what the credential
   * may do per capability (AWS IAM SimulatePrincipalPolicy at
   * `endpoints.awsIam`, GCP testIamPermissions at
   * `endpoints.gcpResourceManager`, Azure's permissions API at
   * `endpoints.azureManagement`). Off or absent: not asked.
   */
  readonly checkPermissions?: boolean;
  /**
   * The platform's principal that customers' trust roles must trust alone
   * (AWS_TRUST_PRINCIPAL_ARN); undefined: the trust-policy lint cannot
   * compare principals and says so.
   */
  readonly trustedPrincipalArn?: string;
}

/**
 * ProviderCheck proves that `spec` (the full spec: public fields merged with
 * the opened secret half) works against the provider. It never throws for
 * provider answers: every answer becomes a {@link CheckResult}; it throws
 * only for programming errors (e.g. a spec without the provider's fields).
 */
export type ProviderCheck = (spec: ConnectionSpec, options: CheckOptions) => Promise<CheckResult>;
