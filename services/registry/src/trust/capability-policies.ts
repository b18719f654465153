import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { isKnownCapability, type KnownAwsCapability } from "./capabilities.js";

/**
 * PolicyValue is a string in an IAM policy as the template writes it: a
 * literal, or an intrinsic CloudFormation resolves when it creates the policy.
 */
export type PolicyValue = string | { readonly "Fn::Sub": string } | { readonly Ref: string };

/** PolicyStatement is one Allow or Deny statement of an identity policy. */
export type PolicyStatement = {
  /** Letters and digits only, unique within its policy (IAM's Sid rule). */
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  /** `service:Action` names; a trailing `*` only for read families (Describe*, GetBucket*). */
  readonly Action: readonly string[];
  readonly Resource: PolicyValue | readonly PolicyValue[];
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: PolicyValue | readonly PolicyValue[] } };
};

/** PolicyDocument is an IAM identity policy (no Principal anywhere). */
export type PolicyDocument = {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
};

// Why ARNs look the way they do:
// - Partition and account come from the stack (Fn::Sub), so the template works
//   in aws-cn and aws-us-gov and named ARNs stay inside this account.
// - Region is "*": the role is global and deployments may target any region of
//   the account, not only the one the stack ran in.
// - EC2 and a few list/create calls authorize against "*" (or AWS-owned
//   resources), so those statements use "*" and rely on the action list.
const sub = (arn: string): PolicyValue => ({ "Fn::Sub": arn });
const inAccount = (service: string, resource = "*"): PolicyValue => sub(`arn:\${AWS::Partition}:${service}:*:\${AWS::AccountId}:${resource}`);
const ROLES = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*");
const SERVICE_LINKED_ROLES = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*");
const KMS_KEYS = inAccount("kms", "key/*");

function allow(Sid: string, Action: readonly string[], Resource: PolicyValue | readonly PolicyValue[], Condition?: PolicyStatement["Condition"]): PolicyStatement {
  return Condition === undefined ? { Sid, Effect: "Allow", Action, Resource } : { Sid, Effect: "Allow", Action, Resource, Condition };
}

/** PassRole only to the named services (id_roles_use_passrole: never by ResourceTag). */
function passRole(services: readonly string[]): PolicyStatement {
  return allow("PassRoleToService", ["iam:PassRole"], ROLES, { StringEquals: { "iam:PassedToService": services } });
}

/** Services create their service-linked role on first use in an account. */
function serviceLinkedRoles(services: readonly string[]): PolicyStatement {
  return allow("CreateServiceLinkedRoles", ["iam:CreateServiceLinkedRole"], SERVICE_LINKED_ROLES, { StringEquals: { "iam:AWSServiceName": services } });
}

/**
 * Encryption with a customer key: the service reads the key and creates its
 * grant with the caller's permissions. DescribeKey is a separate statement
 * because the grant condition key is absent on it (a Bool on an absent key
 * never matches).
 */
function kmsForServices(): PolicyStatement[] {
  return [
    allow("DescribeKmsKeys", ["kms:DescribeKey"], KMS_KEYS),
    allow("CreateKmsGrantsForServices", ["kms:CreateGrant"], KMS_KEYS, { Bool: { "kms:GrantIsForAWSResource": "true" } }),
  ];
}

function document(...Statement: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement };
}

