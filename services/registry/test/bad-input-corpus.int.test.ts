/**
 * The bad-input corpus: a table of requests as a caller sends them (proto
 * JSON), across the six providers, runners and AWS trust setups. Each one
 * must be INVALID_ARGUMENT with a google.rpc.BadRequest violation naming
 * the field (and, where the contract fixes it, the reason), must not echo
 * a secret, and must write nothing: no connection, runner, setup, outbox
 * event or vault version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson, toJsonString, type JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { createInProcessBus } from "@planton/events";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import {
  CompleteSetupRequestSchema,
  GetSetupRequestSchema,
  GetTemplateRequestSchema,
  StartSetupRequestSchema,
  WatchSetupRequestSchema,
} from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { CreateConnectionRequestSchema, UpdateConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import {
  DeleteRunnerRequestSchema,
  GetRunnerRequestSchema,
  ListRunnersRequestSchema,
  RegisterRunnerRequestSchema,
} from "@planton/proto/planton/connect/v1/runner_service_pb";
import { captureLogs, markerForms, rpcFailure } from "@planton/testing";
import { parseQuickCreateUrl } from "../src/trust/quick-create-url.js";
import { awsSecret, gcpKeyBase64 } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

const ORG = "org-corpus";
const OTHER_ORG = "org-corpus-other";
// Letters and digits only, so it fits inside values that pass the character rules.
const MARKER = `Zq9Corpus${Math.random()
  .toString(36)
  .slice(2, 8)
  .replace(/[^a-z0-9]/g, "")}`;

// ---------------------------------------------------------------------------
// Valid values; each case breaks one thing.
// ---------------------------------------------------------------------------

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = awsSecret(MARKER);
const TENANT = "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00";
const SUBSCRIPTION = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
const CLIENT_ID = "0f1e2d3c-4b5a-4968-8776-655443322110";
const DO_TOKEN = `dop_v1_${MARKER}${"a".repeat(64)}`.slice(0, 71);
const CIVO_TOKEN = `${MARKER}civoapitoken0123456789`;
const CF_TOKEN_40 = `${MARKER}${"T".repeat(40)}`.slice(0, 40);
const CF_TOKEN_53 = `cfut_${MARKER}${"u".repeat(48)}`.slice(0, 53);
const CF_GLOBAL_KEY = `cfk_${MARKER}${"g".repeat(48)}`.slice(0, 52);
const CF_ACCOUNT = "0123456789abcdef0123456789abcdef";
const R2_KEY_ID = "fedcba9876543210fedcba9876543210";
// R2 secrets are hex: the marker goes in as hex, one of the forms the leak checks search for.
const R2_SECRET = `${Buffer.from(MARKER).toString("hex")}${"0".repeat(64)}`.slice(0, 64);
const R2_ENDPOINT = `https://${CF_ACCOUNT}.r2.cloudflarestorage.com`;
const IRSA_ROLE = "arn:aws:iam::123456789012:role/corpus-runner";
const STACK = (region = "us-west-2", account = ACCOUNT, partition = "aws") =>
  `arn:${partition}:cloudformation:${region}:${account}:stack/planton-corpus/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`;

const aws = (over: JsonObject = {}): JsonObject => ({
  aws: { account_id: ACCOUNT, region: "eu-central-1", inline_keys: { access_key_id: KEY_ID, secret_access_key: SECRET }, ...over },
});
const awsKeys = (keys: JsonObject): JsonObject => aws({ inline_keys: { access_key_id: KEY_ID, secret_access_key: SECRET, ...keys } });
const awsRunner = (runnerId: string): JsonObject => ({ aws: { account_id: ACCOUNT, runner: { runner_id: runnerId } } });
const gcpKey = (keyBase64: string, projectId = ""): JsonObject => ({ gcp: { project_id: projectId, service_account_key: { key_base64: keyBase64 } } });
const gcpRunner = (projectId: string, runnerId = "runner_0123456789"): JsonObject => ({ gcp: { project_id: projectId, runner: { runner_id: runnerId } } });
const azure = (over: JsonObject = {}, principal: JsonObject = {}): JsonObject => ({
  azure: {
    tenant_id: TENANT,
    subscription_id: SUBSCRIPTION,
    service_principal: { client_id: CLIENT_ID, client_secret: `${MARKER}-azure-secret`, ...principal },
    ...over,
  },
});
const digitalocean = (over: JsonObject = {}): JsonObject => ({ digitalocean: { api_token: DO_TOKEN, default_region: "fra1", ...over } });
const civo = (over: JsonObject = {}): JsonObject => ({ civo: { api_token: CIVO_TOKEN, default_region: "LON1", ...over } });
const cloudflare = (over: JsonObject = {}): JsonObject => ({ cloudflare: { api_token: CF_TOKEN_40, ...over } });
const cfLegacy = (legacy: JsonObject, over: JsonObject = {}): JsonObject => ({
  cloudflare: { legacy: { api_key: CF_GLOBAL_KEY, email: "ops@example.com", ...legacy }, ...over },
});
const r2 = (keys: JsonObject): JsonObject =>
  cloudflare({ account_id: CF_ACCOUNT, r2: { access_key_id: R2_KEY_ID, secret_access_key: R2_SECRET, endpoint: R2_ENDPOINT, ...keys } });
const gcpKeyWith = (overrides: Record<string, unknown>) => gcpKeyBase64({ ...overrides, marker: MARKER });

// ---------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------

type Rpc =
  | "CreateConnection"
  | "UpdateConnection"
  | "RegisterRunner"
  | "GetRunner"
  | "DeleteRunner"
  | "ListRunners"
  | "StartSetup"
  | "CompleteSetup"
  | "GetSetup"
  | "WatchSetup"
  | "GetTemplate";

interface CorpusCase {
  readonly label: string;
  readonly rpc: Rpc;
  /** The request in proto JSON; a function where it needs ids that exist only after beforeAll. */
  readonly request: JsonObject | (() => JsonObject);
  /** The field path that must appear among the BadRequest field violations. */
  readonly field: string;
  /** Its reason code, where the contract fixes it. */
  readonly reason?: string;
}

