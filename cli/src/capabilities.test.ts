import { describe, expect, it } from "vitest";
import { AwsCapability, AwsCapabilitySchema } from "@planton/proto/planton/connect/v1/provider_pb";
import { ALL_CAPABILITIES, CAPABILITIES, parseCapabilities } from "./capabilities.js";
import { UsageError } from "./failures.js";

describe("capabilities", () => {
  it("name every capability of the proto by its lower-case suffix", () => {
    const fromProto = AwsCapabilitySchema.values.filter((v) => v.number !== 0).map((v) => [v.localName.toLowerCase(), v.number]);
    expect(CAPABILITIES.map((c) => [c.name, c.value])).toEqual(fromProto);
    expect(ALL_CAPABILITIES).toHaveLength(10);
  });

  it("parse a comma list, tolerating spaces, case, dashes and repeats", () => {
    expect(parseCapabilities("eks,vpc_networking")).toEqual([AwsCapability.EKS, AwsCapability.VPC_NETWORKING]);
    expect(parseCapabilities(" S3-Storage , eks,eks,")).toEqual([AwsCapability.S3_STORAGE, AwsCapability.EKS]);
  });

  it("refuse an unknown name, naming it", () => {
    expect(() => parseCapabilities("eks,ec2")).toThrow(UsageError);
    expect(() => parseCapabilities("eks,ec2")).toThrow(/unknown capability "ec2"/);
    expect(() => parseCapabilities(" , ")).toThrow(/at least one/);
  });
});
