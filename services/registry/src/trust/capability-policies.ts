import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { isKnownCapability, type KnownAwsCapability } from "./capabilities.js";

/**
 * PolicyValue is a string in an IAM policy as the template writes it: a
 * literal, or an intrinsic CloudFormation resolves when it creates the policy.
 */
export type PolicyValue = string | { readonly "Fn::Sub": string } | { readonly Ref: string };

/** PolicyCondition is a statement's Condition block: `{Operator: {key: value(s)}}`. */
export type PolicyCondition = { readonly [operator: string]: { readonly [key: string]: PolicyValue | readonly PolicyValue[] } };

/** PolicyStatement is one Allow or Deny statement of an identity policy. */
export type PolicyStatement = {
  /** Letters and digits only, unique within its policy (IAM's Sid rule). */
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  /** `service:Action` names; a trailing `*` only for read families (Describe*, List*, GetBucket*). */
  readonly Action: readonly string[];
  readonly Resource: PolicyValue | readonly PolicyValue[];
  readonly Condition?: PolicyCondition;
};

/** PolicyDocument is an IAM identity policy (no Principal anywhere). */
export type PolicyDocument = {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
};

/**
 * The ownership conventions every capability policy follows (see
 * MANAGED_TAG_KEY and friends): the role may change only what Planton
 * created, or what the customer tagged for it.
 *
 * - ABAC: a resource is Planton's when it carries the tag
 *   `planton:managed` = `true`. Changes to existing resources are
 *   conditioned on `aws:ResourceTag/planton:managed`; creation on
 *   `aws:RequestTag/planton:managed` (Planton tags what it creates).
 * - The tag must never be put on a resource Planton did not create. Tagging
 *   an existing resource is therefore allowed only when it already carries
 *   the tag. Tagging as part of a create call is told apart by the service's
 *   create-action key where it has one (ec2:CreateAction, ecs:CreateAction,
 *   elasticloadbalancing:CreateAction); elsewhere it is allowed only on
 *   resources whose ARN carries a `planton-` name, so that prefix is reserved.
 * - Services whose IAM has no tag conditions for the actions used (S3
 *   buckets, CloudWatch Logs log groups, CloudWatch put-or-update calls) are
 *   scoped by name: `planton-*` (log groups `/planton/*`).
 * - Roles are passed only from the IAM path `/planton/`, and only to the
 *   services named (iam:PassedToService). PassRole is never scoped by tags
 *   (id_roles_use_passrole).
 * - `"*"` stays only on read-only Describe/List/Get calls that return
 *   metadata (not lambda:ListFunctions, which returns environment variables),
 *   on creates conditioned on the request tag, and on the few calls IAM
 *   authorizes against "*" alone (each commented, and allow-listed with its
 *   reason in trust-template.test.ts).
 * - The resource-type part of an ARN is never partly wildcarded (as in
 *   `*:planton-*`): IAM's ARN rules do not allow a wildcard there, so each
 *   type is listed.
 * - Nothing sends data to another account: no replication configuration
 *   (S3, ECR), no log destinations, and S3 statements require
 *   s3:ResourceAccount to be this account.
 *
 * Partition and account come from the stack (Fn::Sub), so ARNs work in
 * aws-cn and aws-us-gov and stay inside this account. Region is "*": the role
 * is global and deployments may target any region of the account.
 */
const MANAGED_TAG_KEY = "planton:managed";
/** Name prefix of the resources Planton creates where the name is part of the ARN. */
const NAME_PREFIX = "planton-";
/** IAM path of the roles Planton may pass to services. */
const ROLE_PATH = "/planton/";