// Ids made in beforeAll: the update, reconnect and completion cases aim at them.
const made = {
  runner: "",
  otherRunner: "",
  aws: "",
  awsEtag: "",
  digitalocean: "",
  doEtag: "",
  civo: "",
  civoEtag: "",
  cloudflare: "",
  cfEtag: "",
  azure: "",
  azureEtag: "",
  setup: "",
  token: "",
};

const create = (label: string, spec: JsonObject | undefined, field: string, reason?: string, name = "corpus-bad"): CorpusCase => ({
  label,
  rpc: "CreateConnection",
  request: spec === undefined ? { name } : { name, spec },
  field,
  ...(reason !== undefined ? { reason } : {}),
});
const update = (label: string, target: () => { id: string; etag: string }, body: JsonObject, field: string, reason?: string): CorpusCase => ({
  label,
  rpc: "UpdateConnection",
  request: () => ({ connection: target().id, etag: target().etag, ...body }),
  field,
  ...(reason !== undefined ? { reason } : {}),
});
const start = (label: string, request: JsonObject | (() => JsonObject), field: string, reason?: string): CorpusCase => ({
  label,
  rpc: "StartSetup",
  request,
  field,
  ...(reason !== undefined ? { reason } : {}),
});
const completion = (label: string, over: JsonObject, field: string, reason?: string): CorpusCase => ({
  label,
  rpc: "CompleteSetup",
  request: () => ({
    setup_id: made.setup,
    token: made.token,
    role_arn: `arn:aws:iam::${ACCOUNT}:role/planton-corpus`,
    account_id: ACCOUNT,
    stack_id: STACK(),
    ...over,
  }),
  field,
  ...(reason !== undefined ? { reason } : {}),
});
const register = (label: string, request: JsonObject, field: string, reason?: string): CorpusCase => ({
  label,
  rpc: "RegisterRunner",
  request,
  field,
  ...(reason !== undefined ? { reason } : {}),
});
const A = "spec.aws";
const G = "spec.gcp";
const Z = "spec.azure";
const D = "spec.digitalocean";
const C = "spec.civo";
const F = "spec.cloudflare";
const target = {
  aws: () => ({ id: made.aws, etag: made.awsEtag }),
  digitalocean: () => ({ id: made.digitalocean, etag: made.doEtag }),
  civo: () => ({ id: made.civo, etag: made.civoEtag }),
  cloudflare: () => ({ id: made.cloudflare, etag: made.cfEtag }),
  azure: () => ({ id: made.azure, etag: made.azureEtag }),
};

