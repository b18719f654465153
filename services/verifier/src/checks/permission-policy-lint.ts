import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { CAPABILITY_IAM_ACTIONS, CAPABILITY_SERVICES, SELF_INSPECTION_ACTIONS, capabilityEnumName } from "./capability-services.js";
import { isAllow, policyStatements, type PolicyStatement } from "./iam-policy-document.js";
import type { ReviewWarning } from "./review-warning.js";

/** A permission policy of the role as read back. */
export interface RolePolicy {
  /** Attached managed policy, or inline policy embedded in the role. */
  readonly kind: "managed" | "inline";
  /** Managed: the policy's ARN. */
  readonly arn?: string;
  readonly name: string;
  /** Managed: GetPolicy's Description, when it has one (only words the fix). */
  readonly description?: string;
  /** The parsed document of its default version; undefined when it could not be read. */
  readonly document?: unknown;
}

/** What {@link lintPermissionPolicies} compares the policies with. */
export interface PermissionLintInput {
  readonly policies: readonly RolePolicy[];
  /** The capabilities the role was created with; empty: not recorded, services are not compared. */
  readonly capabilities: readonly AwsCapability[];
  readonly roleName: string;
}

/** AWS managed policies that are broad whatever the capabilities, and what each grants. */
const BROAD_AWS_MANAGED: Readonly<Record<string, string>> = {
  AdministratorAccess: "it allows every action on every resource (full administrator)",
  PowerUserAccess: "it allows every action of every service except most of IAM and Organizations",
  IAMFullAccess: "it allows every IAM action, so the role could grant itself anything",
};

/** Longest policy excerpt quoted in a fix. */
const MAX_QUOTED = 1500;
/** Most services named in one message. */
const MAX_LISTED = 8;

/**
 * lintPermissionPolicies flags each policy of the role that grants more than
 * the enabled capabilities need (POLICY_BROADER_THAN_CAPABILITIES, one
 * warning per policy, naming every reason and the exact fix). A policy is
 * judged by what its Allow statements grant, never by its name or
 * description (anyone can write "Planton" there), so the template's own
 * capability policies and its SelfInspectionPolicy pass because of what they
 * say. Broader is:
 *
 * - the AWS managed AdministratorAccess, PowerUserAccess or IAMFullAccess
 *   (by ARN), or any AWS managed `*FullAccess` whose document could not be read;
 * - an Allow of `"*"` (every action), or with NotAction (every action but);
 * - `<service>:*` on Resource `"*"` (all of a service on all its resources:
 *   the template scopes writes to what Planton created);
 * - with the capabilities recorded: actions of a service no enabled
 *   capability's template policy uses, and IAM actions other than the ones
 *   those policies and the self-inspection policy name (IAM is how a role
 *   widens itself, so it is judged by action; wildcards such as `iam:Get*`
 *   count as other actions).
 *
 * Deny statements are ignored (they only narrow); conditions do not excuse a
 * statement. Pure.
 */
export function lintPermissionPolicies(input: PermissionLintInput): ReviewWarning[] {
  const known = input.capabilities.length > 0;
  const services = new Set(input.capabilities.flatMap((c) => CAPABILITY_SERVICES[c] ?? []));
  const iamActions = new Set([...input.capabilities.flatMap((c) => CAPABILITY_IAM_ACTIONS[c] ?? []), ...SELF_INSPECTION_ACTIONS].map((a) => a.toLowerCase()));
  const enabled = input.capabilities.map(capabilityEnumName).join(", ");
  const warnings: ReviewWarning[] = [];
  for (const policy of input.policies) {
    const awsManagedName = policy.kind === "managed" ? /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policy.arn ?? "")?.[1] : undefined;
    const reasons: string[] = [];
    const offending: unknown[] = [];
    const byName = awsManagedName === undefined ? undefined : BROAD_AWS_MANAGED[awsManagedName];
    if (byName !== undefined) {
      reasons.push(byName);
    } else if (policy.document === undefined) {
      if (awsManagedName !== undefined && /FullAccess$/.test(awsManagedName))
        reasons.push("it grants full access to a service (judged by its name: its document could not be read)");
    } else {
      for (const s of policyStatements(policy.document) ?? []) {
        if (!isAllow(s)) continue;
        const found = statementReasons(s, known ? { services, iamActions } : undefined);
        if (found.length === 0) continue;
        reasons.push(...found.map((r) => `${s.sid ? `statement "${s.sid}"` : `statement ${s.index}`} ${r}`));
        offending.push(s.raw);
      }
    }
    if (reasons.length === 0) continue;
    const label = policy.kind === "managed" ? `managed policy ${policy.arn ?? policy.name}` : `inline policy ${policy.name}`;
    warnings.push({
      code: "POLICY_BROADER_THAN_CAPABILITIES",
      capability: "",
      message: `The ${label} of the role grants more than ${known ? `the enabled capabilities (${enabled})` : "the trust template's policies"} need: ${reasons.join("; ")}.`,
      fix: fixFor(policy, awsManagedName !== undefined, offending, input.roleName),
    });
  }
  return warnings;
}

