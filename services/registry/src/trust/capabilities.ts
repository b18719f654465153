import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";

/** An {@link AwsCapability} other than UNSPECIFIED: one of the ten the template can enable. */
export type KnownAwsCapability = Exclude<AwsCapability, AwsCapability.UNSPECIFIED>;

interface CapabilityFacts {
  /** CLI and documentation name. */
  readonly name: string;
  /** PascalCase stem of the template's names for it (EnableEks, EksEnabled, EksPolicy). */
  readonly stem: string;
  /** What the console shows beside the switch. */
  readonly label: string;
}

// One table, so a capability's name, switch and label cannot drift apart.
const FACTS: Readonly<Record<KnownAwsCapability, CapabilityFacts>> = {
  [AwsCapability.EKS]: { name: "eks", stem: "Eks", label: "Amazon EKS clusters and node groups" },
  [AwsCapability.ECS]: { name: "ecs", stem: "Ecs", label: "Amazon ECS clusters, services and task definitions" },
  [AwsCapability.VPC_NETWORKING]: { name: "vpc_networking", stem: "VpcNetworking", label: "VPC networking (VPCs, subnets, gateways, security groups)" },
  [AwsCapability.S3_STORAGE]: { name: "s3_storage", stem: "S3Storage", label: "Amazon S3 buckets" },
  [AwsCapability.RDS]: { name: "rds", stem: "Rds", label: "Amazon RDS and Aurora databases" },
  [AwsCapability.LAMBDA]: { name: "lambda", stem: "Lambda", label: "AWS Lambda functions" },
  [AwsCapability.ROUTE53]: { name: "route53", stem: "Route53", label: "Amazon Route 53 hosted zones and records" },
  [AwsCapability.CLOUDWATCH]: { name: "cloudwatch", stem: "CloudWatch", label: "Amazon CloudWatch alarms, dashboards and log groups" },
  [AwsCapability.ECR]: { name: "ecr", stem: "Ecr", label: "Amazon ECR repositories" },
  [AwsCapability.KMS]: { name: "kms", stem: "Kms", label: "AWS KMS keys and aliases" },
};

/** ALL_CAPABILITIES lists the ten capabilities in enum order (the order of the template's switches). */
export const ALL_CAPABILITIES: readonly KnownAwsCapability[] = Object.freeze([
  AwsCapability.EKS,
  AwsCapability.ECS,
  AwsCapability.VPC_NETWORKING,
  AwsCapability.S3_STORAGE,
  AwsCapability.RDS,
  AwsCapability.LAMBDA,
  AwsCapability.ROUTE53,
  AwsCapability.CLOUDWATCH,
  AwsCapability.ECR,
  AwsCapability.KMS,
]);

/**
 * isKnownCapability tells whether `c` is one of the ten capabilities (false for
 * UNSPECIFIED and for numbers a newer client may send).
 */
export function isKnownCapability(c: AwsCapability): c is KnownAwsCapability {
  return Object.hasOwn(FACTS, c);
}

function facts(c: AwsCapability): CapabilityFacts {
  if (!isKnownCapability(c)) throw new RangeError(`not an AWS capability: ${String(c)}`);
  return FACTS[c];
}

/**
 * capabilityName returns the CLI and documentation name of `c` (eks, ecs,
 * vpc_networking, s3_storage, rds, lambda, route53, cloudwatch, ecr, kms).
 * Throws RangeError for UNSPECIFIED or an unknown value: callers validate
 * requests before naming their capabilities.
 */
export function capabilityName(c: AwsCapability): string {
  return facts(c).name;
}

/**
 * capabilityFromName is the inverse of {@link capabilityName}, ignoring case
 * and surrounding spaces; undefined when `name` names no capability.
 */
export function capabilityFromName(name: string): KnownAwsCapability | undefined {
  const wanted = name.trim().toLowerCase();
  return ALL_CAPABILITIES.find((c) => FACTS[c].name === wanted);
}

/**
 * capabilityLabel returns the human description of `c` shown beside its
 * switch in the CloudFormation console. Throws RangeError like
 * {@link capabilityName}.
 */
export function capabilityLabel(c: AwsCapability): string {
  return facts(c).label;
}

/**
 * capabilityStem returns the PascalCase stem the template builds its names
 * from (`Eks` gives the switch EnableEks, the condition EksEnabled and the
 * policy EksPolicy). Throws RangeError like {@link capabilityName}.
 */
export function capabilityStem(c: AwsCapability): string {
  return facts(c).stem;
}

/**
 * CAPABILITY_PARAMETER maps each capability to the template's switch
 * parameter (EnableEks ... EnableKms), which takes "true" or "false"; Quick
 * Create links set it as `param_<name>`. These names are part of the
 * published template: never rename one within a template version.
 */
export const CAPABILITY_PARAMETER: Readonly<Record<KnownAwsCapability, string>> = Object.freeze(
  Object.fromEntries(ALL_CAPABILITIES.map((c) => [c, `Enable${FACTS[c].stem}`])) as Record<KnownAwsCapability, string>,
);
