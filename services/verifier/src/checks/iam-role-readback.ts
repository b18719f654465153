import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from "@aws-sdk/client-iam";
import { asObject, str } from "./http-call.js";
import { decodePolicyText } from "./iam-policy-document.js";
import type { RolePolicy } from "./permission-policy-lint.js";
import type { CheckOptions } from "./provider-check.js";
import type { AwsCredentials } from "./sts-call.js";
import { iamClient } from "./iam-client.js";

/** A role as {@link readRoleBack} found it. */
export type RoleReadback =
  | {
      readonly kind: "read";
      /** The parsed trust policy; undefined when IAM returned none that parses. */
      readonly trustDocument: unknown;
      /** Managed policies as ListAttachedRolePolicies listed them. */
      readonly attachedPolicyArns: readonly string[];
      /** Every permission policy listed, with its document where it could be read. */
      readonly policies: readonly RolePolicy[];
      /** What could not be read, one phrase each (empty: everything was). */
      readonly gaps: readonly string[];
    }
  | { readonly kind: "not-readable"; readonly reason: string };

/** Most pages read of one listing (IAM allows 20 managed policies per role; inline ones are few). */
const MAX_PAGES = 10;
/** Policy documents read at once. */
const CONCURRENCY = 4;
/** The whole read-back lasts at most this many per-call timeouts: a slow IAM must not hold the verification. */
const BUDGET_CALLS = 3;

/**
 * readRoleBack reads a role with the role's own session credentials through
 * `@aws-sdk/client-iam` at `iamUrl`: `GetRole` (the trust policy),
 * `ListAttachedRolePolicies` and `ListRolePolicies` (following `Marker`
 * while `IsTruncated`), `GetRolePolicy` for each inline policy, and
 * `GetPolicy` (DefaultVersionId, Description) then `GetPolicyVersion` for
 * each managed one. IAM returns policy documents URL-encoded (RFC 3986) and
 * the SDK does not decode them: {@link decodePolicyText} does. Each call is
 * one attempt bounded by `options.timeoutMs`, and the whole read by
 * three times that (calls past it fail and leave gaps).
 *
 * GetRole failing gives `not-readable` with the reason and what to do
 * (AccessDenied: a template v1 role, which lacks the self-inspection policy).
 * A later call failing leaves a gap (named in `gaps`) and the rest is read.
 * Never throws; never quotes the SDK's error text (only codes and statuses).
 */
