import { allowsAction, isAllow, policyStatements, statementName, type ConditionEntry, type PolicyStatement } from "./iam-policy-document.js";
import type { ReviewWarning } from "./review-warning.js";

/** What {@link lintTrustPolicy} needs to know about the connection. */
export interface TrustLintInput {
  /** The role's trust policy (AssumeRolePolicyDocument), parsed. */
  readonly document: unknown;
  /**
   * The platform's principal (AWS_TRUST_PRINCIPAL_ARN): the one principal
   * the role may trust. Undefined when the verifier has none configured: the
   * lint then cannot tell the platform's principal from another AWS one.
   */
  readonly platformPrincipalArn: string | undefined;
  /** The connection's sealed external id: compared, never quoted. */
  readonly externalId: string;
  /** The role, arn:<partition>:iam::<account>:role/<path><name>. */
  readonly roleArn: string;
  /** The CloudFormation stack that created the role ("" when unknown), named in fixes. */
  readonly stackId: string;
}

/** Findings of {@link lintTrustPolicy}, and what limited it. */
export interface TrustLintResult {
  readonly warnings: ReviewWarning[];
  /** Set when the document could not be read as a policy: nothing was linted. */
  readonly unreadable?: string;
  /** Set when the lint ran without the platform's principal: said beside the result. */
  readonly limitation?: string;
}

/** Every STS action that lets a principal assume a role. */
const ASSUME_ACTIONS = ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"];
/** What trust template v2 also allows the platform, for per-deployment session credentials. */
const SESSION_ACTIONS = ["sts:TagSession", "sts:SetSourceIdentity"];
const TEMPLATE_ACTIONS = ["sts:AssumeRole", ...SESSION_ACTIONS];

/**
 * lintTrustPolicy checks a deployed role's trust policy against what the
 * trust template makes: only the platform's principal may assume the role,
 * only with `StringEquals` `sts:ExternalId` equal to the connection's
 * external id, and the platform may also tag the session and set a source
 * identity. Only Allow statements that let someone assume the role count
 * (Deny only narrows). Findings, each a warning with the exact fix:
 *
 * - TRUST_POLICY_WILDCARD_PRINCIPAL: `"Principal": "*"` or `{"AWS": "*"}`.
 * - TRUST_POLICY_OTHER_PRINCIPAL: any other principal (AWS, Service,
 *   Federated, CanonicalUser; the platform's account root when the platform
 *   principal is a role or user; the unique id IAM shows for a deleted
 *   principal). Without the platform's principal configured: more than one
 *   AWS principal, or any non-AWS one.
 * - TRUST_POLICY_NOT_PRINCIPAL: Allow with NotPrincipal (everyone but ...).
 * - TRUST_POLICY_NOT_ACTION: Allow with NotAction that leaves assuming allowed.
 * - TRUST_POLICY_MISSING_EXTERNAL_ID: a statement that lets the platform in
 *   has no condition on `sts:ExternalId`.
 * - TRUST_POLICY_WRONG_EXTERNAL_ID: its `StringEquals` names other values only.
 * - TRUST_POLICY_WEAK_EXTERNAL_ID_CONDITION: the key is tested, but not by a
 *   plain `StringEquals` with exactly this connection's id (StringLike,
 *   StringEqualsIgnoreCase, ForAnyValue/ForAllValues, IfExists, or a list
 *   that also accepts other ids). A strict `StringEquals` beside other
 *   operators is enough: conditions are ANDed.
 * - TRUST_POLICY_NO_SESSION_TAGS: the platform may not `sts:TagSession` or
 *   `sts:SetSourceIdentity` (template v1): per-deployment session
 *   credentials fail.
 *
 * Condition key names are compared without regard to case (as IAM does),
 * values case-sensitively (StringEquals). Principal, Action and condition
 * values may be strings or lists, Statement an object or a list. Messages and
 * fixes never quote the external id or any condition value: fixes point at
 * the stack's ExternalId parameter. Pure.
 */
