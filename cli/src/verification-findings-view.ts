import {
  CapabilityCheckResult,
  TrustPolicyReviewResult,
  TrustPolicyReviewResultSchema,
  type CapabilityCheck,
  type Verification,
} from "@planton/proto/planton/connect/v1/connection_pb";
import { enumLabel } from "./enum-labels.js";
import { createStyles, type Styles } from "./terminal.js";

const plain = createStyles(false);

/**
 * verificationFindingFields is the part of `planton connection get` that
 * shows what a verified credential may do and what needs attention:
 *
 * - one `CAPABILITY <name>` line per capability check: `granted (N
 *   actions)`, `missing N of M: <actions>` or `not checkable: <reason>`,
 *   with ` (not enabled)` for a capability the user did not choose;
 * - one `WARNING` entry per warning: `CODE (capability): message` and
 *   `fix: …` on the next line;
 * - `TRUST POLICY REVIEW` (sound, findings, or not checkable with the
 *   reason) and `ATTACHED POLICIES` when the review is set.
 *
 * Nothing when the verification has none of them.
 */
export function verificationFindingFields(v: Verification, styles: Styles = plain): [string, string][] {
  const pairs: [string, string][] = v.capabilityChecks.map((c) => [`CAPABILITY ${c.capability}`, capabilityText(c, styles)]);
  for (const w of v.warnings) {
    const head = `${w.code}${w.capability !== "" ? ` (${w.capability})` : ""}: ${w.message}`;
    pairs.push(["WARNING", `${styles.yellow(head)}${w.fix !== "" ? `\nfix: ${w.fix}` : ""}`]);
  }
  const review = v.trustPolicyReview;
  if (review !== undefined && review.result !== TrustPolicyReviewResult.UNSPECIFIED) {
    const label = enumLabel(TrustPolicyReviewResultSchema, review.result).replaceAll("_", " ");
    const text =
      review.result === TrustPolicyReviewResult.SOUND
        ? styles.green(label)
        : review.result === TrustPolicyReviewResult.FINDINGS
          ? styles.yellow(`${label} (see WARNING)`)
          : `${label}${review.reason !== "" ? `: ${review.reason}` : ""}`;
    pairs.push(["TRUST POLICY REVIEW", text]);
    if (review.attachedPolicyArns.length > 0) pairs.push(["ATTACHED POLICIES", review.attachedPolicyArns.join("\n")]);
  }
  return pairs;
}

function capabilityText(c: CapabilityCheck, styles: Styles): string {
  const suffix = c.enabled ? "" : " (not enabled)";
  switch (c.result) {
    case CapabilityCheckResult.GRANTED:
      return styles.green(`granted (${c.checkedActionCount} actions)`) + suffix;
    case CapabilityCheckResult.MISSING: {
      const text = `missing ${c.missingActions.length} of ${c.checkedActionCount}: ${c.missingActions.join(", ")}`;
      // Only an enabled capability that is not usable needs attention.
      return (c.enabled ? styles.yellow(text) : text) + suffix;
    }
    case CapabilityCheckResult.NOT_CHECKABLE:
      return `not checkable: ${c.reason}${suffix}`;
    default:
      return `-${suffix}`;
  }
}
