import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import { readField, resolveFieldPath } from "./field-path.js";
import {
  AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY,
  AZURE_CLIENT_ID,
  CF_ACCOUNT_ID,
  CF_TOKEN_40,
  CF_TOKEN_53,
  GCP_PROJECT_ID,
  aws,
  azure,
  civo,
  cloudflare,
  digitalocean,
  gcp,
  gcpKeyBase64,
  rsaPrivateKeyPem,
  valid,
  validSpecs,
} from "./spec-fixtures.js";
import { validateSpec } from "./validate-spec.js";

// Planted in bad values wherever the rule lets it fit, so a description that
// echoes a value is caught even when the value itself is long or encoded.
const MARKER = "Qx7Marker";

interface BadCase {
  readonly name: string;
  readonly spec: () => ConnectionSpec | undefined;
  readonly field: string;
  readonly reason: string;
}

const inlineKeys = (accessKeyId: string, secretAccessKey: string) =>
  aws({ ...valid.awsInline(), auth: { case: "inlineKeys", value: { accessKeyId, secretAccessKey } } });
const awsRunner = (runnerId: string) => aws({ ...valid.awsRunner(), auth: { case: "runner", value: { runnerId } } });
const gcpKey = (keyBase64: string, projectId = "") => gcp({ projectId, auth: { case: "serviceAccountKey", value: { keyBase64 } } });
const gcpKeyWith = (overrides: Record<string, unknown>) => gcpKey(gcpKeyBase64(overrides));
const base64 = (text: string) => Buffer.from(text).toString("base64");
const servicePrincipal = (clientId: string, clientSecret: string) =>
  azure({ ...valid.azureServicePrincipal(), auth: { case: "servicePrincipal", value: { clientId, clientSecret } } });
const r2 = (accessKeyId: string, secretAccessKey: string, endpoint = "") =>
  cloudflare({ ...valid.cloudflareToken(), r2: { accessKeyId, secretAccessKey, endpoint } });
const legacy = (apiKey: string, email: string) => cloudflare({ legacy: { apiKey, email } });

const GOOD_R2_KEY = "f".repeat(32);
const GOOD_R2_SECRET = "e".repeat(64);
const A = "spec.aws";
const G = "spec.gcp";
const Z = "spec.azure";
const D = "spec.digitalocean";
const C = "spec.civo";
const F = "spec.cloudflare";

