import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { AWS_REGIONS, awsPartitionOf, awsRegionProblem, isAwsRegion } from "./aws-regions.js";
import { AWS_REGIONS_BY_PARTITION, AWS_REGIONS_SOURCE } from "./data/aws-regions.js";
import { nearMatches } from "./near-matches.js";

interface PartitionTable {
  partitions: { id: string; regionRegex: string; regions: Record<string, unknown> }[];
}

// The table the installed SDK resolves endpoints with; the data file is generated from it.
async function installedSdkTable(): Promise<{ version: string; table: PartitionTable }> {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve("@aws-sdk/core/package.json");
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  const file = join(dirname(packageJson), "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js");
  const module = (await import(pathToFileURL(file).href)) as { partitionsInfo: PartitionTable };
  return { version, table: module.partitionsInfo };
}

describe("AWS regions data", () => {
  it("matches the installed AWS SDK's partition table (rerun scripts/update-aws-regions.mjs when this fails)", async () => {
    const { version, table } = await installedSdkTable();
    for (const [id, regions] of Object.entries(AWS_REGIONS_BY_PARTITION)) {
      const partition = table.partitions.find((p) => p.id === id);
      const sdkRegions = Object.keys(partition?.regions ?? {}).filter((r) => !r.endsWith("-global"));
      expect([...regions].sort(), `${id} regions in data/aws-regions.ts vs @aws-sdk/core ${version}`).toEqual(sdkRegions.sort());
    }
    expect(AWS_REGIONS_SOURCE).toContain(`@aws-sdk/core ${version}`);
  });

  it("holds the commercial, GovCloud and China partitions and no pseudo-region", () => {
    expect(Object.keys(AWS_REGIONS_BY_PARTITION).sort()).toEqual(["aws", "aws-cn", "aws-us-gov"]);
    expect(AWS_REGIONS).toContain("us-west-2");
    expect(AWS_REGIONS.filter((r) => r.endsWith("-global"))).toEqual([]);
    expect(awsPartitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(awsPartitionOf("cn-north-1")).toBe("aws-cn");
    expect(awsPartitionOf("eu-west-1")).toBe("aws");
    expect(awsPartitionOf("us-west-9")).toBeUndefined();
  });

  it("knows regions exactly, not by shape or case", () => {
    expect(isAwsRegion("ap-southeast-2")).toBe(true);
    for (const bad of ["us-west-9", "xx-fake-1", "aws-global", "aws-cn-global", "aws-us-gov-global", "US-EAST-1", " us-east-1", "us-iso-east-1", ""]) {
      expect(isAwsRegion(bad), bad).toBe(false);
      expect(awsRegionProblem(bad)?.reason, bad).toBe("ENUM");
    }
  });
});

describe("nearMatches", () => {
  const civo = ["LON1", "FRA1", "NYC1", "PHX1", "MUM1"];

  it("suggests the closest values only, best first, in list order on ties", () => {
    expect(nearMatches("us-west-9", AWS_REGIONS)).toEqual(["us-west-1", "us-west-2"]);
    expect(nearMatches("eu-wset-1", AWS_REGIONS)).toEqual(["eu-west-1"]);
    expect(nearMatches("lon1", civo)).toEqual(["LON1"]);
    expect(nearMatches("NYC2", civo)).toEqual(["NYC1"]);
  });

  it("suggests every completion of a prefix, at most five", () => {
    expect(nearMatches("us-east", AWS_REGIONS)).toEqual(["us-east-1", "us-east-2"]);
    expect(nearMatches("ap-southeast", AWS_REGIONS)).toHaveLength(5);
  });

  it("suggests nothing for unrelated, empty or oversized input", () => {
    expect(nearMatches("xx-fake-1", AWS_REGIONS)).toEqual([]);
    expect(nearMatches("MARS1", civo)).toEqual([]);
    expect(nearMatches("", civo)).toEqual([]);
    expect(nearMatches("LON1".repeat(100), civo)).toEqual([]);
  });
});