const EKS = document(
  allow(
    "ManageClusters",
    [
      "eks:CreateCluster", "eks:DescribeCluster", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:DeleteCluster",
      "eks:DescribeUpdate", "eks:ListUpdates",
      "eks:CreateNodegroup", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion", "eks:DeleteNodegroup", "eks:ListNodegroups",
      "eks:CreateAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DeleteAddon", "eks:ListAddons",
      "eks:CreateAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:ListAccessEntries",
      "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies",
      "eks:CreatePodIdentityAssociation", "eks:DescribePodIdentityAssociation", "eks:UpdatePodIdentityAssociation", "eks:DeletePodIdentityAssociation",
      "eks:CreateFargateProfile", "eks:DescribeFargateProfile", "eks:DeleteFargateProfile", "eks:ListFargateProfiles",
      "eks:TagResource", "eks:UntagResource", "eks:ListTagsForResource",
    ],
    inAccount("eks"),
  ),
  // Account-level reads with no resource ARN.
  allow("ReadEks", ["eks:ListClusters", "eks:DescribeAddonVersions", "eks:DescribeAddonConfiguration", "ec2:Describe*"], "*"),
  // IRSA: one OIDC provider per cluster.
  allow(
    "ManageOidcProviders",
    ["iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider"],
    sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/*"),
  ),
  ...kmsForServices(),
  // Cluster, node, Fargate pod-execution and Pod Identity roles are passed to EKS.
  passRole(["eks.amazonaws.com", "pods.eks.amazonaws.com"]),
  serviceLinkedRoles(["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "eks-fargate.amazonaws.com"]),
);

const ECS = document(
  allow(
    "ManageClustersAndServices",
    [
      "ecs:CreateCluster", "ecs:UpdateCluster", "ecs:UpdateClusterSettings", "ecs:PutClusterCapacityProviders", "ecs:DeleteCluster", "ecs:DescribeClusters",
      "ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "ecs:DescribeServices",
      "ecs:TagResource", "ecs:UntagResource", "ecs:ListTagsForResource",
    ],
    inAccount("ecs"),
  ),
  // Task definitions authorize against "*" (service authorization reference).
  allow(
    "ManageTaskDefinitions",
    ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions", "ecs:ListClusters", "ecs:ListServices"],
    "*",
  ),
  allow(
    "ManageLoadBalancers",
    [
      "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:ModifyTargetGroup", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:CreateListener", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:CreateRule", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:DeleteRule",
      "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
    ],
    inAccount("elasticloadbalancing"),
  ),
  allow(
    "ManageAutoScaling",
    [
      "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:Describe*",
      "application-autoscaling:TagResource", "application-autoscaling:UntagResource", "application-autoscaling:ListTagsForResource",
    ],
    "*",
  ),
  allow("ReadLoadBalancersAndNetworks", ["elasticloadbalancing:Describe*", "logs:DescribeLogGroups", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"], "*"),
  allow(
    "ManageTaskLogGroups",
    ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"],
    inAccount("logs", "log-group:*"),
  ),
  // Task and execution roles go to ecs-tasks; infrastructure roles (blue/green, managed instances) to ecs.
  passRole(["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]),
  serviceLinkedRoles(["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"]),
);

// EC2 networking authorizes some calls against AWS-owned or unnamed resources,
// so these statements use "*" and the action list carries the restriction.
const VPC_NETWORKING = document(
  allow(
    "ManageNetworks",
    [
      "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute",
      "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute",
      "ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway",
      "ec2:AllocateAddress", "ec2:ReleaseAddress",
      "ec2:CreateNatGateway", "ec2:DeleteNatGateway",
      "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute",
      "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
      "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
      "ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
      "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs",
      "ec2:Describe*",
    ],
    "*",
  ),
  // Tagging (including tag-on-create) only on this account's EC2 resources.
  allow("TagNetworkResources", ["ec2:CreateTags", "ec2:DeleteTags"], inAccount("ec2")),
  // Flow logs to CloudWatch Logs deliver through a role the service assumes.
  passRole(["vpc-flow-logs.amazonaws.com"]),
);

const S3_BUCKETS = sub("arn:${AWS::Partition}:s3:::*");
const S3_OBJECTS = sub("arn:${AWS::Partition}:s3:::*/*");

const S3_STORAGE = document(
  allow(
    "ManageBuckets",
    [
      "s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucket*", "s3:GetAccelerateConfiguration",
      "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock",
      // Permission names, not API names: PutBucketEncryption and PutBucketLifecycleConfiguration.
      "s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration",
      "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration",
      "s3:PutBucketVersioning", "s3:PutBucketTagging", "s3:PutBucketOwnershipControls", "s3:PutBucketLogging", "s3:PutBucketCORS",
      "s3:PutReplicationConfiguration", "s3:GetReplicationConfiguration",
    ],
    S3_BUCKETS,
  ),
  // Emptying a bucket before deleting it.
  allow("EmptyBuckets", ["s3:DeleteObject", "s3:DeleteObjectVersion"], S3_OBJECTS),
  allow("ListBuckets", ["s3:ListAllMyBuckets"], "*"),
  // Replication and Batch Operations roles are assumed by S3.
  passRole(["s3.amazonaws.com", "batchoperations.s3.amazonaws.com"]),
);

const RDS = document(
  allow(
    "ManageDatabases",
    [
      "rds:CreateDBInstance", "rds:ModifyDBInstance", "rds:DeleteDBInstance", "rds:RebootDBInstance", "rds:DescribeDBInstances",
      "rds:CreateDBCluster", "rds:ModifyDBCluster", "rds:DeleteDBCluster", "rds:DescribeDBClusters",
      "rds:CreateDBSubnetGroup", "rds:ModifyDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:DescribeDBSubnetGroups",
      "rds:CreateDBParameterGroup", "rds:ModifyDBParameterGroup", "rds:DeleteDBParameterGroup", "rds:DescribeDBParameterGroups", "rds:DescribeDBParameters",
      "rds:CreateDBClusterParameterGroup", "rds:ModifyDBClusterParameterGroup", "rds:DeleteDBClusterParameterGroup",
      "rds:DescribeDBClusterParameterGroups", "rds:DescribeDBClusterParameters",
      "rds:AddRoleToDBInstance", "rds:RemoveRoleFromDBInstance", "rds:AddRoleToDBCluster", "rds:RemoveRoleFromDBCluster",
      // Final snapshots on delete.
      "rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot", "rds:DescribeDBSnapshots", "rds:DescribeDBClusterSnapshots",
      "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
    ],
    inAccount("rds"),
  ),
  allow("ReadRdsAndNetworks", ["rds:DescribeDBEngineVersions", "rds:DescribeOrderableDBInstanceOptions", "ec2:Describe*"], "*"),
  // Managed master passwords: RDS creates its secret (named rds!...) through the caller.
  allow("ManageMasterPasswordSecrets", ["secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"], inAccount("secretsmanager", "secret:rds!*")),
  ...kmsForServices(),
  // Enhanced Monitoring role and feature roles (AddRoleToDBInstance/Cluster).
  passRole(["monitoring.rds.amazonaws.com", "rds.amazonaws.com"]),
  serviceLinkedRoles(["rds.amazonaws.com"]),
);

const LAMBDA = document(
  allow(
    "ManageFunctions",
    [
      "lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig",
      "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction",
      "lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy",
      "lambda:PublishVersion", "lambda:ListVersionsByFunction",
      "lambda:CreateAlias", "lambda:GetAlias", "lambda:UpdateAlias", "lambda:DeleteAlias",
      "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
      "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
    ],
    inAccount("lambda"),
  ),
  // CreateEventSourceMapping and the list calls authorize against "*".
  allow(
    "ManageEventSourceMappingsAndRead",
    [
      "lambda:CreateEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping",
      "lambda:ListEventSourceMappings", "lambda:ListFunctions", "ec2:Describe*",
    ],
    "*",
  ),
  // Lambda reads the deployment package with the caller's permissions.
  allow("ReadDeploymentPackages", ["s3:GetObject", "s3:GetObjectVersion"], S3_OBJECTS),
  passRole(["lambda.amazonaws.com"]),
);

// Route 53 ARNs are global: no region, no account.
const ROUTE53 = document(
  allow(
    "ManageHostedZones",
    [
      "route53:GetHostedZone", "route53:UpdateHostedZoneComment", "route53:DeleteHostedZone",
      "route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
      "route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone",
      "route53:GetHealthCheck", "route53:UpdateHealthCheck", "route53:DeleteHealthCheck",
      "route53:ChangeTagsForResource", "route53:ListTagsForResource",
    ],
    [sub("arn:${AWS::Partition}:route53:::hostedzone/*"), sub("arn:${AWS::Partition}:route53:::healthcheck/*")],
  ),
  // Infrastructure as code polls the change until it is INSYNC.
  allow("ReadChanges", ["route53:GetChange"], sub("arn:${AWS::Partition}:route53:::change/*")),
  allow(
    "CreateZonesAndHealthChecks",
    ["route53:CreateHostedZone", "route53:ListHostedZones", "route53:ListHostedZonesByName", "route53:CreateHealthCheck", "route53:ListTagsForResources", "ec2:DescribeVpcs"],
    "*",
  ),
);

const CLOUDWATCH = document(
  allow(
    "ManageAlarmsAndDashboards",
    [
      "cloudwatch:PutMetricAlarm", "cloudwatch:PutCompositeAlarm", "cloudwatch:DeleteAlarms",
      "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards",
      "cloudwatch:PutMetricStream", "cloudwatch:GetMetricStream", "cloudwatch:DeleteMetricStream",
      "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource",
    ],
    inAccount("cloudwatch"),
  ),
  allow(
    "ManageLogGroups",
    [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
      "logs:PutMetricFilter", "logs:DeleteMetricFilter",
      "logs:PutSubscriptionFilter", "logs:DeleteSubscriptionFilter",
      "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource",
    ],
    inAccount("logs"),
  ),
  allow(
    "ReadMonitoring",
    ["cloudwatch:DescribeAlarms", "cloudwatch:ListDashboards", "cloudwatch:ListMetricStreams", "logs:DescribeLogGroups", "logs:DescribeMetricFilters", "logs:DescribeSubscriptionFilters"],
    "*",
  ),
  // Metric streams deliver through a Firehose role; subscription filters to Kinesis/Firehose through a logs role.
  passRole(["streams.metrics.cloudwatch.amazonaws.com", "logs.amazonaws.com"]),
);

const ECR = document(
  allow(
    "ManageRepositories",
    [
      "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:ListImages", "ecr:BatchDeleteImage",
      "ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy",
      "ecr:SetRepositoryPolicy", "ecr:GetRepositoryPolicy", "ecr:DeleteRepositoryPolicy",
      "ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability",
      "ecr:TagResource", "ecr:UntagResource", "ecr:ListTagsForResource",
      // Pushing images.
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
    ],
    inAccount("ecr", "repository/*"),
  ),
  // The login token and registry-wide settings have no repository ARN.
  allow("RegistryWide", ["ecr:GetAuthorizationToken", "ecr:DescribeRegistry", "ecr:PutReplicationConfiguration"], "*"),
  ...kmsForServices(),
  serviceLinkedRoles(["replication.ecr.amazonaws.com"]),
);

// Never kms:* (reference §4.3): key use (Encrypt/Decrypt) is not deployment.
const KMS = document(
  allow("CreateKeys", ["kms:CreateKey", "kms:ListAliases", "kms:ListKeys"], "*"),
  allow(
    "ManageKeys",
    [
      "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy",
      "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
      "kms:EnableKey", "kms:DisableKey", "kms:UpdateKeyDescription",
      "kms:TagResource", "kms:UntagResource", "kms:ListResourceTags",
      "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
    ],
    KMS_KEYS,
  ),
  // Alias changes are authorized on both the alias and its key (alias-access).
  allow("ManageAliases", ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], [inAccount("kms", "alias/*"), KMS_KEYS]),
);

const POLICIES: Readonly<Record<KnownAwsCapability, PolicyDocument>> = {
  [AwsCapability.EKS]: EKS,
  [AwsCapability.ECS]: ECS,
  [AwsCapability.VPC_NETWORKING]: VPC_NETWORKING,
  [AwsCapability.S3_STORAGE]: S3_STORAGE,
  [AwsCapability.RDS]: RDS,
  [AwsCapability.LAMBDA]: LAMBDA,
  [AwsCapability.ROUTE53]: ROUTE53,
  [AwsCapability.CLOUDWATCH]: CLOUDWATCH,
  [AwsCapability.ECR]: ECR,
  [AwsCapability.KMS]: KMS,
};

/**
 * capabilityPolicy returns the least-privilege IAM identity policy that lets
 * the trust role deploy `c`'s kind of resource (create, update, delete, read
 * and tag it), as the template attaches it in one customer-managed policy.
 * ARNs needing the partition or account are `Fn::Sub` strings, so the
 * document is only valid inside the template. Each stays under IAM's 6,144
 * character managed-policy limit. Every call returns the same (read-only
 * typed) object. Throws RangeError for UNSPECIFIED or an unknown value.
 */
export function capabilityPolicy(c: AwsCapability): PolicyDocument {
  if (!isKnownCapability(c)) throw new RangeError(`not an AWS capability: ${String(c)}`);
  return POLICIES[c];
}