const corpus: CorpusCase[] = [
  // CreateConnection: name and spec.
  create("create: empty name", aws(), "name", "REQUIRED", ""),
  create("create: 64-character name", aws(), "name", "MAX_LENGTH", "n".repeat(64)),
  create("create: name with trailing space", aws(), "name", "PATTERN", "payments-prod-aws "),
  create("create: name of symbols only", aws(), "name", "PATTERN", "%%% ---"),
  create("create: name with a tab", aws(), "name", "PATTERN", "payments\tprod"),
  create("create: no spec", undefined, "spec", "ONE_OF_REQUIRED"),
  create("create: spec without provider", {}, "spec", "ONE_OF_REQUIRED"),

  // AWS.
  create("aws: account_id missing", aws({ account_id: "" }), `${A}.account_id`, "REQUIRED"),
  create("aws: account_id 11 digits", aws({ account_id: "12345678901" }), `${A}.account_id`, "LENGTH"),
  create("aws: account_id 13 digits", aws({ account_id: "1234567890123" }), `${A}.account_id`, "LENGTH"),
  create("aws: account_id with letters", aws({ account_id: "12345678901a" }), `${A}.account_id`, "PATTERN"),
  create("aws: account_id over 4096 characters", aws({ account_id: "1".repeat(5000) }), `${A}.account_id`, "MAX_LENGTH"),
  create("aws: region xx-fake-1", aws({ region: "xx-fake-1" }), `${A}.region`, "ENUM"),
  create("aws: region us-west-9", aws({ region: "us-west-9" }), `${A}.region`, "ENUM"),
  create("aws: region upper case", aws({ region: "US-WEST-2" }), `${A}.region`, "ENUM"),
  create("aws: region without number", aws({ region: "eu-central" }), `${A}.region`, "ENUM"),
  create("aws: pseudo-region aws-global", aws({ region: "aws-global" }), `${A}.region`, "ENUM"),
  create("aws: pseudo-region aws-us-gov-global", aws({ region: "aws-us-gov-global" }), `${A}.region`, "ENUM"),
  create("aws: ISO partition region", aws({ region: "us-iso-east-1" }), `${A}.region`, "ENUM"),
  create("aws: China region that does not exist", aws({ region: "cn-south-1" }), `${A}.region`, "ENUM"),
  create("aws: GovCloud region that does not exist", aws({ region: "us-gov-north-1" }), `${A}.region`, "ENUM"),
  create("aws: region with trailing newline", aws({ region: "us-west-2\n" }), `${A}.region`, "PATTERN"),
  create("aws: no auth method", aws({ inline_keys: null }), `${A}.auth`, "ONE_OF_REQUIRED"),
  create("aws: access_key_id missing", awsKeys({ access_key_id: "" }), `${A}.inline_keys.access_key_id`, "REQUIRED"),
  create("aws: access_key_id 19 characters", awsKeys({ access_key_id: KEY_ID.slice(1) }), `${A}.inline_keys.access_key_id`, "LENGTH"),
  create("aws: access_key_id wrong prefix", awsKeys({ access_key_id: "AIDAIOSFODNN7EXAMPLE" }), `${A}.inline_keys.access_key_id`, "PATTERN"),
  create("aws: access_key_id lower case", awsKeys({ access_key_id: KEY_ID.toLowerCase() }), `${A}.inline_keys.access_key_id`, "PATTERN"),
  create("aws: secret_access_key missing", awsKeys({ secret_access_key: "" }), `${A}.inline_keys.secret_access_key`, "REQUIRED"),
  create("aws: secret_access_key 39 characters", awsKeys({ secret_access_key: SECRET.slice(1) }), `${A}.inline_keys.secret_access_key`, "LENGTH"),
  create("aws: secret_access_key 41 characters", awsKeys({ secret_access_key: `${SECRET}A` }), `${A}.inline_keys.secret_access_key`, "LENGTH"),
  create("aws: secret_access_key with a dash", awsKeys({ secret_access_key: `${SECRET.slice(0, 39)}-` }), `${A}.inline_keys.secret_access_key`, "PATTERN"),
  create("aws: runner_id missing", awsRunner(""), `${A}.runner.runner_id`, "REQUIRED"),
  create("aws: runner_id malformed", awsRunner("Runner-01"), `${A}.runner.runner_id`, "PATTERN"),
  {
    label: "aws: runner of another organization",
    rpc: "CreateConnection",
    request: () => ({ name: "corpus-bad", spec: awsRunner(made.otherRunner) }),
    field: `${A}.runner.runner_id`,
    reason: "NOT_FOUND",
  },
  create("aws: runner that does not exist", awsRunner("runner_0000000000nope"), `${A}.runner.runner_id`, "NOT_FOUND"),
  create(
    "aws: cross_account_trust set directly",
    { aws: { account_id: ACCOUNT, cross_account_trust: { role_arn: `arn:aws:iam::${ACCOUNT}:role/r`, external_id: "chosen-by-caller" } } },
    `${A}.cross_account_trust`,
    "CONFLICT",
  ),

  // GCP.
  create("gcp: no auth method", { gcp: { project_id: "acme-prod-1234" } }, `${G}.auth`, "ONE_OF_REQUIRED"),
  create("gcp: key_base64 missing", gcpKey(""), `${G}.service_account_key.key_base64`, "REQUIRED"),
  create("gcp: key_base64 not base64", gcpKey(`${MARKER}!!*not base64`), `${G}.service_account_key.key_base64`, "FORMAT"),
  create("gcp: key is not JSON", gcpKey(Buffer.from(`{"type": ${MARKER}`).toString("base64")), `${G}.service_account_key.key_base64`, "INVALID_KEY"),
  create("gcp: key is not a service account", gcpKey(gcpKeyWith({ type: "authorized_user" })), `${G}.service_account_key.key_base64`, "INVALID_KEY"),
  create("gcp: key without private_key", gcpKey(gcpKeyWith({ private_key: undefined })), `${G}.service_account_key.key_base64`, "INVALID_KEY"),
  create("gcp: key over 16384 characters", gcpKey("A".repeat(16388)), `${G}.service_account_key.key_base64`, "MAX_LENGTH"),
  create("gcp: project_id differs from the key's", gcpKey(gcpKeyWith({}), "another-project-1"), `${G}.project_id`, "MISMATCH"),
  create("gcp: runner mode without project_id", gcpRunner(""), `${G}.project_id`, "REQUIRED"),
  create("gcp: project_id upper case", gcpRunner("Acme-Prod-1234"), `${G}.project_id`, "PATTERN"),
  create("gcp: project_id 5 characters", gcpRunner("acme1"), `${G}.project_id`, "MIN_LENGTH"),
  create("gcp: project_id 31 characters", gcpRunner(`a${"b".repeat(30)}`), `${G}.project_id`, "MAX_LENGTH"),
  create("gcp: project_id ending in a hyphen", gcpRunner("acme-prod-"), `${G}.project_id`, "PATTERN"),
  create("gcp: runner_id malformed", gcpRunner("acme-prod-1234", "runner-x"), `${G}.runner.runner_id`, "PATTERN"),

  // Azure.
  create("azure: tenant_id missing", azure({ tenant_id: "" }), `${Z}.tenant_id`, "REQUIRED"),
  create("azure: tenant_id not a UUID", azure({ tenant_id: "contoso.onmicrosoft.com" }), `${Z}.tenant_id`, "FORMAT"),
  create("azure: subscription_id missing", azure({ subscription_id: "" }), `${Z}.subscription_id`, "REQUIRED"),
  create("azure: subscription_id without dashes", azure({ subscription_id: SUBSCRIPTION.replaceAll("-", "") }), `${Z}.subscription_id`, "FORMAT"),
  create("azure: no auth method", { azure: { tenant_id: TENANT, subscription_id: SUBSCRIPTION } }, `${Z}.auth`, "ONE_OF_REQUIRED"),
  create("azure: client_id missing", azure({}, { client_id: "" }), `${Z}.service_principal.client_id`, "REQUIRED"),
  create("azure: client_id not a UUID", azure({}, { client_id: "my-app" }), `${Z}.service_principal.client_id`, "FORMAT"),
  create("azure: client_secret missing", azure({}, { client_secret: "" }), `${Z}.service_principal.client_secret`, "REQUIRED"),
  create(
    "azure: client_secret over 1024 characters",
    azure({}, { client_secret: `${MARKER}${"s".repeat(1030)}` }),
    `${Z}.service_principal.client_secret`,
    "MAX_LENGTH",
  ),
  create("azure: client_secret with a space", azure({}, { client_secret: `${MARKER} secret` }), `${Z}.service_principal.client_secret`, "PATTERN"),
  create(
    "azure: runner_id missing",
    { azure: { tenant_id: TENANT, subscription_id: SUBSCRIPTION, runner: { runner_id: "" } } },
    `${Z}.runner.runner_id`,
    "REQUIRED",
  ),

  // DigitalOcean.
  create("digitalocean: api_token missing", digitalocean({ api_token: "" }), `${D}.api_token`, "REQUIRED"),
  create("digitalocean: api_token 31 characters", digitalocean({ api_token: DO_TOKEN.slice(0, 31) }), `${D}.api_token`, "MIN_LENGTH"),
  create("digitalocean: api_token over 512 characters", digitalocean({ api_token: `${MARKER}${"a".repeat(520)}` }), `${D}.api_token`, "MAX_LENGTH"),
  create("digitalocean: api_token with a space", digitalocean({ api_token: `${DO_TOKEN.slice(0, 40)} ${DO_TOKEN.slice(40)}` }), `${D}.api_token`, "PATTERN"),
  create("digitalocean: default_region missing", digitalocean({ default_region: "" }), `${D}.default_region`, "REQUIRED"),
  create("digitalocean: default_region nyc4", digitalocean({ default_region: "nyc4" }), `${D}.default_region`, "ENUM"),
  create("digitalocean: default_region upper case", digitalocean({ default_region: "NYC3" }), `${D}.default_region`, "ENUM"),
  create("digitalocean: default_region retired sfo1", digitalocean({ default_region: "sfo1" }), `${D}.default_region`, "ENUM"),
  create("digitalocean: default_region an AWS region", digitalocean({ default_region: "us-east-1" }), `${D}.default_region`, "ENUM"),
  create(
    "digitalocean: spaces_access_id without secret",
    digitalocean({ spaces_access_id: "DO00EXAMPLEACCESSID12" }),
    `${D}.spaces_secret_key`,
    "BOTH_OR_NEITHER",
  ),
  create(
    "digitalocean: spaces_secret_key without id",
    digitalocean({ spaces_secret_key: `${MARKER}spacessecret0123456789` }),
    `${D}.spaces_access_id`,
    "BOTH_OR_NEITHER",
  ),
  create(
    "digitalocean: spaces_secret_key with a space",
    digitalocean({ spaces_access_id: "DO00EXAMPLEACCESSID12", spaces_secret_key: `${MARKER} spacessecret` }),
    `${D}.spaces_secret_key`,
    "PATTERN",
  ),

  // Civo.
  create("civo: api_token missing", civo({ api_token: "" }), `${C}.api_token`, "REQUIRED"),
  create("civo: api_token 19 characters", civo({ api_token: CIVO_TOKEN.slice(0, 19) }), `${C}.api_token`, "MIN_LENGTH"),
  create("civo: api_token with a newline inside", civo({ api_token: `${MARKER}\n${"c".repeat(30)}` }), `${C}.api_token`, "PATTERN"),
  create("civo: default_region missing", civo({ default_region: "" }), `${C}.default_region`, "REQUIRED"),
  create("civo: default_region lower case", civo({ default_region: "lon1" }), `${C}.default_region`, "ENUM"),
  create("civo: default_region retired SVG1", civo({ default_region: "SVG1" }), `${C}.default_region`, "ENUM"),
  create("civo: default_region LON2", civo({ default_region: "LON2" }), `${C}.default_region`, "ENUM"),
  create(
    "civo: object_store_access_id without secret",
    civo({ object_store_access_id: "CIVOACCESSKEY0000001" }),
    `${C}.object_store_secret_key`,
    "BOTH_OR_NEITHER",
  ),
  create(
    "civo: object_store_secret_key without id",
    civo({ object_store_secret_key: `${MARKER}objectstoresecret` }),
    `${C}.object_store_access_id`,
    "BOTH_OR_NEITHER",
  ),

  // Cloudflare.
  create("cloudflare: neither token nor legacy", { cloudflare: { account_id: CF_ACCOUNT } }, F, "ONE_OF_REQUIRED"),
  create("cloudflare: token and legacy both", cloudflare({ legacy: { api_key: CF_GLOBAL_KEY, email: "ops@example.com" } }), `${F}.legacy`, "CONFLICT"),
  create("cloudflare: api_token 39 characters", cloudflare({ api_token: CF_TOKEN_40.slice(1) }), `${F}.api_token`, "LENGTH"),
  create("cloudflare: api_token 41 characters", cloudflare({ api_token: `${CF_TOKEN_40}a` }), `${F}.api_token`, "LENGTH"),
  create("cloudflare: api_token 52 characters", cloudflare({ api_token: CF_TOKEN_53.slice(0, 52) }), `${F}.api_token`, "LENGTH"),
  create("cloudflare: api_token 54 characters", cloudflare({ api_token: `${CF_TOKEN_53}a` }), `${F}.api_token`, "MAX_LENGTH"),
  create("cloudflare: api_token 53 characters, unknown prefix", cloudflare({ api_token: `cfzz_${CF_TOKEN_53.slice(5)}` }), `${F}.api_token`, "PATTERN"),
  create("cloudflare: api_token is a cfk_ global key", cloudflare({ api_token: `cfk_${"k".repeat(48)}` }), `${F}.api_token`, "PATTERN"),
  create("cloudflare: api_token 40 characters with a dot", cloudflare({ api_token: `${CF_TOKEN_40.slice(0, 39)}.` }), `${F}.api_token`, "PATTERN"),
  create("cloudflare: api_token with leading space", cloudflare({ api_token: ` ${CF_TOKEN_40.slice(1)}` }), `${F}.api_token`, "PATTERN"),
  create("cloudflare: legacy api_key missing", cfLegacy({ api_key: "" }), `${F}.legacy.api_key`, "REQUIRED"),
  create("cloudflare: legacy api_key 36 hex", cfLegacy({ api_key: "0123456789abcdef0123456789abcdef0123" }), `${F}.legacy.api_key`, "PATTERN"),
  create(
    "cloudflare: legacy api_key 37 characters, not hex",
    cfLegacy({ api_key: `${MARKER}${"z".repeat(37)}`.slice(0, 37) }),
    `${F}.legacy.api_key`,
    "PATTERN",
  ),
  create("cloudflare: legacy api_key cfk_ of 51 characters", cfLegacy({ api_key: CF_GLOBAL_KEY.slice(0, 51) }), `${F}.legacy.api_key`, "PATTERN"),
  create("cloudflare: legacy api_key is a cfut_ token", cfLegacy({ api_key: CF_TOKEN_53 }), `${F}.legacy.api_key`, "MAX_LENGTH"),
  create("cloudflare: legacy email missing", cfLegacy({ email: "" }), `${F}.legacy.email`, "REQUIRED"),
  create("cloudflare: legacy email without @", cfLegacy({ email: "ops.example.com" }), `${F}.legacy.email`, "FORMAT"),
  create("cloudflare: legacy email over 254 characters", cfLegacy({ email: `${"o".repeat(250)}@example.com` }), `${F}.legacy.email`, "MAX_LENGTH"),
  create("cloudflare: account_id 31 characters", cloudflare({ account_id: CF_ACCOUNT.slice(1) }), `${F}.account_id`, "LENGTH"),
  create("cloudflare: account_id upper case", cloudflare({ account_id: CF_ACCOUNT.toUpperCase() }), `${F}.account_id`, "PATTERN"),
  create("cloudflare: account_id not hex", cloudflare({ account_id: "g".repeat(32) }), `${F}.account_id`, "PATTERN"),
  create("cloudflare: r2 access_key_id missing", r2({ access_key_id: "" }), `${F}.r2.access_key_id`, "REQUIRED"),
  create("cloudflare: r2 access_key_id 20 characters", r2({ access_key_id: "r2accesskeyid0123456" }), `${F}.r2.access_key_id`, "LENGTH"),
  create("cloudflare: r2 access_key_id not hex", r2({ access_key_id: "z".repeat(32) }), `${F}.r2.access_key_id`, "PATTERN"),
  create("cloudflare: r2 secret_access_key missing", r2({ secret_access_key: "" }), `${F}.r2.secret_access_key`, "REQUIRED"),
  create("cloudflare: r2 secret_access_key 63 characters", r2({ secret_access_key: R2_SECRET.slice(1) }), `${F}.r2.secret_access_key`, "LENGTH"),
  create(
    "cloudflare: r2 secret_access_key not hex",
    r2({ secret_access_key: `${MARKER}${"z".repeat(64)}`.slice(0, 64) }),
    `${F}.r2.secret_access_key`,
    "PATTERN",
  ),
  create("cloudflare: r2 endpoint plain http", r2({ endpoint: R2_ENDPOINT.replace("https:", "http:") }), `${F}.r2.endpoint`, "FORMAT"),
  create(
    "cloudflare: r2 endpoint with a password",
    r2({ endpoint: `https://user:${MARKER}@${CF_ACCOUNT}.r2.cloudflarestorage.com` }),
    `${F}.r2.endpoint`,
    "FORMAT",
  ),
  create("cloudflare: r2 endpoint another host", r2({ endpoint: "https://storage.example.com" }), `${F}.r2.endpoint`, "PATTERN"),
  create("cloudflare: r2 endpoint of another account", r2({ endpoint: `https://${"e".repeat(32)}.r2.cloudflarestorage.com` }), `${F}.r2.endpoint`, "MISMATCH"),
  create("cloudflare: r2 endpoint over 256 characters", r2({ endpoint: `https://${"a".repeat(300)}.example.com` }), `${F}.r2.endpoint`, "MAX_LENGTH"),

  // UpdateConnection: the same rules on changed fields, and mode mismatches.
  update("update aws: region us-west-9", target.aws, { spec: aws({ region: "us-west-9" }), update_mask: "spec.aws.region" }, `${A}.region`, "ENUM"),
  update("update aws: region xx-fake-1", target.aws, { spec: aws({ region: "xx-fake-1" }), update_mask: "spec.aws.region" }, `${A}.region`, "ENUM"),
  update(
    "update aws: rotate to a 19-character key id",
    target.aws,
    { spec: awsKeys({ access_key_id: KEY_ID.slice(1) }), update_mask: "spec.aws.inlineKeys" },
    `${A}.inline_keys.access_key_id`,
    "LENGTH",
  ),
  update(
    "update aws: mask for the runner while keys are in use",
    target.aws,
    { spec: awsRunner("runner_0123456789"), update_mask: "spec.aws.runner.runnerId" },
    "update_mask",
    "MISMATCH",
  ),
  update(
    "update aws: mask for another provider",
    target.aws,
    { spec: digitalocean(), update_mask: "spec.digitalocean.defaultRegion" },
    "update_mask",
    "MISMATCH",
  ),
  update("update aws: unknown mask path", target.aws, { spec: aws(), update_mask: "spec.aws.nope" }, "update_mask", "UNKNOWN_FIELD"),
  update("update aws: empty mask", target.aws, { name: "renamed" }, "update_mask", "REQUIRED"),
  update("update aws: no etag", () => ({ id: made.aws, etag: "" }), { name: "renamed", update_mask: "name" }, "etag", "REQUIRED"),
  update("update aws: rename to an empty name", target.aws, { name: "", update_mask: "name" }, "name", "REQUIRED"),
  update(
    "update digitalocean: default_region nyc9",
    target.digitalocean,
    { spec: digitalocean({ default_region: "nyc9" }), update_mask: "spec.digitalocean.defaultRegion" },
    `${D}.default_region`,
    "ENUM",
  ),
  update(
    "update digitalocean: spaces id without secret",
    target.digitalocean,
    { spec: digitalocean({ spaces_access_id: "DO00EXAMPLEACCESSID12" }), update_mask: "spec.digitalocean.spacesAccessId" },
    `${D}.spaces_secret_key`,
    "BOTH_OR_NEITHER",
  ),
  update(
    "update civo: default_region lon1",
    target.civo,
    { spec: civo({ default_region: "lon1" }), update_mask: "spec.civo.defaultRegion" },
    `${C}.default_region`,
    "ENUM",
  ),
  update(
    "update cloudflare: rotate to a 41-character token",
    target.cloudflare,
    { spec: cloudflare({ api_token: `${CF_TOKEN_40}b` }), update_mask: "spec.cloudflare.apiToken" },
    `${F}.api_token`,
    "LENGTH",
  ),
  update(
    "update cloudflare: account_id upper case",
    target.cloudflare,
    { spec: cloudflare({ account_id: CF_ACCOUNT.toUpperCase() }), update_mask: "spec.cloudflare.accountId" },
    `${F}.account_id`,
    "PATTERN",
  ),
  update(
    "update cloudflare: switch to legacy while keeping the token",
    target.cloudflare,
    { spec: cfLegacy({}), update_mask: "spec.cloudflare.legacy" },
    `${F}.legacy`,
    "CONFLICT",
  ),
  update(
    "update azure: tenant_id not a UUID",
    target.azure,
    { spec: azure({ tenant_id: "not-a-tenant" }), update_mask: "spec.azure.tenantId" },
    `${Z}.tenant_id`,
    "FORMAT",
  ),
  update(
    "update azure: rotate to an empty client_secret",
    target.azure,
    { spec: azure({}, { client_secret: "" }), update_mask: "spec.azure.servicePrincipal.clientSecret" },
    `${Z}.service_principal.client_secret`,
    "REQUIRED",
  ),

  // RunnerService.
  register("register runner: empty name", { name: "", identity: { kind: "RUNNER_IDENTITY_KIND_AWS_IRSA", principal: IRSA_ROLE } }, "name", "REQUIRED"),
  register(
    "register runner: 64-character name",
    { name: "r".repeat(64), identity: { kind: "RUNNER_IDENTITY_KIND_AWS_IRSA", principal: IRSA_ROLE } },
    "name",
    "MAX_LENGTH",
  ),
  register("register runner: no identity", { name: "corpus-runner-x" }, "identity", "REQUIRED"),
  register("register runner: unspecified kind", { name: "corpus-runner-x", identity: { kind: 0, principal: IRSA_ROLE } }, "identity.kind", "ENUM"),
  register("register runner: undefined kind number", { name: "corpus-runner-x", identity: { kind: 99, principal: IRSA_ROLE } }, "identity.kind", "ENUM"),
  register(
    "register runner: empty principal",
    { name: "corpus-runner-x", identity: { kind: "RUNNER_IDENTITY_KIND_AWS_IRSA", principal: "" } },
    "identity.principal",
    "REQUIRED",
  ),
  register(
    "register runner: IRSA principal is a user",
    { name: "corpus-runner-x", identity: { kind: "RUNNER_IDENTITY_KIND_AWS_IRSA", principal: "arn:aws:iam::123456789012:user/alice" } },
    "identity.principal",
    "PATTERN",
  ),
  register(
    "register runner: GCP principal is an ARN",
    { name: "corpus-runner-x", identity: { kind: "RUNNER_IDENTITY_KIND_GCP_WORKLOAD_IDENTITY", principal: IRSA_ROLE } },
    "identity.principal",
    "PATTERN",
  ),
  register(
    "register runner: Azure principal not a UUID",
    { name: "corpus-runner-x", identity: { kind: "RUNNER_IDENTITY_KIND_AZURE_MANAGED_IDENTITY", principal: "my-managed-identity" } },
    "identity.principal",
    "PATTERN",
  ),
  { label: "get runner: empty runner_id", rpc: "GetRunner", request: { runner_id: "" }, field: "runner_id", reason: "REQUIRED" },
  { label: "get runner: malformed runner_id", rpc: "GetRunner", request: { runner_id: "awsconn_0123" }, field: "runner_id", reason: "PATTERN" },
  { label: "get runner: upper-case runner_id", rpc: "GetRunner", request: { runner_id: "runner_ABC" }, field: "runner_id", reason: "PATTERN" },
  { label: "delete runner: empty runner_id", rpc: "DeleteRunner", request: { runner_id: "" }, field: "runner_id", reason: "REQUIRED" },
  { label: "delete runner: malformed runner_id", rpc: "DeleteRunner", request: { runner_id: "runner-with-dashes" }, field: "runner_id", reason: "PATTERN" },
  { label: "list runners: garbage page_token", rpc: "ListRunners", request: { page_token: "%%%not-a-token" }, field: "page_token" },

  // AwsTrustService.StartSetup.
  start("start setup: empty name", { name: "", account_id: ACCOUNT }, "name", "REQUIRED"),
  start("start setup: 64-character name", { name: "s".repeat(64), account_id: ACCOUNT }, "name", "MAX_LENGTH"),
  start("start setup: empty account_id", { name: "corpus-trust-x", account_id: "" }, "account_id", "REQUIRED"),
  start("start setup: account_id with letters", { name: "corpus-trust-x", account_id: "12345678901a" }, "account_id", "PATTERN"),
  start("start setup: region xx-fake-1", { name: "corpus-trust-x", account_id: ACCOUNT, region: "xx-fake-1" }, "region", "ENUM"),
  start("start setup: region us-west-9", { name: "corpus-trust-x", account_id: ACCOUNT, region: "us-west-9" }, "region", "ENUM"),
  start("start setup: region upper case", { name: "corpus-trust-x", account_id: ACCOUNT, region: "EU-WEST-1" }, "region", "ENUM"),
  start("start setup: pseudo-region aws-cn-global", { name: "corpus-trust-x", account_id: ACCOUNT, region: "aws-cn-global" }, "region", "ENUM"),
  start("start setup: ISO region", { name: "corpus-trust-x", account_id: ACCOUNT, region: "us-isob-east-1" }, "region", "ENUM"),
  start("start setup: unspecified capability", { name: "corpus-trust-x", account_id: ACCOUNT, capabilities: [0] }, "capabilities[0]", "ENUM"),
  start(
    "start setup: undefined capability number",
    { name: "corpus-trust-x", account_id: ACCOUNT, capabilities: ["AWS_CAPABILITY_EKS", 99] },
    "capabilities[1]",
    "ENUM",
  ),
  start(
    "start setup: negative capability number",
    { name: "corpus-trust-x", account_id: ACCOUNT, capabilities: ["AWS_CAPABILITY_RDS", "AWS_CAPABILITY_KMS", -1] },
    "capabilities[2]",
    "ENUM",
  ),
  start("start setup: reconnect a DigitalOcean connection", () => ({ reconnect: made.digitalocean }), "reconnect", "MISMATCH"),
  start("start setup: reconnect with another account", () => ({ reconnect: made.aws, account_id: OTHER_ACCOUNT }), "account_id", "MISMATCH"),
  start("start setup: reconnect with another name", () => ({ reconnect: made.aws, name: "a-new-name" }), "name", "MISMATCH"),
  start("start setup: reconnect to region us-west-9", () => ({ reconnect: made.aws, region: "us-west-9" }), "region", "ENUM"),

  // GetSetup, WatchSetup, GetTemplate.
  { label: "get setup: empty setup_id", rpc: "GetSetup", request: { setup_id: "" }, field: "setup_id", reason: "REQUIRED" },
  { label: "watch setup: empty setup_id", rpc: "WatchSetup", request: { setup_id: "" }, field: "setup_id", reason: "REQUIRED" },
  { label: "get template: undefined format 3", rpc: "GetTemplate", request: { format: 3 }, field: "format", reason: "ENUM" },
  { label: "get template: undefined format 99", rpc: "GetTemplate", request: { format: 99 }, field: "format", reason: "ENUM" },
  { label: "get template: negative format", rpc: "GetTemplate", request: { format: -1 }, field: "format", reason: "ENUM" },

  // CompleteSetup (the stack's callback): with the setup's real token, so the field checks are reached.
  { label: "complete setup: empty setup_id", rpc: "CompleteSetup", request: { setup_id: "", token: "x" }, field: "setup_id", reason: "REQUIRED" },
  { label: "complete setup: empty token", rpc: "CompleteSetup", request: () => ({ setup_id: made.setup, token: "" }), field: "token", reason: "REQUIRED" },
  completion("complete setup: empty role_arn", { role_arn: "" }, "role_arn", "REQUIRED"),
  completion("complete setup: role_arn is a user", { role_arn: `arn:aws:iam::${ACCOUNT}:user/alice` }, "role_arn", "PATTERN"),
  completion("complete setup: role of another account", { role_arn: `arn:aws:iam::${OTHER_ACCOUNT}:role/planton-corpus` }, "role_arn", "MISMATCH"),
  completion("complete setup: empty account_id", { account_id: "" }, "account_id", "REQUIRED"),
  completion("complete setup: another account_id", { account_id: OTHER_ACCOUNT }, "account_id", "MISMATCH"),
  completion("complete setup: empty stack_id", { stack_id: "" }, "stack_id", "REQUIRED"),
  completion("complete setup: stack_id not an ARN", { stack_id: "planton-corpus" }, "stack_id", "PATTERN"),
  completion("complete setup: stack of another account", { stack_id: STACK("us-west-2", OTHER_ACCOUNT) }, "stack_id", "MISMATCH"),
  completion("complete setup: stack in region us-west-9", { stack_id: STACK("us-west-9") }, "stack_id", "PATTERN"),
  completion("complete setup: stack ARN partition and region disagree", { stack_id: STACK("us-west-2", ACCOUNT, "aws-cn") }, "stack_id", "PATTERN"),
];

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
let h: RegistryHarness;
let clients: Awaited<ReturnType<RegistryHarness["clients"]>>;

