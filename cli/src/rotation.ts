import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { UpdateConnectionRequestSchema, type UpdateConnectionRequest } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { Provider, ProviderSchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { enumLabel } from "./enum-labels.js";
import { UsageError } from "./failures.js";
import { isGiven, readSecretBytes, readSecretText, type SecretReader, type SecretFlags } from "./secret-input.js";

/** RotateFlags are the new-secret flags of `planton connection rotate`. */
export interface RotateFlags {
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKeyStdin?: boolean | undefined;
  readonly secretAccessKeyFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly keyStdin?: boolean | undefined;
  readonly clientSecretStdin?: boolean | undefined;
  readonly clientSecretFile?: string | undefined;
  readonly apiTokenStdin?: boolean | undefined;
  readonly apiTokenFile?: string | undefined;
}

/** The connection being rotated, as read just before: its provider and etag. */
export interface RotationTarget {
  /** Id or slug, sent back as given. */
  readonly connection: string;
  readonly provider: Provider;
  readonly etag: string;
}

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

// The new-secret flag groups, as errors name them, and which providers take each.
const GROUPS = {
  awsKeys: "--access-key-id with --secret-access-key-stdin|--secret-access-key-file",
  gcpKey: "--key-file|--key-stdin",
  clientSecret: "--client-secret-stdin|--client-secret-file",
  apiToken: "--api-token-stdin|--api-token-file",
} as const;
type Group = keyof typeof GROUPS;

const ROTATABLE: Record<Provider, readonly Group[]> = {
  [Provider.UNSPECIFIED]: [],
  [Provider.AWS]: ["awsKeys"],
  [Provider.GCP]: ["gcpKey"],
  [Provider.AZURE]: ["clientSecret"],
  [Provider.DIGITALOCEAN]: ["apiToken"],
  [Provider.CIVO]: ["apiToken"],
  [Provider.CLOUDFLARE]: ["apiToken"],
};

/** hasRotateFlags says whether any new-secret flag was given at all (checked before reading the connection). */
export function hasRotateFlags(flags: RotateFlags): boolean {
  return givenGroups(flags).length > 0;
}

/**
 * rotationRequest builds the UpdateConnection that rotates the secret
 * fields given, for the connection's provider, with the etag it was read
 * with and an update mask naming exactly those fields:
 * aws `spec.aws.inline_keys`, gcp `spec.gcp.service_account_key` (the key
 * file base64-encoded), azure `spec.azure.service_principal.client_secret`,
 * digitalocean/civo/cloudflare `spec.<provider>.api_token`. A flag that does
 * not apply to the provider, half an AWS key pair, or no secret at all is a
 * {@link UsageError}.
 */
export async function rotationRequest(target: RotationTarget, flags: RotateFlags, secrets: SecretReader): Promise<UpdateConnectionRequest> {
  const allowed = ROTATABLE[target.provider] ?? [];
  const providerName = enumLabel(ProviderSchema, target.provider);
  const given = givenGroups(flags);
  for (const group of given) {
    if (!allowed.includes(group)) throw new UsageError(`${GROUPS[group]} does not apply to ${providerName} connections`);
  }
  if (given.length === 0) {
    if (allowed.length === 0) throw new UsageError(`${providerName} connections have no secret this command can rotate`);
    throw new UsageError(`nothing to rotate: give the new secret with ${allowed.map((g) => GROUPS[g]).join(" or ")}`);
  }
  const { spec, paths } = await rotatedSpec(target.provider, flags, secrets);
  return create(UpdateConnectionRequestSchema, {
    connection: target.connection,
    etag: target.etag,
    spec,
    updateMask: create(FieldMaskSchema, { paths }),
  });
}

async function rotatedSpec(provider: Provider, flags: RotateFlags, secrets: SecretReader): Promise<{ spec: SpecInit; paths: string[] }> {
  const apiToken = { stdin: flags.apiTokenStdin, file: flags.apiTokenFile };
  switch (provider) {
    case Provider.AWS: {
      const secret = { stdin: flags.secretAccessKeyStdin, file: flags.secretAccessKeyFile };
      if (flags.accessKeyId === undefined)
        throw new UsageError("--secret-access-key-stdin/--secret-access-key-file need --access-key-id (AWS rotates the key pair)");
      if (!isGiven(secret)) throw new UsageError("--access-key-id needs its secret: --secret-access-key-stdin or --secret-access-key-file <path>");
      const secretAccessKey = await text(secrets, secret, "secret-access-key");
      return {
        spec: { provider: { case: "aws", value: { auth: { case: "inlineKeys", value: { accessKeyId: flags.accessKeyId, secretAccessKey } } } } },
        paths: ["spec.aws.inline_keys"],
      };
    }
    case Provider.GCP: {
      const bytes = await readSecretBytes(secrets, { stdin: flags.keyStdin, file: flags.keyFile }, "key");
      if (bytes === undefined || bytes.length === 0) throw new UsageError("the service-account key given with --key-file/--key-stdin is empty");
      return {
        spec: { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: bytes.toString("base64") } } } } },
        paths: ["spec.gcp.service_account_key"],
      };
    }
    case Provider.AZURE: {
      const clientSecret = await text(secrets, { stdin: flags.clientSecretStdin, file: flags.clientSecretFile }, "client-secret");
      return {
        spec: { provider: { case: "azure", value: { auth: { case: "servicePrincipal", value: { clientSecret } } } } },
        paths: ["spec.azure.service_principal.client_secret"],
      };
    }
    case Provider.DIGITALOCEAN:
      return {
        spec: { provider: { case: "digitalocean", value: { apiToken: await text(secrets, apiToken, "api-token") } } },
        paths: ["spec.digitalocean.api_token"],
      };
    case Provider.CIVO:
      return { spec: { provider: { case: "civo", value: { apiToken: await text(secrets, apiToken, "api-token") } } }, paths: ["spec.civo.api_token"] };
    case Provider.CLOUDFLARE:
      return {
        spec: { provider: { case: "cloudflare", value: { apiToken: await text(secrets, apiToken, "api-token") } } },
        paths: ["spec.cloudflare.api_token"],
      };
    default:
      throw new UsageError("this connection's provider is unknown to this version of planton");
  }
}

function givenGroups(flags: RotateFlags): Group[] {
  const groups: Group[] = [];
  if (flags.accessKeyId !== undefined || isGiven({ stdin: flags.secretAccessKeyStdin, file: flags.secretAccessKeyFile })) groups.push("awsKeys");
  if (isGiven({ stdin: flags.keyStdin, file: flags.keyFile })) groups.push("gcpKey");
  if (isGiven({ stdin: flags.clientSecretStdin, file: flags.clientSecretFile })) groups.push("clientSecret");
  if (isGiven({ stdin: flags.apiTokenStdin, file: flags.apiTokenFile })) groups.push("apiToken");
  return groups;
}

async function text(secrets: SecretReader, flags: SecretFlags, flag: string): Promise<string> {
  return (await readSecretText(secrets, flags, flag)) ?? "";
}
