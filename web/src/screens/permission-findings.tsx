import { CapabilityCheckResult, TrustPolicyReviewResult, type CapabilityCheck, type Verification } from "@planton/proto/planton/connect/v1/connection_pb";
import { Alert } from "../fields.js";

/**
 * PermissionFindings shows, under a connection's last verification, what the
 * credential may do per capability (granted, the missing actions, or why the
 * provider could not say), the warnings with their fixes, and the review of a
 * trust role's policies. Nothing when the verification has none of them.
 */
export function PermissionFindings({ verification: v }: { verification: Verification }) {
  const review = v.trustPolicyReview;
  const reviewed = review !== undefined && review.result !== TrustPolicyReviewResult.UNSPECIFIED;
  if (v.capabilityChecks.length === 0 && v.warnings.length === 0 && !reviewed) return null;
  return (
    <>
      {v.warnings.length > 0 ? (
        <Alert kind="info">
          <ul aria-label="Verification warnings">
            {v.warnings.map((w, i) => (
              <li key={`${w.code}-${w.capability}-${i}`}>
                <strong>{w.code}</strong>
                {w.capability !== "" ? ` (${w.capability})` : ""}: {w.message}
                {w.fix !== "" ? <div>Fix: {w.fix}</div> : null}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      {v.capabilityChecks.length > 0 ? (
        <table aria-label="Capability checks">
          <thead>
            <tr>
              <th scope="col">Capability</th>
              <th scope="col">Enabled</th>
              <th scope="col">What the provider says</th>
            </tr>
          </thead>
          <tbody>
            {v.capabilityChecks.map((c) => (
              <tr key={c.capability}>
                <th scope="row">{c.capability}</th>
                <td>{c.enabled ? "yes" : "no"}</td>
                <td className={c.enabled && c.result === CapabilityCheckResult.MISSING ? "warning-text" : undefined}>{capabilityText(c)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {reviewed ? (
        <dl className="summary">
          <dt>Trust policy review</dt>
          <dd>
            {review.result === TrustPolicyReviewResult.SOUND
              ? "Sound: as the template made it"
              : review.result === TrustPolicyReviewResult.FINDINGS
                ? "Findings: see the warnings above"
                : `Not checkable${review.reason !== "" ? `: ${review.reason}` : ""}`}
          </dd>
          {review.attachedPolicyArns.length > 0 ? (
            <>
              <dt>Attached policies</dt>
              <dd>
                {review.attachedPolicyArns.map((arn) => (
                  <div key={arn}>
                    <code>{arn}</code>
                  </div>
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </>
  );
}

function capabilityText(c: CapabilityCheck): string {
  switch (c.result) {
    case CapabilityCheckResult.GRANTED:
      return `Granted (${c.checkedActionCount} actions checked)`;
    case CapabilityCheckResult.MISSING:
      return `Missing ${c.missingActions.length} of ${c.checkedActionCount}: ${c.missingActions.join(", ")}`;
    case CapabilityCheckResult.NOT_CHECKABLE:
      return `Not checkable: ${c.reason}`;
    default:
      return "-";
  }
}
