import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";

/**
 * One SimulatePrincipalPolicy request of a capability's check: actions
 * evaluated against one representative resource. ARNs are templates:
 * `{partition}`, `{region}` (the connection's region) and `{account}` are
 * filled in per connection. Names follow the trust template's conventions
 * (resources named `planton-*`, roles under `/planton/`), so a role made by
 * the template is judged on what it was made to do.
 */
export interface SimulationGroup {
  readonly resource: string;
  readonly actions: readonly string[];
  /** Context keys of this request besides {@link SIMULATION_CONTEXT} (e.g. iam:PassedToService). */
  readonly context?: Readonly<Record<string, string>>;
}

/** The representative check of one AWS capability. */
export interface AwsCapabilityCheck {
  /** The capability's short name (AwsCapability without its prefix): EKS, ECS, VPC_NETWORKING, ... */
  readonly name: string;
  readonly capability: AwsCapability;
  readonly groups: readonly SimulationGroup[];
}

/**
 * Context every simulation carries: a create request tags what it creates
 * `planton:managed=true`, and changes touch resources that carry that tag,
 * in this account (S3 statements pin s3:ResourceAccount). Without them the
 * simulator leaves tag conditions unmet and reports such actions denied.
 */
export const SIMULATION_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  "aws:RequestTag/planton:managed": "true",
  "aws:ResourceTag/planton:managed": "true",
  "s3:ResourceAccount": "{account}",
});

const PASSED_ROLE = "arn:{partition}:iam::{account}:role/planton/planton-permission-check";
const passRole = (service: string): SimulationGroup => ({ resource: PASSED_ROLE, actions: ["iam:PassRole"], context: { "iam:PassedToService": service } });

/**
 * AWS_CAPABILITY_CHECKS is the documented table (docs/permission-checks.md)
 * of what the verifier simulates per capability: a few actions for creating,
 * changing, deleting and reading the capability's main resources, and
 * passing roles to the service where it takes one. Read actions that AWS
 * authorizes only against "*" are simulated against the group's resource; a
 * statement allowing them on "*" matches any resource. Representative, not
 * exhaustive: GRANTED means these actions are allowed, not every call a
 * deployment may make.
 */
