import { equals } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import { normalizeSpec } from "./normalize-spec.js";
import { GCP_PROJECT_ID, aws, cloudflare, gcp, gcpKeyBase64, valid } from "./spec-fixtures.js";
import { validateSpec } from "./validate-spec.js";

describe("normalizeSpec", () => {
  it("defaults the AWS region to us-west-2 without touching the input", () => {
    const spec = aws({ ...valid.awsInline(), region: "" });
    const normalized = normalizeSpec(spec);
    expect(normalized.provider.case === "aws" && normalized.provider.value.region).toBe("us-west-2");
    expect(spec.provider.case === "aws" && spec.provider.value.region).toBe("");
    expect(validateSpec(normalized)).toEqual([]);
  });

  it("keeps a region that is set", () => {
    const normalized = normalizeSpec(aws(valid.awsInline()));
    expect(normalized.provider.case === "aws" && normalized.provider.value.region).toBe("us-east-1");
  });

  it("fills the GCP project from the key", () => {
    const normalized = normalizeSpec(gcp(valid.gcpKey()));
    expect(normalized.provider.case === "gcp" && normalized.provider.value.projectId).toBe(GCP_PROJECT_ID);
    expect(validateSpec(normalized)).toEqual([]);
  });

  it("fills a legacy domain-scoped project that still validates afterwards", () => {
    const normalized = normalizeSpec(
      gcp({ auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64({ project_id: "example.com:legacy-app" }) } } }),
    );
    expect(normalized.provider.case === "gcp" && normalized.provider.value.projectId).toBe("example.com:legacy-app");
    expect(validateSpec(normalized)).toEqual([]);
  });

  it("leaves specs without defaults as they are", () => {
    const spec = cloudflare(valid.cloudflareToken());
    expect(equals(ConnectionSpecSchema, normalizeSpec(spec), spec)).toBe(true);
    const runner = gcp(valid.gcpRunner());
    expect(equals(ConnectionSpecSchema, normalizeSpec(runner), runner)).toBe(true);
  });
});
