import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { ALL_CAPABILITIES, capabilityPolicy } from "@planton/registry";
import { describe, expect, it } from "vitest";
import { CAPABILITY_IAM_ACTIONS, CAPABILITY_SERVICES } from "../src/checks/capability-services.js";
import { lintPermissionPolicies, type RolePolicy } from "../src/checks/permission-policy-lint.js";
import { deployedTemplate } from "./support/deployed-template.js";

const ACCOUNT = "123456789012";
const ROLE_NAME = "planton-TrustRole-ABC";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const template = deployedTemplate({
  account: ACCOUNT,
  trustedPrincipalArn: "arn:aws:iam::999999999999:role/planton-runner",
  externalId: "pl-x",
  roleArn: ROLE,
});

/** The policies the stack attaches for `capabilities`, as they are read back. */
function stackPolicies(capabilities: readonly AwsCapability[]): RolePolicy[] {
  return [
    ...capabilities.map((c, i): RolePolicy => {
      const { document, description } = template.capabilityPolicy(c);
      return {
        kind: "managed",
        arn: `arn:aws:iam::${ACCOUNT}:policy/planton-prod-Policy${i}-X1Y2Z3`,
        name: `planton-prod-Policy${i}-X1Y2Z3`,
        description,
        document,
      };
    }),
    { kind: "inline", name: "planton-self-inspection", document: template.selfInspectionPolicy },
  ];
}

const lint = (policies: RolePolicy[], capabilities: readonly AwsCapability[]) => lintPermissionPolicies({ policies, capabilities, roleName: ROLE_NAME });
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

