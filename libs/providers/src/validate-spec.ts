import type { ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { validateAws, type AwsRuleOptions } from "./aws-rules.js";
import { validateAzure } from "./azure-rules.js";
import { validateCivo } from "./civo-rules.js";
import { validateCloudflare } from "./cloudflare-rules.js";
import { validateDigitalOcean } from "./digitalocean-rules.js";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { validateGcp } from "./gcp-rules.js";

/**
 * validateSpec checks every field rule of a connection spec and returns all
 * violations at once (empty when the spec is valid), with field paths in
 * proto field names under `prefix`, e.g. `spec.aws.inline_keys.access_key_id`.
 * A missing spec or provider is one `ONE_OF_REQUIRED` violation on `prefix`.
 * Each field gets at most one violation (its first broken rule). Pure: no
 * I/O and no lookups, so whether a runner exists is the caller's check.
 * AWS `cross_account_trust` is refused unless `options` allow it.
 */
export function validateSpec(spec: ConnectionSpec | undefined, prefix = "spec", options: AwsRuleOptions = {}): FieldViolation[] {
  const out: FieldViolation[] = [];
  const provider = spec?.provider ?? { case: undefined };
  switch (provider.case) {
    case "aws":
      validateAws(out, `${prefix}.aws`, provider.value, options);
      break;
    case "gcp":
      validateGcp(out, `${prefix}.gcp`, provider.value);
      break;
    case "azure":
      validateAzure(out, `${prefix}.azure`, provider.value);
      break;
    case "digitalocean":
      validateDigitalOcean(out, `${prefix}.digitalocean`, provider.value);
      break;
    case "civo":
      validateCivo(out, `${prefix}.civo`, provider.value);
      break;
    case "cloudflare":
      validateCloudflare(out, `${prefix}.cloudflare`, provider.value);
      break;
    case undefined:
      out.push({
        field: prefix,
        reason: ViolationReason.ONE_OF_REQUIRED,
        description: "one provider is required: aws, gcp, azure, digitalocean, civo or cloudflare",
      });
      break;
  }
  return out;
}
