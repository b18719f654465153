import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CALLBACK_LAMBDA_SOURCE } from "./callback-lambda.js";
import { ALL_CAPABILITIES, CAPABILITY_PARAMETER, capabilityFromName, capabilityName, type KnownAwsCapability } from "./capabilities.js";
import { capabilityPolicy } from "./capability-policies.js";
import {
  buildTrustTemplate,
  capabilityConditionName,
  capabilityPolicyLogicalId,
  renderTrustTemplate,
  TEMPLATE_PARAMETERS,
  TRUST_TEMPLATE_VERSION,
  type CloudFormationTemplate,
} from "./trust-template.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The template as CloudFormation reads it: plain JSON. */
function templateJson(): JsonObject {
  return JSON.parse(renderTrustTemplate("json")) as JsonObject;
}

function asObject(value: Json): JsonObject {
  if (!isObject(value)) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return value;
}

function section(template: JsonObject, name: string): JsonObject {
  const value = template[name];
  if (!isObject(value)) throw new Error(`no ${name} section`);
  return value;
}

function at(value: Json | undefined, ...path: (string | number)[]): Json {
  let current: Json | undefined = value;
  for (const key of path) {
    current = typeof key === "number" ? (Array.isArray(current) ? current[key] : undefined) : isObject(current) ? current[key] : undefined;
    if (current === undefined) throw new Error(`nothing at ${path.join(".")}`);
  }
  return current!;
}

/** Every node of a JSON tree, with the key it sits under (`key[]` for array items). */
function* walk(value: Json, key = ""): Generator<{ key: string; value: Json }> {
  yield { key, value };
  if (Array.isArray(value)) for (const item of value) yield* walk(item, `${key}[]`);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) yield* walk(v, k);
}

const ALWAYS_PRESENT = ["CallbackFunction", "CallbackFunctionRole", "SelfInspectionPolicy", "TrustCallback", "TrustRole"];
const PSEUDO_PARAMETERS = new Set(["AWS::AccountId", "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"]);

// A tiny CloudFormation condition evaluator: enough for Fn::Equals over Refs
// to string parameters, Fn::If and AWS::NoValue, which is all the template uses.
class Stack {
  private readonly parameters: Record<string, string> = {};

  constructor(
    private readonly template: JsonObject,
    values: Record<string, string>,
  ) {
    for (const [name, declaration] of Object.entries(section(template, "Parameters"))) {
      const value = values[name] ?? (isObject(declaration) && typeof declaration["Default"] === "string" ? declaration["Default"] : undefined);
      if (value === undefined) throw new Error(`parameter ${name} has no value`);
      this.parameters[name] = value;
    }
  }

  resolve(value: Json): Json {
    if (isObject(value) && typeof value["Ref"] === "string" && Object.keys(value).length === 1) {
      const name = value["Ref"];
      if (name in this.parameters) return this.parameters[name]!;
      throw new Error(`cannot resolve Ref ${name} while evaluating a condition`);
    }
    return value;
  }

  holds(conditionName: string): boolean {
    const condition = section(this.template, "Conditions")[conditionName];
    if (condition === undefined) throw new Error(`undefined condition ${conditionName}`);
    if (isObject(condition) && Array.isArray(condition["Fn::Equals"])) {
      const [a, b] = condition["Fn::Equals"];
      return this.resolve(a!) === this.resolve(b!);
    }
    throw new Error(`unsupported condition ${JSON.stringify(condition)}`);
  }

  /** Logical ids of the resources the stack would create, sorted. */
  resources(): string[] {
    return Object.entries(section(this.template, "Resources"))
      .filter(([, r]) => !isObject(r) || typeof r["Condition"] !== "string" || this.holds(r["Condition"]))
      .map(([id]) => id)
      .sort();
  }

  /** TrustCallback's PolicyArns after Fn::If, without AWS::NoValue entries: the Ref targets. */
  callbackPolicyRefs(): string[] {
    const list = at(this.template, "Resources", "TrustCallback", "Properties", "PolicyArns");
    if (!Array.isArray(list)) throw new Error("PolicyArns is not a list");
    return list
      .map((item) => {
        if (isObject(item) && Array.isArray(item["Fn::If"])) {
          const [condition, then, otherwise] = item["Fn::If"];
          return this.holds(condition as string) ? then! : otherwise!;
        }
        return item;
      })
      .map((item) => at(item, "Ref"))
      .filter((ref) => ref !== "AWS::NoValue")
      .map(String)
      .sort();
  }
}

/** What a Quick Create link fills in beside the switches. */
const LINK_VALUES: Record<string, string> = {
  [TEMPLATE_PARAMETERS.externalId]: "planton-abc",
  [TEMPLATE_PARAMETERS.trustedPrincipalArn]: "arn:aws:iam::111122223333:role/planton-runner",
  [TEMPLATE_PARAMETERS.callbackUrl]: "https://api.planton.example/cb",
  [TEMPLATE_PARAMETERS.setupId]: "awstrust_1",
  [TEMPLATE_PARAMETERS.callbackToken]: "tok",
};

function switches(enabled: readonly KnownAwsCapability[]): Record<string, string> {
  return { ...LINK_VALUES, ...Object.fromEntries(ALL_CAPABILITIES.map((c) => [CAPABILITY_PARAMETER[c], enabled.includes(c) ? "true" : "false"])) };
}

const policyIds = (capabilities: readonly KnownAwsCapability[]) => capabilities.map(capabilityPolicyLogicalId);

