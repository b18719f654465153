import { ScalarType } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { resolveFieldPath, type FieldPath } from "./field-path.js";

/**
 * SECRET_PATHS is the one list of secret fields of a ConnectionSpec, as
 * proto field-name paths relative to the spec (prefix `spec.` for request
 * paths and update masks). Splitting, merging, details and update masks all
 * read this list, so a field added here is handled everywhere.
 *
 * | provider | secret fields |
 * |---|---|
 * | AWS | `inline_keys.access_key_id`, `inline_keys.secret_access_key` (the pair travels together; responses show a masked hint of the id); `cross_account_trust.external_id` (not a secret to AWS, but kept sealed so that only the vault and resolves hand it out) |
 * | GCP | `service_account_key.key_base64` |
 * | Azure | `service_principal.client_secret` |
 * | DigitalOcean | `api_token`, `spaces_secret_key` |
 * | Civo | `api_token`, `object_store_secret_key` |
 * | Cloudflare | `api_token`, `legacy.api_key`, `r2.access_key_id`, `r2.secret_access_key` (the R2 pair travels together, like AWS's; responses show a masked hint of the id) |
 *
 * Every entry is a proto3 string field without explicit presence, so
 * "empty" and "unset" are the same.
 */
export const SECRET_PATHS: readonly string[] = Object.freeze([
  "aws.inline_keys.access_key_id",
  "aws.inline_keys.secret_access_key",
  "aws.cross_account_trust.external_id",
  "gcp.service_account_key.key_base64",
  "azure.service_principal.client_secret",
  "digitalocean.api_token",
  "digitalocean.spaces_secret_key",
  "civo.api_token",
  "civo.object_store_secret_key",
  "cloudflare.api_token",
  "cloudflare.legacy.api_key",
  "cloudflare.r2.access_key_id",
  "cloudflare.r2.secret_access_key",
]);

/**
 * SECRET_FIELD_PATHS is {@link SECRET_PATHS} resolved against the
 * ConnectionSpec descriptor. Resolution runs at import, so a path that
 * stops matching the proto fails the first test instead of leaking a field.
 */
export const SECRET_FIELD_PATHS: readonly FieldPath[] = SECRET_PATHS.map((path) => {
  const resolved = resolveFieldPath(ConnectionSpecSchema, path.split("."));
  if (!("fields" in resolved)) throw new Error(`SECRET_PATHS entry ${path} names no field of ConnectionSpec`);
  const leaf = resolved.fields[resolved.fields.length - 1];
  if (leaf?.fieldKind !== "scalar" || leaf.scalar !== ScalarType.STRING || leaf.presence !== FeatureSet_FieldPresence.IMPLICIT) {
    throw new Error(`SECRET_PATHS entry ${path} must be a string field without explicit presence`);
  }
  return resolved.fields;
});