export const AWS_CAPABILITY_CHECKS: readonly AwsCapabilityCheck[] = Object.freeze([
  {
    name: "EKS",
    capability: AwsCapability.EKS,
    groups: [
      {
        resource: "arn:{partition}:eks:{region}:{account}:cluster/planton-permission-check",
        actions: [
          "eks:CreateCluster",
          "eks:DescribeCluster",
          "eks:UpdateClusterVersion",
          "eks:DeleteCluster",
          "eks:CreateNodegroup",
          "eks:CreateAddon",
          "eks:CreateAccessEntry",
          "ec2:DescribeSubnets",
        ],
      },
      passRole("eks.amazonaws.com"),
    ],
  },
  {
    name: "ECS",
    capability: AwsCapability.ECS,
    groups: [
      {
        resource: "arn:{partition}:ecs:{region}:{account}:cluster/planton-permission-check",
        actions: ["ecs:CreateCluster", "ecs:DescribeClusters", "ecs:UpdateCluster", "ecs:DeleteCluster", "ecs:DeregisterTaskDefinition"],
      },
      {
        resource: "arn:{partition}:ecs:{region}:{account}:service/planton-permission-check/planton-permission-check",
        actions: ["ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService"],
      },
      {
        resource: "arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/planton-permission-check/0123456789abcdef",
        actions: [
          "elasticloadbalancing:CreateLoadBalancer",
          "elasticloadbalancing:DeleteLoadBalancer",
          "elasticloadbalancing:CreateListener",
          "elasticloadbalancing:DescribeLoadBalancers",
        ],
      },
      passRole("ecs-tasks.amazonaws.com"),
    ],
  },
  {
    name: "VPC_NETWORKING",
    capability: AwsCapability.VPC_NETWORKING,
    groups: [
      {
        resource: "arn:{partition}:ec2:{region}:{account}:vpc/vpc-0123456789abcdef0",
        actions: [
          "ec2:CreateVpc",
          "ec2:DeleteVpc",
          "ec2:ModifyVpcAttribute",
          "ec2:CreateSubnet",
          "ec2:CreateRouteTable",
          "ec2:CreateInternetGateway",
          "ec2:CreateNatGateway",
          "ec2:CreateSecurityGroup",
          "ec2:AuthorizeSecurityGroupIngress",
          "ec2:CreateVpcEndpoint",
          "ec2:DescribeVpcs",
        ],
      },
    ],
  },
  {
    name: "S3_STORAGE",
    capability: AwsCapability.S3_STORAGE,
    groups: [
      {
        resource: "arn:{partition}:s3:::planton-permission-check",
        actions: [
          "s3:CreateBucket",
          "s3:ListBucket",
          "s3:GetBucketPolicy",
          "s3:PutBucketPolicy",
          "s3:PutBucketPublicAccessBlock",
          "s3:PutEncryptionConfiguration",
          "s3:PutBucketVersioning",
          "s3:PutLifecycleConfiguration",
          "s3:DeleteBucket",
          "s3:ListAllMyBuckets",
        ],
      },
    ],
  },
  {
    name: "RDS",
    capability: AwsCapability.RDS,
    groups: [
      {
        resource: "arn:{partition}:rds:{region}:{account}:db:planton-permission-check",
        actions: [
          "rds:CreateDBInstance",
          "rds:DescribeDBInstances",
          "rds:ModifyDBInstance",
          "rds:DeleteDBInstance",
          "rds:AddTagsToResource",
          "ec2:DescribeSecurityGroups",
        ],
      },
      {
        resource: "arn:{partition}:rds:{region}:{account}:cluster:planton-permission-check",
        actions: ["rds:CreateDBCluster", "rds:DescribeDBClusters", "rds:ModifyDBCluster", "rds:DeleteDBCluster"],
      },
      passRole("monitoring.rds.amazonaws.com"),
    ],
  },
  {
    name: "LAMBDA",
    capability: AwsCapability.LAMBDA,
    groups: [
      {
        resource: "arn:{partition}:lambda:{region}:{account}:function:planton-permission-check",
        actions: [
          "lambda:CreateFunction",
          "lambda:GetFunction",
          "lambda:UpdateFunctionCode",
          "lambda:UpdateFunctionConfiguration",
          "lambda:DeleteFunction",
          "lambda:AddPermission",
          "lambda:PublishVersion",
          "lambda:CreateAlias",
          "ec2:DescribeSubnets",
        ],
      },
      passRole("lambda.amazonaws.com"),
    ],
  },
  {
    name: "ROUTE53",
    capability: AwsCapability.ROUTE53,
    groups: [
      {
        resource: "arn:{partition}:route53:::hostedzone/Z0PLANTONPERMCHECK",
        actions: [
          "route53:CreateHostedZone",
          "route53:GetHostedZone",
          "route53:ListHostedZones",
          "route53:ChangeResourceRecordSets",
          "route53:ListResourceRecordSets",
          "route53:GetChange",
          "route53:ChangeTagsForResource",
          "route53:DeleteHostedZone",
        ],
      },
    ],
  },
  {
    name: "CLOUDWATCH",
    capability: AwsCapability.CLOUDWATCH,
    groups: [
      {
        resource: "arn:{partition}:cloudwatch:{region}:{account}:alarm:planton-permission-check",
        actions: ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource"],
      },
      {
        resource: "arn:{partition}:logs:{region}:{account}:log-group:/planton/permission-check",
        actions: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogGroups", "logs:DeleteLogGroup"],
      },
    ],
  },
  {
    name: "ECR",
    capability: AwsCapability.ECR,
    groups: [
      {
        resource: "arn:{partition}:ecr:{region}:{account}:repository/planton-permission-check",
        actions: [
          "ecr:CreateRepository",
          "ecr:DescribeRepositories",
          "ecr:PutLifecyclePolicy",
          "ecr:DeleteRepository",
          "ecr:GetAuthorizationToken",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
        ],
      },
    ],
  },
  {
    name: "KMS",
    capability: AwsCapability.KMS,
    groups: [
      {
        resource: "arn:{partition}:kms:{region}:{account}:key/0b7c2a4e-5d1f-4c3b-9a8e-7f6d5c4b3a21",
        actions: ["kms:CreateKey", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource", "kms:ScheduleKeyDeletion"],
      },
      {
        resource: "arn:{partition}:kms:{region}:{account}:alias/planton-permission-check",
        actions: ["kms:CreateAlias", "kms:ListAliases"],
      },
    ],
  },
]);

/** fillArn replaces `{partition}`, `{region}` and `{account}` in a template. */
export function fillArn(template: string, values: { partition: string; region: string; account: string }): string {
  return template.replaceAll("{partition}", values.partition).replaceAll("{region}", values.region).replaceAll("{account}", values.account);
}
