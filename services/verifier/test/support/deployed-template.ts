import type { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { buildTrustTemplate, capabilityPolicyLogicalId } from "@planton/registry";

/** What CloudFormation substitutes when it creates the trust stack. */
export interface StackValues {
  readonly account: string;
  readonly partition?: string;
  readonly trustedPrincipalArn: string;
  readonly externalId: string;
  readonly roleArn: string;
}

/**
 * The trust template's documents as CloudFormation writes them into IAM:
 * Ref, Fn::Sub and Fn::GetAtt resolved with the stack's values. Built from
 * the registry's real template, so a test of "the template's own role is
 * sound" follows every change to the template.
 */
export function deployedTemplate(values: StackValues) {
  const template = buildTrustTemplate();
  const refs: Record<string, string> = {
    "AWS::AccountId": values.account,
    "AWS::Partition": values.partition ?? "aws",
    TrustedPrincipalArn: values.trustedPrincipalArn,
    ExternalId: values.externalId,
  };
  const atts: Record<string, string> = { "TrustRole.Arn": values.roleArn };
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== "object" || value === null) return value;
    const o = value as Record<string, unknown>;
    if (typeof o["Ref"] === "string") return refs[o["Ref"]] ?? `unresolved:${o["Ref"]}`;
    if (typeof o["Fn::Sub"] === "string") return o["Fn::Sub"].replace(/\$\{([^}]+)\}/g, (_, name: string) => refs[name] ?? `unresolved:${name}`);
    if (Array.isArray(o["Fn::GetAtt"])) return atts[(o["Fn::GetAtt"] as string[]).join(".")] ?? "unresolved";
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
  };
  const properties = (logicalId: string) => template.Resources[logicalId]!.Properties;
  return {
    trustPolicy: resolve(properties("TrustRole")["AssumeRolePolicyDocument"]) as Record<string, unknown>,
    selfInspectionPolicy: resolve(properties("SelfInspectionPolicy")["PolicyDocument"]) as Record<string, unknown>,
    capabilityPolicy: (c: AwsCapability) => ({
      document: resolve(properties(capabilityPolicyLogicalId(c))["PolicyDocument"]) as Record<string, unknown>,
      description: properties(capabilityPolicyLogicalId(c))["Description"] as string,
    }),
  };
}
