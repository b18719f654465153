import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { describe, expect, it } from "vitest";
import { accountKeyOf } from "./account-key.js";
import { authModeOf, runnerIdOf } from "./auth-mode-of.js";
import { idPrefixOf, providerOf } from "./provider-of.js";
import { AZURE_SUBSCRIPTION_ID, CF_ACCOUNT_ID, GCP_PROJECT_ID, RUNNER_ID, aws, azure, civo, cloudflare, digitalocean, gcp, valid } from "./spec-fixtures.js";

const cases = [
  {
    name: "aws inline",
    spec: aws(valid.awsInline()),
    provider: Provider.AWS,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: "aws:123456789012",
    prefix: "awsconn_",
  },
  {
    name: "aws runner",
    spec: aws(valid.awsRunner()),
    provider: Provider.AWS,
    mode: AuthMode.RUNNER,
    runner: RUNNER_ID,
    account: "aws:123456789012",
    prefix: "awsconn_",
  },
  {
    name: "gcp key",
    spec: gcp(valid.gcpKey()),
    provider: Provider.GCP,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: `gcp:${GCP_PROJECT_ID}`,
    prefix: "gcpconn_",
  },
  {
    name: "gcp runner",
    spec: gcp(valid.gcpRunner()),
    provider: Provider.GCP,
    mode: AuthMode.RUNNER,
    runner: RUNNER_ID,
    account: `gcp:${GCP_PROJECT_ID}`,
    prefix: "gcpconn_",
  },
  {
    name: "azure principal",
    spec: azure(valid.azureServicePrincipal()),
    provider: Provider.AZURE,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: `azure:${AZURE_SUBSCRIPTION_ID}`,
    prefix: "azconn_",
  },
  {
    name: "azure runner",
    spec: azure(valid.azureRunner()),
    provider: Provider.AZURE,
    mode: AuthMode.RUNNER,
    runner: RUNNER_ID,
    account: `azure:${AZURE_SUBSCRIPTION_ID}`,
    prefix: "azconn_",
  },
  {
    name: "digitalocean",
    spec: digitalocean(valid.digitalocean()),
    provider: Provider.DIGITALOCEAN,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: undefined,
    prefix: "doconn_",
  },
  { name: "civo", spec: civo(valid.civo()), provider: Provider.CIVO, mode: AuthMode.INLINE, runner: undefined, account: undefined, prefix: "civoconn_" },
  {
    name: "cloudflare without account",
    spec: cloudflare(valid.cloudflareToken()),
    provider: Provider.CLOUDFLARE,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: undefined,
    prefix: "cfconn_",
  },
  {
    name: "cloudflare with account",
    spec: cloudflare({ ...valid.cloudflareLegacy(), accountId: CF_ACCOUNT_ID }),
    provider: Provider.CLOUDFLARE,
    mode: AuthMode.INLINE,
    runner: undefined,
    account: `cloudflare:${CF_ACCOUNT_ID}`,
    prefix: "cfconn_",
  },
];

describe("spec identity", () => {
  it.each(cases)("$name: provider, auth mode, runner, account key, id prefix", ({ spec, provider, mode, runner, account, prefix }) => {
    expect(providerOf(spec)).toBe(provider);
    expect(authModeOf(spec)).toBe(mode);
    expect(runnerIdOf(spec)).toBe(runner);
    expect(accountKeyOf(spec)).toBe(account);
    expect(idPrefixOf(providerOf(spec))).toBe(prefix);
  });

  it("says unspecified for a missing provider or auth method", () => {
    const empty = create(ConnectionSpecSchema);
    expect(providerOf(undefined)).toBe(Provider.UNSPECIFIED);
    expect(providerOf(empty)).toBe(Provider.UNSPECIFIED);
    expect(authModeOf(empty)).toBe(AuthMode.UNSPECIFIED);
    expect(authModeOf(aws({ accountId: "123456789012" }))).toBe(AuthMode.UNSPECIFIED);
    expect(runnerIdOf(undefined)).toBeUndefined();
    expect(accountKeyOf(empty)).toBeUndefined();
  });

  it("refuses an id prefix for no provider", () => {
    expect(() => idPrefixOf(Provider.UNSPECIFIED)).toThrow(RangeError);
  });

  it("compares Azure subscriptions case-insensitively and prefers a given GCP project", () => {
    expect(accountKeyOf(azure({ ...valid.azureRunner(), subscriptionId: AZURE_SUBSCRIPTION_ID.toUpperCase() }))).toBe(`azure:${AZURE_SUBSCRIPTION_ID}`);
    expect(accountKeyOf(gcp({ ...valid.gcpKey(), projectId: "explicit-project" }))).toBe("gcp:explicit-project");
  });
});