export async function readRoleBack(
  iamUrl: string,
  credentials: AwsCredentials,
  roleName: string,
  options: Pick<CheckOptions, "timeoutMs" | "signal">,
): Promise<RoleReadback> {
  const client = iamClient(iamUrl, credentials, options.timeoutMs);
  const budget = AbortSignal.timeout(options.timeoutMs * BUDGET_CALLS);
  const signal = () => ({ abortSignal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), budget, ...(options.signal ? [options.signal] : [])]) });
  try {
    let trustText: string | undefined;
    try {
      trustText = (await client.send(new GetRoleCommand({ RoleName: roleName }), signal())).Role?.AssumeRolePolicyDocument;
    } catch (error) {
      return { kind: "not-readable", reason: getRoleRefusal(error) };
    }
    const gaps: string[] = [];
    const attached: { arn: string; name: string }[] = [];
    const listedAttached = await paginate(async (Marker) => {
      const page = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }), signal());
      for (const p of page.AttachedPolicies ?? []) if (p.PolicyArn) attached.push({ arn: p.PolicyArn, name: p.PolicyName ?? p.PolicyArn });
      return page;
    });
    if (listedAttached !== undefined) gaps.push(`the attached policies could not be listed (ListAttachedRolePolicies: ${listedAttached})`);
    const inlineNames: string[] = [];
    const listedInline = await paginate(async (Marker) => {
      const page = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }), signal());
      inlineNames.push(...(page.PolicyNames ?? []));
      return page;
    });
    if (listedInline !== undefined) gaps.push(`the inline policies could not be listed (ListRolePolicies: ${listedInline})`);

    const managed = await mapLimited(attached, async ({ arn, name }): Promise<RolePolicy> => {
      try {
        const policy = (await client.send(new GetPolicyCommand({ PolicyArn: arn }), signal())).Policy;
        const description = policy?.Description;
        const versionId = policy?.DefaultVersionId;
        if (versionId === undefined) {
          gaps.push(`the default version of ${arn} is unknown`);
          return { kind: "managed", arn, name, ...(description ? { description } : {}) };
        }
        try {
          const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), signal());
          const document = decodePolicyText(version.PolicyVersion?.Document ?? "");
          if (document === undefined) gaps.push(`the document of ${arn} could not be parsed`);
          return { kind: "managed", arn, name, ...(description ? { description } : {}), ...(document !== undefined ? { document } : {}) };
        } catch (error) {
          gaps.push(`the document of ${arn} could not be read (GetPolicyVersion: ${refusal(error)})`);
          return { kind: "managed", arn, name, ...(description ? { description } : {}) };
        }
      } catch (error) {
        gaps.push(`${arn} could not be read (GetPolicy: ${refusal(error)})`);
        return { kind: "managed", arn, name };
      }
    });
    const inline = await mapLimited(inlineNames, async (name): Promise<RolePolicy> => {
      try {
        const answer = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }), signal());
        const document = decodePolicyText(answer.PolicyDocument ?? "");
        if (document === undefined) gaps.push(`the inline policy ${name} could not be parsed`);
        return { kind: "inline", name, ...(document !== undefined ? { document } : {}) };
      } catch (error) {
        gaps.push(`the inline policy ${name} could not be read (GetRolePolicy: ${refusal(error)})`);
        return { kind: "inline", name };
      }
    });
    return {
      kind: "read",
      trustDocument: trustText === undefined ? undefined : decodePolicyText(trustText),
      attachedPolicyArns: attached.map((a) => a.arn),
      policies: [...managed, ...inline],
      gaps,
    };
  } finally {
    client.destroy();
  }
}

// Follows Marker while IsTruncated; the refusal of the first failing page, or undefined.
async function paginate(page: (marker: string | undefined) => Promise<{ IsTruncated?: boolean; Marker?: string }>): Promise<string | undefined> {
  let marker: string | undefined;
  for (let i = 0; i < MAX_PAGES; i += 1) {
    try {
      const answer = await page(marker);
      if (!answer.IsTruncated || !answer.Marker) return undefined;
      marker = answer.Marker;
    } catch (error) {
      return refusal(error);
    }
  }
  return `more than ${MAX_PAGES} pages`;
}

async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}

// An SDK error as "HTTP 403 AccessDenied" (never the provider's text), or what kept the call from an answer.
function refusal(error: unknown): string {
  const { status, code } = errorParts(error);
  if (status === undefined) return code === "TimeoutError" || code === "AbortError" ? "no answer in time" : "no answer";
  return `HTTP ${status}${code ? ` ${code}` : ""}`;
}

function errorParts(error: unknown): { status: number | undefined; code: string | undefined } {
  const status = asObject(asObject(error)?.["$metadata"])?.["httpStatusCode"];
  const code = (str(asObject(error), "Code") ?? str(asObject(error), "name"))?.slice(0, 60);
  return { status: typeof status === "number" ? status : undefined, code };
}

function getRoleRefusal(error: unknown): string {
  const { code } = errorParts(error);
  if (code === "AccessDenied" || code === "AccessDeniedException") {
    return (
      "AWS IAM denied iam:GetRole to the role's own session (AccessDenied), so its trust policy could not be reviewed. " +
      "Roles created from trust template v1 cannot read themselves back: update the stack to trust template v2, which adds the read-only planton-self-inspection policy."
    );
  }
  if (code === "NoSuchEntity" || code === "NoSuchEntityException") {
    return "AWS IAM does not know the role yet (NoSuchEntity) although it could be assumed: IAM may still be propagating it. The review runs again at the next verification.";
  }
  return `AWS IAM did not return the role (GetRole: ${refusal(error)}). The review runs again at the next verification.`;
}
