import { create } from "@bufbuild/protobuf";
import { StartSetupRequestSchema, type StartSetupRequest } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import type { CreateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { ALL_CAPABILITIES, parseCapabilities } from "./capabilities.js";
import { request, type RequestSources } from "./connect-requests.js";
import { UsageError } from "./failures.js";
import { isGiven, readSecretText } from "./secret-input.js";

/** DEFAULT_AWS_REGION is the region of a new AWS connection when none is given (the API's default too). */
export const DEFAULT_AWS_REGION = "us-west-2";

/** AwsFlags are the flags of `planton connect aws` that shape the request. */
export interface AwsFlags {
  readonly name?: string | undefined;
  readonly accountId?: string | undefined;
  readonly region?: string | undefined;
  readonly capabilities?: string | undefined;
  readonly reconnect?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKeyStdin?: boolean | undefined;
  readonly secretAccessKeyFile?: string | undefined;
  readonly runner?: string | undefined;
}

/**
 * AwsMode is how `planton connect aws` connects: long-lived keys
 * (CreateConnection), a runner (CreateConnection), or the cross-account
 * trust flow (AwsTrustService.StartSetup), the default.
 */
export type AwsMode = "inline" | "runner" | "trust";

/**
 * awsMode decides the mode from the flags and rejects combinations that
 * mean nothing: keys with a runner, `--reconnect` (a trust flow) with keys
 * or a runner, `--capabilities` (a property of the trust role) outside the
 * trust flow, half a key pair.
 */
export function awsMode(flags: AwsFlags): AwsMode {
  const secret = { stdin: flags.secretAccessKeyStdin, file: flags.secretAccessKeyFile };
  const keys = flags.accessKeyId !== undefined || isGiven(secret);
  if (keys && flags.runner !== undefined) throw new UsageError("--access-key-id and --runner cannot be used together: give only one");
  if (flags.reconnect !== undefined && (keys || flags.runner !== undefined)) {
    throw new UsageError("--reconnect starts a cross-account trust setup: it cannot be used with --access-key-id or --runner");
  }
  if (keys) {
    if (flags.accessKeyId === undefined) throw new UsageError("--secret-access-key-stdin/--secret-access-key-file need --access-key-id");
    if (!isGiven(secret)) throw new UsageError("--access-key-id needs its secret: --secret-access-key-stdin or --secret-access-key-file <path>");
  }
  const mode: AwsMode = keys ? "inline" : flags.runner !== undefined ? "runner" : "trust";
  if (mode !== "trust" && flags.capabilities !== undefined) {
    throw new UsageError("--capabilities applies to cross-account trust roles only, not to --access-key-id or --runner");
  }
  return mode;
}

/**
 * missingAwsFlags lists the flags a new connection still needs (`--name`,
 * `--account-id`); a reconnect needs neither.
 */
export function missingAwsFlags(flags: AwsFlags): string[] {
  if (flags.reconnect !== undefined) return [];
  const missing: string[] = [];
  if (flags.name === undefined) missing.push("--name");
  if (flags.accountId === undefined) missing.push("--account-id");
  return missing;
}

/**
 * awsCreateRequest builds CreateConnection for inline keys or a runner (see
 * {@link awsMode}); `--region` defaults to {@link DEFAULT_AWS_REGION}.
 */
export async function awsCreateRequest(flags: AwsFlags, sources: RequestSources): Promise<CreateConnectionRequest> {
  const base = { accountId: flags.accountId ?? "", region: flags.region ?? DEFAULT_AWS_REGION };
  if (awsMode(flags) === "runner") {
    const runnerId = await sources.runnerId(flags.runner ?? "");
    return request(flags.name ?? "", { provider: { case: "aws", value: { ...base, auth: { case: "runner", value: { runnerId } } } } });
  }
  const secret = { stdin: flags.secretAccessKeyStdin, file: flags.secretAccessKeyFile };
  const secretAccessKey = (await readSecretText(sources.secrets, secret, "secret-access-key")) ?? "";
  return request(flags.name ?? "", {
    provider: { case: "aws", value: { ...base, auth: { case: "inlineKeys", value: { accessKeyId: flags.accessKeyId ?? "", secretAccessKey } } } },
  });
}

/**
 * startSetupRequest builds StartSetup for the trust flow. Capabilities come
 * from `--capabilities` (all ten when absent). For a new connection the
 * region defaults to {@link DEFAULT_AWS_REGION}; with `--reconnect`, an
 * absent region or name stays empty so the API keeps the connection's own.
 */
export function startSetupRequest(flags: AwsFlags, chosen?: readonly AwsCapability[]): StartSetupRequest {
  const capabilities = chosen ?? (flags.capabilities !== undefined ? parseCapabilities(flags.capabilities) : ALL_CAPABILITIES);
  const reconnect = flags.reconnect ?? "";
  return create(StartSetupRequestSchema, {
    name: flags.name ?? "",
    accountId: flags.accountId ?? "",
    region: flags.region ?? (reconnect === "" ? DEFAULT_AWS_REGION : ""),
    capabilities: [...capabilities],
    reconnect,
  });
}
