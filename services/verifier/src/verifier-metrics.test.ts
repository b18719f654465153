import { describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { createVerifierMetrics } from "./verifier-metrics.js";

describe("verifier metrics", () => {
  it("counts results by provider, result and reason, and never lets free text into a label", async () => {
    const registry = new Registry();
    const metrics = createVerifierMetrics(registry);
    metrics.checked(Provider.CIVO, { kind: "verified", identity: "account-marker-77" });
    metrics.checked(Provider.AWS, { kind: "failed", reason: "INVALID_CREDENTIALS", message: "The key AKIA-marker-77 is wrong" });
    metrics.checked(Provider.AWS, { kind: "transient", reason: "PROVIDER_UNAVAILABLE", message: "timeout" });
    metrics.checked(Provider.AWS, { kind: "failed", reason: "reason with the token tok-marker-77", message: "" });
    const text = await registry.metrics();
    expect(text).toContain('planton_verifier_results_total{provider="CIVO",result="verified",reason=""} 1');
    expect(text).toContain('planton_verifier_results_total{provider="AWS",result="failed",reason="INVALID_CREDENTIALS"} 1');
    expect(text).toContain('planton_verifier_results_total{provider="AWS",result="transient",reason="PROVIDER_UNAVAILABLE"} 1');
    expect(text).toContain('planton_verifier_results_total{provider="AWS",result="failed",reason="OTHER"} 1');
    expect(text).not.toContain("marker-77");
  });
});
