import { clone } from "@bufbuild/protobuf";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AWS_DEFAULT_REGION } from "./aws-rules.js";
import { parseServiceAccountKey } from "./service-account-key.js";

/**
 * normalizeSpec returns a copy of a valid spec with its defaults made
 * explicit, so what is stored is what deployments get: an AWS `region` left
 * empty becomes `us-west-2`, and a GCP `project_id` left empty is taken from
 * the service-account key. Call it after `validateSpec` found nothing; on an
 * invalid spec it fills what it can and never throws. The input is not modified.
 */
export function normalizeSpec(spec: ConnectionSpec): ConnectionSpec {
  const normalized = clone(ConnectionSpecSchema, spec);
  const provider = normalized.provider;
  if (provider.case === "aws" && provider.value.region === "") {
    provider.value.region = AWS_DEFAULT_REGION;
  }
  if (provider.case === "gcp" && provider.value.projectId === "" && provider.value.auth.case === "serviceAccountKey") {
    const parsed = parseServiceAccountKey(provider.value.auth.value.keyBase64);
    if (parsed.ok) provider.value.projectId = parsed.key.projectId;
  }
  return normalized;
}
