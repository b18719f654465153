import { ConfigError, createEnvReader, readServiceConfig, type Env, type ServiceConfig } from "@planton/config";
import { readDatabaseTimeouts, type DatabaseTimeouts } from "@planton/db";

/** The registry's configuration, parsed once at start. */
export interface RegistryConfig {
  readonly service: ServiceConfig;
  /** Connect, statement and idle-in-transaction limits of its PostgreSQL pool (`DATABASE_*_TIMEOUT_MS`). */
  readonly database: DatabaseTimeouts;
  /** Native gRPC URL of the vault; absent only in the all-in-one process. */
  readonly vaultUrl: string | undefined;
  /** Token for calling other services: a file (re-read) or a value; else minted with the dev secret. */
  readonly serviceTokenFile: string | undefined;
  readonly serviceToken: string | undefined;
  readonly outboxPollMs: number;
  /** Periodic re-verification of every connection (default 24 h) and how often due ones are looked for. */
  readonly reverifyIntervalMs: number;
  readonly reverifyTickMs: number;
  /** Native gRPC URL of authz, for the pinned-deployments check on delete; unset: no check. */
  readonly authzUrl: string | undefined;
  /** AWS cross-account trust (AwsTrustService). */
  readonly trust: TrustConfig;
  /** When a credential version is due for rotation, and how often the rotation-due job looks. */
  readonly rotation: RotationConfig;
}

/** Thresholds of credential rotation (ROTATION_*): what Connection.rotation_due_reasons and connection.rotation_due use. */
export interface RotationConfig {
  /** ROTATION_MAX_AGE_DAYS: a credential older than this is due (default 90). */
  readonly maxAgeDays: number;
  /** ROTATION_EXPIRY_WARNING_DAYS: a credential expiring within this many days is due (default 14; 0: only once expired). */
  readonly expiryWarningDays: number;
  /** ROTATION_CHECK_TICK_MS: how often the job looks for versions that became due (default 10 minutes). */
  readonly tickMs: number;
}

/** Configuration of the AWS cross-account trust flow. */
export interface TrustConfig {
  /** PUBLIC_URL: the registry's address as AWS Lambda reaches it (the callback goes there). */
  readonly publicUrl: string;
  /** The callback the template's custom resource posts to: CompleteSetup over the Connect protocol. */
  readonly callbackUrl: string;
  /** AWS_TRUST_PRINCIPAL_ARN: the runner principal roles trust; a placeholder when unset (development). */
  readonly principalArn: string;
  readonly principalConfigured: boolean;
  /** AWS_TRUST_TEMPLATE_URL: the published template (S3); default: the registry's own development route. */
  readonly templateUrl: string;
  /** AWS_TRUST_CALLBACK_KEY(_FILE): HMAC key of callback tokens, shared by replicas; else generated in DATA_DIR. */
  readonly callbackKey: string | undefined;
  readonly callbackKeyFile: string | undefined;
  /** AWS_TRUST_SETUP_TTL_MS: how long a setup link works (default 10 minutes). */
  readonly setupTtlMs: number;
  /** AWS_TRUST_WATCH_POLL_MS: how often WatchSetup looks for changes. */
  readonly watchPollMs: number;
  /**
   * What the operator must still set before trust setups can work; StartSetup
   * refuses (FAILED_PRECONDITION, before creating anything) while this is not
   * empty. From the registry's own settings (see {@link principalIssues});
   * a composition root that knows more (the all-in-one knows the verifier's
   * AWS identity) adds its own.
   */
  readonly platformIssues: readonly PlatformIssue[];
}

/** One platform setting that keeps a feature from working: the operator's job, never the user's. */
export interface PlatformIssue {
  /** The setting to fix, e.g. `AWS_TRUST_PRINCIPAL_ARN`. */
  readonly setting: string;
  /** What is wrong and what to set, in words an operator can act on. */
  readonly description: string;
}

/** Where the registry serves the template for development (and the default template URL). */
export const TEMPLATE_ROUTE_PREFIX = "/aws-trust";
/** The placeholder principal of a development setup without AWS_TRUST_PRINCIPAL_ARN. */
const PLACEHOLDER_PRINCIPAL_ARN = "arn:aws:iam::000000000000:role/planton-runner";
/**
 * Account ids that are never a real platform's: the placeholder's, and the
 * example accounts of the AWS documentation, which people copy into
 * configuration. A principal in one of them cannot be assumed by anything.
 */
export const PLACEHOLDER_ACCOUNTS: readonly string[] = ["000000000000", "123456789012", "111122223333", "444455556666", "777788889999"];
// IAM role or user ARN, or an account root (what a trust policy Principal may name).
const PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(root|(role|user)\/[\w+=,.@/-]{1,512})$/;