describe("capabilities", () => {
  it("lists the ten in enum order with their names and switches", () => {
    expect(ALL_CAPABILITIES).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ALL_CAPABILITIES.map(capabilityName)).toEqual([
      "eks",
      "ecs",
      "vpc_networking",
      "s3_storage",
      "rds",
      "lambda",
      "route53",
      "cloudwatch",
      "ecr",
      "kms",
    ]);
    expect(ALL_CAPABILITIES.map((c) => CAPABILITY_PARAMETER[c])).toEqual([
      "EnableEks",
      "EnableEcs",
      "EnableVpcNetworking",
      "EnableS3Storage",
      "EnableRds",
      "EnableLambda",
      "EnableRoute53",
      "EnableCloudWatch",
      "EnableEcr",
      "EnableKms",
    ]);
  });

  it("reads names back, and refuses what is not a capability", () => {
    for (const c of ALL_CAPABILITIES) expect(capabilityFromName(capabilityName(c))).toBe(c);
    expect(capabilityFromName(" S3_Storage ")).toBe(AwsCapability.S3_STORAGE);
    expect(capabilityFromName("s3")).toBeUndefined();
    expect(capabilityFromName("unspecified")).toBeUndefined();
    expect(() => capabilityName(AwsCapability.UNSPECIFIED)).toThrow(RangeError);
    expect(() => capabilityPolicy(99 as AwsCapability)).toThrow(RangeError);
  });
});

describe("renderings", () => {
  it("JSON and YAML parse to the same template", () => {
    const fromJson = templateJson();
    const yaml = renderTrustTemplate("yaml");
    expect(fromJson).toEqual(JSON.parse(JSON.stringify(buildTrustTemplate())));
    expect(parse(yaml)).toEqual(fromJson);
    // Read as YAML 1.1 too (CloudFormation's parser is 1.1-like): "true" and dates stay strings.
    expect(parse(yaml, { version: "1.1" })).toEqual(fromJson);
  });

  it("YAML uses long-form intrinsics only", () => {
    expect(renderTrustTemplate("yaml")).not.toMatch(/!(Ref|Sub|GetAtt|If|Equals|Condition)\b/);
  });

  it("fits CreateStack's 51,200-byte TemplateBody limit in both formats", () => {
    expect(Buffer.byteLength(renderTrustTemplate("json"))).toBeLessThan(51_200);
    expect(Buffer.byteLength(renderTrustTemplate("yaml"))).toBeLessThan(51_200);
  });

  it("names its version", () => {
    const template = templateJson();
    expect(template["AWSTemplateFormatVersion"]).toBe("2010-09-09");
    expect(template["Description"]).toContain(`template ${TRUST_TEMPLATE_VERSION}`);
    expect(at(template, "Outputs", "TemplateVersion", "Value")).toBe(TRUST_TEMPLATE_VERSION);
    expect(at(template, "Outputs", "RoleArn", "Value")).toEqual({ "Fn::GetAtt": ["TrustRole", "Arn"] });
  });
});

describe("parameters", () => {
  const parameters = section(templateJson(), "Parameters");
  const pattern = (name: string) => new RegExp(`^(?:${String(at(parameters, name, "AllowedPattern"))})$`);

  it("declares every name a Quick Create link sets", () => {
    const linked = [...Object.values(TEMPLATE_PARAMETERS), ...ALL_CAPABILITIES.map((c) => CAPABILITY_PARAMETER[c])];
    expect(Object.keys(parameters).sort()).toEqual(linked.sort());
    for (const declaration of Object.values(parameters)) expect(at(declaration, "Type")).toBe("String");
  });

  it("switches are strings true/false defaulting to true", () => {
    for (const c of ALL_CAPABILITIES) {
      expect(parameters[CAPABILITY_PARAMETER[c]]).toMatchObject({ Type: "String", AllowedValues: ["true", "false"], Default: "true" });
    }
  });

  it("the callback token is not NoEcho (links cannot fill NoEcho parameters) and says it is single-use", () => {
    const token = at(parameters, TEMPLATE_PARAMETERS.callbackToken);
    expect(isObject(token) && "NoEcho" in token).toBe(false);
    expect(String(at(token, "Description"))).toMatch(/once/);
    expect(String(at(token, "Description"))).toMatch(/expires/);
    for (const { key } of walk(parameters)) expect(key).not.toBe("NoEcho");
  });

  it("constrains the external id as STS does", () => {
    expect(at(parameters, "ExternalId")).toMatchObject({ AllowedPattern: "[\\w+=,.@:/-]+", MinLength: 2, MaxLength: 1224 });
    expect(pattern("ExternalId").test("planton-AbC_09-=,.@:/+")).toBe(true);
    expect(pattern("ExternalId").test("has space")).toBe(false);
  });

  it("accepts IAM role, user and root ARNs as the trusted principal, nothing else", () => {
    const principal = pattern("TrustedPrincipalArn");
    for (const ok of [
      "arn:aws:iam::123456789012:role/planton-runner",
      "arn:aws:iam::123456789012:role/path/to/runner",
      "arn:aws-us-gov:iam::123456789012:user/runner",
      "arn:aws:iam::123456789012:root",
    ]) {
      expect(principal.test(ok), ok).toBe(true);
    }
    for (const bad of [
      "*",
      "arn:aws:iam::*:root",
      "arn:aws:iam::12345678901:root",
      "arn:aws:s3:::bucket",
      "arn:aws:sts::123456789012:assumed-role/r/s",
      "123456789012",
    ]) {
      expect(principal.test(bad), bad).toBe(false);
    }
  });

  it("accepts http(s) callback URLs only", () => {
    expect(pattern("CallbackUrl").test("https://api.planton.example/planton.connect.v1.AwsTrustService/CompleteSetup")).toBe(true);
    expect(pattern("CallbackUrl").test("http://127.0.0.1:8080/cb")).toBe(true);
    expect(pattern("CallbackUrl").test("ftp://x")).toBe(false);
    expect(pattern("CallbackUrl").test("https://a b")).toBe(false);
  });
});