const sub = (arn: string): PolicyValue => ({ "Fn::Sub": arn });
const inAccount = (service: string, resource = "*"): PolicyValue => sub(`arn:\${AWS::Partition}:${service}:*:\${AWS::AccountId}:${resource}`);
const PASSABLE_ROLES = sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${ROLE_PATH}*`);
const SERVICE_LINKED_ROLES = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/*");
const KMS_KEYS = inAccount("kms", "key/*");
const SCALABLE_TARGETS = inAccount("application-autoscaling", "scalable-target/*");
const PLANTON_LOG_GROUPS = inAccount("logs", "log-group:/planton/*");

/** The request creates (or tags) the resource with planton:managed=true. */
const CREATED: PolicyCondition = { StringEquals: { [`aws:RequestTag/${MANAGED_TAG_KEY}`]: "true" } };
/** The resource acted on already carries planton:managed=true. */
const MANAGED: PolicyCondition = { StringEquals: { [`aws:ResourceTag/${MANAGED_TAG_KEY}`]: "true" } };
/** Tagging that is part of a create call (the key exists only there), with the Planton tag. */
const taggingOnCreate = (createActionKey: string): PolicyCondition => ({ ...CREATED, Null: { [createActionKey]: "false" } });
/** S3 bucket and object ARNs carry no account: pin it so no `planton-*` bucket of another account is reachable. */
const IN_THIS_ACCOUNT: PolicyCondition = { StringEquals: { "s3:ResourceAccount": { Ref: "AWS::AccountId" } } };

function allow(Sid: string, Action: readonly string[], Resource: PolicyValue | readonly PolicyValue[], Condition?: PolicyCondition): PolicyStatement {
  return Condition === undefined ? { Sid, Effect: "Allow", Action, Resource } : { Sid, Effect: "Allow", Action, Resource, Condition };
}

/** PassRole of `/planton/` roles only, to the named services only. */
function passRole(services: readonly string[]): PolicyStatement {
  return allow("PassRoles", ["iam:PassRole"], PASSABLE_ROLES, { StringEquals: { "iam:PassedToService": services } });
}

/** Services create their service-linked role on first use in an account. */
function serviceLinkedRoles(services: readonly string[]): PolicyStatement {
  return allow("CreateSlrs", ["iam:CreateServiceLinkedRole"], SERVICE_LINKED_ROLES, { StringEquals: { "iam:AWSServiceName": services } });
}

/**
 * Encryption with a customer key: the service reads the key (kms:DescribeKey,
 * in each policy's read statement) and creates its grant with the caller's
 * permissions, on Planton's keys only (a foreign key must be tagged by its
 * owner to be used).
 */
function kmsGrantsForServices(): PolicyStatement {
  return allow("GrantKeys", ["kms:CreateGrant"], KMS_KEYS, { ...MANAGED, Bool: { "kms:GrantIsForAWSResource": "true" } });
}

function document(...Statement: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement };
}

const EKS = document(
  // CreateCluster authorizes against "*" only; the request tag is the restriction.
  allow("CreateCluster", ["eks:CreateCluster"], "*", CREATED),
  // Tagging during creation only on clusters (and their node groups, whose
  // ARNs start with the cluster name) named planton-*. IRSA: one OIDC
  // provider per cluster, only for EKS issuers.
  allow(
    "TagOnCreate",
    ["eks:TagResource", "iam:CreateOpenIDConnectProvider"],
    [
      inAccount("eks", `cluster/${NAME_PREFIX}*`),
      inAccount("eks", `nodegroup/${NAME_PREFIX}*`),
      sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/oidc.eks.*"),
    ],
    CREATED,
  ),
  // Everything on an existing cluster, node group, add-on, access entry,
  // profile or OIDC provider, and adding children to a cluster, needs the
  // cluster (or child) tagged.
  allow(
    "Manage",
    [
      "eks:UpdateClusterConfig",
      "eks:UpdateClusterVersion",
      "eks:DeleteCluster",
      "eks:CreateNodegroup",
      "eks:UpdateNodegroupConfig",
      "eks:UpdateNodegroupVersion",
      "eks:DeleteNodegroup",
      "eks:CreateAddon",
      "eks:UpdateAddon",
      "eks:DeleteAddon",
      "eks:CreateAccessEntry",
      "eks:UpdateAccessEntry",
      "eks:DeleteAccessEntry",
      "eks:AssociateAccessPolicy",
      "eks:DisassociateAccessPolicy",
      "eks:CreatePodIdentityAssociation",
      "eks:UpdatePodIdentityAssociation",
      "eks:DeletePodIdentityAssociation",
      "eks:CreateFargateProfile",
      "eks:DeleteFargateProfile",
      "eks:TagResource",
      "eks:UntagResource",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
    ],
    [inAccount("eks"), sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/*")],
    MANAGED,
  ),
  // Read-only, account-wide (plan and refresh read what exists).
  allow("Read", ["eks:Describe*", "eks:List*", "ec2:Describe*", "iam:GetOpenIDConnectProvider", "kms:DescribeKey"], "*"),
  kmsGrantsForServices(),
  // Cluster, node, Fargate pod-execution and Pod Identity roles are passed to EKS.
  passRole(["eks.amazonaws.com", "pods.eks.amazonaws.com"]),
  serviceLinkedRoles(["eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "eks-fargate.amazonaws.com"]),
);

const ECS = document(
  // Clusters, services (their ARN holds the cluster name) and task definition
  // families are named planton-*: a service cannot be started in a customer's
  // cluster, where its tasks could reach the instances' role. Each ARN names
  // its service, so each action matches only its own service's ARNs.
  allow(
    "Create",
    [
      "ecs:CreateCluster",
      "ecs:CreateService",
      "ecs:RegisterTaskDefinition",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateTargetGroup",
      "application-autoscaling:RegisterScalableTarget",
    ],
    [
      // A service's ARN holds its cluster's name: service/planton-*/name.
      inAccount("ecs", `cluster/${NAME_PREFIX}*`),
      inAccount("ecs", `service/${NAME_PREFIX}*`),
      inAccount("ecs", `task-definition/${NAME_PREFIX}*`),
      inAccount("elasticloadbalancing"),
      SCALABLE_TARGETS,
    ],
    CREATED,
  ),
  allow("TagEcsOnCreate", ["ecs:TagResource"], inAccount("ecs"), taggingOnCreate("ecs:CreateAction")),
  allow("TagElbOnCreate", ["elasticloadbalancing:AddTags"], inAccount("elasticloadbalancing"), taggingOnCreate("elasticloadbalancing:CreateAction")),
  // Listeners and rules are added to tagged load balancers and listeners only.
  allow(
    "Manage",
    [
      "ecs:UpdateCluster",
      "ecs:UpdateClusterSettings",
      "ecs:PutClusterCapacityProviders",
      "ecs:DeleteCluster",
      "ecs:UpdateService",
      "ecs:DeleteService",
      "ecs:TagResource",
      "ecs:UntagResource",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:SetSecurityGroups",
      "elasticloadbalancing:SetSubnets",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:CreateRule",
      "elasticloadbalancing:ModifyRule",
      "elasticloadbalancing:DeleteRule",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:RemoveTags",
      "application-autoscaling:DeregisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
      "application-autoscaling:DeleteScalingPolicy",
      "application-autoscaling:TagResource",
      "application-autoscaling:UntagResource",
    ],
    [inAccount("ecs"), inAccount("elasticloadbalancing"), SCALABLE_TARGETS],
    MANAGED,
  ),
  // Reads, and DeregisterTaskDefinition, which authorizes against "*" only
  // (no resource-level permission; a deregistered revision keeps running
  // where it runs).
  allow(
    "Read",
    [
      "ecs:Describe*",
      "ecs:List*",
      "elasticloadbalancing:Describe*",
      "application-autoscaling:Describe*",
      "logs:DescribeLogGroups",
      "ec2:Describe*",
      "ecs:DeregisterTaskDefinition",
    ],
    "*",
  ),
  // CloudWatch Logs: names, not tags (see the CloudWatch policy).
  allow(
    "LogGroups",
    ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"],
    PLANTON_LOG_GROUPS,
  ),
  // Task and execution roles go to ecs-tasks; infrastructure roles (blue/green, managed instances) to ecs.
  passRole(["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]),
  serviceLinkedRoles(["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"]),
);

// A create call's request tag also satisfies the checks IAM makes on the
// existing resources the call names (the VPC of a new subnet), so each
// create statement lists only the types it creates, never a type another
// create in the same statement uses as its parent; the parents must be
// tagged (Manage). Security group rules are created (and may be tagged) by
// AuthorizeSecurityGroup*; the group itself must be tagged.
const ec2 = (...types: string[]): PolicyValue[] => types.map((t) => inAccount("ec2", `${t}/*`));
const VPC_NETWORKING = document(
  allow(
    "CreateVpcs",
    ["ec2:CreateVpc", "ec2:CreateInternetGateway", "ec2:AllocateAddress", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"],
    ec2("vpc", "internet-gateway", "elastic-ip", "security-group-rule"),
    CREATED,
  ),
  allow("CreateInVpcs", ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup"], ec2("subnet", "route-table", "security-group"), CREATED),
  // (A flow log of a regional NAT gateway is checked against the gateway,
  // which this statement would accept untagged: it only records traffic
  // metadata into a log group this policy cannot read.)
  allow("CreateInSubnets", ["ec2:CreateNatGateway", "ec2:CreateVpcEndpoint", "ec2:CreateFlowLogs"], ec2("natgateway", "vpc-endpoint", "vpc-flow-log"), CREATED),
  allow("TagEc2OnCreate", ["ec2:CreateTags"], inAccount("ec2"), taggingOnCreate("ec2:CreateAction")),
  allow(
    "Manage",
    [
      "ec2:DeleteVpc",
      "ec2:ModifyVpcAttribute",
      "ec2:CreateSubnet",
      "ec2:DeleteSubnet",
      "ec2:ModifySubnetAttribute",
      "ec2:AttachInternetGateway",
      "ec2:DetachInternetGateway",
      "ec2:DeleteInternetGateway",
      "ec2:ReleaseAddress",
      "ec2:CreateNatGateway",
      "ec2:DeleteNatGateway",
      "ec2:CreateRouteTable",
      "ec2:DeleteRouteTable",
      "ec2:CreateRoute",
      "ec2:ReplaceRoute",
      "ec2:DeleteRoute",
      "ec2:AssociateRouteTable",
      "ec2:DisassociateRouteTable",
      "ec2:CreateSecurityGroup",
      "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:AuthorizeSecurityGroupEgress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupEgress",
      "ec2:CreateVpcEndpoint",
      "ec2:ModifyVpcEndpoint",
      "ec2:DeleteVpcEndpoints",
      "ec2:CreateFlowLogs",
      "ec2:DeleteFlowLogs",
      "ec2:CreateTags",
      "ec2:DeleteTags",
    ],
    inAccount("ec2"),
    MANAGED,
  ),
  allow("Read", ["ec2:Describe*"], "*"),
  // Flow logs to CloudWatch Logs deliver through a role the service assumes.
  passRole(["vpc-flow-logs.amazonaws.com"]),
);

// S3 IAM has no tag conditions for bucket configuration calls: buckets are
// named planton-*. No replication configuration (objects to another account)
// and no replication or Batch Operations role to pass.
const S3_BUCKETS = sub(`arn:\${AWS::Partition}:s3:::${NAME_PREFIX}*`);
const S3_OBJECTS = sub(`arn:\${AWS::Partition}:s3:::${NAME_PREFIX}*/*`);

const S3_STORAGE = document(
  allow(
    "Buckets",
    [
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "s3:GetBucket*",
      "s3:GetAccelerateConfiguration",
      "s3:PutBucketPolicy",
      "s3:DeleteBucketPolicy",
      "s3:PutBucketPublicAccessBlock",
      // Permission names, not API names: PutBucketEncryption and PutBucketLifecycleConfiguration.
      "s3:PutEncryptionConfiguration",
      "s3:GetEncryptionConfiguration",
      "s3:PutLifecycleConfiguration",
      "s3:GetLifecycleConfiguration",
      "s3:PutBucketVersioning",
      "s3:PutBucketTagging",
      "s3:PutBucketOwnershipControls",
      "s3:PutBucketLogging",
      "s3:PutBucketCORS",
    ],
    S3_BUCKETS,
    IN_THIS_ACCOUNT,
  ),
  // Emptying a bucket before deleting it.
  allow("EmptyBuckets", ["s3:DeleteObject", "s3:DeleteObjectVersion"], S3_OBJECTS, IN_THIS_ACCOUNT),
  // Lists this account's bucket names (no resource to scope).
  allow("ListBuckets", ["s3:ListAllMyBuckets"], "*"),
);

const RDS = document(
  // Every RDS name is in its ARN; the same statement lets the create call
  // tag what it creates (rds:AddTagsToResource).
  allow(
    "Create",
    [
      "rds:CreateDBInstance",
      "rds:CreateDBCluster",
      "rds:CreateDBSubnetGroup",
      "rds:CreateDBParameterGroup",
      "rds:CreateDBClusterParameterGroup",
      "rds:AddTagsToResource",
    ],
    ["db", "cluster", "subgrp", "pg", "cluster-pg"].map((type) => inAccount("rds", `${type}:${NAME_PREFIX}*`)),
    CREATED,
  ),
  // Snapshots (final ones on delete carry no request tag; DeleteDBCluster is
  // checked against the final snapshot too) are named planton-*; the database
  // they copy must be tagged (Manage).
  allow(
    "Snapshots",
    ["rds:CreateDBSnapshot", "rds:CreateDBClusterSnapshot", "rds:DeleteDBCluster"],
    [inAccount("rds", `snapshot:${NAME_PREFIX}*`), inAccount("rds", `cluster-snapshot:${NAME_PREFIX}*`)],
  ),
  // Changes, and snapshots of, tagged databases and groups only. Create and
  // modify are also checked against the parameter, option and subnet groups
  // they name: those must be tagged too (the implicit defaults are not named).
  allow(
    "Manage",
    [
      "rds:ModifyDBInstance",
      "rds:DeleteDBInstance",
      "rds:RebootDBInstance",
      "rds:ModifyDBCluster",
      "rds:DeleteDBCluster",
      "rds:ModifyDBSubnetGroup",
      "rds:DeleteDBSubnetGroup",
      "rds:ModifyDBParameterGroup",
      "rds:DeleteDBParameterGroup",
      "rds:ModifyDBClusterParameterGroup",
      "rds:DeleteDBClusterParameterGroup",
      "rds:AddRoleToDBInstance",
      "rds:RemoveRoleFromDBInstance",
      "rds:AddRoleToDBCluster",
      "rds:RemoveRoleFromDBCluster",
      // An instance joining a cluster, and snapshots of a database, are checked against the tagged source.
      "rds:CreateDBInstance",
      "rds:CreateDBSnapshot",
      "rds:CreateDBClusterSnapshot",
      "rds:AddTagsToResource",
      "rds:RemoveTagsFromResource",
    ],
    inAccount("rds"),
    MANAGED,
  ),
  allow("Read", ["rds:Describe*", "rds:ListTagsForResource", "ec2:Describe*", "kms:DescribeKey"], "*"),
  // Managed master passwords: RDS creates and rotates its secret (named
  // rds!...) through the caller; nothing here reads a secret value.
  allow(
    "RdsSecrets",
    ["secretsmanager:CreateSecret", "secretsmanager:RotateSecret", "secretsmanager:TagResource"],
    inAccount("secretsmanager", "secret:rds!*"),
  ),
  kmsGrantsForServices(),
  // Enhanced Monitoring role and feature roles (AddRoleToDBInstance/Cluster).
  passRole(["monitoring.rds.amazonaws.com", "rds.amazonaws.com"]),
  serviceLinkedRoles(["rds.amazonaws.com"]),
);

const LAMBDA_FUNCTIONS = inAccount("lambda", "function:*");
const LAMBDA = document(
  // Creating with the tag needs lambda:TagResource on the new function:
  // only functions named planton-* can be created (and so tagged) that way.
  allow("Create", ["lambda:CreateFunction", "lambda:TagResource"], inAccount("lambda", `function:${NAME_PREFIX}*`), CREATED),
  // Code, configuration (and so the execution role), permissions, aliases
  // and reads of configuration (it holds environment variables): tagged only.
  allow(
    "Manage",
    [
      "lambda:Get*",
      "lambda:List*",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:DeleteFunction",
      "lambda:AddPermission",
      "lambda:RemovePermission",
      "lambda:PublishVersion",
      "lambda:CreateAlias",
      "lambda:UpdateAlias",
      "lambda:DeleteAlias",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
    LAMBDA_FUNCTIONS,
    MANAGED,
  ),
  // Event source mappings authorize against "*" (create) or their own id;
  // lambda:FunctionArn ties them to planton-* functions.
  allow(
    "EventSources",
    ["lambda:CreateEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
    "*",
    { ArnLike: { "lambda:FunctionArn": inAccount("lambda", `function:${NAME_PREFIX}*`) } },
  ),
  // Not lambda:ListFunctions: it returns every function's environment variables.
  allow("Read", ["lambda:ListEventSourceMappings", "ec2:Describe*"], "*"),
  // Lambda reads the deployment package with the caller's permissions.
  allow("ReadPackages", ["s3:GetObject", "s3:GetObjectVersion"], S3_OBJECTS, IN_THIS_ACCOUNT),
  passRole(["lambda.amazonaws.com"]),
);

// Route 53's IAM has neither resource tags nor names in its ARNs (hosted
// zone and health-check ids are opaque; ARNs carry no region or account).
// Record changes are limited by record name; the rest is listed in the
// allow-list of trust-template.test.ts with its reason.
const ROUTE53 = document(
  allow("Records", ["route53:ChangeResourceRecordSets"], sub("arn:${AWS::Partition}:route53:::hostedzone/*"), {
    "ForAllValues:StringLike": {
      "route53:ChangeResourceRecordSetsNormalizedRecordNames": [`${NAME_PREFIX}*`, `*.${NAME_PREFIX}*`, "planton.*", "*.planton.*"],
    },
  }),
  allow(
    "HostedZones",
    [
      "route53:UpdateHostedZoneComment",
      "route53:DeleteHostedZone",
      "route53:AssociateVPCWithHostedZone",
      "route53:DisassociateVPCFromHostedZone",
      "route53:UpdateHealthCheck",
      "route53:DeleteHealthCheck",
      "route53:ChangeTagsForResource",
    ],
    [sub("arn:${AWS::Partition}:route53:::hostedzone/*"), sub("arn:${AWS::Partition}:route53:::healthcheck/*")],
  ),
  // Creation authorizes against "*" only. Reads (GetChange: infrastructure
  // as code polls a change until it is INSYNC) are account-wide.
  allow("CreateAndRead", ["route53:CreateHostedZone", "route53:CreateHealthCheck", "route53:Get*", "route53:List*", "ec2:DescribeVpcs"], "*"),
);

// Put calls create or overwrite by name (a request tag is ignored on
// update), so alarms, dashboards and metric streams are named planton-*, and
// log groups /planton/... Alarm actions only notify Planton's SNS topics:
// an alarm could otherwise stop or terminate instances or invoke functions.
const CLOUDWATCH = document(
  allow(
    "Alarms",
    [
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:PutCompositeAlarm",
      "cloudwatch:DeleteAlarms",
      "cloudwatch:PutDashboard",
      "cloudwatch:GetDashboard",
      "cloudwatch:DeleteDashboards",
      "cloudwatch:PutMetricStream",
      "cloudwatch:GetMetricStream",
      "cloudwatch:DeleteMetricStream",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
      "cloudwatch:ListTagsForResource",
    ],
    // Dashboards have no region in their ARN; "*" matches the empty one.
    [
      inAccount("cloudwatch", `alarm:${NAME_PREFIX}*`),
      inAccount("cloudwatch", `dashboard/${NAME_PREFIX}*`),
      inAccount("cloudwatch", `metric-stream/${NAME_PREFIX}*`),
    ],
    { "ForAllValues:ArnLike": { "cloudwatch:AlarmActions": inAccount("sns", `${NAME_PREFIX}*`) } },
  ),
  // Subscription filters only on /planton/ log groups; no log destinations
  // (logs:PutDestination*), so nothing is forwarded to another account.
  allow(
    "LogGroups",
    [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:AssociateKmsKey",
      "logs:DisassociateKmsKey",
      "logs:PutMetricFilter",
      "logs:DeleteMetricFilter",
      "logs:PutSubscriptionFilter",
      "logs:DeleteSubscriptionFilter",
      "logs:TagResource",
      "logs:UntagResource",
      "logs:ListTagsForResource",
    ],
    PLANTON_LOG_GROUPS,
  ),
  allow("Read", ["cloudwatch:Describe*", "cloudwatch:List*", "logs:Describe*"], "*"),
  // Metric streams deliver through a Firehose role; subscription filters to Kinesis/Firehose through a logs role.
  passRole(["streams.metrics.cloudwatch.amazonaws.com", "logs.amazonaws.com"]),
);

// No registry-level replication (ecr:PutReplicationConfiguration copies every
// image to another account or region) and so no replication service-linked role.
const ECR = document(
  allow("Create", ["ecr:CreateRepository", "ecr:TagResource"], inAccount("ecr", `repository/${NAME_PREFIX}*`), CREATED),
  allow(
    "Manage",
    [
      "ecr:Describe*",
      "ecr:List*",
      "ecr:Get*",
      "ecr:DeleteRepository",
      "ecr:BatchDeleteImage",
      "ecr:PutLifecyclePolicy",
      "ecr:DeleteLifecyclePolicy",
      "ecr:SetRepositoryPolicy",
      "ecr:DeleteRepositoryPolicy",
      "ecr:PutImageScanningConfiguration",
      "ecr:PutImageTagMutability",
      "ecr:TagResource",
      "ecr:UntagResource",
      // Pushing images.
      "ecr:BatchCheckLayerAvailability",
      "ecr:InitiateLayerUpload",
      "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload",
      "ecr:PutImage",
    ],
    inAccount("ecr", "repository/*"),
    MANAGED,
  ),
  // The login token and registry reads have no repository ARN (pulling,
  // ecr:BatchGetImage, is granted nowhere).
  allow("Read", ["ecr:GetAuthorizationToken", "ecr:Describe*", "kms:DescribeKey"], "*"),
  kmsGrantsForServices(),
);

// Never kms:* (reference §4.3): key use (Encrypt/Decrypt) is not deployment.
// Key policies, disabling and deletion only on keys tagged planton:managed;
// the tag can be set only by CreateKey itself (kms:TagResource on an
// existing key needs the tag already).
const KMS = document(
  // CreateKey authorizes against "*" only.
  allow("Create", ["kms:CreateKey"], "*", CREATED),
  allow(
    "Manage",
    [
      "kms:GetKeyPolicy",
      "kms:PutKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:EnableKeyRotation",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:DisableKey",
      "kms:UpdateKeyDescription",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:ListResourceTags",
      "kms:ScheduleKeyDeletion",
      "kms:CancelKeyDeletion",
      // Alias changes are authorized on both the alias and its key (alias-access).
      "kms:CreateAlias",
      "kms:UpdateAlias",
      "kms:DeleteAlias",
    ],
    KMS_KEYS,
    MANAGED,
  ),
  allow("Aliases", ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"], inAccount("kms", `alias/${NAME_PREFIX}*`)),
  allow("Read", ["kms:DescribeKey", "kms:List*"], "*"),
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
 * capabilityPolicy returns the IAM identity policy that lets the trust role
 * deploy `c`'s kind of resource (create, update, delete, read and tag it),
 * as the template attaches it in one customer-managed policy. Changes reach
 * only what Planton created (tagged planton:managed=true, or named planton-*
 * where the service has no tag conditions) and roles under /planton/; see
 * MANAGED_TAG_KEY for the conventions. ARNs needing the partition or account
 * are `Fn::Sub` strings, so the document is only valid inside the template.
 * Each stays under IAM's 6,144 character managed-policy limit. Every call
 * returns the same (read-only typed) object. Throws RangeError for
 * UNSPECIFIED or an unknown value.
 */
export function capabilityPolicy(c: AwsCapability): PolicyDocument {
  if (!isKnownCapability(c)) throw new RangeError(`not an AWS capability: ${String(c)}`);
  return POLICIES[c];
}