/** loadRegistryConfig parses the registry's environment; throws ConfigError naming the variable. */
export function loadRegistryConfig(environment: Env, options: { requireVaultUrl: boolean }): RegistryConfig {
  const env = createEnvReader(environment);
  const service = readServiceConfig(env);
  const vaultUrl = env.url("VAULT_URL", ["http:", "https:"]);
  if (options.requireVaultUrl && vaultUrl === undefined)
    throw new ConfigError("VAULT_URL", "is required (native gRPC URL of the vault, e.g. http://vault:9090)");
  return Object.freeze({
    service,
    database: readDatabaseTimeouts(env),
    vaultUrl: vaultUrl?.toString().replace(/\/$/, ""),
    serviceTokenFile: env.string("SERVICE_TOKEN_FILE"),
    serviceToken: env.string("SERVICE_TOKEN"),
    outboxPollMs: env.int("OUTBOX_POLL_MS", 500, { min: 10, max: 60_000 }),
    reverifyIntervalMs: env.int("REVERIFY_INTERVAL_MS", 86_400_000, { min: 1_000, max: 30 * 86_400_000 }),
    reverifyTickMs: env.int("REVERIFY_TICK_MS", 60_000, { min: 10, max: 3_600_000 }),
    authzUrl: env.url("AUTHZ_URL", ["http:", "https:"])?.toString().replace(/\/$/, ""),
    trust: readTrustConfig(env, service),
    rotation: Object.freeze({
      maxAgeDays: env.int("ROTATION_MAX_AGE_DAYS", 90, { min: 1, max: 3650 }),
      expiryWarningDays: env.int("ROTATION_EXPIRY_WARNING_DAYS", 14, { min: 0, max: 365 }),
      tickMs: env.int("ROTATION_CHECK_TICK_MS", 600_000, { min: 10, max: 86_400_000 }),
    }),
  });
}

function readTrustConfig(env: ReturnType<typeof createEnvReader>, service: ServiceConfig): TrustConfig {
  const publicUrl = (env.url("PUBLIC_URL", ["http:", "https:"])?.toString() ?? `http://localhost:${service.port}`).replace(/\/$/, "");
  const principal = env.string("AWS_TRUST_PRINCIPAL_ARN");
  if (principal !== undefined && !PRINCIPAL_ARN.test(principal)) {
    throw new ConfigError("AWS_TRUST_PRINCIPAL_ARN", "must be an IAM role, user or account-root ARN (arn:aws:iam::<account>:role/<name>)");
  }
  const templateUrl = env.url("AWS_TRUST_TEMPLATE_URL", ["https:", "http:"])?.toString() ?? `${publicUrl}${TEMPLATE_ROUTE_PREFIX}/template.json`;
  // The console refuses longer templateURL values (CloudFormation user guide).
  if (templateUrl.length > 1024) throw new ConfigError("AWS_TRUST_TEMPLATE_URL", "must be at most 1024 characters (CloudFormation Quick Create limit)");
  const callbackKey = env.string("AWS_TRUST_CALLBACK_KEY");
  if (callbackKey !== undefined && Buffer.byteLength(callbackKey) < 32) throw new ConfigError("AWS_TRUST_CALLBACK_KEY", "must be at least 32 bytes");
  return Object.freeze({
    publicUrl,
    callbackUrl: `${publicUrl}/planton.connect.v1.AwsTrustService/CompleteSetup`,
    principalArn: principal ?? PLACEHOLDER_PRINCIPAL_ARN,
    principalConfigured: principal !== undefined,
    templateUrl,
    callbackKey,
    callbackKeyFile: env.string("AWS_TRUST_CALLBACK_KEY_FILE"),
    setupTtlMs: env.int("AWS_TRUST_SETUP_TTL_MS", 600_000, { min: 1_000, max: 86_400_000 }),
    watchPollMs: env.int("AWS_TRUST_WATCH_POLL_MS", 1_000, { min: 20, max: 60_000 }),
    platformIssues: principalIssues(principal),
  });
}

/**
 * principalIssues tells whether AWS_TRUST_PRINCIPAL_ARN can work: unset
 * (roles would trust the placeholder principal) and an ARN in a
 * {@link PLACEHOLDER_ACCOUNTS} account are issues.
 */
export function principalIssues(principal: string | undefined): PlatformIssue[] {
  if (principal === undefined) {
    return [
      {
        setting: "AWS_TRUST_PRINCIPAL_ARN",
        description: `is not set: customer roles would trust the placeholder ${PLACEHOLDER_PRINCIPAL_ARN}, which nothing can assume; set it to the ARN of the platform's runner role (the identity the verifier and deployments use)`,
      },
    ];
  }
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(principal)?.[1];
  if (account !== undefined && PLACEHOLDER_ACCOUNTS.includes(account)) {
    return [
      {
        setting: "AWS_TRUST_PRINCIPAL_ARN",
        description: `names account ${account}, a placeholder or AWS documentation example, not the platform's; set it to the ARN of the platform's runner role`,
      },
    ];
  }
  return [];
}
