import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { CreateConnectionRequestSchema, type CreateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { UsageError } from "./failures.js";
import { isGiven, readSecretBytes, readSecretText, type SecretReader } from "./secret-input.js";

/**
 * RequestSources is what building a request may need beyond the flags: the
 * secrets (stdin or files) and the id of a runner named by id or name.
 */
export interface RequestSources {
  readonly secrets: SecretReader;
  /** Resolves `--runner <id or name>` to the runner's id. */
  runnerId(ref: string): Promise<string>;
}

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

/** GcpFlags are the flags of `planton connect gcp`. */
export interface GcpFlags {
  readonly name: string;
  readonly keyFile?: string | undefined;
  readonly keyStdin?: boolean | undefined;
  readonly runner?: string | undefined;
  readonly projectId?: string | undefined;
}

/**
 * gcpCreateRequest builds CreateConnection for GCP: a service-account key
 * (the JSON file as downloaded, base64-encoded here as `key_base64` wants
 * it) or a runner with `--project-id`. Exactly one of the two, else a
 * {@link UsageError}.
 */
export async function gcpCreateRequest(flags: GcpFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const key = { stdin: flags.keyStdin, file: flags.keyFile };
  exactlyOne([
    ["--key-file or --key-stdin", isGiven(key)],
    ["--runner", flags.runner !== undefined],
  ]);
  if (flags.runner !== undefined) {
    if (flags.projectId === undefined) throw new UsageError("--runner needs --project-id (the project the runner deploys to)");
    const runnerId = await sources.runnerId(flags.runner);
    return request(flags.name, { provider: { case: "gcp", value: { projectId: flags.projectId, auth: { case: "runner", value: { runnerId } } } } });
  }
  const bytes = await readSecretBytes(sources.secrets, key, "key");
  if (bytes === undefined || bytes.length === 0) throw new UsageError("the service-account key given with --key-file/--key-stdin is empty");
  return request(flags.name, {
    provider: {
      case: "gcp",
      value: { projectId: flags.projectId ?? "", auth: { case: "serviceAccountKey", value: { keyBase64: bytes.toString("base64") } } },
    },
  });
}

/** AzureFlags are the flags of `planton connect azure`. */
export interface AzureFlags {
  readonly name: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly clientId?: string | undefined;
  readonly clientSecretStdin?: boolean | undefined;
  readonly clientSecretFile?: string | undefined;
  readonly runner?: string | undefined;
}

/**
 * azureCreateRequest builds CreateConnection for Azure: a service principal
 * (`--client-id` with its secret) or a runner; exactly one, else a
 * {@link UsageError}.
 */
export async function azureCreateRequest(flags: AzureFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const secret = { stdin: flags.clientSecretStdin, file: flags.clientSecretFile };
  exactlyOne([
    ["--client-id", flags.clientId !== undefined],
    ["--runner", flags.runner !== undefined],
  ]);
  const base = { tenantId: flags.tenantId, subscriptionId: flags.subscriptionId };
  if (flags.runner !== undefined) {
    if (isGiven(secret)) throw new UsageError("--client-secret-stdin/--client-secret-file go with --client-id, not --runner");
    const runnerId = await sources.runnerId(flags.runner);
    return request(flags.name, { provider: { case: "azure", value: { ...base, auth: { case: "runner", value: { runnerId } } } } });
  }
  if (!isGiven(secret)) throw new UsageError("--client-id needs its secret: --client-secret-stdin or --client-secret-file <path>");
  const clientSecret = (await readSecretText(sources.secrets, secret, "client-secret")) ?? "";
  return request(flags.name, {
    provider: { case: "azure", value: { ...base, auth: { case: "servicePrincipal", value: { clientId: flags.clientId ?? "", clientSecret } } } },
  });
}

/** DigitalOceanFlags are the flags of `planton connect digitalocean`. */
export interface DigitalOceanFlags {
  readonly name: string;
  readonly defaultRegion: string;
  readonly apiTokenStdin?: boolean | undefined;
  readonly apiTokenFile?: string | undefined;
  readonly spacesAccessId?: string | undefined;
  readonly spacesSecretKeyStdin?: boolean | undefined;
  readonly spacesSecretKeyFile?: string | undefined;
}

/**
 * digitalOceanCreateRequest builds CreateConnection for DigitalOcean: the
 * API token is required; the Spaces key id and secret go together or not at
 * all.
 */
export async function digitalOceanCreateRequest(flags: DigitalOceanFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const token = { stdin: flags.apiTokenStdin, file: flags.apiTokenFile };
  const spacesSecret = { stdin: flags.spacesSecretKeyStdin, file: flags.spacesSecretKeyFile };
  requireSecret(token, "api-token");
  together("--spaces-access-id", flags.spacesAccessId !== undefined, "--spaces-secret-key-stdin or --spaces-secret-key-file", isGiven(spacesSecret));
  const apiToken = (await readSecretText(sources.secrets, token, "api-token")) ?? "";
  const spacesSecretKey = (await readSecretText(sources.secrets, spacesSecret, "spaces-secret-key")) ?? "";
  return request(flags.name, {
    provider: {
      case: "digitalocean",
      value: { apiToken, defaultRegion: flags.defaultRegion, spacesAccessId: flags.spacesAccessId ?? "", spacesSecretKey },
    },
  });
}

/** CivoFlags are the flags of `planton connect civo`. */
export interface CivoFlags {
  readonly name: string;
  readonly defaultRegion: string;
  readonly apiTokenStdin?: boolean | undefined;
  readonly apiTokenFile?: string | undefined;
  readonly objectStoreAccessId?: string | undefined;
  readonly objectStoreSecretKeyStdin?: boolean | undefined;
  readonly objectStoreSecretKeyFile?: string | undefined;
}

/**
 * civoCreateRequest builds CreateConnection for Civo: the API key is
 * required; the object store key id and secret go together or not at all.
 */
export async function civoCreateRequest(flags: CivoFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const token = { stdin: flags.apiTokenStdin, file: flags.apiTokenFile };
  const storeSecret = { stdin: flags.objectStoreSecretKeyStdin, file: flags.objectStoreSecretKeyFile };
  requireSecret(token, "api-token");
  together(
    "--object-store-access-id",
    flags.objectStoreAccessId !== undefined,
    "--object-store-secret-key-stdin or --object-store-secret-key-file",
    isGiven(storeSecret),
  );
  const apiToken = (await readSecretText(sources.secrets, token, "api-token")) ?? "";
  const objectStoreSecretKey = (await readSecretText(sources.secrets, storeSecret, "object-store-secret-key")) ?? "";
  return request(flags.name, {
    provider: {
      case: "civo",
      value: { apiToken, defaultRegion: flags.defaultRegion, objectStoreAccessId: flags.objectStoreAccessId ?? "", objectStoreSecretKey },
    },
  });
}

/** CloudflareFlags are the flags of `planton connect cloudflare`. */
export interface CloudflareFlags {
  readonly name: string;
  readonly apiTokenStdin?: boolean | undefined;
  readonly apiTokenFile?: string | undefined;
  readonly apiKeyStdin?: boolean | undefined;
  readonly apiKeyFile?: string | undefined;
  readonly email?: string | undefined;
  readonly accountId?: string | undefined;
  readonly r2AccessKeyId?: string | undefined;
  readonly r2SecretAccessKeyStdin?: boolean | undefined;
  readonly r2SecretAccessKeyFile?: string | undefined;
  readonly r2Endpoint?: string | undefined;
}

/**
 * cloudflareCreateRequest builds CreateConnection for Cloudflare: an API
 * token (recommended) or the legacy global API key with `--email`, exactly
 * one; optional `--account-id`; optional R2 keys (id and secret together,
 * `--r2-endpoint` only with them).
 */
export async function cloudflareCreateRequest(flags: CloudflareFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const token = { stdin: flags.apiTokenStdin, file: flags.apiTokenFile };
  const apiKey = { stdin: flags.apiKeyStdin, file: flags.apiKeyFile };
  const r2Secret = { stdin: flags.r2SecretAccessKeyStdin, file: flags.r2SecretAccessKeyFile };
  exactlyOne([
    ["--api-token-stdin or --api-token-file", isGiven(token)],
    ["--api-key-stdin or --api-key-file (legacy, with --email)", isGiven(apiKey)],
  ]);
  together("--api-key-stdin or --api-key-file", isGiven(apiKey), "--email", flags.email !== undefined);
  together("--r2-access-key-id", flags.r2AccessKeyId !== undefined, "--r2-secret-access-key-stdin or --r2-secret-access-key-file", isGiven(r2Secret));
  if (flags.r2Endpoint !== undefined && flags.r2AccessKeyId === undefined) {
    throw new UsageError("--r2-endpoint goes with --r2-access-key-id and its secret");
  }
  const apiToken = (await readSecretText(sources.secrets, token, "api-token")) ?? "";
  const legacyKey = await readSecretText(sources.secrets, apiKey, "api-key");
  const r2SecretAccessKey = await readSecretText(sources.secrets, r2Secret, "r2-secret-access-key");
  return request(flags.name, {
    provider: {
      case: "cloudflare",
      value: {
        apiToken,
        accountId: flags.accountId ?? "",
        ...(legacyKey !== undefined ? { legacy: { apiKey: legacyKey, email: flags.email ?? "" } } : {}),
        ...(r2SecretAccessKey !== undefined
          ? { r2: { accessKeyId: flags.r2AccessKeyId ?? "", secretAccessKey: r2SecretAccessKey, endpoint: flags.r2Endpoint ?? "" } }
          : {}),
      },
    },
  });
}

/** request wraps a name and a spec into a CreateConnectionRequest. */
export function request(name: string, spec: SpecInit | ConnectionSpec): CreateConnectionRequest {
  return create(CreateConnectionRequestSchema, { name, spec: spec });
}

/** exactlyOne throws a {@link UsageError} unless exactly one of the named alternatives is given. */
function exactlyOne(alternatives: readonly (readonly [string, boolean])[]): void {
  const given = alternatives.filter(([, on]) => on).map(([label]) => label);
  const all = alternatives.map(([label]) => label);
  if (given.length === 0) throw new UsageError(`give one of: ${all.join(" | ")}`);
  if (given.length > 1) throw new UsageError(`${given.join(" and ")} cannot be used together: give only one`);
}

/** together throws a {@link UsageError} when one of two flags that go together is given without the other. */
function together(a: string, hasA: boolean, b: string, hasB: boolean): void {
  if (hasA && !hasB) throw new UsageError(`${a} needs ${b}`);
  if (hasB && !hasA) throw new UsageError(`${b} needs ${a}`);
}

function requireSecret(flags: { stdin?: boolean | undefined; file?: string | undefined }, flag: string): void {
  if (!isGiven(flags)) throw new UsageError(`the ${flag.replaceAll("-", " ")} is required: --${flag}-stdin, or --${flag}-file <path>`);
}
