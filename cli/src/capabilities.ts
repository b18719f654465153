import { AwsCapability } from "@planton/proto/planton/connect/v1/provider_pb";
import { UsageError } from "./failures.js";

/** CapabilityInfo names one AWS capability as the CLI shows and reads it. */
export interface CapabilityInfo {
  /** The enum value's suffix in lower case, e.g. `vpc_networking`. */
  readonly name: string;
  readonly value: AwsCapability;
  /** What the role may then deploy, in a few words. */
  readonly description: string;
}

/** CAPABILITIES are the ten capabilities a cross-account trust role can have, in the template's order. */
export const CAPABILITIES: readonly CapabilityInfo[] = [
  { name: "eks", value: AwsCapability.EKS, description: "EKS clusters and node groups" },
  { name: "ecs", value: AwsCapability.ECS, description: "ECS clusters, services and task definitions" },
  { name: "vpc_networking", value: AwsCapability.VPC_NETWORKING, description: "VPCs, subnets, gateways, route tables, security groups" },
  { name: "s3_storage", value: AwsCapability.S3_STORAGE, description: "S3 buckets" },
  { name: "rds", value: AwsCapability.RDS, description: "RDS and Aurora databases" },
  { name: "lambda", value: AwsCapability.LAMBDA, description: "Lambda functions" },
  { name: "route53", value: AwsCapability.ROUTE53, description: "Route 53 hosted zones and records" },
  { name: "cloudwatch", value: AwsCapability.CLOUDWATCH, description: "CloudWatch alarms, dashboards and log groups" },
  { name: "ecr", value: AwsCapability.ECR, description: "ECR repositories" },
  { name: "kms", value: AwsCapability.KMS, description: "KMS keys and aliases" },
];

/** ALL_CAPABILITIES is every capability, the default of `--capabilities` and of the interactive checklist. */
export const ALL_CAPABILITIES: readonly AwsCapability[] = CAPABILITIES.map((c) => c.value);

/**
 * parseCapabilities reads `--capabilities eks,vpc_networking,...`: names as
 * in {@link CAPABILITIES} (case, and `-` for `_`, do not matter), each kept
 * once in the given order. An unknown name, or no name at all, is a
 * {@link UsageError} naming it and listing the valid ones.
 */
export function parseCapabilities(list: string): AwsCapability[] {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) throw new UsageError(`--capabilities needs at least one of ${CAPABILITIES.map((c) => c.name).join(", ")}`);
  const chosen: AwsCapability[] = [];
  for (const raw of names) {
    const name = raw.toLowerCase().replaceAll("-", "_");
    const found = CAPABILITIES.find((c) => c.name === name);
    if (found === undefined) {
      throw new UsageError(`unknown capability "${raw}" in --capabilities: use ${CAPABILITIES.map((c) => c.name).join(", ")}`);
    }
    if (!chosen.includes(found.value)) chosen.push(found.value);
  }
  return chosen;
}