const badCases: BadCase[] = [
  // No provider.
  { name: "spec absent", spec: () => undefined, field: "spec", reason: "ONE_OF_REQUIRED" },
  { name: "no provider set", spec: () => create(ConnectionSpecSchema), field: "spec", reason: "ONE_OF_REQUIRED" },

  // AWS.
  { name: "aws account_id empty", spec: () => aws({ ...valid.awsInline(), accountId: "" }), field: `${A}.account_id`, reason: "REQUIRED" },
  { name: "aws account_id 11 digits", spec: () => aws({ ...valid.awsInline(), accountId: "12345678901" }), field: `${A}.account_id`, reason: "LENGTH" },
  { name: "aws account_id with letters", spec: () => aws({ ...valid.awsInline(), accountId: `${MARKER}123` }), field: `${A}.account_id`, reason: "PATTERN" },
  { name: "aws account_id leading space", spec: () => aws({ ...valid.awsInline(), accountId: " 123456789012" }), field: `${A}.account_id`, reason: "PATTERN" },
  {
    name: "aws region not a region",
    spec: () => aws({ ...valid.awsInline(), region: `${MARKER.toLowerCase()}-west-2` }),
    field: `${A}.region`,
    reason: "ENUM",
  },
  { name: "aws region upper case", spec: () => aws({ ...valid.awsInline(), region: "US-WEST-2" }), field: `${A}.region`, reason: "ENUM" },
  { name: "aws region made up", spec: () => aws({ ...valid.awsInline(), region: "xx-fake-1" }), field: `${A}.region`, reason: "ENUM" },
  { name: "aws region shaped but unknown", spec: () => aws({ ...valid.awsInline(), region: "us-west-9" }), field: `${A}.region`, reason: "ENUM" },
  { name: "aws region pseudo-region aws-global", spec: () => aws({ ...valid.awsInline(), region: "aws-global" }), field: `${A}.region`, reason: "ENUM" },
  { name: "aws region of an ISO partition", spec: () => aws({ ...valid.awsInline(), region: "us-iso-east-1" }), field: `${A}.region`, reason: "ENUM" },
  { name: "aws region trailing newline", spec: () => aws({ ...valid.awsInline(), region: "us-west-2\n" }), field: `${A}.region`, reason: "PATTERN" },
  { name: "aws region over 4096 characters", spec: () => aws({ ...valid.awsInline(), region: "a".repeat(4097) }), field: `${A}.region`, reason: "MAX_LENGTH" },
  { name: "aws no auth method", spec: () => aws({ accountId: "123456789012" }), field: `${A}.auth`, reason: "ONE_OF_REQUIRED" },
  { name: "aws access_key_id empty", spec: () => inlineKeys("", AWS_SECRET_ACCESS_KEY), field: `${A}.inline_keys.access_key_id`, reason: "REQUIRED" },
  {
    name: "aws access_key_id 19 characters",
    spec: () => inlineKeys(AWS_ACCESS_KEY_ID.slice(1), AWS_SECRET_ACCESS_KEY),
    field: `${A}.inline_keys.access_key_id`,
    reason: "LENGTH",
  },
  {
    name: "aws access_key_id wrong prefix",
    spec: () => inlineKeys(`AKIB${MARKER.toUpperCase()}0000000`, AWS_SECRET_ACCESS_KEY),
    field: `${A}.inline_keys.access_key_id`,
    reason: "PATTERN",
  },
  {
    name: "aws access_key_id lower case",
    spec: () => inlineKeys(`akia${MARKER.toLowerCase()}0000000`, AWS_SECRET_ACCESS_KEY),
    field: `${A}.inline_keys.access_key_id`,
    reason: "PATTERN",
  },
  { name: "aws secret_access_key empty", spec: () => inlineKeys(AWS_ACCESS_KEY_ID, ""), field: `${A}.inline_keys.secret_access_key`, reason: "REQUIRED" },
  {
    name: "aws secret_access_key 39 characters",
    spec: () => inlineKeys(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.slice(1)),
    field: `${A}.inline_keys.secret_access_key`,
    reason: "LENGTH",
  },
  {
    name: "aws secret_access_key bad character",
    spec: () => inlineKeys(AWS_ACCESS_KEY_ID, `${MARKER}-${"k".repeat(30)}`),
    field: `${A}.inline_keys.secret_access_key`,
    reason: "PATTERN",
  },
  { name: "aws runner_id empty", spec: () => awsRunner(""), field: `${A}.runner.runner_id`, reason: "REQUIRED" },
  { name: "aws runner_id with hyphen", spec: () => awsRunner(`runner-${MARKER}`), field: `${A}.runner.runner_id`, reason: "PATTERN" },
  { name: "aws runner_id upper case", spec: () => awsRunner("runner_ABC123"), field: `${A}.runner.runner_id`, reason: "PATTERN" },
  { name: "aws runner_id 41 characters after prefix", spec: () => awsRunner(`runner_${"a".repeat(41)}`), field: `${A}.runner.runner_id`, reason: "PATTERN" },

  // GCP.
  { name: "gcp no auth method", spec: () => gcp({ projectId: GCP_PROJECT_ID }), field: `${G}.auth`, reason: "ONE_OF_REQUIRED" },
  { name: "gcp key_base64 empty", spec: () => gcpKey(""), field: `${G}.service_account_key.key_base64`, reason: "REQUIRED" },
  { name: "gcp key_base64 over 16384 characters", spec: () => gcpKey("A".repeat(16385)), field: `${G}.service_account_key.key_base64`, reason: "MAX_LENGTH" },
  { name: "gcp key_base64 malformed base64", spec: () => gcpKey(`${MARKER}!!not*base64`), field: `${G}.service_account_key.key_base64`, reason: "FORMAT" },
  { name: "gcp key_base64 single dangling character", spec: () => gcpKey("QUJDR"), field: `${G}.service_account_key.key_base64`, reason: "FORMAT" },
  { name: "gcp key is not JSON", spec: () => gcpKey(base64(`${MARKER} is not json`)), field: `${G}.service_account_key.key_base64`, reason: "INVALID_KEY" },
  { name: "gcp key is a JSON array", spec: () => gcpKey(base64(`["${MARKER}"]`)), field: `${G}.service_account_key.key_base64`, reason: "INVALID_KEY" },
  {
    name: "gcp key is not a service account",
    spec: () => gcpKeyWith({ type: `authorized_user_${MARKER}` }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  {
    name: "gcp key without project_id",
    spec: () => gcpKeyWith({ project_id: undefined }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  {
    name: "gcp key client_email not an email",
    spec: () => gcpKeyWith({ client_email: MARKER }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  {
    name: "gcp key without private_key_id",
    spec: () => gcpKeyWith({ private_key_id: "" }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  { name: "gcp key private_key not PEM", spec: () => gcpKeyWith({ private_key: MARKER }), field: `${G}.service_account_key.key_base64`, reason: "INVALID_KEY" },
  {
    name: "gcp key private_key PEM armour around garbage",
    spec: () => gcpKeyWith({ private_key: `-----BEGIN PRIVATE KEY-----\n${MARKER}AAAA\n-----END PRIVATE KEY-----\n` }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  {
    name: "gcp key private_key is a public key",
    spec: () => gcpKeyWith({ private_key: createPublicKey(rsaPrivateKeyPem()).export({ type: "spki", format: "pem" }).toString() }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  {
    name: "gcp key private_key is an EC key",
    spec: () =>
      gcpKeyWith({
        private_key: generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      }),
    field: `${G}.service_account_key.key_base64`,
    reason: "INVALID_KEY",
  },
  { name: "gcp project_id differs from the key's", spec: () => gcpKey(gcpKeyBase64(), "other-project-42"), field: `${G}.project_id`, reason: "MISMATCH" },
  { name: "gcp runner without project_id", spec: () => gcp({ ...valid.gcpRunner(), projectId: "" }), field: `${G}.project_id`, reason: "REQUIRED" },
  { name: "gcp project_id too short", spec: () => gcp({ ...valid.gcpRunner(), projectId: "ab1" }), field: `${G}.project_id`, reason: "MIN_LENGTH" },
  {
    name: "gcp project_id too long",
    spec: () => gcp({ ...valid.gcpRunner(), projectId: `a${"b".repeat(30)}` }),
    field: `${G}.project_id`,
    reason: "MAX_LENGTH",
  },
  { name: "gcp project_id upper case", spec: () => gcp({ ...valid.gcpRunner(), projectId: `${MARKER}-prod` }), field: `${G}.project_id`, reason: "PATTERN" },
  { name: "gcp project_id ends with hyphen", spec: () => gcp({ ...valid.gcpRunner(), projectId: "acme-prod-" }), field: `${G}.project_id`, reason: "PATTERN" },
  {
    name: "gcp runner_id malformed",
    spec: () => gcp({ ...valid.gcpRunner(), auth: { case: "runner", value: { runnerId: MARKER } } }),
    field: `${G}.runner.runner_id`,
    reason: "PATTERN",
  },

  // Azure.
  { name: "azure tenant_id empty", spec: () => azure({ ...valid.azureServicePrincipal(), tenantId: "" }), field: `${Z}.tenant_id`, reason: "REQUIRED" },
  {
    name: "azure tenant_id not a UUID",
    spec: () => azure({ ...valid.azureServicePrincipal(), tenantId: `${MARKER}.onmicrosoft.com` }),
    field: `${Z}.tenant_id`,
    reason: "FORMAT",
  },
  {
    name: "azure subscription_id empty in runner mode",
    spec: () => azure({ ...valid.azureRunner(), subscriptionId: "" }),
    field: `${Z}.subscription_id`,
    reason: "REQUIRED",
  },
  {
    name: "azure subscription_id UUID without hyphens",
    spec: () => azure({ ...valid.azureRunner(), subscriptionId: "0b1f64711bf04ddaaec3cb9272f09590" }),
    field: `${Z}.subscription_id`,
    reason: "FORMAT",
  },
  {
    name: "azure no auth method",
    spec: () => azure({ tenantId: valid.azureRunner().tenantId, subscriptionId: valid.azureRunner().subscriptionId }),
    field: `${Z}.auth`,
    reason: "ONE_OF_REQUIRED",
  },
  {
    name: "azure client_id not a UUID",
    spec: () => servicePrincipal(`${MARKER}-client`, "s3cret~value"),
    field: `${Z}.service_principal.client_id`,
    reason: "FORMAT",
  },
  { name: "azure client_secret empty", spec: () => servicePrincipal(AZURE_CLIENT_ID, ""), field: `${Z}.service_principal.client_secret`, reason: "REQUIRED" },
  {
    name: "azure client_secret over 1024 characters",
    spec: () => servicePrincipal(AZURE_CLIENT_ID, "x".repeat(1025)),
    field: `${Z}.service_principal.client_secret`,
    reason: "MAX_LENGTH",
  },
  {
    name: "azure client_secret with inner space",
    spec: () => servicePrincipal(AZURE_CLIENT_ID, `abc ${MARKER}`),
    field: `${Z}.service_principal.client_secret`,
    reason: "PATTERN",
  },
  {
    name: "azure runner_id empty",
    spec: () => azure({ ...valid.azureRunner(), auth: { case: "runner", value: { runnerId: "" } } }),
    field: `${Z}.runner.runner_id`,
    reason: "REQUIRED",
  },

  // DigitalOcean.
  { name: "digitalocean api_token empty", spec: () => digitalocean({ ...valid.digitalocean(), apiToken: "" }), field: `${D}.api_token`, reason: "REQUIRED" },
  {
    name: "digitalocean api_token 31 characters",
    spec: () => digitalocean({ ...valid.digitalocean(), apiToken: `${MARKER}${"0".repeat(22)}` }),
    field: `${D}.api_token`,
    reason: "MIN_LENGTH",
  },
  {
    name: "digitalocean api_token over 512 characters",
    spec: () => digitalocean({ ...valid.digitalocean(), apiToken: `${MARKER}${"0".repeat(504)}` }),
    field: `${D}.api_token`,
    reason: "MAX_LENGTH",
  },
  {
    name: "digitalocean api_token with inner space",
    spec: () => digitalocean({ ...valid.digitalocean(), apiToken: `dop_v1_${MARKER} ${"0".repeat(40)}` }),
    field: `${D}.api_token`,
    reason: "PATTERN",
  },
  {
    name: "digitalocean api_token trailing newline",
    spec: () => digitalocean({ ...valid.digitalocean(), apiToken: `dop_v1_${"a".repeat(64)}\n` }),
    field: `${D}.api_token`,
    reason: "PATTERN",
  },
  {
    name: "digitalocean default_region empty",
    spec: () => digitalocean({ ...valid.digitalocean(), defaultRegion: "" }),
    field: `${D}.default_region`,
    reason: "REQUIRED",
  },
  {
    name: "digitalocean default_region unknown",
    spec: () => digitalocean({ ...valid.digitalocean(), defaultRegion: `${MARKER}9` }),
    field: `${D}.default_region`,
    reason: "ENUM",
  },
  {
    name: "digitalocean default_region upper case",
    spec: () => digitalocean({ ...valid.digitalocean(), defaultRegion: "NYC3" }),
    field: `${D}.default_region`,
    reason: "ENUM",
  },
  {
    name: "digitalocean spaces id without secret",
    spec: () => digitalocean({ ...valid.digitalocean(), spacesAccessId: "EXAMPLE7UQOTHDTF3GK4" }),
    field: `${D}.spaces_secret_key`,
    reason: "BOTH_OR_NEITHER",
  },
  {
    name: "digitalocean spaces secret without id",
    spec: () => digitalocean({ ...valid.digitalocean(), spacesSecretKey: `${MARKER}secret` }),
    field: `${D}.spaces_access_id`,
    reason: "BOTH_OR_NEITHER",
  },
  {
    name: "digitalocean spaces id over 4096 characters",
    spec: () => digitalocean({ ...valid.digitalocean(), spacesAccessId: "A".repeat(4097), spacesSecretKey: "secret" }),
    field: `${D}.spaces_access_id`,
    reason: "MAX_LENGTH",
  },

  // Civo.
  { name: "civo api_token empty", spec: () => civo({ ...valid.civo(), apiToken: "" }), field: `${C}.api_token`, reason: "REQUIRED" },
  {
    name: "civo api_token 19 characters",
    spec: () => civo({ ...valid.civo(), apiToken: `${MARKER}0123456789` }),
    field: `${C}.api_token`,
    reason: "MIN_LENGTH",
  },
  {
    name: "civo api_token over 512 characters",
    spec: () => civo({ ...valid.civo(), apiToken: "t".repeat(513) }),
    field: `${C}.api_token`,
    reason: "MAX_LENGTH",
  },
  { name: "civo default_region empty", spec: () => civo({ ...valid.civo(), defaultRegion: "" }), field: `${C}.default_region`, reason: "REQUIRED" },
  { name: "civo default_region lower case", spec: () => civo({ ...valid.civo(), defaultRegion: "lon1" }), field: `${C}.default_region`, reason: "ENUM" },
  {
    name: "civo object-store id without secret",
    spec: () => civo({ ...valid.civo(), objectStoreAccessId: "CIVOACCESSKEY0000001" }),
    field: `${C}.object_store_secret_key`,
    reason: "BOTH_OR_NEITHER",
  },
  {
    name: "civo object-store secret without id",
    spec: () => civo({ ...valid.civo(), objectStoreSecretKey: `${MARKER}secret` }),
    field: `${C}.object_store_access_id`,
    reason: "BOTH_OR_NEITHER",
  },

  // Cloudflare.
  { name: "cloudflare neither token nor legacy", spec: () => cloudflare({}), field: F, reason: "ONE_OF_REQUIRED" },
  {
    name: "cloudflare both token and legacy",
    spec: () => cloudflare({ ...valid.cloudflareToken(), ...valid.cloudflareLegacy() }),
    field: `${F}.legacy`,
    reason: "CONFLICT",
  },
  {
    name: "cloudflare api_token 39 characters",
    spec: () => cloudflare({ apiToken: `${MARKER}${"a".repeat(39 - MARKER.length)}` }),
    field: `${F}.api_token`,
    reason: "LENGTH",
  },
  { name: "cloudflare api_token 41 characters", spec: () => cloudflare({ apiToken: `${CF_TOKEN_40}a` }), field: `${F}.api_token`, reason: "LENGTH" },
  { name: "cloudflare api_token 52 characters", spec: () => cloudflare({ apiToken: CF_TOKEN_53.slice(0, 52) }), field: `${F}.api_token`, reason: "LENGTH" },
  {
    name: "cloudflare api_token 53 characters, unknown prefix",
    spec: () => cloudflare({ apiToken: `cfxx_${CF_TOKEN_53.slice(5)}` }),
    field: `${F}.api_token`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare api_token is a cfk_ global key",
    spec: () => cloudflare({ apiToken: `cfk_${"a".repeat(48)}` }),
    field: `${F}.api_token`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare api_token 40 characters with a dot",
    spec: () => cloudflare({ apiToken: `${CF_TOKEN_40.slice(0, 39)}.` }),
    field: `${F}.api_token`,
    reason: "PATTERN",
  },
  { name: "cloudflare api_token over 53 characters", spec: () => cloudflare({ apiToken: "a".repeat(54) }), field: `${F}.api_token`, reason: "MAX_LENGTH" },
  {
    name: "cloudflare api_token with inner whitespace",
    spec: () => cloudflare({ apiToken: `cfut_${MARKER}\t${"a".repeat(47 - MARKER.length)}` }),
    field: `${F}.api_token`,
    reason: "PATTERN",
  },
  { name: "cloudflare legacy api_key empty", spec: () => legacy("", "ops@example.com"), field: `${F}.legacy.api_key`, reason: "REQUIRED" },
  {
    name: "cloudflare legacy api_key 36 characters",
    spec: () => legacy(`${MARKER}${"0".repeat(36 - MARKER.length)}`, "ops@example.com"),
    field: `${F}.legacy.api_key`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare legacy api_key 37 characters, not hex",
    spec: () => legacy(`${MARKER}${"0".repeat(37 - MARKER.length)}`, "ops@example.com"),
    field: `${F}.legacy.api_key`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare legacy api_key cfk_ of 51 characters",
    spec: () => legacy(`cfk_${"a".repeat(47)}`, "ops@example.com"),
    field: `${F}.legacy.api_key`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare legacy api_key over 52 characters",
    spec: () => legacy(`cfk_${"a".repeat(49)}`, "ops@example.com"),
    field: `${F}.legacy.api_key`,
    reason: "MAX_LENGTH",
  },
  { name: "cloudflare legacy email empty", spec: () => legacy("0".repeat(37), ""), field: `${F}.legacy.email`, reason: "REQUIRED" },
  { name: "cloudflare legacy email not an email", spec: () => legacy("0".repeat(37), `${MARKER}.example.com`), field: `${F}.legacy.email`, reason: "FORMAT" },
  {
    name: "cloudflare legacy email over 254 characters",
    spec: () => legacy("0".repeat(37), `${"a".repeat(250)}@example.com`),
    field: `${F}.legacy.email`,
    reason: "MAX_LENGTH",
  },
  {
    name: "cloudflare account_id 31 characters",
    spec: () => cloudflare({ apiToken: CF_TOKEN_40, accountId: "0".repeat(31) }),
    field: `${F}.account_id`,
    reason: "LENGTH",
  },
  {
    name: "cloudflare account_id upper-case hex",
    spec: () => cloudflare({ apiToken: CF_TOKEN_40, accountId: "ABCDEF".padEnd(32, "0") }),
    field: `${F}.account_id`,
    reason: "PATTERN",
  },
  { name: "cloudflare r2 access_key_id empty", spec: () => r2("", GOOD_R2_SECRET), field: `${F}.r2.access_key_id`, reason: "REQUIRED" },
  { name: "cloudflare r2 secret_access_key empty", spec: () => r2(GOOD_R2_KEY, ""), field: `${F}.r2.secret_access_key`, reason: "REQUIRED" },
  {
    name: "cloudflare r2 access_key_id 19 characters",
    spec: () => r2(`${MARKER}0123456789`.slice(0, 19), GOOD_R2_SECRET),
    field: `${F}.r2.access_key_id`,
    reason: "LENGTH",
  },
  {
    name: "cloudflare r2 access_key_id 32 characters, not hex",
    spec: () => r2(`${MARKER}${"0".repeat(32 - MARKER.length)}`, GOOD_R2_SECRET),
    field: `${F}.r2.access_key_id`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare r2 secret_access_key 19 characters",
    spec: () => r2(GOOD_R2_KEY, `${MARKER}0123456789`.slice(0, 19)),
    field: `${F}.r2.secret_access_key`,
    reason: "LENGTH",
  },
  {
    name: "cloudflare r2 secret_access_key 64 characters, not hex",
    spec: () => r2(GOOD_R2_KEY, `${MARKER}${"0".repeat(64 - MARKER.length)}`),
    field: `${F}.r2.secret_access_key`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare r2 endpoint plain http",
    spec: () => r2(GOOD_R2_KEY, GOOD_R2_SECRET, `http://${MARKER}.r2.cloudflarestorage.com`),
    field: `${F}.r2.endpoint`,
    reason: "FORMAT",
  },
  {
    name: "cloudflare r2 endpoint not a URL",
    spec: () => r2(GOOD_R2_KEY, GOOD_R2_SECRET, `${MARKER}.r2.cloudflarestorage.com`),
    field: `${F}.r2.endpoint`,
    reason: "FORMAT",
  },
  {
    name: "cloudflare r2 endpoint with credentials",
    spec: () => r2(GOOD_R2_KEY, GOOD_R2_SECRET, `https://user:${MARKER}@acct.r2.cloudflarestorage.com`),
    field: `${F}.r2.endpoint`,
    reason: "FORMAT",
  },
  {
    name: "cloudflare r2 endpoint another host",
    spec: () => r2(GOOD_R2_KEY, GOOD_R2_SECRET, `https://${CF_ACCOUNT_ID}.r2.${MARKER}.example`),
    field: `${F}.r2.endpoint`,
    reason: "PATTERN",
  },
  {
    name: "cloudflare r2 endpoint of another account",
    spec: () =>
      cloudflare({
        ...valid.cloudflareToken(),
        accountId: CF_ACCOUNT_ID,
        r2: { accessKeyId: GOOD_R2_KEY, secretAccessKey: GOOD_R2_SECRET, endpoint: `https://${"e".repeat(32)}.r2.cloudflarestorage.com` },
      }),
    field: `${F}.r2.endpoint`,
    reason: "MISMATCH",
  },
];

/** The string at a violation's field path, when the path names a string field (not e.g. a oneof). */
function valueAt(spec: ConnectionSpec | undefined, field: string): string | undefined {
  if (spec === undefined) return undefined;
  const names = field.split(".").slice(1);
  const found = resolveFieldPath(ConnectionSpecSchema, names);
  if (!("fields" in found)) return undefined;
  const value = readField(reflect(ConnectionSpecSchema, spec), found.fields);
  return typeof value === "string" ? value : undefined;
}

describe("validateSpec", () => {
  it.each(Object.entries(validSpecs()))("accepts a valid spec: %s", (_name, spec) => {
    expect(validateSpec(spec)).toEqual([]);
  });

  it("has a bad case for at least 45 distinct inputs", () => {
    expect(new Set(badCases.map((c) => c.name)).size).toBe(badCases.length);
    expect(badCases.length).toBeGreaterThanOrEqual(45);
  });

  it.each(badCases)("rejects $name: $field $reason", ({ spec, field, reason }) => {
    const violations = validateSpec(spec());
    expect(violations.map((v) => ({ field: v.field, reason: v.reason }))).toEqual([{ field, reason }]);
    expect(violations[0]?.description).toMatch(/\w/);
  });

  it.each(badCases)("never echoes the bad value of $name", ({ spec }) => {
    const built = spec();
    for (const violation of validateSpec(built)) {
      expect(violation.description.toLowerCase()).not.toContain(MARKER.toLowerCase());
      const value = valueAt(built, violation.field)?.trim();
      if (value !== undefined && value.length >= 4) expect(violation.description).not.toContain(value);
    }
  });

  it("reports every violation at once", () => {
    const spec = aws({
      accountId: "12345",
      region: "Oregon",
      auth: { case: "inlineKeys", value: { accessKeyId: "AKIA123", secretAccessKey: "" } },
    });
    expect(validateSpec(spec).map((v) => [v.field, v.reason])).toEqual([
      ["spec.aws.account_id", "LENGTH"],
      ["spec.aws.region", "ENUM"],
      ["spec.aws.inline_keys.access_key_id", "LENGTH"],
      ["spec.aws.inline_keys.secret_access_key", "REQUIRED"],
    ]);
  });

  it("reports both halves of an empty legacy key and a conflicting token together", () => {
    const spec = cloudflare({ apiToken: "short", legacy: {} });
    expect(validateSpec(spec).map((v) => [v.field, v.reason])).toEqual([
      ["spec.cloudflare.legacy", "CONFLICT"],
      ["spec.cloudflare.api_token", "LENGTH"],
      ["spec.cloudflare.legacy.api_key", "REQUIRED"],
      ["spec.cloudflare.legacy.email", "REQUIRED"],
    ]);
  });

  it("lists every problem of a service-account key in one description", () => {
    const [violation] = validateSpec(gcpKeyWith({ type: "user", private_key: "nope", client_email: undefined }));
    expect(violation?.description).toBe(
      'must be a service-account JSON key: type is not "service_account"; client_email is missing; private_key is not a PEM private key',
    );
  });

  it("names the allowed regions in the ENUM description", () => {
    const [violation] = validateSpec(digitalocean({ ...valid.digitalocean(), defaultRegion: "mars1" }));
    expect(violation?.description).toBe("must be one of: nyc1, nyc2, nyc3, sfo2, sfo3, ams3, sgp1, lon1, fra1, tor1, blr1, syd1, atl1");
  });

  it("uses the given prefix for field paths", () => {
    expect(validateSpec(undefined, "connection.spec")).toEqual([expect.objectContaining({ field: "connection.spec", reason: "ONE_OF_REQUIRED" })]);
    expect(validateSpec(aws({ ...valid.awsInline(), accountId: "" }), "s")).toEqual([
      expect.objectContaining({ field: "s.aws.account_id", reason: "REQUIRED" }),
    ]);
  });

  it("counts characters, not UTF-16 units, against length limits", () => {
    // 16 astral characters are 32 UTF-16 units: enough for the 32 minimum only if units were counted.
    const [violation] = validateSpec(digitalocean({ ...valid.digitalocean(), apiToken: "\u{1F511}".repeat(16) }));
    expect(violation?.reason).toBe("MIN_LENGTH");
  });

  it("accepts a project_id equal to the key's", () => {
    expect(validateSpec(gcpKey(gcpKeyBase64(), GCP_PROJECT_ID))).toEqual([]);
  });

  it("accepts unpadded base64", () => {
    expect(validateSpec(gcpKey(gcpKeyBase64().replace(/=+$/, "")))).toEqual([]);
  });

  it("accepts exactly the documented Cloudflare token and key formats", () => {
    expect(validateSpec(cloudflare({ apiToken: `cfat_${"A".repeat(48)}` }))).toEqual([]);
    expect(validateSpec(cloudflare({ apiToken: `cfut_${"a1B2".repeat(10)}0123abcd` }))).toEqual([]);
    expect(validateSpec(legacy(`cfk_${"a1B2".repeat(10)}0123abcd`, "ops@example.com"))).toEqual([]);
    expect(validateSpec(legacy("0123456789ABCDEF0123456789abcdef01234", "ops@example.com"))).toEqual([]);
    const [tooLong] = validateSpec(cloudflare({ apiToken: `${CF_TOKEN_40}a` }));
    expect(tooLong?.description).toBe(
      "must be a Cloudflare API token: 40 characters of letters, digits, _ and - (classic), or 53 starting with cfut_ or cfat_",
    );
  });

  it("accepts every known AWS region of the three partitions and suggests near matches for others", () => {
    for (const region of ["us-east-1", "eu-central-2", "ap-southeast-5", "us-gov-east-1", "cn-northwest-1"]) {
      expect(validateSpec(aws({ ...valid.awsInline(), region })), region).toEqual([]);
    }
    const regionMessage = (region: string) => validateSpec(aws({ ...valid.awsInline(), region }))[0]?.description;
    expect(regionMessage("us-west-9")).toBe("must be a known AWS region; did you mean us-west-1, us-west-2?");
    expect(regionMessage("US-WEST-2")).toBe("must be a known AWS region; did you mean us-west-2?");
    expect(regionMessage("eu-cental-1")).toBe("must be a known AWS region; did you mean eu-central-1?");
    expect(regionMessage("us-gov-west")).toBe("must be a known AWS region; did you mean us-gov-west-1?");
    expect(regionMessage("xx-fake-1")).toBe("must be a known AWS region (commercial, GovCloud or China), such as us-east-1, eu-central-1 or us-gov-west-1");
  });

  it("suggests near matches for closed lists, ignoring case", () => {
    const [civoRegion] = validateSpec(civo({ ...valid.civo(), defaultRegion: "lon1" }));
    expect(civoRegion?.description).toBe("must be one of: LON1, FRA1, NYC1, PHX1, MUM1; did you mean LON1?");
    const [doRegion] = validateSpec(digitalocean({ ...valid.digitalocean(), defaultRegion: "nyc4" }));
    expect(doRegion?.description).toMatch(/; did you mean nyc1, nyc2, nyc3\?$/);
  });
});

describe("AWS cross-account trust", () => {
  const trust = (roleArn: string, externalId = "planton-abcdefghijklmnop", accountId = "123456789012") =>
    create(ConnectionSpecSchema, { provider: { case: "aws", value: { accountId, auth: { case: "crossAccountTrust", value: { roleArn, externalId } } } } });

  it("is refused unless the caller is the trust flow", () => {
    expect(validateSpec(trust("arn:aws:iam::123456789012:role/R"))).toEqual([
      expect.objectContaining({ field: "spec.aws.cross_account_trust", reason: "CONFLICT" }),
    ]);
    expect(validateSpec(trust("arn:aws:iam::123456789012:role/R"), "spec", { allowCrossAccountTrust: true })).toEqual([]);
  });

  it("checks the role is one of the account and the external id follows STS's rule", () => {
    const allow = { allowCrossAccountTrust: true };
    const fieldsOf = (spec: ReturnType<typeof trust>) => validateSpec(spec, "spec", allow).map((v) => `${v.field}:${v.reason}`);
    expect(fieldsOf(trust("arn:aws:iam::210987654321:role/R"))).toEqual(["spec.aws.cross_account_trust.role_arn:MISMATCH"]);
    expect(fieldsOf(trust("arn:aws:iam::123456789012:user/R"))).toEqual(["spec.aws.cross_account_trust.role_arn:PATTERN"]);
    expect(fieldsOf(trust("arn:aws:iam::123456789012:role/path/R", "x"))).toEqual(["spec.aws.cross_account_trust.external_id:PATTERN"]);
    expect(fieldsOf(trust("arn:aws:iam::123456789012:role/R", "has space"))).toEqual(["spec.aws.cross_account_trust.external_id:PATTERN"]);
    // A setup in progress has no role yet.
    expect(fieldsOf(trust(""))).toEqual([]);
  });
});
