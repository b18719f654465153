import { fromJson, type JsonObject } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { CIVO_REGIONS, DIGITALOCEAN_REGIONS } from "@planton/providers/browser";
import type { ProviderKey } from "./labels.js";

/**
 * FieldDef is one input of a provider form. `path` is the proto field-name
 * path below the spec (`civo.api_token`), so the request is built from the
 * generated schema and the server's violations (`spec.civo.api_token`) land
 * on the right input.
 */
export interface FieldDef {
  readonly path: string;
  readonly label: string;
  readonly secret?: boolean;
  readonly required?: boolean;
  readonly options?: readonly string[];
  readonly hint?: string;
  /** Shown only when this returns true for the form's values (e.g. one Cloudflare scheme). */
  readonly when?: (values: FormValues) => boolean;
  /** A client-side check mirroring the server's rule; the server decides. */
  readonly check?: (value: string) => string | undefined;
}

/** FormValues maps field paths (and `scheme`) to the text typed so far. */
export type FormValues = Readonly<Record<string, string>>;

const pattern = (re: RegExp, message: string) => (value: string) => (re.test(value) ? undefined : message);
const UUID = pattern(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID (8-4-4-4-12 hex digits)");
const minLength = (n: number) => (value: string) => (value.length >= n ? undefined : `must be at least ${n} characters`);
const cloudflareScheme = (scheme: string) => (values: FormValues) => (values["scheme"] ?? "api_token") === scheme;

/** The inputs of each provider's create form, except AWS and GCP, which have forms of their own. */
export const PROVIDER_FIELDS: Readonly<Record<Exclude<ProviderKey, "aws" | "gcp">, readonly FieldDef[]>> = {
  azure: [
    { path: "azure.tenant_id", label: "Tenant ID", required: true, check: UUID, hint: "Microsoft Entra ID tenant (directory) id." },
    { path: "azure.subscription_id", label: "Subscription ID", required: true, check: UUID },
    { path: "azure.service_principal.client_id", label: "Client ID", required: true, check: UUID, hint: "The app registration's application (client) id." },
    { path: "azure.service_principal.client_secret", label: "Client secret", secret: true, required: true },
  ],
  digitalocean: [
    { path: "digitalocean.api_token", label: "API token", secret: true, required: true, hint: "A personal access token with read and write scope." },
    { path: "digitalocean.default_region", label: "Default region", required: true, options: DIGITALOCEAN_REGIONS },
    { path: "digitalocean.spaces_access_id", label: "Spaces access ID", hint: "Optional: both Spaces fields or neither." },
    { path: "digitalocean.spaces_secret_key", label: "Spaces secret key", secret: true },
  ],
  civo: [
    { path: "civo.api_token", label: "API token", secret: true, required: true },
    { path: "civo.default_region", label: "Default region", required: true, options: CIVO_REGIONS },
    { path: "civo.object_store_access_id", label: "Object store access ID", hint: "Optional: both object-store fields or neither." },
    { path: "civo.object_store_secret_key", label: "Object store secret key", secret: true },
  ],
  cloudflare: [
    {
      path: "cloudflare.api_token",
      label: "API token",
      secret: true,
      required: true,
      when: cloudflareScheme("api_token"),
      hint: "A scoped API token (recommended).",
    },
    { path: "cloudflare.legacy.api_key", label: "Global API key", secret: true, required: true, when: cloudflareScheme("legacy") },
    { path: "cloudflare.legacy.email", label: "Account email", required: true, when: cloudflareScheme("legacy") },
    {
      path: "cloudflare.account_id",
      label: "Account ID",
      check: pattern(/^[0-9a-f]{32}$/, "must be 32 lowercase hex characters"),
      hint: "Needed to verify account-owned tokens.",
    },
    { path: "cloudflare.r2.access_key_id", label: "R2 access key ID", check: minLength(20), hint: "Optional R2 pair: both or neither." },
    { path: "cloudflare.r2.secret_access_key", label: "R2 secret access key", secret: true, check: minLength(20) },
    {
      path: "cloudflare.r2.endpoint",
      label: "R2 endpoint",
      check: pattern(/^https:\/\//, "must be an https URL"),
      hint: "Optional, e.g. https://<account>.r2.cloudflarestorage.com",
    },
  ],
};

/** visibleFields are the fields shown for the current values (the Cloudflare scheme picks its own). */
export function visibleFields(fields: readonly FieldDef[], values: FormValues): FieldDef[] {
  return fields.filter((field) => field.when === undefined || field.when(values));
}

/**
 * clientChecks mirrors the server's simplest rules so a person sees a
 * mistake before submitting: required fields and formats. It returns
 * problems by server field path (`spec.` + path).
 */
export function clientChecks(fields: readonly FieldDef[], values: FormValues): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const field of visibleFields(fields, values)) {
    const value = (values[field.path] ?? "").trim();
    if (value === "") {
      if (field.required === true) problems[`spec.${field.path}`] = "is required";
      continue;
    }
    const problem = field.check?.(value);
    if (problem !== undefined) problems[`spec.${field.path}`] = problem;
  }
  return problems;
}

/**
 * buildSpec builds a ConnectionSpec from the visible, non-empty values
 * through the generated schema (proto JSON names), so no request type is
 * written by hand here.
 */
export function buildSpec(fields: readonly FieldDef[], values: FormValues): ConnectionSpec {
  const json: JsonObject = {};
  for (const field of visibleFields(fields, values)) {
    const value = (values[field.path] ?? "").trim();
    if (value !== "") setPath(json, field.path.split("."), value);
  }
  return fromJson(ConnectionSpecSchema, json);
}

/**
 * setPath writes `value` at a dotted path of a JSON object, creating the
 * objects on the way.
 */
function setPath(json: JsonObject, names: readonly string[], value: string): void {
  let node = json;
  for (const name of names.slice(0, -1)) {
    const next = node[name];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next;
    else {
      const created: JsonObject = {};
      node[name] = created;
      node = created;
    }
  }
  node[names[names.length - 1]!] = value;
}

/** The secret fields a rotation asks for, per provider (the same paths as the server's secret list). */
export const ROTATION_FIELDS: Readonly<Record<ProviderKey, readonly FieldDef[]>> = {
  aws: [
    { path: "aws.inline_keys.access_key_id", label: "Access key ID", required: true },
    { path: "aws.inline_keys.secret_access_key", label: "Secret access key", secret: true, required: true },
  ],
  gcp: [],
  azure: [{ path: "azure.service_principal.client_secret", label: "Client secret", secret: true, required: true }],
  digitalocean: [
    { path: "digitalocean.api_token", label: "API token", secret: true },
    { path: "digitalocean.spaces_secret_key", label: "Spaces secret key", secret: true },
  ],
  civo: [
    { path: "civo.api_token", label: "API token", secret: true },
    { path: "civo.object_store_secret_key", label: "Object store secret key", secret: true },
  ],
  cloudflare: [
    { path: "cloudflare.api_token", label: "API token", secret: true },
    { path: "cloudflare.legacy.api_key", label: "Global API key", secret: true },
    { path: "cloudflare.r2.secret_access_key", label: "R2 secret access key", secret: true },
  ],
};
