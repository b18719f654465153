import { ConfigError } from "@planton/config";
import { describe, expect, it } from "vitest";
import { loadVerifierConfig } from "./config.js";

describe("loadVerifierConfig: AWS_TRUST_PRINCIPAL_ARN", () => {
  it("is undefined when unset, and the ARN of a role, user or account root when set", () => {
    expect(loadVerifierConfig({}, { requireUrls: false }).trustPrincipalArn).toBeUndefined();
    for (const arn of ["arn:aws:iam::999999999999:role/planton-runner", "arn:aws-cn:iam::999999999999:user/path/runner", "arn:aws:iam::999999999999:root"]) {
      expect(loadVerifierConfig({ AWS_TRUST_PRINCIPAL_ARN: arn }, { requireUrls: false }).trustPrincipalArn).toBe(arn);
    }
  });

  it("refuses anything else, naming the variable", () => {
    for (const bad of ["planton-runner", "arn:aws:sts::999999999999:assumed-role/planton-runner/s", "arn:aws:iam::99:role/x"]) {
      expect(() => loadVerifierConfig({ AWS_TRUST_PRINCIPAL_ARN: bad }, { requireUrls: false })).toThrow(ConfigError);
      expect(() => loadVerifierConfig({ AWS_TRUST_PRINCIPAL_ARN: bad }, { requireUrls: false })).toThrow(/AWS_TRUST_PRINCIPAL_ARN/);
    }
  });
});
