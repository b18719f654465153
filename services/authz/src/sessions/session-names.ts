import { createHash } from "node:crypto";

/** One AWS string rule: the characters allowed, and the length bounds. */
interface AwsStringRule {
  /** Matches one allowed character (no flags but `u`). */
  readonly allowed: RegExp;
  readonly min: number;
  readonly max: number;
}

// STS's model for RoleSessionName and SourceIdentity: 2-64 of [\w+=,.@-].
const NAME_RULE: AwsStringRule = { allowed: /[\w+=,.@-]/u, min: 2, max: 64 };
// IAM's session tag values: 0-256 of letters, separators, numbers and _.:/=+-@.
const TAG_VALUE_RULE: AwsStringRule = { allowed: /[\p{L}\p{Z}\p{N}_.:/=+\-@]/u, min: 0, max: 256 };

// 12 hex digits of SHA-256 (48 bits): enough that two ids of one
// organization that fit alike do not collide by accident.
const HASH_LENGTH = 12;

/**
 * fitAwsString makes `value` satisfy `rule` deterministically: unchanged
 * when it already does; otherwise every disallowed character becomes "-",
 * and the result is cut to leave room for "-" and 12 hex digits of the
 * SHA-256 of the original value, which are appended. So a value that fits
 * is used as is (readable in the customer's CloudTrail), and two different
 * values that had to be changed stay different.
 */
function fitAwsString(value: string, rule: AwsStringRule): string {
  const chars = Array.from(value);
  if (chars.length >= rule.min && chars.length <= rule.max && chars.every((c) => rule.allowed.test(c))) return value;
  const suffix = "-" + createHash("sha256").update(value, "utf8").digest("hex").slice(0, HASH_LENGTH);
  const kept = chars
    .map((c) => (rule.allowed.test(c) ? c : "-"))
    .slice(0, rule.max - suffix.length)
    .join("");
  return kept + suffix;
}

/**
 * roleSessionNameOf is the RoleSessionName of a deployment's session: the
 * deployment id when it is 2-64 characters of letters, digits and
 * `+=,.@_-` (STS's rule), else its fitting prefix, "-" and 12 hex digits of
 * its SHA-256 (":" becomes "-"). The same deployment always gets the same
 * name; the name shows in the assumed-role ARN and the customer's CloudTrail.
 */
export function roleSessionNameOf(deploymentId: string): string {
  return fitAwsString(deploymentId, NAME_RULE);
}

/**
 * sourceIdentityOf is the SourceIdentity of a session: the caller's token
 * subject, made to fit STS's rule (2-64 of `[\w+=,.@-]`) as
 * {@link roleSessionNameOf} does. The rule has no ":", so the result can
 * never start with the reserved `aws:` prefix.
 */
export function sourceIdentityOf(subject: string): string {
  return fitAwsString(subject, NAME_RULE);
}

/**
 * sessionTagValueOf makes a session tag value fit IAM's rule (at most 256
 * letters, spaces, digits and `_.:/=+-@`) as {@link roleSessionNameOf} does.
 */
export function sessionTagValueOf(value: string): string {
  return fitAwsString(value, TAG_VALUE_RULE);
}
