import { toJsonString } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { ConnectionDetailsSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import { detailsOf } from "./connection-details.js";
import { readString } from "./field-path.js";
import { SECRET_FIELD_PATHS } from "./secret-paths.js";
import {
  AWS_ACCESS_KEY_ID,
  AZURE_CLIENT_ID,
  CF_ACCOUNT_ID,
  GCP_PROJECT_ID,
  RUNNER_ID,
  aws,
  azure,
  civo,
  cloudflare,
  digitalocean,
  gcp,
  gcpKeyBase64,
  valid,
  validSpecs,
} from "./spec-fixtures.js";
import { splitSecrets } from "./split-secrets.js";

// Secrets made of a recognisable marker: if any of them shows up whole in the
// serialized details, a secret leaked.
const M = {
  awsKeyId: "AKIAMARKERAWS0KEY1D9",
  awsSecret: "MarkerAwsSecret0000000000000000000000000",
  azureSecret: "MarkerAzureSecret~0000000000000000000009",
  doToken: "MarkerDoToken000000000000000000000000008",
  doSpaces: "MarkerDoSpacesSecret00000000000007",
  civoToken: "MarkerCivoToken0000000006",
  civoStore: "MarkerCivoStoreSecret000000005",
  cfToken: "MarkerCfToken000000000000000000000000004",
  cfKey: "MarkerCfGlobalKey0000000000000000000003",
  r2Id: "MarkerR2AccessKeyId0000000000002",
  r2Secret: "MarkerR2SecretAccessKey000000000000000001",
};

const markerSpecs = {
  aws: aws({ ...valid.awsInline(), auth: { case: "inlineKeys", value: { accessKeyId: M.awsKeyId, secretAccessKey: M.awsSecret } } }),
  gcp: gcp(valid.gcpKey()),
  azure: azure({ ...valid.azureServicePrincipal(), auth: { case: "servicePrincipal", value: { clientId: AZURE_CLIENT_ID, clientSecret: M.azureSecret } } }),
  digitalocean: digitalocean({ apiToken: M.doToken, defaultRegion: "fra1", spacesAccessId: "SPACESID000000000001", spacesSecretKey: M.doSpaces }),
  civo: civo({ apiToken: M.civoToken, defaultRegion: "FRA1", objectStoreAccessId: "STOREID0000000000001", objectStoreSecretKey: M.civoStore }),
  cloudflareToken: cloudflare({
    apiToken: M.cfToken,
    accountId: CF_ACCOUNT_ID,
    r2: { accessKeyId: M.r2Id, secretAccessKey: M.r2Secret, endpoint: "https://r2.example.com" },
  }),
  cloudflareLegacy: cloudflare({ legacy: { apiKey: M.cfKey, email: "ops@example.com" } }),
};

const json = (spec: Parameters<typeof detailsOf>[0]) => toJsonString(ConnectionDetailsSchema, detailsOf(spec));

describe("detailsOf", () => {
  it.each(Object.entries(markerSpecs))("never contains a whole secret: %s", (_name, spec) => {
    const shown = json(spec);
    for (const secret of Object.values(M)) expect(shown).not.toContain(secret);
    // The GCP key, and the private key inside it, stay out too.
    expect(shown).not.toContain("PRIVATE KEY");
    expect(shown).not.toContain(gcpKeyBase64().slice(0, 40));
  });

  it.each(Object.entries(validSpecs()))("never contains a secret of %s", (_name, spec) => {
    const view = reflect(ConnectionSpecSchema, spec);
    const shown = json(spec);
    for (const path of SECRET_FIELD_PATHS) {
      const secret = readString(view, path);
      if (secret !== "") expect(shown).not.toContain(secret);
    }
  });

  it("shows AWS account, region, masked key id and runner", () => {
    expect(
      detailsOf(aws({ ...valid.awsInline(), auth: { case: "inlineKeys", value: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: M.awsSecret } } })).provider,
    ).toEqual({
      case: "aws",
      value: expect.objectContaining({ accountId: "123456789012", region: "us-east-1", accessKeyIdHint: "AKIA************MPLE", runnerId: "" }),
    });
    expect(detailsOf(aws(valid.awsRunner())).provider).toEqual({
      case: "aws",
      value: expect.objectContaining({ region: "us-west-2", accessKeyIdHint: "", runnerId: RUNNER_ID }),
    });
  });

  it("shows GCP project, client email and key id from the key", () => {
    expect(detailsOf(gcp(valid.gcpKey())).provider).toEqual({
      case: "gcp",
      value: expect.objectContaining({
        projectId: GCP_PROJECT_ID,
        clientEmail: `deployer@${GCP_PROJECT_ID}.iam.gserviceaccount.com`,
        privateKeyId: "a".repeat(40),
        runnerId: "",
      }),
    });
    expect(detailsOf(gcp(valid.gcpRunner())).provider).toEqual({
      case: "gcp",
      value: expect.objectContaining({ projectId: GCP_PROJECT_ID, clientEmail: "", runnerId: RUNNER_ID }),
    });
  });

  it("shows the Azure ids and a secret hint", () => {
    expect(detailsOf(markerSpecs.azure).provider).toEqual({
      case: "azure",
      value: expect.objectContaining({ clientId: AZURE_CLIENT_ID, clientSecretHint: "****0009", runnerId: "" }),
    });
  });

  it("shows DigitalOcean and Civo hints and configured flags", () => {
    expect(detailsOf(markerSpecs.digitalocean).provider).toEqual({
      case: "digitalocean",
      value: expect.objectContaining({ apiTokenHint: "****0008", defaultRegion: "fra1", spacesAccessId: "SPACESID000000000001", spacesConfigured: true }),
    });
    expect(detailsOf(digitalocean(valid.digitalocean())).provider).toEqual({
      case: "digitalocean",
      value: expect.objectContaining({ spacesConfigured: false }),
    });
    expect(detailsOf(markerSpecs.civo).provider).toEqual({
      case: "civo",
      value: expect.objectContaining({ apiTokenHint: "****0006", objectStoreAccessId: "STOREID0000000000001", objectStoreConfigured: true }),
    });
  });

  it("shows the Cloudflare credential kind and hints", () => {
    expect(detailsOf(markerSpecs.cloudflareToken).provider).toEqual({
      case: "cloudflare",
      value: expect.objectContaining({
        credentialKind: "api_token",
        apiTokenHint: "****0004",
        accountId: CF_ACCOUNT_ID,
        r2Configured: true,
        r2AccessKeyIdHint: `Mark${"*".repeat(M.r2Id.length - 8)}0002`,
        r2Endpoint: "https://r2.example.com",
      }),
    });
    expect(detailsOf(markerSpecs.cloudflareLegacy).provider).toEqual({
      case: "cloudflare",
      value: expect.objectContaining({ credentialKind: "legacy", apiTokenHint: "", legacyEmail: "ops@example.com", r2Configured: false }),
    });
  });

  it("gives the same details for the public half, minus the hints", () => {
    const { publicSpec } = splitSecrets(markerSpecs.cloudflareToken);
    expect(detailsOf(publicSpec).provider).toEqual({
      case: "cloudflare",
      value: expect.objectContaining({ credentialKind: "", apiTokenHint: "", accountId: CF_ACCOUNT_ID }),
    });
  });
});