beforeAll(async () => {
  h = await startRegistry({
    logger: logs.logger,
    publisher: bus,
    env: {
      AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner",
      AWS_TRUST_TEMPLATE_URL: "https://planton-templates.s3.us-east-1.amazonaws.com/aws-trust/v2/template.json",
      PUBLIC_URL: "https://connect.example.com",
    },
  });
  clients = await h.clients(ORG);
  const other = await h.clients(OTHER_ORG);
  made.runner = (
    await clients.runners.registerRunner({ name: "corpus-runner", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: IRSA_ROLE } })
  ).runner!.id;
  // A runner that exists, but in another organization.
  made.otherRunner = (
    await other.runners.registerRunner({ name: "corpus-other-runner", identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: IRSA_ROLE } })
  ).runner!.id;
  const createOne = async (name: string, spec: JsonObject) => {
    const { connection } = await clients.connections.createConnection(fromJson(CreateConnectionRequestSchema, { name, spec }));
    return { id: connection!.id, etag: connection!.etag };
  };
  ({ id: made.aws, etag: made.awsEtag } = await createOne("corpus-aws", aws()));
  ({ id: made.digitalocean, etag: made.doEtag } = await createOne("corpus-do", digitalocean()));
  ({ id: made.civo, etag: made.civoEtag } = await createOne("corpus-civo", civo()));
  ({ id: made.cloudflare, etag: made.cfEtag } = await createOne("corpus-cf", cloudflare()));
  ({ id: made.azure, etag: made.azureEtag } = await createOne("corpus-azure", azure()));
  const started = await clients.trust.startSetup({ name: "corpus-trust-aws", accountId: ACCOUNT });
  made.setup = started.setupId;
  made.token = parseQuickCreateUrl(started.quickCreateUrl).params.get("param_CallbackToken") ?? "";
  expect(made.token).not.toBe("");
});

afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

/** Sends a corpus request through the typed client of its service. */
async function send(rpc: Rpc, json: JsonObject): Promise<unknown> {
  switch (rpc) {
    case "CreateConnection":
      return clients.connections.createConnection(fromJson(CreateConnectionRequestSchema, json));
    case "UpdateConnection":
      return clients.connections.updateConnection(fromJson(UpdateConnectionRequestSchema, json));
    case "RegisterRunner":
      return clients.runners.registerRunner(fromJson(RegisterRunnerRequestSchema, json));
    case "GetRunner":
      return clients.runners.getRunner(fromJson(GetRunnerRequestSchema, json));
    case "DeleteRunner":
      return clients.runners.deleteRunner(fromJson(DeleteRunnerRequestSchema, json));
    case "ListRunners":
      return clients.runners.listRunners(fromJson(ListRunnersRequestSchema, json));
    case "StartSetup":
      return clients.trust.startSetup(fromJson(StartSetupRequestSchema, json));
    case "CompleteSetup":
      return h.anonymousTrust().completeSetup(fromJson(CompleteSetupRequestSchema, json));
    case "GetSetup":
      return clients.trust.getSetup(fromJson(GetSetupRequestSchema, json));
    case "WatchSetup":
      for await (const _ of clients.trust.watchSetup(fromJson(WatchSetupRequestSchema, json))) return _;
      return undefined;
    case "GetTemplate":
      return clients.trust.getTemplate(fromJson(GetTemplateRequestSchema, json));
  }
}