export function lintTrustPolicy(input: TrustLintInput): TrustLintResult {
  const statements = policyStatements(input.document);
  if (statements === undefined) return { warnings: [], unreadable: "the role's trust policy is not a policy document IAM would store" };
  const role = roleParts(input.roleArn);
  const platform = input.platformPrincipalArn === undefined ? undefined : normalizePrincipal(input.platformPrincipalArn, role.partition);
  const fixes = new Fixes(input, role);
  const warnings: ReviewWarning[] = [];
  const awsCandidates = new Set<string>();
  const platformStatements: PolicyStatement[] = [];

  for (const s of statements) {
    if (!isAllow(s)) continue;
    const assumes = ASSUME_ACTIONS.some((a) => allowsAction(s, a));
    // Lets the platform in (so its external-id condition matters).
    let platformIn = false;
    if (s.notPrincipal !== undefined) {
      platformIn = !s.notPrincipal.entries.some((e) => e.type === "AWS" && platform !== undefined && normalizePrincipal(e.value, role.partition) === platform);
      if (assumes) {
        warnings.push({
          code: "TRUST_POLICY_NOT_PRINCIPAL",
          capability: "",
          message: `${cap(statementName(s))} of the role's trust policy uses NotPrincipal with Allow: every principal of every AWS account that is not listed may assume the role.`,
          fix: `In ${statementName(s)}, replace "NotPrincipal" with "Principal": {"AWS": "${fixes.platformText}"}. ${fixes.whole}`,
        });
      }
    }
    const others: string[] = [];
    if (s.principal !== undefined) {
      if (s.principal.wildcard) {
        platformIn = true;
        if (assumes) {
          warnings.push({
            code: "TRUST_POLICY_WILDCARD_PRINCIPAL",
            capability: "",
            message: `${cap(statementName(s))} of the role's trust policy lets any principal ("*") assume the role: anyone in any AWS account who meets its conditions gets the role's permissions.`,
            fix: `In ${statementName(s)}, replace the principal "*" with {"AWS": "${fixes.platformText}"}. ${fixes.whole}`,
          });
        }
      }
      for (const entry of s.principal.entries) {
        if (entry.value === "*") continue;
        if (entry.type !== "AWS") {
          others.push(`${entry.type} ${entry.value}`);
          continue;
        }
        const principal = normalizePrincipal(entry.value, role.partition);
        if (/^(AROA|AIDA)[A-Z0-9]+$/.test(entry.value)) {
          others.push(`${entry.value} (the unique id IAM shows for a principal that was deleted)`);
        } else if (platform === undefined) {
          awsCandidates.add(principal);
          platformIn = true;
        } else if (principal === platform) {
          platformIn = true;
        } else if (principal === accountRoot(platform) && principal !== platform) {
          // The platform's own account, trusted as a whole: the platform can
          // get in, but so can every identity there that its policies allow.
          platformIn = true;
          others.push(`${entry.value} (every identity of the platform's AWS account, not only the platform's principal)`);
        } else {
          others.push(entry.value);
        }
      }
    }
    if (assumes && others.length > 0) {
      warnings.push({
        code: "TRUST_POLICY_OTHER_PRINCIPAL",
        capability: "",
        message: `${cap(statementName(s))} of the role's trust policy lets ${others.length === 1 ? "a principal" : "principals"} other than the platform's assume the role: ${others.join(", ")}.`,
        fix: `Remove ${others.length === 1 ? "it" : "them"} from the Principal of ${statementName(s)} (delete the statement if nothing else remains). ${fixes.whole}`,
      });
    }
    if (!platformIn) continue;
    platformStatements.push(s);
    if (!assumes) continue;
    if (s.notAction !== undefined) {
      warnings.push({
        code: "TRUST_POLICY_NOT_ACTION",
        capability: "",
        message: `${cap(statementName(s))} of the role's trust policy uses NotAction with Allow: it allows every action it does not list, assuming the role included.`,
        fix: `In ${statementName(s)}, replace "NotAction" with "Action": ${JSON.stringify(TEMPLATE_ACTIONS)}. ${fixes.whole}`,
      });
    }
    const externalId = externalIdFinding(s, input.externalId);
    if (externalId !== undefined) warnings.push(externalIdWarning(externalId, s, fixes));
  }

  if (platform === undefined && awsCandidates.size > 1) {
    warnings.push({
      code: "TRUST_POLICY_OTHER_PRINCIPAL",
      capability: "",
      message: `The role's trust policy lets ${awsCandidates.size} AWS principals assume the role (${[...awsCandidates].join(", ")}); it should trust the platform's principal alone.`,
      fix: `Keep only the platform's principal (the stack's TrustedPrincipalArn parameter) in the trust policy. ${fixes.whole}`,
    });
  }
  const missingSession = SESSION_ACTIONS.filter((a) => !platformStatements.some((s) => allowsAction(s, a)));
  if (platformStatements.some((s) => ASSUME_ACTIONS.some((a) => allowsAction(s, a))) && missingSession.length > 0) {
    const first = platformStatements.find((s) => allowsAction(s, "sts:AssumeRole")) ?? platformStatements[0]!;
    warnings.push({
      code: "TRUST_POLICY_NO_SESSION_TAGS",
      capability: "",
      message: `The role's trust policy does not let the platform ${missingSession.map((a) => `call ${a}`).join(" or ")}, so per-deployment session credentials (tagged with the organization, environment and deployment) cannot be issued for this connection. The role itself works.`,
      fix: `Update the stack to trust template v2 (it allows both under the same external-id condition), or add ${missingSession.map((a) => `"${a}"`).join(" and ")} to the Action of ${statementName(first)}. ${fixes.whole}`,
    });
  }
  return {
    warnings,
    ...(platform === undefined
      ? {
          limitation:
            "the verifier has no platform principal configured (AWS_TRUST_PRINCIPAL_ARN), so the principals the role trusts were not compared with the platform's",
        }
      : {}),
  };
}

type ExternalIdProblem =
  { readonly kind: "missing" } | { readonly kind: "wrong" } | { readonly kind: "weak"; readonly why: string; readonly operators: readonly string[] };

