import { describe, expect, it } from "vitest";
import { Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { RUNNER_KINDS_BY_PROVIDER, runnerKindAccepted, runnerKindViolation } from "./runner-rules.js";

const KINDS = [RunnerIdentityKind.AWS_IRSA, RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, RunnerIdentityKind.AZURE_MANAGED_IDENTITY];

describe("runner kinds per provider", () => {
  it("accepts exactly one kind per runner-capable provider", () => {
    const accepted = (provider: Provider) => KINDS.filter((k) => runnerKindAccepted(provider, k));
    expect(accepted(Provider.AWS)).toEqual([RunnerIdentityKind.AWS_IRSA]);
    expect(accepted(Provider.GCP)).toEqual([RunnerIdentityKind.GCP_WORKLOAD_IDENTITY]);
    expect(accepted(Provider.AZURE)).toEqual([RunnerIdentityKind.AZURE_MANAGED_IDENTITY]);
    for (const p of [Provider.DIGITALOCEAN, Provider.CIVO, Provider.CLOUDFLARE]) expect(accepted(p)).toEqual([]);
    expect(Object.keys(RUNNER_KINDS_BY_PROVIDER).map(Number).sort()).toEqual([Provider.AWS, Provider.GCP, Provider.AZURE].sort());
  });

  it("refuses an unspecified or unknown kind everywhere", () => {
    for (const p of [Provider.AWS, Provider.GCP, Provider.AZURE]) {
      expect(runnerKindAccepted(p, RunnerIdentityKind.UNSPECIFIED)).toBe(false);
      expect(runnerKindAccepted(p, 99 as RunnerIdentityKind)).toBe(false);
    }
  });

  it("names the field, the accepted kind and the runner's kind in the violation", () => {
    expect(runnerKindViolation("spec.aws.runner.runner_id", Provider.AWS, RunnerIdentityKind.AWS_IRSA)).toBeUndefined();
    const v = runnerKindViolation("spec.aws.runner.runner_id", Provider.AWS, RunnerIdentityKind.GCP_WORKLOAD_IDENTITY);
    expect(v).toMatchObject({ field: "spec.aws.runner.runner_id", reason: "MISMATCH" });
    expect(v?.description).toContain("RUNNER_IDENTITY_KIND_AWS_IRSA");
    expect(v?.description).toContain("RUNNER_IDENTITY_KIND_GCP_WORKLOAD_IDENTITY");
  });
});
