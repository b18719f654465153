import { randomUUID } from "node:crypto";

/** One statement of a principal's effective policy as the fake evaluates it (conditions are not modelled). */
export interface FakeStatement {
  readonly effect: "Allow" | "Deny";
  /** `service:Action` patterns; `*` wildcards, matched case-insensitively as IAM does. */
  readonly actions: readonly string[];
  /** Resource ARN patterns (`*` wildcards, case-sensitive); absent: "*". */
  readonly resources?: readonly string[];
}

/** One SimulatePrincipalPolicy request, for tests to inspect. */
export interface FakeSimulation {
  readonly policySourceArn: string;
  readonly actionNames: readonly string[];
  readonly resourceArns: readonly string[];
  /** ContextEntries: key → values. */
  readonly context: Readonly<Record<string, readonly string[]>>;
  readonly marker: string | undefined;
  readonly maxItems: number | undefined;
}

/** What a decision is for one action on one resource. */
export type EvalDecision = "allowed" | "explicitDeny" | "implicitDeny";

/**
 * evaluate applies IAM's evaluation logic to `statements` for one request:
 * an explicit Deny wins, else an Allow allows, else the request is
 * implicitly denied.
 */
function evaluate(statements: readonly FakeStatement[], action: string, resource: string): EvalDecision {
  const matches = (s: FakeStatement) => s.actions.some((p) => glob(p, action, "i")) && (s.resources ?? ["*"]).some((p) => glob(p, resource, ""));
  if (statements.some((s) => s.effect === "Deny" && matches(s))) return "explicitDeny";
  return statements.some((s) => s.effect === "Allow" && matches(s)) ? "allowed" : "implicitDeny";
}

function glob(pattern: string, value: string, flags: string): boolean {
  const source = pattern
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, flags).test(value);
}

/** Reads a SimulatePrincipalPolicy form as the Query protocol encodes it (`ActionNames.member.N`, `ContextEntries.member.N.*`). */
export function readSimulation(form: URLSearchParams): FakeSimulation {
  const members = (prefix: string) => {
    const out: string[] = [];
    for (let i = 1; form.has(`${prefix}.member.${i}`); i++) out.push(form.get(`${prefix}.member.${i}`) ?? "");
    return out;
  };
  const context: Record<string, string[]> = {};
  for (let i = 1; form.has(`ContextEntries.member.${i}.ContextKeyName`); i++) {
    context[form.get(`ContextEntries.member.${i}.ContextKeyName`) ?? ""] = members(`ContextEntries.member.${i}.ContextKeyValues`);
  }
  const maxItems = form.get("MaxItems");
  return {
    policySourceArn: form.get("PolicySourceArn") ?? "",
    actionNames: members("ActionNames"),
    resourceArns: members("ResourceArns"),
    context,
    marker: form.get("Marker") ?? undefined,
    maxItems: maxItems === null ? undefined : Number(maxItems),
  };
}

/**
 * simulationPage answers one page of a simulation as IAM's
 * SimulatePrincipalPolicy does: one EvaluationResults member per action and
 * resource (resource "*" when none was given), at most `pageSize` of them
 * (the smaller of MaxItems, default 100, and the fake's own page size: IAM
 * may return fewer than MaxItems), `IsTruncated` and an opaque `Marker` for
 * the next page. An unknown marker is 400 InvalidInput.
 */
export function simulationPage(
  request: FakeSimulation,
  statements: readonly FakeStatement[],
  pageSize: number,
  markers: Map<string, number>,
): { status: number; xml: string } | { error: { status: number; code: string; message: string } } {
  const resources = request.resourceArns.length > 0 ? request.resourceArns : ["*"];
  const all = request.actionNames.flatMap((action) => resources.map((resource) => ({ action, resource, decision: evaluate(statements, action, resource) })));
  let start = 0;
  if (request.marker !== undefined) {
    const at = markers.get(request.marker);
    if (at === undefined) return { error: { status: 400, code: "InvalidInput", message: "Invalid Marker." } };
    start = at;
  }
  const size = Math.max(1, Math.min(request.maxItems ?? 100, pageSize));
  const page = all.slice(start, start + size);
  const truncated = start + size < all.length;
  let next = "";
  if (truncated) {
    next = randomUUID();
    markers.set(next, start + size);
  }
  const members = page
    .map(
      (r) =>
        `      <member>\n        <EvalActionName>${r.action}</EvalActionName>\n        <EvalResourceName>${escape(r.resource)}</EvalResourceName>\n        <EvalDecision>${r.decision}</EvalDecision>\n        <MatchedStatements/>\n        <MissingContextValues/>\n      </member>\n`,
    )
    .join("");
  return {
    status: 200,
    xml:
      `<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n  <SimulatePrincipalPolicyResult>\n` +
      `    <IsTruncated>${truncated}</IsTruncated>\n${truncated ? `    <Marker>${next}</Marker>\n` : ""}` +
      `    <EvaluationResults>\n${members}    </EvaluationResults>\n  </SimulatePrincipalPolicyResult>\n` +
      `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</SimulatePrincipalPolicyResponse>\n`,
  };
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}
