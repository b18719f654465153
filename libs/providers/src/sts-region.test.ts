import { describe, expect, it } from "vitest";
import { stsRegionOf } from "./sts-region.js";

describe("stsRegionOf", () => {
  it.each([
    ["https://sts.amazonaws.com", "us-east-1"],
    ["https://sts.eu-west-1.amazonaws.com", "eu-west-1"],
    ["https://sts-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1"],
    ["https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"],
    ["https://sts.ap-south-1.api.aws", "ap-south-1"],
    ["http://127.0.0.1:4566", "us-east-1"],
    ["not a url", "us-east-1"],
  ])("%s -> %s", (url, region) => {
    expect(stsRegionOf(url)).toBe(region);
  });
});
