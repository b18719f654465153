import { describe, expect, it } from "vitest";
import { decodePolicyText, actionMatches } from "../src/checks/iam-policy-document.js";
import { lintTrustPolicy, type TrustLintInput } from "../src/checks/trust-policy-lint.js";
import { deployedTemplate } from "./support/deployed-template.js";

const ACCOUNT = "123456789012";
const PLATFORM = "arn:aws:iam::999999999999:role/planton-runner";
const EXTERNAL_ID = "pl-EXTIDMARKER-0123456789abcdef";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/planton-TrustRole-ABC`;
const STACK = `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/planton-prod/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`;

const template = deployedTemplate({ account: ACCOUNT, trustedPrincipalArn: PLATFORM, externalId: EXTERNAL_ID, roleArn: ROLE });

/** The template's one statement, with `changes` applied (undefined values delete keys). */
function statement(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const base = (template.trustPolicy["Statement"] as Record<string, unknown>[])[0]!;
  const out: Record<string, unknown> = { ...base, ...changes };
  for (const [k, v] of Object.entries(changes)) if (v === undefined) delete out[k];
  return out;
}

function lint(document: unknown, overrides: Partial<TrustLintInput> = {}) {
  return lintTrustPolicy({ document, platformPrincipalArn: PLATFORM, externalId: EXTERNAL_ID, roleArn: ROLE, stackId: STACK, ...overrides });
}

function codes(document: unknown, overrides: Partial<TrustLintInput> = {}): string[] {
  return lint(document, overrides).warnings.map((w) => w.code);
}

const policy = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

describe("lintTrustPolicy", () => {
  it("finds nothing in the trust policy the template deploys", () => {
    const result = lint(template.trustPolicy);
    expect(result).toEqual({ warnings: [] });
  });

  it("reads Statement as an object and Principal, Action and condition values as strings or lists", () => {
    const single = {
      Version: "2012-10-17",
      Statement: statement({
        Principal: { AWS: [PLATFORM] },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: { StringEquals: { "sts:ExternalId": [EXTERNAL_ID] } },
      }),
    };
    expect(codes(single)).toEqual([]);
    // A bare account id, the platform being its root.
    expect(codes(policy(statement({ Principal: { AWS: "999999999999" } })), { platformPrincipalArn: "arn:aws:iam::999999999999:root" })).toEqual([]);
  });

  it("compares condition key names without regard to case, values with it", () => {
    expect(codes(policy(statement({ Condition: { StringEquals: { "STS:EXTERNALID": EXTERNAL_ID } } })))).toEqual([]);
    expect(codes(policy(statement({ Condition: { StringEquals: { "sts:externalid": EXTERNAL_ID.toUpperCase() } } })))).toEqual([
      "TRUST_POLICY_WRONG_EXTERNAL_ID",
    ]);
  });

  it("accepts the platform's role named with different case (IAM role names are case-insensitive)", () => {
    expect(codes(policy(statement({ Principal: { AWS: PLATFORM.replace("planton-runner", "Planton-Runner") } })))).toEqual([]);
  });

  it("flags a wildcard principal, as a string and as {AWS: *}", () => {
    for (const principal of ["*", { AWS: "*" }, { AWS: [PLATFORM, "*"] }]) {
      const result = lint(policy(statement({ Principal: principal })));
      expect(result.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_WILDCARD_PRINCIPAL"]);
      const [w] = result.warnings;
      expect(w!.message).toMatch(/any principal \("\*"\)/);
      expect(w!.fix).toContain(`{"AWS": "${PLATFORM}"}`);
      expect(w!.fix).toContain("update-assume-role-policy --role-name planton-TrustRole-ABC");
    }
  });

  it("flags other principals of every type, the platform account's root, and a deleted principal's unique id", () => {
    const others = lint(
      policy(
        statement(),
        {
          Sid: "Extra",
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::444455556666:root", "arn:aws:iam::999999999999:root"], Service: "ec2.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
        },
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
        },
        { Effect: "Allow", Principal: { CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be" }, Action: "sts:*" },
        { Effect: "Allow", Principal: { AWS: "AROAEXAMPLEDELETED01" }, Action: "sts:AssumeRole*" },
      ),
    );
    expect(others.warnings.map((w) => w.code)).toEqual([
      "TRUST_POLICY_OTHER_PRINCIPAL",
      "TRUST_POLICY_OTHER_PRINCIPAL",
      "TRUST_POLICY_OTHER_PRINCIPAL",
      "TRUST_POLICY_OTHER_PRINCIPAL",
    ]);
    const [extra, federated, canonical, deleted] = others.warnings;
    expect(extra!.message).toContain('Statement 2 ("Extra")');
    expect(extra!.message).toContain("arn:aws:iam::444455556666:root");
    expect(extra!.message).toContain("arn:aws:iam::999999999999:root (every identity of the platform's AWS account");
    expect(extra!.message).toContain("Service ec2.amazonaws.com");
    expect(federated!.message).toContain("Federated arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com");
    expect(canonical!.message).toContain("CanonicalUser");
    expect(deleted!.message).toContain("a principal that was deleted");
  });

  it("ignores principals that may only tag sessions, and Deny statements", () => {
    const doc = policy(
      statement(),
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:root" }, Action: "sts:TagSession" },
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    );
    expect(codes(doc)).toEqual([]);
  });

  it("flags a statement that lets the platform in without the external id, even beside a correct one", () => {
    const result = lint(policy(statement(), { Sid: "Open", Effect: "Allow", Principal: { AWS: PLATFORM }, Action: "sts:AssumeRole" }));
    expect(result.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_MISSING_EXTERNAL_ID"]);
    const [w] = result.warnings;
    expect(w!.message).toMatch(/confused deputy/);
    expect(w!.fix).toContain(
      'Add "Condition": {"StringEquals": {"sts:ExternalId": "<the ExternalId parameter of stack planton-prod>"}} to statement 2 ("Open")',
    );
  });

  it("flags an external id other than the connection's, and a list that also accepts others", () => {
    expect(codes(policy(statement({ Condition: { StringEquals: { "sts:ExternalId": "pl-someone-else" } } })))).toEqual(["TRUST_POLICY_WRONG_EXTERNAL_ID"]);
    expect(codes(policy(statement({ Condition: { StringEquals: { "sts:ExternalId": ["pl-a", "pl-b"] } } })))).toEqual(["TRUST_POLICY_WRONG_EXTERNAL_ID"]);
    const list = lint(policy(statement({ Condition: { StringEquals: { "sts:ExternalId": [EXTERNAL_ID, "pl-other"] } } })));
    expect(list.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_WEAK_EXTERNAL_ID_CONDITION"]);
    expect(list.warnings[0]!.message).toMatch(/also accepts other external ids/);
  });

  it("flags StringLike, StringEqualsIgnoreCase, set operators and IfExists as weak, naming the operator", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ StringLike: { "sts:ExternalId": "pl-*" } }, /matches a pattern \(StringLike\)/],
      [{ StringEqualsIgnoreCase: { "sts:ExternalId": EXTERNAL_ID } }, /ignores case/],
      [{ "ForAnyValue:StringEquals": { "sts:ExternalId": EXTERNAL_ID } }, /set operator \(ForAnyValue:StringEquals\)/],
      [{ "ForAllValues:StringEquals": { "sts:ExternalId": EXTERNAL_ID } }, /ForAllValues passes when the key is missing/],
      [{ StringEqualsIfExists: { "sts:ExternalId": EXTERNAL_ID } }, /passes when no external id is sent at all/],
      [{ StringNotEquals: { "sts:ExternalId": "x" } }, /uses StringNotEquals/],
    ];
    for (const [condition, why] of cases) {
      const result = lint(policy(statement({ Condition: condition })));
      expect(result.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_WEAK_EXTERNAL_ID_CONDITION"]);
      expect(result.warnings[0]!.message).toMatch(why);
      expect(result.warnings[0]!.fix).toContain('"Condition": {"StringEquals": {"sts:ExternalId": "<the ExternalId parameter of stack planton-prod>"}}');
    }
  });

  it("accepts a strict StringEquals beside further conditions on the same key (conditions are ANDed)", () => {
    expect(codes(policy(statement({ Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID }, StringLike: { "sts:ExternalId": "pl-*" } } })))).toEqual([]);
  });

  it("flags NotPrincipal with Allow, and NotAction that leaves assuming allowed", () => {
    const notPrincipal = lint(policy(statement({ Principal: undefined, NotPrincipal: { AWS: "arn:aws:iam::444455556666:root" } })));
    expect(notPrincipal.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_NOT_PRINCIPAL"]);
    expect(notPrincipal.warnings[0]!.fix).toContain(`replace "NotPrincipal" with "Principal": {"AWS": "${PLATFORM}"}`);

    const notAction = lint(policy(statement({ Action: undefined, NotAction: "sts:AssumeRoleWithSAML" })));
    expect(notAction.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_NOT_ACTION"]);
    expect(notAction.warnings[0]!.fix).toContain('"Action": ["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]');
    // NotAction that excludes every way of assuming lets no one assume the role.
    expect(codes(policy(statement(), { Effect: "Allow", Principal: "*", NotAction: "sts:*" }))).toEqual([]);
  });

  it("reports a template v1 statement (AssumeRole only) as TRUST_POLICY_NO_SESSION_TAGS, naming what is missing", () => {
    const v1 = lint(policy(statement({ Action: "sts:AssumeRole" })));
    expect(v1.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_NO_SESSION_TAGS"]);
    expect(v1.warnings[0]!.message).toContain("call sts:TagSession or call sts:SetSourceIdentity");
    expect(v1.warnings[0]!.fix).toMatch(/^Update the stack to trust template v2/);
    const tagOnly = lint(policy(statement({ Action: ["sts:AssumeRole", "sts:TagSession"] })));
    expect(tagOnly.warnings[0]!.message).toContain("call sts:SetSourceIdentity");
    expect(tagOnly.warnings[0]!.message).not.toContain("sts:TagSession");
    // Wildcards cover them, and a separate statement may allow them.
    expect(codes(policy(statement({ Action: "sts:*" })))).toEqual([]);
    expect(
      codes(
        policy(statement({ Action: "sts:AssumeRole" }), { Effect: "Allow", Principal: { AWS: PLATFORM }, Action: ["sts:TagSession", "sts:SetSourceIdentity"] }),
      ),
    ).toEqual([]);
  });

  it("lints what it can without the platform's principal, and says so", () => {
    const sound = lint(template.trustPolicy, { platformPrincipalArn: undefined });
    expect(sound.warnings).toEqual([]);
    expect(sound.limitation).toMatch(/AWS_TRUST_PRINCIPAL_ARN/);
    // The external id is still checked, wildcards and non-AWS principals still flagged.
    expect(codes(policy(statement({ Condition: undefined })), { platformPrincipalArn: undefined })).toEqual(["TRUST_POLICY_MISSING_EXTERNAL_ID"]);
    expect(codes(policy(statement({ Principal: { AWS: PLATFORM, Service: "lambda.amazonaws.com" } })), { platformPrincipalArn: undefined })).toEqual([
      "TRUST_POLICY_OTHER_PRINCIPAL",
    ]);
    // Two AWS principals: one of them is not the platform's.
    const two = lint(policy(statement(), statement({ Principal: { AWS: "arn:aws:iam::444455556666:role/x" } })), { platformPrincipalArn: undefined });
    expect(two.warnings.map((w) => w.code)).toEqual(["TRUST_POLICY_OTHER_PRINCIPAL"]);
    expect(two.warnings[0]!.fix).toContain("<the stack's TrustedPrincipalArn parameter>");
  });

  it("reports a document that is not a policy as unreadable", () => {
    expect(lint("not a policy").unreadable).toBeDefined();
    expect(lint({ Version: "2012-10-17" }).unreadable).toBeDefined();
  });

  it("never quotes the external id or any condition value", () => {
    const documents = [
      policy(statement({ Condition: { StringEquals: { "sts:ExternalId": [EXTERNAL_ID, "pl-OTHERVALUE"] } } })),
      policy(statement({ Condition: { StringLike: { "sts:ExternalId": "pl-OTHERVALUE*" } } })),
      policy(statement({ Principal: "*", Condition: { StringEquals: { "sts:ExternalId": "pl-OTHERVALUE" } } })),
    ];
    for (const doc of documents) {
      const text = JSON.stringify(lint(doc));
      expect(text).not.toContain("EXTIDMARKER");
      expect(text).not.toContain("OTHERVALUE");
    }
  });

  it("names the stack generically when its id is unknown", () => {
    const w = lint(policy(statement({ Condition: undefined })), { stackId: "" }).warnings[0]!;
    expect(w.fix).toContain("<the ExternalId parameter of the Planton stack>");
  });
});

describe("policy document helpers", () => {
  it("decodes URL-encoded documents as IAM returns them (RFC 3986: + stays a plus)", () => {
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::a+b c/*" }] };
    expect(decodePolicyText(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(decodePolicyText(JSON.stringify(doc))).toEqual(doc);
    expect(decodePolicyText("%7Bbroken")).toBeUndefined();
  });

  it("matches IAM action patterns without regard to case, with * and ?", () => {
    expect(actionMatches("sts:AssumeRole*", "sts:AssumeRoleWithSAML")).toBe(true);
    expect(actionMatches("STS:assumerole", "sts:AssumeRole")).toBe(true);
    expect(actionMatches("*", "sts:AssumeRole")).toBe(true);
    expect(actionMatches("sts:Assume?ole", "sts:AssumeRole")).toBe(true);
    expect(actionMatches("sts:Tag*", "sts:AssumeRole")).toBe(false);
    expect(actionMatches("s*:*Role", "sts:AssumeRole")).toBe(true);
    expect(actionMatches("sts:AssumeRole", "sts:AssumeRoleWithSAML")).toBe(false);
  });
});
