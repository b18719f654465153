import type { AwsSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { awsRegionProblem } from "./aws-regions.js";
import { validateRunner } from "./runner-rules.js";
import { checkString, matches } from "./string-rules.js";

/** AWS_DEFAULT_REGION is the region an AWS connection uses when the spec leaves `region` empty. */
export const AWS_DEFAULT_REGION = "us-west-2";

/**
 * AWS_ROLE_ARN matches an IAM role ARN: partition, 12-digit account, an
 * optional path of printable segments, and a role name of 1-64 of
 * `[\w+=,.@-]` (IAM's CreateRole limits). Groups: 1 partition, 2 account.
 */
export const AWS_ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[!-.0-~]+\/)*[\w+=,.@-]{1,64}$/;

/** STS's ExternalId rule: 2-1224 characters of `[\w+=,.@:/-]`. */
export const AWS_EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** roleArnAccount returns the account id of a well-formed IAM role ARN, else undefined. */
export function roleArnAccount(arn: string): string | undefined {
  if (arn.length > 2048) return undefined;
  return AWS_ROLE_ARN.exec(arn)?.[2];
}

/** Options of {@link validateAws}. */
export interface AwsRuleOptions {
  /**
   * Whether `cross_account_trust` may be set. Only AwsTrustService writes it
   * (and an update that leaves it as it is); everywhere else it is refused.
   */
  readonly allowCrossAccountTrust?: boolean;
}

/**
 * AWS_REGION matches the shape of region codes: two-letter area, optional
 * -gov partition marker, a name, a digit (us-west-2, us-gov-west-1). Shape
 * only: `us-west-9` matches. Whether a region exists is `isAwsRegion`'s
 * question, which every request check uses.
 */
export const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/**
 * validateAws appends the violations of an AWS spec found at `prefix`
 * (e.g. `spec.aws`) to `out`: `account_id` 12 digits; `region` empty or a
 * known region of the commercial, GovCloud or China partition (`ENUM`, with
 * near matches); exactly one auth method, where `inline_keys` needs an
 * `access_key_id` of AKIA/ASIA + 16 [A-Z0-9] and a `secret_access_key` of 40
 * [A-Za-z0-9/+], and `runner` needs a runner id. `cross_account_trust` is
 * refused unless `options.allowCrossAccountTrust`; then its `role_arn` must
 * be a role of `account_id` and its `external_id` must follow STS's rule.
 */
export function validateAws(out: FieldViolation[], prefix: string, spec: AwsSpec, options: AwsRuleOptions = {}): void {
  checkString(out, `${prefix}.account_id`, spec.accountId, {
    required: true,
    exactLength: 12,
    checks: [matches(/^\d{12}$/, "must be 12 digits")],
  });
  checkString(out, `${prefix}.region`, spec.region, {
    required: false,
    // Checked against the known regions: a made-up region would only fail later, at deploy time.
    checks: [awsRegionProblem],
  });
  switch (spec.auth.case) {
    case "inlineKeys": {
      const keys = spec.auth.value;
      checkString(out, `${prefix}.inline_keys.access_key_id`, keys.accessKeyId, {
        required: true,
        exactLength: 20,
        checks: [matches(/^(AKIA|ASIA)[A-Z0-9]{16}$/, "must be AKIA or ASIA followed by 16 uppercase letters or digits")],
      });
      checkString(out, `${prefix}.inline_keys.secret_access_key`, keys.secretAccessKey, {
        required: true,
        exactLength: 40,
        checks: [matches(/^[A-Za-z0-9/+]{40}$/, "must contain only letters, digits, / and +")],
      });
      break;
    }
    case "runner":
      validateRunner(out, `${prefix}.runner`, spec.auth.value);
      break;
    case "crossAccountTrust": {
      if (options.allowCrossAccountTrust !== true) {
        out.push({
          field: `${prefix}.cross_account_trust`,
          reason: ViolationReason.CONFLICT,
          description: "cannot be set here: cross-account trust is set up through AwsTrustService.StartSetup (a CloudFormation link)",
        });
        break;
      }
      const trust = spec.auth.value;
      const account = roleArnAccount(trust.roleArn);
      if (trust.roleArn !== "" && account === undefined) {
        out.push({
          field: `${prefix}.cross_account_trust.role_arn`,
          reason: ViolationReason.PATTERN,
          description: "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>",
        });
      } else if (account !== undefined && account !== spec.accountId) {
        out.push({
          field: `${prefix}.cross_account_trust.role_arn`,
          reason: ViolationReason.MISMATCH,
          description: "must be a role of the connection's account_id",
        });
      }
      if (!AWS_EXTERNAL_ID.test(trust.externalId)) {
        out.push({
          field: `${prefix}.cross_account_trust.external_id`,
          reason: ViolationReason.PATTERN,
          description: "must be 2-1224 characters of letters, digits and +=,.@:/-",
        });
      }
      break;
    }
    case undefined:
      out.push({
        field: `${prefix}.auth`,
        reason: ViolationReason.ONE_OF_REQUIRED,
        // Cross-account trust is not offered here: it is created through AwsTrustService only.
        description: "one of inline_keys or runner is required (cross-account trust is set up through AwsTrustService)",
      });
      break;
  }
}