describe("lintPermissionPolicies", () => {
  it("finds nothing in the policies the stack attaches, for all capabilities and for each one alone", () => {
    expect(lint(stackPolicies(ALL_CAPABILITIES), ALL_CAPABILITIES)).toEqual([]);
    for (const c of ALL_CAPABILITIES) expect(lint(stackPolicies([c]), [c])).toEqual([]);
  });

  it("flags AdministratorAccess, PowerUserAccess and IAMFullAccess by ARN, with the detach command", () => {
    for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]) {
      const arn = `arn:aws:iam::aws:policy/${name}`;
      const warnings = lint([...stackPolicies([AwsCapability.EKS]), { kind: "managed", arn, name }], [AwsCapability.EKS]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: "POLICY_BROADER_THAN_CAPABILITIES", capability: "" });
      expect(warnings[0]!.message).toContain(arn);
      expect(warnings[0]!.message).toContain("the enabled capabilities (EKS)");
      expect(warnings[0]!.fix).toContain(`aws iam detach-role-policy --role-name ${ROLE_NAME} --policy-arn ${arn}`);
    }
  });

  it("judges other AWS managed policies by their document, and *FullAccess by name when it cannot be read", () => {
    const s3Full = doc({ Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" });
    const [full] = lint(
      [{ kind: "managed", arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess", name: "AmazonS3FullAccess", document: s3Full }],
      [AwsCapability.S3_STORAGE],
    );
    expect(full!.message).toContain("allows s3:*, s3-object-lambda:* on every resource");
    expect(full!.message).toContain("actions of s3-object-lambda, which no enabled capability needs");
    const [unread] = lint(
      [{ kind: "managed", arn: "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", name: "AmazonDynamoDBFullAccess" }],
      [AwsCapability.S3_STORAGE],
    );
    expect(unread!.message).toMatch(/judged by its name/);
    // An AWS managed policy whose document is unreadable and whose name says nothing is not guessed at.
    expect(lint([{ kind: "managed", arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", name: "ReadOnlyAccess" }], [AwsCapability.S3_STORAGE])).toEqual([]);
  });

  it("flags Action *, NotAction, and <service>:* on every resource in customer and inline policies", () => {
    const cases: [unknown, RegExp][] = [
      [doc({ Effect: "Allow", Action: "*", Resource: "*" }), /allows every action \("\*"\)/],
      [doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }), /every action except the ones it lists \(NotAction\)/],
      [doc({ Effect: "Allow", Action: "ec2:*", Resource: "*" }), /allows ec2:\* on every resource/],
      [doc({ Effect: "Allow", Action: "ec2:*", NotResource: "arn:aws:ec2:*:*:vpc/vpc-1" }), /allows ec2:\* on every resource/],
    ];
    for (const [document, why] of cases) {
      const warnings = lint([{ kind: "inline", name: "extra", document }], [AwsCapability.VPC_NETWORKING]);
      expect(warnings.map((w) => w.code)).toEqual(["POLICY_BROADER_THAN_CAPABILITIES"]);
      expect(warnings[0]!.message).toMatch(why);
      expect(warnings[0]!.message).toContain("inline policy extra");
      expect(warnings[0]!.fix).toContain(`aws iam delete-role-policy --role-name ${ROLE_NAME} --policy-name extra`);
      expect(warnings[0]!.fix).toContain(JSON.stringify((document as { Statement: unknown[] }).Statement[0]));
    }
    // ec2:* scoped to resources is within a capability that uses ec2.
    expect(
      lint(
        [{ kind: "inline", name: "scoped", document: doc({ Effect: "Allow", Action: "ec2:*", Resource: "arn:aws:ec2:*:123456789012:vpc/*" }) }],
        [AwsCapability.VPC_NETWORKING],
      ),
    ).toEqual([]);
  });

  it("flags services no enabled capability needs and IAM actions beyond the template's, statement by statement", () => {
    const document = doc(
      { Sid: "Fine", Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::planton-x/*" },
      { Sid: "Dynamo", Effect: "Allow", Action: ["dynamodb:PutItem", "sqs:SendMessage"], Resource: "*" },
      { Sid: "Escalate", Effect: "Allow", Action: ["iam:PassRole", "iam:AttachRolePolicy", "iam:Get*"], Resource: "*" },
      { Sid: "AnyService", Effect: "Allow", Action: "*:Describe*", Resource: "*" },
      { Effect: "Deny", Action: "*", Resource: "*" },
    );
    const [w] = lint(
      [{ kind: "managed", arn: `arn:aws:iam::${ACCOUNT}:policy/custom`, name: "custom", document }],
      [AwsCapability.S3_STORAGE, AwsCapability.LAMBDA],
    );
    expect(w!.message).toContain('statement "Dynamo" allows actions of dynamodb, sqs, which no enabled capability needs');
    expect(w!.message).toContain('statement "Escalate" allows IAM actions no enabled capability needs (iam:AttachRolePolicy, iam:Get*)');
    expect(w!.message).not.toContain("iam:PassRole,");
    expect(w!.message).toContain('statement "AnyService" allows actions of *:Describe* (actions of any service)');
    expect(w!.message).not.toContain('"Fine"');
    expect(w!.message).toContain("the enabled capabilities (S3_STORAGE, LAMBDA)");
    expect(w!.fix).toMatch(/^Detach it from the role: aws iam detach-role-policy/);
    expect(w!.fix).toContain("Or remove these statements from it:");
  });

  it("flags a capability policy of a capability that is not enabled (services outside the enabled ones)", () => {
    const warnings = lint(stackPolicies([AwsCapability.S3_STORAGE, AwsCapability.RDS]), [AwsCapability.S3_STORAGE]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/actions of .*rds/);
    // The stack's own policy (by description) changed since: the fix is to remove the statements, not to detach.
    expect(warnings[0]!.fix).toMatch(/^This policy was created by the Planton stack and changed since: remove these statements/);
  });

  it("flags a widened self-inspection policy with the exact statement to remove", () => {
    const widened = {
      ...template.selfInspectionPolicy,
      Statement: [
        ...(template.selfInspectionPolicy["Statement"] as unknown[]),
        { Sid: "More", Effect: "Allow", Action: "iam:UpdateAssumeRolePolicy", Resource: ROLE },
      ],
    };
    const [w] = lint([{ kind: "inline", name: "planton-self-inspection", document: widened }], [AwsCapability.KMS]);
    expect(w!.message).toContain("iam:UpdateAssumeRolePolicy");
    expect(w!.fix).toContain('{"Sid":"More","Effect":"Allow","Action":"iam:UpdateAssumeRolePolicy"');
  });

  it("compares only the broad patterns when the capabilities were not recorded", () => {
    const document = doc({ Effect: "Allow", Action: "dynamodb:PutItem", Resource: "*" });
    expect(lint([{ kind: "inline", name: "x", document }], [])).toEqual([]);
    expect(lint([{ kind: "inline", name: "x", document: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }], [])[0]!.message).toContain(
      "the trust template's policies",
    );
  });
});

describe("capability services", () => {
  it("name exactly the services and IAM actions of the registry's capability policies", () => {
    for (const c of ALL_CAPABILITIES) {
      const actions = capabilityPolicy(c).Statement.flatMap((s) => s.Action);
      expect([...(CAPABILITY_SERVICES[c] ?? [])].sort(), AwsCapability[c]).toEqual([...new Set(actions.map((a) => a.split(":")[0]!))].sort());
      expect([...(CAPABILITY_IAM_ACTIONS[c] ?? [])].sort(), AwsCapability[c]).toEqual([...new Set(actions.filter((a) => a.startsWith("iam:")))].sort());
    }
  });
});