// Why one Allow statement is broader, one phrase per reason; empty when it is not.
function statementReasons(s: PolicyStatement, allowed: { services: ReadonlySet<string>; iamActions: ReadonlySet<string> } | undefined): string[] {
  if (s.notAction !== undefined) return ["allows every action except the ones it lists (NotAction)"];
  const actions = s.action ?? [];
  if (actions.some((a) => a === "*" || a === "*:*")) return ['allows every action ("*")'];
  const everyResource = (s.resource ?? []).includes("*") || s.notResource !== undefined;
  const reasons: string[] = [];
  const full = new Set<string>();
  const foreign = new Set<string>();
  const iam = new Set<string>();
  for (const action of actions) {
    const colon = action.indexOf(":");
    const service = (colon === -1 ? action : action.slice(0, colon)).toLowerCase();
    const name = colon === -1 ? "" : action.slice(colon + 1);
    if (/[*?]/.test(service)) {
      foreign.add(`${action} (actions of any service)`);
      continue;
    }
    if (name === "*" && everyResource) full.add(service);
    if (allowed === undefined) continue;
    if (service === "iam") {
      if (!allowed.iamActions.has(action.toLowerCase())) iam.add(action);
    } else if (!allowed.services.has(service)) {
      foreign.add(service);
    }
  }
  if (full.size > 0) reasons.push(`allows ${[...full].map((svc) => `${svc}:*`).join(", ")} on every resource`);
  if (foreign.size > 0) reasons.push(`allows actions of ${listed([...foreign])}, which no enabled capability needs`);
  if (iam.size > 0) reasons.push(`allows IAM actions no enabled capability needs (${listed([...iam])})`);
  return reasons;
}

function fixFor(policy: RolePolicy, awsManaged: boolean, offending: readonly unknown[], roleName: string): string {
  const quoted = quote(offending);
  if (policy.kind === "managed") {
    const detach = `Detach it from the role: aws iam detach-role-policy --role-name ${roleName} --policy-arn ${policy.arn ?? policy.name} (IAM console: Roles > ${roleName} > Permissions > Remove). The Planton stack attaches what the enabled capabilities need.`;
    if (awsManaged || offending.length === 0) return detach;
    if (policy.description?.startsWith("Planton:")) {
      return `This policy was created by the Planton stack and changed since: remove these statements from it (IAM console: Policies > ${policy.name} > Edit): ${quoted}.`;
    }
    return `${detach} Or remove these statements from it: ${quoted}.`;
  }
  if (policy.name === "planton-self-inspection") {
    return `This inline policy was created by the Planton stack and changed since: remove these statements from it (IAM console: Roles > ${roleName} > Permissions > ${policy.name} > Edit): ${quoted}.`;
  }
  return `Delete it: aws iam delete-role-policy --role-name ${roleName} --policy-name ${policy.name} (IAM console: Roles > ${roleName} > Permissions > Remove). Or remove these statements from it: ${quoted}.`;
}

function quote(statements: readonly unknown[]): string {
  const text = JSON.stringify(statements.length === 1 ? statements[0] : statements);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

function listed(items: readonly string[]): string {
  return items.length <= MAX_LISTED ? items.join(", ") : `${items.slice(0, MAX_LISTED).join(", ")} and ${items.length - MAX_LISTED} more`;
}
