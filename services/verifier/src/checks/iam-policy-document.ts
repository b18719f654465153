/**
 * An IAM policy statement reduced to what the linters read. IAM accepts a
 * single value or a list almost everywhere (Statement, Principal values,
 * Action, Resource, condition values); here every such place is a list.
 */
export interface PolicyStatement {
  /** Position in the document, from 1, for messages ("statement 2"). */
  readonly index: number;
  readonly sid: string | undefined;
  /** "Allow" or "Deny" as written (IAM accepts exactly these two). */
  readonly effect: string;
  /** Principal (trust policies): undefined when the statement has none. */
  readonly principal: PrincipalSet | undefined;
  readonly notPrincipal: PrincipalSet | undefined;
  readonly action: readonly string[] | undefined;
  readonly notAction: readonly string[] | undefined;
  readonly resource: readonly string[] | undefined;
  readonly notResource: readonly string[] | undefined;
  readonly conditions: readonly ConditionEntry[];
  /** The statement as written, for quoting in a fix. */
  readonly raw: unknown;
}

/** A statement's Principal: `"*"` alone, or typed entries (`{"AWS": [...], "Service": ...}`). */
export interface PrincipalSet {
  /** `"Principal": "*"` or any type with the value `"*"` (`{"AWS": "*"}`). */
  readonly wildcard: boolean;
  readonly entries: readonly { readonly type: string; readonly value: string }[];
}

/** One `operator: {key: values}` pair of a Condition block. */
export interface ConditionEntry {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The operator without its set prefix and IfExists suffix, e.g. `StringLike`. */
  readonly base: string;
  /** `ForAnyValue` or `ForAllValues` when the operator has that prefix. */
  readonly setPrefix: string | undefined;
  readonly ifExists: boolean;
  /** The key as written; IAM compares key names without regard to case. */
  readonly key: string;
  readonly values: readonly unknown[];
}

/**
 * decodePolicyText turns a policy document as IAM's API returns it into JSON:
 * GetRole, GetRolePolicy and GetPolicyVersion return documents URL-encoded
 * (RFC 3986, so `+` is a plus, not a space) and the JavaScript SDK does not
 * decode them; a document that already starts with `{` is taken as is.
 * Undefined when the text is neither.
 */
export function decodePolicyText(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed.startsWith("{") ? trimmed : decodeURIComponent(trimmed)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * policyStatements reads the statements of a parsed policy document
 * (`Statement` an object or a list); undefined when the document is not an
 * object with statements. Statements that are not objects are skipped (IAM
 * would not have stored them).
 */
export function policyStatements(document: unknown): PolicyStatement[] | undefined {
  if (!isObject(document)) return undefined;
  const statement = document["Statement"];
  const list = Array.isArray(statement) ? (statement as unknown[]) : isObject(statement) ? [statement] : undefined;
  if (list === undefined) return undefined;
  const out: PolicyStatement[] = [];
  list.forEach((raw, i) => {
    if (!isObject(raw)) return;
    out.push({
      index: i + 1,
      sid: typeof raw["Sid"] === "string" ? raw["Sid"] : undefined,
      effect: typeof raw["Effect"] === "string" ? raw["Effect"] : "",
      principal: principalSet(raw["Principal"]),
      notPrincipal: principalSet(raw["NotPrincipal"]),
      action: stringList(raw["Action"]),
      notAction: stringList(raw["NotAction"]),
      resource: stringList(raw["Resource"]),
      notResource: stringList(raw["NotResource"]),
      conditions: conditionEntries(raw["Condition"]),
      raw,
    });
  });
  return out;
}

/** statementName names a statement for a person: `"Sid" (statement 2)` or `statement 2`. */
export function statementName(statement: PolicyStatement): string {
  return statement.sid ? `statement ${statement.index} ("${statement.sid}")` : `statement ${statement.index}`;
}

/**
 * actionMatches tells whether an IAM action pattern (`service:Action`, with
 * `*` for any run of characters and `?` for one) matches `action`. Action
 * names are compared without regard to case, as IAM does.
 */
export function actionMatches(pattern: string, action: string): boolean {
  const p = pattern.toLowerCase();
  const a = action.toLowerCase();
  // Iterative glob match with backtracking on the last `*`.
  let pi = 0;
  let ai = 0;
  let star = -1;
  let mark = 0;
  while (ai < a.length) {
    if (pi < p.length && (p[pi] === "?" || p[pi] === a[ai])) {
      pi += 1;
      ai += 1;
    } else if (pi < p.length && p[pi] === "*") {
      star = pi;
      mark = ai;
      pi += 1;
    } else if (star !== -1) {
      pi = star + 1;
      mark += 1;
      ai = mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi += 1;
  return pi === p.length;
}

/**
 * allowsAction tells whether an Allow statement's action part covers
 * `action`: one of its Action patterns matches it, or it has NotAction and
 * none of those patterns matches it.
 */
export function allowsAction(statement: PolicyStatement, action: string): boolean {
  if (statement.action !== undefined) return statement.action.some((p) => actionMatches(p, action));
  if (statement.notAction !== undefined) return !statement.notAction.some((p) => actionMatches(p, action));
  return false;
}

/** isAllow: the statement's Effect is Allow (IAM writes it exactly so). */
export function isAllow(statement: PolicyStatement): boolean {
  return statement.effect === "Allow";
}

function principalSet(value: unknown): PrincipalSet | undefined {
  if (value === undefined) return undefined;
  if (value === "*") return { wildcard: true, entries: [{ type: "*", value: "*" }] };
  if (!isObject(value)) return { wildcard: false, entries: [] };
  const entries: { type: string; value: string }[] = [];
  for (const [type, values] of Object.entries(value)) {
    for (const v of stringList(values) ?? []) entries.push({ type, value: v });
  }
  return { wildcard: entries.some((e) => e.value === "*"), entries };
}

function conditionEntries(value: unknown): ConditionEntry[] {
  if (!isObject(value)) return [];
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isObject(block)) continue;
    const m = /^(?:(ForAnyValue|ForAllValues):)?(.*?)(IfExists)?$/i.exec(operator);
    const base = m?.[2] ?? operator;
    for (const [key, values] of Object.entries(block)) {
      out.push({
        operator,
        base,
        setPrefix: m?.[1],
        ifExists: m?.[3] !== undefined,
        key,
        values: Array.isArray(values) ? (values as unknown[]) : [values],
      });
    }
  }
  return out;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