describe("capability switches", () => {
  const template = templateJson();

  it("with every switch on (and by default) creates all ten policies", () => {
    const expected = [...ALWAYS_PRESENT, ...policyIds(ALL_CAPABILITIES)].sort();
    expect(new Stack(template, switches(ALL_CAPABILITIES)).resources()).toEqual(expected);
    expect(new Stack(template, LINK_VALUES).resources()).toEqual(expected);
  });

  it.each(ALL_CAPABILITIES.map((c) => [capabilityName(c), c] as const))("with only %s on creates exactly its policy", (_, c) => {
    const stack = new Stack(template, switches([c]));
    expect(stack.resources()).toEqual([...ALWAYS_PRESENT, capabilityPolicyLogicalId(c)].sort());
    expect(stack.callbackPolicyRefs()).toEqual([capabilityPolicyLogicalId(c)]);
  });

  it("with every switch off creates no policy, and the callback references none", () => {
    const stack = new Stack(template, switches([]));
    expect(stack.resources()).toEqual(ALWAYS_PRESENT);
    expect(stack.callbackPolicyRefs()).toEqual([]);
  });

  it("the callback references exactly the enabled policies", () => {
    const some = [AwsCapability.EKS, AwsCapability.VPC_NETWORKING, AwsCapability.KMS] as const;
    expect(new Stack(template, switches(some)).callbackPolicyRefs()).toEqual(policyIds(some).sort());
    expect(new Stack(template, switches(ALL_CAPABILITIES)).callbackPolicyRefs()).toEqual(policyIds(ALL_CAPABILITIES).sort());
  });

  it("each policy is a managed policy on the trust role carrying the capability's document", () => {
    for (const c of ALL_CAPABILITIES) {
      const resource = at(template, "Resources", capabilityPolicyLogicalId(c));
      expect(resource).toMatchObject({ Type: "AWS::IAM::ManagedPolicy", Condition: capabilityConditionName(c), Properties: { Roles: [{ Ref: "TrustRole" }] } });
      expect(at(resource, "Properties", "PolicyDocument")).toEqual(JSON.parse(JSON.stringify(capabilityPolicy(c))));
      expect(String(at(resource, "Properties", "Description")).length).toBeGreaterThan(0);
    }
  });
});

/** Problems that would make IAM reject `doc` as an identity policy, or that break our own rules. */
function identityPolicyProblems(doc: Json): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ["not an object"];
  if (doc["Version"] !== "2012-10-17") problems.push("Version is not 2012-10-17");
  if ("Id" in doc) problems.push("Id in an identity policy");
  const statements = doc["Statement"];
  if (!Array.isArray(statements) || statements.length === 0) return [...problems, "Statement is not a non-empty array"];
  const sids = new Set<string>();
  for (const [i, s] of statements.entries()) {
    const where = `Statement[${i}]`;
    if (!isObject(s)) {
      problems.push(`${where} is not an object`);
      continue;
    }
    const sid = s["Sid"];
    if (typeof sid !== "string" || !/^[A-Za-z0-9]+$/.test(sid)) problems.push(`${where}.Sid is not alphanumeric`);
    else if (sids.has(sid)) problems.push(`${where}.Sid ${sid} is repeated`);
    else sids.add(sid);
    if (s["Effect"] !== "Allow" && s["Effect"] !== "Deny") problems.push(`${where}.Effect is not Allow|Deny`);
    if ("Principal" in s || "NotPrincipal" in s) problems.push(`${where} names a principal`);
    if ("NotAction" in s || "NotResource" in s) problems.push(`${where} uses NotAction/NotResource`);
    const actions = typeof s["Action"] === "string" ? [s["Action"]] : s["Action"];
    if (!Array.isArray(actions) || actions.length === 0) problems.push(`${where}.Action is not a string or non-empty array`);
    else
      for (const action of actions) {
        if (typeof action !== "string" || !/^[a-z0-9-]+:[A-Za-z0-9]+\*?$/.test(action))
          problems.push(`${where}: ${JSON.stringify(action)} is not service:Action (or a service wildcard)`);
        else if (action.endsWith("*") && !/:(Describe|List|Get)[A-Za-z]*\*$/.test(action)) problems.push(`${where}: ${action} is a write wildcard`);
      }
    if (!("Resource" in s)) problems.push(`${where} has no Resource`);
    const condition = s["Condition"];
    if (condition !== undefined) {
      if (!isObject(condition) || Object.keys(condition).length === 0) problems.push(`${where}.Condition is not an operator map`);
      else
        for (const [operator, block] of Object.entries(condition))
          if (!isObject(block) || Object.keys(block).length === 0) problems.push(`${where}.Condition.${operator} is not a key map`);
    }
  }
  if (JSON.stringify(doc).length >= 6144) problems.push(`${JSON.stringify(doc).length} characters (limit 6,144)`);
  return problems;
}

function statementsOf(c: KnownAwsCapability): JsonObject[] {
  return (JSON.parse(JSON.stringify(capabilityPolicy(c))) as { Statement: JsonObject[] }).Statement;
}

function actionsOf(s: JsonObject): string[] {
  return Array.isArray(s["Action"]) ? s["Action"].map(String) : [String(s["Action"])];
}

