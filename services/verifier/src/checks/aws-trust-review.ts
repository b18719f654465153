import type { AwsCrossAccountTrust } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { readRoleBack } from "./iam-role-readback.js";
import { lintPermissionPolicies } from "./permission-policy-lint.js";
import type { CheckOptions } from "./provider-check.js";
import type { ReviewWarning, TrustPolicyReviewOutcome } from "./review-warning.js";
import type { AwsCredentials } from "./sts-call.js";
import { lintTrustPolicy } from "./trust-policy-lint.js";

/**
 * reviewDeployedRole reads a just-verified trust role back with its own
 * session (see {@link readRoleBack}) and lints it: its trust policy
 * ({@link lintTrustPolicy}, against `options.trustedPrincipalArn` and the
 * sealed external id) and its permission policies
 * ({@link lintPermissionPolicies}, against the role's capabilities).
 * Undefined (no review) when `options.endpoints.awsIam` is absent or empty.
 *
 * The outcome is SOUND (read whole, nothing found), FINDINGS (warnings; the
 * reason names anything that could not be read) or NOT_CHECKABLE (GetRole
 * refused, e.g. a template v1 role, or parts unreadable and nothing found;
 * the reason says why and what to change). It never decides whether the
 * connection is verified and never throws: an unexpected error is a
 * NOT_CHECKABLE review. The external id is never in its text.
 */
export async function reviewDeployedRole(
  options: CheckOptions,
  session: AwsCredentials,
  trust: Pick<AwsCrossAccountTrust, "roleArn" | "externalId" | "capabilities" | "stackId">,
): Promise<TrustPolicyReviewOutcome | undefined> {
  const iamUrl = options.endpoints.awsIam;
  if (!iamUrl) return undefined;
  try {
    return redact(await review(iamUrl, options, session, trust), trust.externalId);
  } catch {
    return {
      result: "NOT_CHECKABLE",
      reason: "The role's policies could not be reviewed this time; the review runs again at the next verification.",
      attachedPolicyArns: [],
      warnings: [],
    };
  }
}

async function review(
  iamUrl: string,
  options: CheckOptions,
  session: AwsCredentials,
  trust: Pick<AwsCrossAccountTrust, "roleArn" | "externalId" | "capabilities" | "stackId">,
): Promise<TrustPolicyReviewOutcome> {
  // The name is the ARN's last path segment (paths are not part of it).
  const roleName = trust.roleArn.slice(trust.roleArn.lastIndexOf("/") + 1);
  const read = await readRoleBack(iamUrl, session, roleName, options);
  if (read.kind === "not-readable") return { result: "NOT_CHECKABLE", reason: read.reason, attachedPolicyArns: [], warnings: [] };
  const gaps = [...read.gaps];
  const warnings: ReviewWarning[] = [];
  let limitation: string | undefined;
  if (read.trustDocument === undefined) {
    gaps.unshift("the role's trust policy could not be parsed");
  } else {
    const linted = lintTrustPolicy({
      document: read.trustDocument,
      platformPrincipalArn: options.trustedPrincipalArn,
      externalId: trust.externalId,
      roleArn: trust.roleArn,
      stackId: trust.stackId,
    });
    if (linted.unreadable !== undefined) gaps.unshift(linted.unreadable);
    limitation = linted.limitation;
    warnings.push(...linted.warnings);
  }
  warnings.push(...lintPermissionPolicies({ policies: read.policies, capabilities: trust.capabilities, roleName }));
  const notes = [...gaps, ...(limitation ? [limitation] : [])];
  const reason = notes.length === 0 ? "" : `${notes.map((n) => n.charAt(0).toUpperCase() + n.slice(1)).join(". ")}.`;
  const result = warnings.length > 0 ? "FINDINGS" : gaps.length > 0 ? "NOT_CHECKABLE" : "SOUND";
  return { result, reason, attachedPolicyArns: read.attachedPolicyArns, warnings };
}

// Second line of defence: the lint never quotes the external id, but a
// policy document could (a resource name, a description).
function redact(outcome: TrustPolicyReviewOutcome, externalId: string): TrustPolicyReviewOutcome {
  if (externalId === "") return outcome;
  const clean = (text: string) => (text.includes(externalId) ? text.split(externalId).join("[redacted]") : text);
  return {
    ...outcome,
    reason: clean(outcome.reason),
    warnings: outcome.warnings.map((w) => ({ ...w, message: clean(w.message), fix: clean(w.fix) })),
  };
}
