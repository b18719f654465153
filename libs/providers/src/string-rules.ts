import { ViolationReason, type FieldViolation } from "./field-violation.js";
import { didYouMean } from "./near-matches.js";

/**
 * MAX_STRING_LENGTH is the ceiling for every string field of a spec (in
 * characters, i.e. code points), unless a rule sets a lower one. It keeps
 * a careless or hostile request from parking megabytes in the vault.
 */
export const MAX_STRING_LENGTH = 4096;

/** StringProblem is a rule a value breaks: the reason code and the rule in words (never the value). */
export interface StringProblem {
  readonly reason: ViolationReason;
  readonly description: string;
}

/** StringCheck tests a non-empty value and returns the broken rule, or undefined when it holds. */
export type StringCheck = (value: string) => StringProblem | undefined;

/**
 * StringRule describes one string field. The checks run in a fixed order and
 * only the first broken rule is reported, so one bad field gives one
 * violation: required, maximum length, leading/trailing whitespace, exact
 * length, minimum length, then `checks` in order.
 */
export interface StringRule {
  /** Empty is reported as `REQUIRED`; when false, empty passes without further checks. */
  readonly required: boolean;
  /** Defaults to {@link MAX_STRING_LENGTH}. */
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly exactLength?: number;
  /** Base64 blobs may be line-wrapped (`base64` wraps at 76 by default); everything else may not. */
  readonly allowWhitespace?: boolean;
  readonly checks?: readonly StringCheck[];
}

/**
 * checkString applies `rule` to `value`, appends at most one violation for
 * `field` to `out`, and returns whether the value is acceptable.
 */
export function checkString(out: FieldViolation[], field: string, value: string, rule: StringRule): boolean {
  const problem = firstProblem(value, rule);
  if (problem === undefined) return true;
  out.push({ field, reason: problem.reason, description: problem.description });
  return false;
}

function firstProblem(value: string, rule: StringRule): StringProblem | undefined {
  if (value === "") {
    return rule.required ? { reason: ViolationReason.REQUIRED, description: "is required" } : undefined;
  }
  const max = rule.maxLength ?? MAX_STRING_LENGTH;
  const length = codePointLength(value, max);
  if (length > max) {
    return { reason: ViolationReason.MAX_LENGTH, description: `must be at most ${max} characters` };
  }
  if (rule.allowWhitespace !== true && value.trim() !== value) {
    // A pasted credential often drags a newline along; say so instead of a vaguer pattern message.
    return { reason: ViolationReason.PATTERN, description: "must not start or end with whitespace" };
  }
  if (rule.exactLength !== undefined && length !== rule.exactLength) {
    return { reason: ViolationReason.LENGTH, description: `must be exactly ${rule.exactLength} characters` };
  }
  if (rule.minLength !== undefined && length < rule.minLength) {
    return { reason: ViolationReason.MIN_LENGTH, description: `must be at least ${rule.minLength} characters` };
  }
  for (const check of rule.checks ?? []) {
    const found = check(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * codePointLength counts code points, the "characters" the rules speak of.
 * A string of n UTF-16 units holds at least n/2 code points, so anything
 * longer than twice the cap is over it without counting: an oversized value
 * costs no more than the cap to measure.
 */
function codePointLength(value: string, cap: number): number {
  if (value.length > 2 * cap) return value.length;
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const pairsWithPrevious = unit >= 0xdc00 && unit <= 0xdfff && i > 0 && isHighSurrogate(value.charCodeAt(i - 1));
    if (!pairsWithPrevious) count++;
  }
  return count;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/** matches is a check that the whole value matches `pattern`; `description` states the expected shape. */
export function matches(pattern: RegExp, description: string): StringCheck {
  return (value) => (pattern.test(value) ? undefined : { reason: ViolationReason.PATTERN, description });
}

/**
 * oneOf is a case-sensitive `ENUM` check; the description lists every allowed
 * value (they are not secret) and, for a near miss, the closest ones
 * ("must be one of: LON1, FRA1; did you mean LON1?").
 */
export function oneOf(allowed: readonly string[]): StringCheck {
  const set = new Set(allowed);
  const description = `must be one of: ${allowed.join(", ")}`;
  return (value) => (set.has(value) ? undefined : { reason: ViolationReason.ENUM, description: description + didYouMean(value, allowed) });
}

// Credentials travel in HTTP headers, where only visible ASCII is safe.
const PRINTABLE_NO_SPACE = /^[\x21-\x7e]+$/;

/** printableToken checks a credential is visible ASCII without any whitespace (`PATTERN`). */
export const printableToken: StringCheck = matches(PRINTABLE_NO_SPACE, "must be printable ASCII characters without spaces");

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** uuid checks the 8-4-4-4-12 hex form, either case, as Azure prints GUIDs both ways (`FORMAT`). */
export const uuid: StringCheck = (value) =>
  UUID.test(value) ? undefined : { reason: ViolationReason.FORMAT, description: "must be a UUID (8-4-4-4-12 hexadecimal digits)" };

// Deliberately loose: the provider is the authority on addresses; this only
// catches a value pasted into the wrong field.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** isEmailAddress tells whether `value` is shaped like `local@domain.tld` (at most 254 characters). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** emailAddress is the `FORMAT` check built on {@link isEmailAddress}. */
export const emailAddress: StringCheck = (value) =>
  isEmailAddress(value) ? undefined : { reason: ViolationReason.FORMAT, description: "must be an email address" };

/**
 * httpsUrl checks an absolute `https://host...` URL without user info: a
 * `user:password@` part would put a credential into a field shown in responses.
 */
export const httpsUrl: StringCheck = (value) => {
  const problem: StringProblem = {
    reason: ViolationReason.FORMAT,
    description: "must be an https URL (https://host[/path]) without user name or password",
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return problem;
  }
  if (url.protocol !== "https:" || url.hostname === "" || url.username !== "" || url.password !== "") return problem;
  return undefined;
};

/**
 * checkBothOrNeither reports `BOTH_OR_NEITHER` on the missing half when
 * exactly one of a pair of fields is set; `pairName` names the pair in the description.
 */
export function checkBothOrNeither(
  out: FieldViolation[],
  first: { readonly field: string; readonly value: string },
  second: { readonly field: string; readonly value: string },
  pairName: string,
): void {
  if ((first.value === "") === (second.value === "")) return;
  const missing = first.value === "" ? first : second;
  const present = first.value === "" ? second : first;
  out.push({
    field: missing.field,
    reason: ViolationReason.BOTH_OR_NEITHER,
    description: `is required when ${lastSegment(present.field)} is set (${pairName}: both or neither)`,
  });
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}
