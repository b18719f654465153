import { AWS_REGIONS_BY_PARTITION } from "./data/aws-regions.js";
import { ViolationReason } from "./field-violation.js";
import { didYouMean } from "./near-matches.js";
import type { StringProblem } from "./string-rules.js";

/** AwsPartition is a partition a connection's account can be in: commercial, GovCloud or China. */
export type AwsPartition = keyof typeof AWS_REGIONS_BY_PARTITION;

/** AWS_REGIONS lists every known region of the commercial, GovCloud and China partitions (see `data/aws-regions.ts`). */
export const AWS_REGIONS: readonly string[] = Object.freeze(Object.values(AWS_REGIONS_BY_PARTITION).flat());

const PARTITION_OF = new Map<string, AwsPartition>(
  (Object.entries(AWS_REGIONS_BY_PARTITION) as [AwsPartition, readonly string[]][]).flatMap(([partition, regions]) =>
    regions.map((r) => [r, partition] as const),
  ),
);

/** isAwsRegion tells whether `region` is a known region code (exact, lower case), not just region-shaped. */
export function isAwsRegion(region: string): boolean {
  return PARTITION_OF.has(region);
}

/** awsPartitionOf returns the partition of a known region, undefined for an unknown one. */
export function awsPartitionOf(region: string): AwsPartition | undefined {
  return PARTITION_OF.get(region);
}

/**
 * awsRegionProblem returns why `region` is not a known AWS region (`ENUM`,
 * with the nearest known regions when there are any), or undefined when it
 * is one. The description never repeats the value.
 */
export function awsRegionProblem(region: string): StringProblem | undefined {
  if (isAwsRegion(region)) return undefined;
  const hint = didYouMean(region, AWS_REGIONS);
  return {
    reason: ViolationReason.ENUM,
    description: `must be a known AWS region${hint !== "" ? hint : " (commercial, GovCloud or China), such as us-east-1, eu-central-1 or us-gov-west-1"}`,
  };
}