/** Row counts of everything a refused request must leave as it was. */
async function counts(): Promise<Record<string, number>> {
  const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }) => Number((await query.executeTakeFirstOrThrow()).n);
  const db = h.registry.db;
  return {
    connections: await count(db.selectFrom("connections").select((eb) => eb.fn.countAll<string>().as("n"))),
    runners: await count(db.selectFrom("runners").select((eb) => eb.fn.countAll<string>().as("n"))),
    setups: await count(db.selectFrom("aws_trust_setups").select((eb) => eb.fn.countAll<string>().as("n"))),
    outbox: await count(db.selectFrom("outbox").select((eb) => eb.fn.countAll<string>().as("n"))),
    credentialVersions: await count(h.vault.db.selectFrom("credential_versions").select((eb) => eb.fn.countAll<string>().as("n"))),
  };
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

describe("bad-input corpus: INVALID_ARGUMENT naming the field, nothing written", () => {
  it("holds at least 130 distinct cases across connections, runners and trust setups", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(130);
    expect(new Set(corpus.map((c) => c.label)).size).toBe(corpus.length);
    const rpcs = new Set(corpus.map((c) => c.rpc));
    for (const rpc of [
      "CreateConnection",
      "UpdateConnection",
      "RegisterRunner",
      "GetRunner",
      "DeleteRunner",
      "StartSetup",
      "CompleteSetup",
      "GetSetup",
      "GetTemplate",
    ] as const) {
      expect(rpcs.has(rpc), rpc).toBe(true);
    }
    for (const provider of ["aws", "gcp", "azure", "digitalocean", "civo", "cloudflare"]) {
      expect(corpus.filter((c) => c.field.startsWith(`spec.${provider}`)).length, provider).toBeGreaterThanOrEqual(8);
    }
  });

  it.each(corpus)("$label", async ({ label, rpc, request, field, reason }) => {
    const before = await counts();
    const json = typeof request === "function" ? request() : request;
    const error = await rpcFailure(send(rpc, json));
    expect(error.code, `${label}: ${error.rawMessage}`).toBe(Code.InvalidArgument);

    const details = error.findDetails(BadRequestSchema);
    expect(details, `${label}: one google.rpc.BadRequest detail`).toHaveLength(1);
    const violations = details[0]!.fieldViolations;
    const named = violations.filter((v) => v.field === field);
    expect(named.length, `${label}: ${field} among ${violations.map((v) => `${v.field}:${v.reason}`).join(", ")}`).toBeGreaterThanOrEqual(1);
    if (reason !== undefined)
      expect(
        named.map((v) => v.reason),
        label,
      ).toContain(reason);
    for (const v of violations) expect(v.description, `${label}: ${v.field} is described`).not.toBe("");

    // No secret comes back, in any form.
    const detailJson = toJsonString(BadRequestSchema, details[0]!);
    for (const form of markerForms(MARKER)) {
      expect(error.rawMessage, label).not.toContain(form);
      expect(detailJson, label).not.toContain(form);
    }
    expect(await counts(), `${label}: nothing written`).toEqual(before);
  });

  it("names near matches for a mistyped region, on CreateConnection and StartSetup alike", async () => {
    const created = await rpcFailure(send("CreateConnection", { name: "corpus-bad", spec: aws({ region: "us-west-9" }) }));
    const started = await rpcFailure(send("StartSetup", { name: "corpus-trust-x", account_id: ACCOUNT, region: "us-west-9" }));
    for (const [error, field] of [
      [created, `${A}.region`],
      [started, "region"],
    ] as const) {
      const violation = error.findDetails(BadRequestSchema)[0]?.fieldViolations.find((v) => v.field === field);
      expect(violation?.description).toBe("must be a known AWS region; did you mean us-west-1, us-west-2?");
    }
  });

  it("left the setup usable and no secret in the logs after the whole corpus", async () => {
    const setup = await h.registry.db.selectFrom("aws_trust_setups").selectAll().where("id", "=", made.setup).executeTakeFirstOrThrow();
    expect(setup.completed_at).toBeNull();
    const text = logs.text();
    for (const form of markerForms(MARKER)) expect(text).not.toContain(form);
  });
});