// How a statement tests sts:ExternalId; undefined when it requires exactly
// this connection's id with a plain StringEquals.
function externalIdFinding(s: PolicyStatement, externalId: string): ExternalIdProblem | undefined {
  const entries = s.conditions.filter((c) => c.key.toLowerCase() === "sts:externalid");
  if (entries.length === 0) return { kind: "missing" };
  const strict = entries.find((c) => c.base === "StringEquals" && c.setPrefix === undefined && !c.ifExists);
  if (strict !== undefined) {
    const values = strict.values.filter((v): v is string => typeof v === "string");
    if (values.length === 1 && values[0] === externalId) return undefined;
    if (values.includes(externalId)) return { kind: "weak", why: "also accepts other external ids (a list of values)", operators: [strict.operator] };
    return { kind: "wrong" };
  }
  return { kind: "weak", why: weakness(entries), operators: [...new Set(entries.map((c) => c.operator))] };
}

function weakness(entries: readonly ConditionEntry[]): string {
  const c = entries[0]!;
  if (c.ifExists) return `passes when no external id is sent at all (${c.operator})`;
  if (c.setPrefix !== undefined)
    return `tests a single-valued key with a set operator (${c.operator}), which IAM advises against (ForAllValues passes when the key is missing)`;
  if (/like/i.test(c.base)) return `matches a pattern (${c.operator}), so other external ids can match`;
  if (/ignorecase/i.test(c.base)) return `ignores case (${c.operator}), so other external ids can match`;
  return `uses ${c.operator}, which does not require exactly this connection's external id`;
}

function externalIdWarning(problem: ExternalIdProblem, s: PolicyStatement, fixes: Fixes): ReviewWarning {
  const name = statementName(s);
  const condition = `"Condition": {"StringEquals": {"sts:ExternalId": "${fixes.externalIdText}"}}`;
  switch (problem.kind) {
    case "missing":
      return {
        code: "TRUST_POLICY_MISSING_EXTERNAL_ID",
        capability: "",
        message: `${cap(name)} of the role's trust policy lets the platform's principal in without an external id: another customer of the platform could make the platform act on this account (the "confused deputy" problem).`,
        fix: `Add ${condition} to ${name}. ${fixes.whole}`,
      };
    case "wrong":
      return {
        code: "TRUST_POLICY_WRONG_EXTERNAL_ID",
        capability: "",
        message: `${cap(name)} of the role's trust policy requires an external id other than the external id of this connection.`,
        fix: `Set the sts:ExternalId value of ${name} to the external id of this connection: ${condition}. ${fixes.whole}`,
      };
    case "weak":
      return {
        code: "TRUST_POLICY_WEAK_EXTERNAL_ID_CONDITION",
        capability: "",
        message: `${cap(name)} of the role's trust policy tests sts:ExternalId, but its condition ${problem.why}.`,
        fix: `In ${name}, replace the ${problem.operators.join(" and ")} test of sts:ExternalId with ${condition} (exactly one value). ${fixes.whole}`,
      };
  }
}

/** The wording every fix shares: the platform's principal, the external id's place, the whole policy. */
class Fixes {
  readonly platformText: string;
  readonly externalIdText: string;
  readonly whole: string;

  constructor(input: TrustLintInput, role: { name: string }) {
    const stack = /:stack\/([^/]+)\//.exec(input.stackId)?.[1];
    this.platformText = input.platformPrincipalArn ?? "<the stack's TrustedPrincipalArn parameter>";
    this.externalIdText = `<the ExternalId parameter of ${stack ? `stack ${stack}` : "the Planton stack"}>`;
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PlantonWithExternalId",
          Effect: "Allow",
          Principal: { AWS: this.platformText },
          Action: TEMPLATE_ACTIONS,
          Condition: { StringEquals: { "sts:ExternalId": this.externalIdText } },
        },
      ],
    };
    this.whole =
      `The whole trust policy should be: ${JSON.stringify(policy)} ` +
      `(IAM console: Roles > ${role.name} > Trust relationships > Edit trust policy; or save it as trust.json and run aws iam update-assume-role-policy --role-name ${role.name} --policy-document file://trust.json).`;
  }
}

function roleParts(roleArn: string): { partition: string; name: string } {
  const m = /^arn:([^:]+):iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return { partition: m?.[1] ?? "aws", name: m?.[2] ?? roleArn };
}

// A principal as IAM compares it: a bare account id is that account's root;
// names in ARNs are case-insensitive for roles and users.
function normalizePrincipal(value: string, partition: string): string {
  const v = value.trim();
  if (/^\d{12}$/.test(v)) return `arn:${partition}:iam::${v}:root`;
  return v.toLowerCase();
}

function accountRoot(principalArn: string): string | undefined {
  const m = /^arn:([^:]+):(?:iam|sts)::(\d{12}):/.exec(principalArn);
  return m ? `arn:${m[1]}:iam::${m[2]}:root` : undefined;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
