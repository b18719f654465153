import { describe, expect, it } from "vitest";
import { loadRegistryConfig, PLACEHOLDER_ACCOUNTS, principalIssues } from "./config.js";

// How the registry decides that AWS_TRUST_PRINCIPAL_ARN cannot work, which
// makes StartSetup refuse up front (the operator's gap, never the user's).

describe("principalIssues", () => {
  it("unset: the placeholder principal would be trusted, so it is an issue naming the setting", () => {
    expect(principalIssues(undefined)).toEqual([
      {
        setting: "AWS_TRUST_PRINCIPAL_ARN",
        description: expect.stringMatching(/^is not set: customer roles would trust the placeholder arn:aws:iam::000000000000:role\/planton-runner/),
      },
    ]);
  });

  it.each(PLACEHOLDER_ACCOUNTS)("an ARN in the placeholder or AWS example account %s is an issue", (account) => {
    for (const arn of [`arn:aws:iam::${account}:role/planton-runner`, `arn:aws:iam::${account}:root`, `arn:aws-us-gov:iam::${account}:user/runner`]) {
      expect(principalIssues(arn)).toEqual([{ setting: "AWS_TRUST_PRINCIPAL_ARN", description: expect.stringContaining(`names account ${account}`) }]);
    }
  });

  it("a principal in any other account is fine", () => {
    expect(principalIssues("arn:aws:iam::999999999999:role/planton-runner")).toEqual([]);
    expect(principalIssues("arn:aws-cn:iam::210987654321:role/path/runner")).toEqual([]);
  });

  it("loadRegistryConfig puts the issues on the trust config, where StartSetup reads them", () => {
    expect(loadRegistryConfig({}, { requireVaultUrl: false }).trust.platformIssues.map((i) => i.setting)).toEqual(["AWS_TRUST_PRINCIPAL_ARN"]);
    expect(
      loadRegistryConfig({ AWS_TRUST_PRINCIPAL_ARN: "arn:aws:iam::999999999999:role/planton-runner" }, { requireVaultUrl: false }).trust.platformIssues,
    ).toEqual([]);
  });
});
