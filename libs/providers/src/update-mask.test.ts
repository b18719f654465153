import { create, equals } from "@bufbuild/protobuf";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import { applyUpdateMask } from "./update-mask.js";
import { AWS_ACCESS_KEY_ID, RUNNER_ID, aws, cloudflare, gcp, valid } from "./spec-fixtures.js";
import { validateSpec } from "./validate-spec.js";

const ROTATED_SECRET = "rotatedSecretKey0000000000000000000000/+";

function awsOf(spec: ConnectionSpec) {
  if (spec.provider.case !== "aws") throw new Error("not an AWS spec");
  return spec.provider.value;
}

describe("applyUpdateMask", () => {
  it("ignores paths outside spec, such as a rename", () => {
    const current = aws(valid.awsInline());
    const result = applyUpdateMask(current, undefined, ["name"]);
    expect(result.violations).toEqual([]);
    expect(result.secretsChanged).toBe(false);
    expect(equals(ConnectionSpecSchema, result.spec, current)).toBe(true);
  });

  it("copies a scalar and keeps secretsChanged false for a non-secret change", () => {
    const current = aws(valid.awsInline());
    const result = applyUpdateMask(current, aws({ region: "eu-central-1" }), ["spec.aws.region"]);
    expect(result.violations).toEqual([]);
    expect(result.secretsChanged).toBe(false);
    expect(awsOf(result.spec).region).toBe("eu-central-1");
    // Everything else, secrets included, is kept.
    expect(awsOf(result.spec).auth).toEqual(awsOf(current).auth);
    expect(awsOf(current).region).toBe("us-east-1");
  });

  it("clears a scalar the patch leaves empty", () => {
    const result = applyUpdateMask(aws(valid.awsInline()), aws({}), ["spec.aws.region"]);
    expect(awsOf(result.spec).region).toBe("");
  });

  it("sets secretsChanged when a secret is rotated", () => {
    const current = aws(valid.awsInline());
    const patch = aws({ auth: { case: "inlineKeys", value: { secretAccessKey: ROTATED_SECRET } } });
    const result = applyUpdateMask(current, patch, ["spec.aws.inline_keys.secret_access_key"]);
    expect(result.violations).toEqual([]);
    expect(result.secretsChanged).toBe(true);
    expect(awsOf(result.spec).auth).toEqual({
      case: "inlineKeys",
      value: expect.objectContaining({ accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: ROTATED_SECRET }),
    });
    expect(validateSpec(result.spec)).toEqual([]);
  });

  it("keeps secretsChanged false when a secret is written with its current value", () => {
    const current = aws(valid.awsInline());
    const result = applyUpdateMask(current, current, ["spec.aws.inline_keys"]);
    expect(result.violations).toEqual([]);
    expect(result.secretsChanged).toBe(false);
  });

  it("replaces a whole message named by the mask", () => {
    const current = aws(valid.awsInline());
    const patch = aws({ auth: { case: "inlineKeys", value: { accessKeyId: "AKIAZZZZZZZZZZZZZZZZ", secretAccessKey: ROTATED_SECRET } } });
    const result = applyUpdateMask(current, patch, ["spec.aws.inline_keys"]);
    expect(result.secretsChanged).toBe(true);
    expect(awsOf(result.spec).auth).toEqual({
      case: "inlineKeys",
      value: expect.objectContaining({ accessKeyId: "AKIAZZZZZZZZZZZZZZZZ", secretAccessKey: ROTATED_SECRET }),
    });
  });

  it("switches the oneof from inline keys to a runner", () => {
    const current = aws(valid.awsInline());
    const patch = aws({ auth: { case: "runner", value: { runnerId: RUNNER_ID } } });
    const result = applyUpdateMask(current, patch, ["spec.aws.runner"]);
    expect(result.violations).toEqual([]);
    expect(awsOf(result.spec).auth).toEqual({ case: "runner", value: expect.objectContaining({ runnerId: RUNNER_ID }) });
    expect(awsOf(result.spec).accountId).toBe("123456789012");
    // The stored keys are gone: that is a change of secrets.
    expect(result.secretsChanged).toBe(true);
  });

  it("does not share objects with the patch", () => {
    const patch = aws({ auth: { case: "runner", value: { runnerId: RUNNER_ID } } });
    const result = applyUpdateMask(aws(valid.awsInline()), patch, ["spec.aws.runner"]);
    awsOf(patch).auth = { case: undefined };
    expect(awsOf(result.spec).auth.case).toBe("runner");
  });

  it("requires a oneof member named by the mask to be in the patch", () => {
    const current = aws(valid.awsInline());
    const result = applyUpdateMask(current, aws({}), ["spec.aws.runner"]);
    expect(result.violations).toEqual([expect.objectContaining({ field: "spec.aws.runner", reason: "REQUIRED" })]);
    expect(equals(ConnectionSpecSchema, result.spec, current)).toBe(true);
    expect(result.secretsChanged).toBe(false);
  });

  it("refuses a path for another provider", () => {
    const result = applyUpdateMask(aws(valid.awsInline()), gcp(valid.gcpRunner()), ["spec.gcp.project_id"]);
    expect(result.violations).toEqual([expect.objectContaining({ field: "update_mask", reason: "MISMATCH" })]);
    expect(result.violations[0]?.description).toContain("spec.gcp.project_id");
  });

  it("refuses a patch for another provider", () => {
    const result = applyUpdateMask(aws(valid.awsInline()), gcp(valid.gcpRunner()), ["spec.aws.region"]);
    expect(result.violations).toEqual([expect.objectContaining({ field: "spec", reason: "MISMATCH" })]);
  });

  it.each(["spec.aws.nope", "spec.aws.inline_keys.nope", "spec.aws.region.deeper", "spec.amazon", "spec.aws.", "spec..aws"])(
    "reports the unknown field in %s",
    (path) => {
      const result = applyUpdateMask(aws(valid.awsInline()), aws({}), [path]);
      expect(result.violations).toEqual([expect.objectContaining({ field: "update_mask", reason: "UNKNOWN_FIELD" })]);
    },
  );

  it("names the unknown path when it looks like one, never arbitrary text", () => {
    const [named] = applyUpdateMask(aws(valid.awsInline()), undefined, ["spec.aws.nope"]).violations;
    expect(named?.description).toContain("spec.aws.nope");
    const [quoted] = applyUpdateMask(aws(valid.awsInline()), undefined, ["spec.aws.Secret Value!"]).violations;
    expect(quoted?.description).not.toContain("Secret Value!");
  });

  it("refuses to descend into an auth method the connection does not use", () => {
    const current = aws(valid.awsRunner());
    const patch = aws({ auth: { case: "inlineKeys", value: { secretAccessKey: ROTATED_SECRET } } });
    const result = applyUpdateMask(current, patch, ["spec.aws.inline_keys.secret_access_key"]);
    expect(result.violations).toEqual([expect.objectContaining({ field: "update_mask", reason: "MISMATCH" })]);
  });

  it("applies a member switch before paths inside it, whatever the mask order", () => {
    const current = aws(valid.awsRunner());
    const patch = aws(valid.awsInline());
    const result = applyUpdateMask(current, patch, ["spec.aws.inline_keys.secret_access_key", "spec.aws.inline_keys"]);
    expect(result.violations).toEqual([]);
    expect(awsOf(result.spec).auth.case).toBe("inlineKeys");
    expect(result.secretsChanged).toBe(true);
  });

  it("replaces the whole provider message for the path spec", () => {
    const current = aws(valid.awsInline());
    const patch = aws(valid.awsRunner());
    const result = applyUpdateMask(current, patch, ["spec"]);
    expect(result.violations).toEqual([]);
    expect(equals(ConnectionSpecSchema, result.spec, patch)).toBe(true);
  });

  it("clears an optional message the patch leaves out, and adds one it sets", () => {
    const withR2 = cloudflare({ ...valid.cloudflareToken(), r2: { accessKeyId: "a".repeat(32), secretAccessKey: "b".repeat(64) } });
    const cleared = applyUpdateMask(withR2, cloudflare({}), ["spec.cloudflare.r2"]);
    expect(cleared.spec.provider.case === "cloudflare" && cleared.spec.provider.value.r2).toBe(undefined);
    expect(cleared.secretsChanged).toBe(true);
    const added = applyUpdateMask(cloudflare(valid.cloudflareToken()), withR2, ["spec.cloudflare.r2"]);
    expect(equals(ConnectionSpecSchema, added.spec, withR2)).toBe(true);
  });

  it("does not create an empty optional message to clear a field inside it", () => {
    const current = cloudflare(valid.cloudflareToken());
    const result = applyUpdateMask(current, cloudflare({}), ["spec.cloudflare.r2.endpoint"]);
    expect(result.violations).toEqual([]);
    expect(equals(ConnectionSpecSchema, result.spec, current)).toBe(true);
  });

  it("switches Cloudflare from a token to the legacy key with two paths", () => {
    const current = cloudflare(valid.cloudflareToken());
    const patch = cloudflare(valid.cloudflareLegacy());
    const result = applyUpdateMask(current, patch, ["spec.cloudflare.api_token", "spec.cloudflare.legacy"]);
    expect(equals(ConnectionSpecSchema, result.spec, patch)).toBe(true);
    expect(result.secretsChanged).toBe(true);
    expect(validateSpec(result.spec)).toEqual([]);
  });

  it("does not modify its inputs", () => {
    const current = aws(valid.awsInline());
    const patch = aws(valid.awsRunner());
    const before = [create(ConnectionSpecSchema, current), create(ConnectionSpecSchema, patch)];
    applyUpdateMask(current, patch, ["spec.aws.runner", "spec.aws.region"]);
    expect(equals(ConnectionSpecSchema, current, before[0] ?? current)).toBe(true);
    expect(equals(ConnectionSpecSchema, patch, before[1] ?? patch)).toBe(true);
  });
});
