/**
 * @planton/providers: the field rules of the six cloud providers' connection
 * specs, as pure functions (no I/O): validation, defaults, the secret/public
 * split, masked response details, account identity and field-mask updates.
 */
export { type FieldViolation, ViolationReason } from "./field-violation.js";
export { validateSpec } from "./validate-spec.js";
export { normalizeSpec } from "./normalize-spec.js";
export { providerOf, idPrefixOf } from "./provider-of.js";
export { authModeOf, runnerIdOf } from "./auth-mode-of.js";
export { SECRET_PATHS } from "./secret-paths.js";
export { splitSecrets, type SplitSpec } from "./split-secrets.js";
export { mergeSecrets, SecretMergeError } from "./merge-secrets.js";
export { detailsOf } from "./connection-details.js";
export { maskAccessKeyIdsIn, maskIdentifier, maskSecret } from "./masking.js";
export { accountKeyOf } from "./account-key.js";
export { applyUpdateMask, type MaskedUpdate } from "./update-mask.js";
export { parseServiceAccountKey, type ServiceAccountKey, type ServiceAccountKeyResult } from "./service-account-key.js";
export { AWS_DEFAULT_REGION, AWS_REGION, AWS_ROLE_ARN, AWS_EXTERNAL_ID, roleArnAccount, type AwsRuleOptions } from "./aws-rules.js";
export { stsRegionOf } from "./sts-region.js";
export { AWS_REGIONS, awsPartitionOf, awsRegionProblem, isAwsRegion, type AwsPartition } from "./aws-regions.js";
export { AWS_REGIONS_BY_PARTITION, AWS_REGIONS_SOURCE } from "./data/aws-regions.js";
export { DIGITALOCEAN_REGIONS } from "./data/digitalocean-regions.js";
export { CIVO_REGIONS } from "./data/civo-regions.js";
export { nearMatches, didYouMean } from "./near-matches.js";
export { RUNNER_ID_PATTERN, RUNNER_KINDS_BY_PROVIDER, runnerKindAccepted, runnerKindViolation } from "./runner-rules.js";
export { MAX_STRING_LENGTH } from "./string-rules.js";
export { GCP_KEY_MAX_LENGTH } from "./gcp-rules.js";
export { slugify, MAX_SLUG_LENGTH } from "./slug.js";