describe("capability policies", () => {
  it("the validator catches what IAM or our rules refuse", () => {
    const bad = (statement: JsonObject) =>
      identityPolicyProblems({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*", ...statement }] });
    expect(bad({})).toEqual([]);
    expect(bad({ Action: "*" })).not.toEqual([]);
    expect(bad({ Action: ["s3:*"] })).not.toEqual([]);
    expect(bad({ Action: ["s3:Put*"] })).not.toEqual([]);
    expect(bad({ Action: [] })).not.toEqual([]);
    expect(bad({ Principal: { AWS: "*" } })).not.toEqual([]);
    expect(bad({ Sid: "has-dash" })).not.toEqual([]);
    expect(bad({ Condition: { StringEquals: "x" } })).not.toEqual([]);
    expect(identityPolicyProblems({ Version: "2012-10-17", Statement: [{ Sid: "A", Effect: "Allow", Action: "s3:GetObject" }] })).not.toEqual([]);
    expect(identityPolicyProblems({ Version: "2012-10-17", Statement: [] })).not.toEqual([]);
    const twice = { Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
    expect(identityPolicyProblems({ Version: "2012-10-17", Statement: [twice, twice] })).not.toEqual([]);
  });

  it.each(ALL_CAPABILITIES.map((c) => [capabilityName(c), c] as const))("%s is a valid identity policy within the managed-policy size", (_, c) => {
    expect(identityPolicyProblems(JSON.parse(JSON.stringify(capabilityPolicy(c))) as Json)).toEqual([]);
  });

  it("passes roles only to named services, creates only named service-linked roles, grants keys only to AWS services", () => {
    for (const c of ALL_CAPABILITIES) {
      for (const s of statementsOf(c)) {
        const actions = actionsOf(s);
        if (actions.includes("iam:PassRole")) {
          expect(actions).toEqual(["iam:PassRole"]);
          const services = at(s, "Condition", "StringEquals", "iam:PassedToService");
          expect(Array.isArray(services) && services.length > 0 && services.every((x) => typeof x === "string" && x.endsWith(".amazonaws.com"))).toBe(true);
        }
        if (actions.includes("iam:CreateServiceLinkedRole")) {
          expect(actions).toEqual(["iam:CreateServiceLinkedRole"]);
          expect(Array.isArray(at(s, "Condition", "StringEquals", "iam:AWSServiceName"))).toBe(true);
        }
        // A condition key absent from a request never matches: only grant calls carry this one.
        if (JSON.stringify(s["Condition"] ?? {}).includes("kms:GrantIsForAWSResource")) expect(actions).toEqual(["kms:CreateGrant"]);
      }
    }
  });

  it("EKS can manage clusters, node groups, add-ons and access entries and pass roles to EKS", () => {
    const actions = statementsOf(AwsCapability.EKS).flatMap(actionsOf);
    for (const a of [
      "eks:CreateCluster",
      "eks:DeleteCluster",
      "eks:CreateNodegroup",
      "eks:CreateAddon",
      "eks:CreateAccessEntry",
      "eks:AssociateAccessPolicy",
      "ec2:Describe*",
      "iam:CreateOpenIDConnectProvider",
    ]) {
      expect(actions).toContain(a);
    }
    const passRole = statementsOf(AwsCapability.EKS).find((s) => actionsOf(s).includes("iam:PassRole"));
    expect(at(passRole, "Condition", "StringEquals", "iam:PassedToService")).toContain("eks.amazonaws.com");
    const linked = statementsOf(AwsCapability.EKS).find((s) => actionsOf(s).includes("iam:CreateServiceLinkedRole"));
    expect(at(linked, "Condition", "StringEquals", "iam:AWSServiceName")).toEqual([
      "eks.amazonaws.com",
      "eks-nodegroup.amazonaws.com",
      "eks-fargate.amazonaws.com",
    ]);
  });

  it("S3 uses the permission names, not the API names", () => {
    const actions = statementsOf(AwsCapability.S3_STORAGE).flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(["s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:CreateBucket", "s3:DeleteBucket"]));
    expect(actions).not.toContain("s3:PutBucketEncryption");
    expect(actions).not.toContain("s3:PutBucketLifecycleConfiguration");
  });

  it("Route 53 ARNs carry no region or account", () => {
    const arns = statementsOf(AwsCapability.ROUTE53)
      .flatMap((s) => [s["Resource"]].flat())
      .filter((r) => r !== "*");
    expect(arns.length).toBeGreaterThan(0);
    for (const arn of arns) expect(String(at(arn, "Fn::Sub"))).toMatch(/^arn:\$\{AWS::Partition\}:route53:::[a-z]+\/\*$/);
  });

  it("KMS never grants kms:* nor key use", () => {
    const actions = statementsOf(AwsCapability.KMS).flatMap(actionsOf);
    expect(actions).not.toContain("kms:*");
    for (const use of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"]) expect(actions).not.toContain(use);
    expect(actions).toEqual(expect.arrayContaining(["kms:CreateKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateAlias"]));
  });

  it("Fn::Sub strings use only pseudo parameters", () => {
    for (const c of ALL_CAPABILITIES) {
      for (const { key, value } of walk(JSON.parse(JSON.stringify(capabilityPolicy(c))) as Json)) {
        if (key !== "Fn::Sub") continue;
        for (const [, name] of String(value).matchAll(/\$\{([^}]+)\}/g)) expect(["AWS::Partition", "AWS::AccountId", "AWS::Region"]).toContain(name);
      }
    }
  });
});

// What the review found: statements broader than the capability they name
// (PassRole of any role, code updates of any function, key policies of any
// key, policies of any bucket, data sent to other accounts). These tests pin
// the conventions of capability-policies.ts: changes reach only what Planton
// created (tag planton:managed=true, or a planton- name where the service has
// no tag conditions), roles only under /planton/, nothing leaves the account.
describe("least privilege inside the customer's account", () => {
  type Statement = JsonObject & { Sid: string };
  const all = ALL_CAPABILITIES.flatMap((c) => statementsOf(c).map((s) => ({ capability: capabilityName(c), s: s as Statement })));
  const resourcesOf = (s: JsonObject): Json[] => [s["Resource"] as Json].flat();
  /** The ARN (or "*") a Resource entry stands for, `${...}` left in place. */
  const arnOf = (r: Json): string => (typeof r === "string" ? r : String(at(r, "Fn::Sub")));
  /** An ARN's colon-separated fields, the pseudo parameters (which hold "::") replaced. */
  const arnFields = (arn: string): string[] => arn.replaceAll("${AWS::Partition}", "PARTITION").replaceAll("${AWS::AccountId}", "ACCOUNT").split(":");
  /** The part of an ARN after `arn:partition:service:region:account:`. */
  const resourcePart = (arn: string): string => arnFields(arn).slice(5).join(":");
  const conditionText = (s: JsonObject): string => JSON.stringify(s["Condition"] ?? {});
  const globMatches = (pattern: string, action: string): boolean =>
    new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action);
  const grants = (s: JsonObject, action: string): boolean => actionsOf(s).some((a) => globMatches(a, action));
  const isRead = (action: string): boolean => /^[a-z0-9-]+:(Describe|List|Get)/.test(action);
  const MANAGED = { "aws:ResourceTag/planton:managed": "true" };
  const CREATED = { "aws:RequestTag/planton:managed": "true" };
  /** The value at `path` under the statement's Condition, or undefined. */
  const condition = (s: JsonObject, ...path: string[]): Json | undefined => {
    let current: Json | undefined = s["Condition"];
    for (const key of path) current = isObject(current) ? current[key] : undefined;
    return current;
  };
  const isManaged = (s: JsonObject): boolean => condition(s, "StringEquals", "aws:ResourceTag/planton:managed") === "true";
  const tagConditioned = (s: JsonObject): boolean => /aws:(Resource|Request)Tag\/planton:managed/.test(conditionText(s));
  /** Every Resource is a Planton name (planton-…, or the /planton/ path), or a condition pins a Planton name. */
  const nameScoped = (s: JsonObject): boolean =>
    resourcesOf(s).every((r) => r !== "*" && /(^|[/:])planton-|\/planton\//.test(resourcePart(arnOf(r)))) || /planton-/.test(conditionText(s));

  // Mutating statements that are neither tag-conditioned nor scoped to
  // Planton names, each with the reason it cannot be (per capability, by Sid).
  const UNSCOPED_ALLOWED: Record<string, Record<string, string>> = {
    "*": { CreateSlrs: "iam:CreateServiceLinkedRole only for the named AWS services (iam:AWSServiceName); such a role can be assumed by its service alone" },
    ecs: { Read: "ecs:DeregisterTaskDefinition authorizes against * only (no resource-level permission); a deregistered revision keeps running" },
    rds: { RdsSecrets: "RDS names its managed master-password secrets rds!… and calls these with the caller's permissions; no secret value is read" },
    route53: {
      HostedZones: "Route 53 IAM has neither tag conditions nor names in its ARNs; a zone can be deleted only when empty, and Route 53 tags authorize nothing",
      CreateAndRead: "CreateHostedZone and CreateHealthCheck authorize against * only; they create and never change what exists",
    },
  };
  const allowedReason = (capability: string, sid: string): string | undefined => UNSCOPED_ALLOWED[capability]?.[sid] ?? UNSCOPED_ALLOWED["*"]![sid];

  it("passes only roles under the /planton/ path, and only to named services", () => {
    const passing = all.filter(({ s }) => grants(s, "iam:PassRole"));
    expect(passing.length).toBeGreaterThan(0);
    for (const { capability, s } of passing) {
      expect(actionsOf(s), capability).toEqual(["iam:PassRole"]);
      expect(resourcesOf(s).map(arnOf), capability).toEqual(["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/planton/*"]);
      expect(Object.keys(asObject(at(s, "Condition"))), capability).toEqual(["StringEquals"]);
      expect(Object.keys(asObject(at(s, "Condition", "StringEquals"))), capability).toEqual(["iam:PassedToService"]);
    }
  });

  it("changes KMS keys (policy, state, deletion, tags, aliases, grants) only when they are tagged planton:managed", () => {
    const sensitive = [
      "kms:PutKeyPolicy",
      "kms:DisableKey",
      "kms:ScheduleKeyDeletion",
      "kms:DisableKeyRotation",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:CreateGrant",
      "kms:CreateAlias",
      "kms:UpdateAlias",
      "kms:DeleteAlias",
    ];
    let seen = 0;
    for (const { capability, s } of all) {
      if (!sensitive.some((a) => grants(s, a))) continue;
      seen++;
      for (const r of resourcesOf(s).map(arnOf)) {
        expect(r, `${capability} ${s.Sid}`).not.toBe("*");
        expect(r, `${capability} ${s.Sid}`).toMatch(/^arn:\$\{AWS::Partition\}:kms:\*:\$\{AWS::AccountId\}:(key\/\*|alias\/planton-\*)$/);
        // A key is the customer's unless tagged; aliases are named.
        if (r.endsWith(":key/*")) expect(isManaged(s), `${capability} ${s.Sid}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(3);
    // Creating a key needs the tag in the request.
    const create = all.filter(({ s }) => grants(s, "kms:CreateKey"));
    expect(create.length).toBe(1);
    expect(at(create[0]!.s, "Condition", "StringEquals")).toEqual(CREATED);
  });

  it("changes Lambda code, configuration, permissions and aliases only on functions tagged planton:managed", () => {
    const sensitive = [
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:DeleteFunction",
      "lambda:AddPermission",
      "lambda:CreateAlias",
      "lambda:UpdateAlias",
      "lambda:PublishVersion",
      "lambda:GetFunctionConfiguration",
      "lambda:UntagResource",
    ];
    const statements = all.filter(({ s }) => sensitive.some((a) => grants(s, a)));
    expect(statements.length).toBe(1);
    for (const { s } of statements) {
      expect(resourcesOf(s).map(arnOf)).toEqual(["arn:${AWS::Partition}:lambda:*:${AWS::AccountId}:function:*"]);
      expect(at(s, "Condition")).toEqual({ StringEquals: MANAGED });
    }
    const create = all.filter(({ s }) => grants(s, "lambda:CreateFunction"));
    expect(create.map(({ s }) => resourcesOf(s).map(arnOf))).toEqual([["arn:${AWS::Partition}:lambda:*:${AWS::AccountId}:function:planton-*"]]);
    expect(at(create[0]!.s, "Condition")).toEqual({ StringEquals: CREATED });
    // ListFunctions (authorized against * only) returns every function's environment variables.
    expect(all.filter(({ s }) => grants(s, "lambda:ListFunctions") && resourcesOf(s).includes("*"))).toEqual([]);
  });

  it("configures and reads S3 only in planton-* buckets of this account", () => {
    const s3 = all.filter(({ s }) => actionsOf(s).some((a) => a.startsWith("s3:")));
    expect(s3.length).toBeGreaterThan(2);
    for (const { capability, s } of s3) {
      const where = `${capability} ${s.Sid}`;
      if (actionsOf(s).every((a) => a === "s3:ListAllMyBuckets")) continue;
      for (const r of resourcesOf(s).map(arnOf)) expect(r, where).toMatch(/^arn:\$\{AWS::Partition\}:s3:::planton-\*(\/\*)?$/);
      expect(at(s, "Condition", "StringEquals", "s3:ResourceAccount"), where).toEqual({ Ref: "AWS::AccountId" });
    }
    const policyOrPublic = all.filter(({ s }) => ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock"].some((a) => grants(s, a)));
    expect(policyOrPublic.length).toBe(1);
    expect(resourcesOf(policyOrPublic[0]!.s).map(arnOf)).toEqual(["arn:${AWS::Partition}:s3:::planton-*"]);
  });

  it("sends nothing to another account: no replication, no log destinations, no replication roles", () => {
    const exfiltrating = [
      "ecr:PutReplicationConfiguration",
      "ecr:ReplicateImage",
      "ecr:CreatePullThroughCacheRule",
      "s3:PutReplicationConfiguration",
      "s3:ReplicateObject",
      "s3:ReplicateDelete",
      "s3:ReplicateTags",
      "s3:PutObject",
      "s3:PutInventoryConfiguration",
      "logs:PutDestination",
      "logs:PutDestinationPolicy",
      "logs:CreateLogDelivery",
      "logs:PutDeliveryDestination",
      "logs:CreateExportTask",
      "ec2:CreateSnapshot",
      "ec2:ModifySnapshotAttribute",
      "rds:ModifyDBSnapshotAttribute",
      "rds:ModifyDBClusterSnapshotAttribute",
      "rds:CopyDBSnapshot",
    ];
    for (const { capability, s } of all) for (const a of exfiltrating) expect(grants(s, a), `${capability} ${s.Sid} grants ${a}`).toBe(false);
    const text = JSON.stringify(ALL_CAPABILITIES.map(capabilityPolicy));
    expect(text).not.toContain("replication.ecr.amazonaws.com");
    expect(text).not.toContain("batchoperations.s3.amazonaws.com");
    expect(text).not.toContain('"s3.amazonaws.com"');
  });

  it("puts subscription filters only on /planton/ log groups, and alarm actions only on Planton's SNS topics", () => {
    const filters = all.filter(({ s }) => grants(s, "logs:PutSubscriptionFilter"));
    expect(filters.length).toBe(1);
    expect(resourcesOf(filters[0]!.s).map(arnOf)).toEqual(["arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:/planton/*"]);
    for (const { s } of all.filter(({ s }) => grants(s, "logs:CreateLogGroup"))) {
      expect(resourcesOf(s).map(arnOf)).toEqual(["arn:${AWS::Partition}:logs:*:${AWS::AccountId}:log-group:/planton/*"]);
    }
    const alarms = all.filter(({ s }) => grants(s, "cloudwatch:PutMetricAlarm"));
    expect(alarms.length).toBe(1);
    expect(at(alarms[0]!.s, "Condition", "ForAllValues:ArnLike", "cloudwatch:AlarmActions")).toEqual({
      "Fn::Sub": "arn:${AWS::Partition}:sns:*:${AWS::AccountId}:planton-*",
    });
  });

  it("changes Route 53 records only under planton names", () => {
    const records = all.filter(({ s }) => grants(s, "route53:ChangeResourceRecordSets"));
    expect(records.length).toBe(1);
    const names = at(records[0]!.s, "Condition", "ForAllValues:StringLike", "route53:ChangeResourceRecordSetsNormalizedRecordNames") as string[];
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n).toMatch(/^(\*\.)?planton[-.]\*$/);
  });

  it("tags only resources already tagged, resources being created, or planton-named ones", () => {
    const tagging = [
      "TagResource",
      "UntagResource",
      "AddTags",
      "RemoveTags",
      "CreateTags",
      "DeleteTags",
      "AddTagsToResource",
      "RemoveTagsFromResource",
      "TagOpenIDConnectProvider",
      "UntagOpenIDConnectProvider",
      "PutBucketTagging",
    ];
    const createActionKeys = ["ec2:CreateAction", "ecs:CreateAction", "elasticloadbalancing:CreateAction"];
    let seen = 0;
    for (const { capability, s } of all) {
      const tags = actionsOf(s).filter((a) => tagging.includes(a.split(":")[1]!));
      if (tags.length === 0) continue;
      seen++;
      const where = `${capability} ${s.Sid}: ${tags.join(", ")}`;
      const onCreate =
        createActionKeys.some((k) => condition(s, "Null", k) === "false") && condition(s, "StringEquals", "aws:RequestTag/planton:managed") === "true";
      if (isManaged(s) || onCreate || allowedReason(capability, s.Sid) !== undefined) continue;
      // Otherwise (a request tag alone would let the tag be put on any
      // untagged resource) every ARN the tagging action can match, those of
      // its own service, must carry a Planton name.
      for (const action of tags) {
        const service = action.split(":")[0];
        const own = resourcesOf(s)
          .map(arnOf)
          .filter((r) => r === "*" || arnFields(r)[2] === service);
        expect(own.length, where).toBeGreaterThan(0);
        for (const r of own) expect(r === "*" ? "*" : resourcePart(r), where).toMatch(/(^|[/:])planton-|\/planton\//);
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it("every statement that changes something is tag-conditioned, scoped to Planton names, or allow-listed with a reason", () => {
    const unscoped: string[] = [];
    for (const { capability, s } of all) {
      if (s["Effect"] !== "Allow" || actionsOf(s).every(isRead)) continue;
      if (tagConditioned(s) || nameScoped(s)) continue;
      const reason = allowedReason(capability, s.Sid);
      if (reason === undefined)
        unscoped.push(
          `${capability} ${s.Sid}: ${actionsOf(s)
            .filter((a) => !isRead(a))
            .join(", ")}`,
        );
    }
    expect(unscoped).toEqual([]);
    // The allow-list names only statements that exist and need it.
    for (const [capability, entries] of Object.entries(UNSCOPED_ALLOWED)) {
      for (const sid of Object.keys(entries)) {
        const matching = all.filter((x) => (capability === "*" || x.capability === capability) && x.s.Sid === sid);
        expect(matching.length, `${capability} ${sid}`).toBeGreaterThan(0);
        for (const { s } of matching) expect(tagConditioned(s) || nameScoped(s) || actionsOf(s).every(isRead), `${capability} ${sid} is scoped`).toBe(false);
      }
    }
  });

  it("has no unconditioned * on a change except the allow-listed calls IAM authorizes against * only", () => {
    for (const { capability, s } of all) {
      if (!resourcesOf(s).includes("*") || s["Condition"] !== undefined) continue;
      const changes = actionsOf(s).filter((a) => !isRead(a));
      if (changes.length > 0) expect(allowedReason(capability, s.Sid), `${capability} ${s.Sid}: ${changes.join(", ")}`).toBeDefined();
    }
  });

  it("reads account-wide only metadata, never data or secrets", () => {
    const dataReads = [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:ListFunctions",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "logs:GetLogEvents",
      "logs:FilterLogEvents",
      "logs:StartQuery",
      "secretsmanager:GetSecretValue",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "ssm:GetParameter",
      "rds:DownloadDBLogFilePortion",
    ];
    for (const { capability, s } of all) {
      if (tagConditioned(s) || nameScoped(s)) continue;
      for (const a of dataReads) expect(grants(s, a), `${capability} ${s.Sid} grants ${a}`).toBe(false);
    }
  });

  it("creates only with the planton:managed tag in the request (or in a tagged parent)", () => {
    const creates = [
      "eks:CreateCluster",
      "ecs:CreateCluster",
      "ecs:CreateService",
      "ecs:RegisterTaskDefinition",
      "elasticloadbalancing:CreateLoadBalancer",
      "ec2:CreateVpc",
      "ec2:CreateSubnet",
      "ec2:CreateSecurityGroup",
      "rds:CreateDBInstance",
      "rds:CreateDBCluster",
      "lambda:CreateFunction",
      "ecr:CreateRepository",
      "kms:CreateKey",
      "iam:CreateOpenIDConnectProvider",
      "application-autoscaling:RegisterScalableTarget",
    ];
    for (const action of creates) {
      const statements = all.filter(({ s }) => grants(s, action));
      expect(statements.length, action).toBeGreaterThan(0);
      for (const { capability, s } of statements) expect(tagConditioned(s), `${capability} ${s.Sid} ${action}`).toBe(true);
      expect(
        statements.some(({ s }) => condition(s, "StringEquals", "aws:RequestTag/planton:managed") === "true"),
        action,
      ).toBe(true);
    }
  });

  it("never wildcards part of an ARN's resource type (IAM does not allow it)", () => {
    for (const { capability, s } of all) {
      for (const arn of resourcesOf(s).map(arnOf)) {
        if (arn === "*" || arnFields(arn)[2] === "s3") continue; // S3 ARNs hold a bucket name, no type
        const rest = resourcePart(arn);
        const type = rest.split(/[/:]/)[0]!;
        expect(type === "*" ? rest : type, `${capability} ${s.Sid} ${arn}`).toMatch(/^(\*|[a-z-]+)$/);
      }
    }
  });

  it("never lets a create call's request tag stand in for an untagged parent (EC2)", () => {
    // A request tag is request-wide: a statement that creates a type must not
    // also list the types its own creates are placed in.
    const parents: Record<string, string[]> = {
      "ec2:CreateSubnet": ["vpc"],
      "ec2:CreateRouteTable": ["vpc"],
      "ec2:CreateSecurityGroup": ["vpc"],
      "ec2:CreateNatGateway": ["subnet", "elastic-ip", "vpc"],
      "ec2:CreateVpcEndpoint": ["vpc", "subnet", "security-group", "route-table"],
      "ec2:CreateFlowLogs": ["vpc", "subnet", "network-interface"],
      "ec2:AuthorizeSecurityGroupIngress": ["security-group"],
    };
    for (const { s } of all.filter(({ s }) => !isManaged(s) && tagConditioned(s))) {
      const types = resourcesOf(s).map((r) => resourcePart(arnOf(r)).split("/")[0]);
      for (const [action, parentTypes] of Object.entries(parents)) {
        if (!grants(s, action)) continue;
        for (const p of parentTypes) expect(types, `${s.Sid} ${action} lists its parent ${p}`).not.toContain(p);
        expect(types, `${s.Sid} ${action}`).not.toContain("*");
      }
    }
  });
});

describe("trust role", () => {
  const template = templateJson();
  const role = at(template, "Resources", "TrustRole");

  it("trusts only the given principal presenting the external id", () => {
    expect(at(role, "Type")).toBe("AWS::IAM::Role");
    const statements = at(role, "Properties", "AssumeRolePolicyDocument", "Statement");
    expect(Array.isArray(statements) && statements.length).toBe(1);
    const [statement] = statements as JsonObject[];
    expect(statement).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: { Ref: "TrustedPrincipalArn" } },
      Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
      Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
    });
    expect(Object.keys(asObject(at(statement, "Principal")))).toEqual(["AWS"]);
    expect(Object.keys(asObject(at(statement, "Condition")))).toEqual(["StringEquals"]);
    expect(at(template, "Resources", "TrustRole", "Properties", "AssumeRolePolicyDocument", "Version")).toBe("2012-10-17");
  });

  it("names no other principal anywhere, and no policy on the role names one", () => {
    const principals = [...walk(role)].filter(({ key }) => key === "Principal" || key === "NotPrincipal");
    expect(principals).toHaveLength(1);
    for (const c of ALL_CAPABILITIES) {
      expect([...walk(at(template, "Resources", capabilityPolicyLogicalId(c)))].filter(({ key }) => key === "Principal" || key === "NotPrincipal")).toEqual([]);
    }
  });

  it("may read and simulate itself alone, read-only, and the callback waits for that policy", () => {
    const policy = at(template, "Resources", "SelfInspectionPolicy");
    expect(at(policy, "Type")).toBe("AWS::IAM::Policy");
    expect(at(policy, "Properties", "Roles")).toEqual([{ Ref: "TrustRole" }]);
    const statements = at(policy, "Properties", "PolicyDocument", "Statement") as JsonObject[];
    const self = statements.find((s) => s["Sid"] === "ReadAndSimulateSelf")!;
    expect(self["Resource"]).toEqual({ "Fn::GetAtt": ["TrustRole", "Arn"] });
    expect(self["Action"]).toContain("iam:GetRole");
    expect(self["Action"]).toContain("iam:SimulatePrincipalPolicy");
    const actions = statements.flatMap((s) => s["Action"] as string[]);
    for (const action of actions) expect(action).toMatch(/^iam:(Get|List|Simulate)[A-Za-z]+$/);
    expect(statements.every((s) => s["Effect"] === "Allow" && !("NotAction" in s) && !("NotResource" in s))).toBe(true);
    expect(at(template, "Resources", "TrustCallback", "Properties", "SelfInspectionPolicy")).toEqual({ Ref: "SelfInspectionPolicy" });
  });

  it("has a one-hour session limit, a setup tag, and no fixed name", () => {
    expect(at(role, "Properties", "MaxSessionDuration")).toBe(3600);
    expect(at(role, "Properties", "Tags")).toContainEqual({ Key: "planton:setup-id", Value: { Ref: "SetupId" } });
  });
});

describe("callback resources", () => {
  const template = templateJson();

  it("runs the inline callback on nodejs22.x with a logs-only role", () => {
    expect(at(template, "Resources", "CallbackFunction")).toMatchObject({
      Type: "AWS::Lambda::Function",
      Properties: {
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Timeout: 60,
        MemorySize: 128,
        Role: { "Fn::GetAtt": ["CallbackFunctionRole", "Arn"] },
        Code: { ZipFile: CALLBACK_LAMBDA_SOURCE },
      },
    });
    const functionRole = at(template, "Resources", "CallbackFunctionRole", "Properties");
    expect(Object.keys(asObject(functionRole)).sort()).toEqual(["AssumeRolePolicyDocument", "ManagedPolicyArns"]);
    expect(at(functionRole, "AssumeRolePolicyDocument", "Statement")).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(at(functionRole, "ManagedPolicyArns")).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }]);
  });

  it("the custom resource passes what the function reads, and times out in two minutes", () => {
    expect(at(template, "Resources", "TrustCallback")).toMatchObject({
      Type: "Custom::PlantonTrustCallback",
      Properties: {
        ServiceToken: { "Fn::GetAtt": ["CallbackFunction", "Arn"] },
        ServiceTimeout: 120,
        CallbackUrl: { Ref: "CallbackUrl" },
        SetupId: { Ref: "SetupId" },
        CallbackToken: { Ref: "CallbackToken" },
        RoleArn: { "Fn::GetAtt": ["TrustRole", "Arn"] },
        AccountId: { Ref: "AWS::AccountId" },
      },
    });
    expect(at(template, "Resources", "TrustCallback", "Properties", "PolicyArns")).toEqual(
      ALL_CAPABILITIES.map((c) => ({ "Fn::If": [capabilityConditionName(c), { Ref: capabilityPolicyLogicalId(c) }, { Ref: "AWS::NoValue" }] })),
    );
    // DependsOn cannot name a conditional resource safely; the PolicyArns references order it.
    expect([...walk(section(template, "Resources"))].filter(({ key }) => key === "DependsOn")).toEqual([]);
  });
});

describe("template integrity", () => {
  const template = templateJson();
  const parameters = new Set(Object.keys(section(template, "Parameters")));
  const resources = new Set(Object.keys(section(template, "Resources")));
  const conditions = new Set(Object.keys(section(template, "Conditions")));

  it("every Ref, Fn::GetAtt and Fn::Sub variable names something that exists", () => {
    const refs: string[] = [];
    for (const { key, value } of walk(template)) {
      if (key === "Ref") refs.push(String(value));
      if (key === "Fn::GetAtt") {
        expect(Array.isArray(value) && value.length === 2).toBe(true);
        expect(resources).toContain((value as string[])[0]);
      }
      if (key === "Fn::Sub") for (const [, name] of String(value).matchAll(/\$\{([^}!]+)\}/g)) refs.push(name!);
    }
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(parameters.has(ref) || resources.has(ref) || PSEUDO_PARAMETERS.has(ref), ref).toBe(true);
  });

  it("every condition used is defined, and every one defined is used", () => {
    const used = new Set<string>();
    for (const r of Object.values(section(template, "Resources"))) if (isObject(r) && typeof r["Condition"] === "string") used.add(r["Condition"]);
    for (const { key, value } of walk(section(template, "Resources"))) if (key === "Fn::If") used.add(String((value as Json[])[0]));
    expect([...used].sort()).toEqual([...conditions].sort());
    for (const c of ALL_CAPABILITIES) {
      expect(at(template, "Conditions", capabilityConditionName(c))).toEqual({ "Fn::Equals": [{ Ref: CAPABILITY_PARAMETER[c] }, "true"] });
    }
  });

  it("creates no named IAM resource, so CAPABILITY_IAM suffices", () => {
    for (const { key } of walk(section(template, "Resources")))
      expect(["RoleName", "ManagedPolicyName", "UserName", "GroupName", "InstanceProfileName"]).not.toContain(key);
  });

  it("lays out the console's parameter groups over every parameter", () => {
    const groups = at(template, "Metadata", "AWS::CloudFormation::Interface", "ParameterGroups") as JsonObject[];
    expect(groups.flatMap((g) => at(g, "Parameters") as string[]).sort()).toEqual([...parameters].sort());
    const labels = at(template, "Metadata", "AWS::CloudFormation::Interface", "ParameterLabels");
    expect(Object.keys(asObject(labels)).sort()).toEqual([...parameters].sort());
  });

  it("the typed builder and the rendering agree", () => {
    const built: CloudFormationTemplate = buildTrustTemplate();
    expect(Object.keys(built)).toEqual(Object.keys(template));
  });
});
