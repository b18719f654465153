import { describe, expect, it } from "vitest";
import { awsPermissionsStep, awsUserPrincipal } from "./aws-permissions.js";

describe("awsUserPrincipal", () => {
  it("reads the IAM user, path included, from a GetCallerIdentity ARN", () => {
    expect(awsUserPrincipal("arn:aws-us-gov:iam::123456789012:user/teams/ci/deployer", "us-gov-west-1")).toEqual({
      arn: "arn:aws-us-gov:iam::123456789012:user/teams/ci/deployer",
      kind: "user",
      name: "deployer",
      partition: "aws-us-gov",
      account: "123456789012",
      region: "us-gov-west-1",
    });
  });

  it("says why a root key or a session cannot be simulated", () => {
    expect(awsUserPrincipal("arn:aws:iam::123456789012:root", "us-west-2")).toEqual({ unsupported: expect.stringMatching(/root user/) });
    expect(awsUserPrincipal("arn:aws:sts::123456789012:assumed-role/ci/runner-1", "us-west-2")).toEqual({
      unsupported: expect.stringMatching(/temporary session \(assumed-role\/ci\/runner-1\)/),
    });
  });
});

describe("awsPermissionsStep", () => {
  const options = {
    endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
    timeoutMs: 100,
    connectionId: "c",
    checkPermissions: true,
  };
  const credentials = { accessKeyId: "AKIAEXAMPLEEXAMPLE00", secretAccessKey: "x".repeat(40) };

  it("records every capability NOT_CHECKABLE, without calling IAM, for a principal AWS cannot simulate", async () => {
    // An unreachable URL: a request would make the reason a network one.
    const step = await awsPermissionsStep("http://127.0.0.1:1", credentials, { unsupported: "the key is a temporary session" }, undefined, options);
    expect(step.permissions?.capabilities).toHaveLength(10);
    for (const c of step.permissions?.capabilities ?? [])
      expect(c).toMatchObject({ enabled: true, outcome: "not_checkable", reason: "the key is a temporary session" });
    expect(step.permissions?.warnings).toEqual([]);
  });

  it("does nothing when permission checks are off or IAM has no URL", async () => {
    const principal = awsUserPrincipal("arn:aws:iam::123456789012:user/u", "us-west-2");
    expect(await awsPermissionsStep("http://127.0.0.1:1", credentials, principal, undefined, { ...options, checkPermissions: false })).toEqual({});
    expect(await awsPermissionsStep(undefined, credentials, principal, undefined, options)).toEqual({});
  });
});
