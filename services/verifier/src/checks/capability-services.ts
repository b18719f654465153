import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";

/**
 * The IAM service prefixes each capability's template policy uses (the
 * registry's capability-policies.ts; a test keeps the two in step). An
 * attached policy that grants actions of another service is broader than
 * the enabled capabilities.
 */
export const CAPABILITY_SERVICES: Readonly<Partial<Record<AwsCapability, readonly string[]>>> = Object.freeze({
  [AwsCapability.EKS]: ["ec2", "eks", "iam", "kms"],
  [AwsCapability.ECS]: ["application-autoscaling", "ec2", "ecs", "elasticloadbalancing", "iam", "logs"],
  [AwsCapability.VPC_NETWORKING]: ["ec2", "iam"],
  [AwsCapability.S3_STORAGE]: ["s3"],
  [AwsCapability.RDS]: ["ec2", "iam", "kms", "rds", "secretsmanager"],
  [AwsCapability.LAMBDA]: ["ec2", "iam", "lambda", "s3"],
  [AwsCapability.ROUTE53]: ["ec2", "route53"],
  [AwsCapability.CLOUDWATCH]: ["cloudwatch", "iam", "logs"],
  [AwsCapability.ECR]: ["ecr", "kms"],
  [AwsCapability.KMS]: ["kms"],
});

/**
 * IAM is where a role can grant itself more, so it is judged by action, not
 * by service: the IAM actions each capability's template policy uses.
 */
export const CAPABILITY_IAM_ACTIONS: Readonly<Partial<Record<AwsCapability, readonly string[]>>> = Object.freeze({
  [AwsCapability.EKS]: [
    "iam:CreateOpenIDConnectProvider",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteOpenIDConnectProvider",
    "iam:GetOpenIDConnectProvider",
    "iam:PassRole",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
  ],
  [AwsCapability.ECS]: ["iam:CreateServiceLinkedRole", "iam:PassRole"],
  [AwsCapability.VPC_NETWORKING]: ["iam:PassRole"],
  [AwsCapability.RDS]: ["iam:CreateServiceLinkedRole", "iam:PassRole"],
  [AwsCapability.LAMBDA]: ["iam:PassRole"],
  [AwsCapability.CLOUDWATCH]: ["iam:PassRole"],
});

/**
 * What the template's SelfInspectionPolicy lets the role do on itself (read
 * itself back, simulate its own policies, read the policies attached to it),
 * whatever the capabilities.
 */
export const SELF_INSPECTION_ACTIONS: readonly string[] = Object.freeze([
  "iam:GetRole",
  "iam:ListAttachedRolePolicies",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:SimulatePrincipalPolicy",
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
]);

/** capabilityEnumName names a capability as the API's enum does, without its prefix (EKS, VPC_NETWORKING, ...). */
export function capabilityEnumName(c: AwsCapability): string {
  return AwsCapability[c] ?? String(c);
}
