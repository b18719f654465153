import { describe, expect, it } from "vitest";
import { toJson } from "@bufbuild/protobuf";
import { UpdateConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { UsageError } from "./failures.js";
import { hasRotateFlags, rotationRequest, type RotateFlags } from "./rotation.js";
import type { SecretReader } from "./secret-input.js";

const KEY = '{"type":"service_account","project_id":"p"}';
const secrets: SecretReader = {
  stdin: async () => Buffer.from("from-stdin\n"),
  file: async (path) => Buffer.from(path === "key.json" ? KEY : `from-${path}\n`),
};
const target = (provider: Provider) => ({ connection: "conn_1", provider, etag: "etag-7" });
const specJson = (request: Parameters<typeof toJson<typeof UpdateConnectionRequestSchema>>[1]) =>
  (toJson(UpdateConnectionRequestSchema, request) as { spec?: unknown }).spec;
const rotate = async (provider: Provider, flags: RotateFlags) => toJson(UpdateConnectionRequestSchema, await rotationRequest(target(provider), flags, secrets));

describe("rotationRequest", () => {
  it("aws: replaces the key pair under spec.aws.inline_keys", async () => {
    expect(await rotate(Provider.AWS, { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKeyFile: "s" })).toEqual({
      connection: "conn_1",
      etag: "etag-7",
      spec: { aws: { inlineKeys: { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: "from-s" } } },
      updateMask: "spec.aws.inlineKeys",
    });
  });

  it("gcp: base64-encodes the new key under spec.gcp.service_account_key", async () => {
    const request = await rotationRequest(target(Provider.GCP), { keyFile: "key.json" }, secrets);
    expect(request.updateMask?.paths).toEqual(["spec.gcp.service_account_key"]);
    const gcp = request.spec?.provider.case === "gcp" ? request.spec.provider.value : undefined;
    expect(gcp?.auth.case === "serviceAccountKey" && Buffer.from(gcp.auth.value.keyBase64, "base64").toString()).toBe(KEY);
  });

  it("azure: only the client secret", async () => {
    const request = await rotationRequest(target(Provider.AZURE), { clientSecretStdin: true }, secrets);
    expect(request.updateMask?.paths).toEqual(["spec.azure.service_principal.client_secret"]);
    expect(specJson(request)).toEqual({ azure: { servicePrincipal: { clientSecret: "from-stdin" } } });
  });

  it.each([
    [Provider.DIGITALOCEAN, "digitalocean"],
    [Provider.CIVO, "civo"],
    [Provider.CLOUDFLARE, "cloudflare"],
  ] as const)("%s: the API token under spec.<provider>.api_token", async (provider, name) => {
    const request = await rotationRequest(target(provider), { apiTokenFile: "t" }, secrets);
    expect(request.updateMask?.paths).toEqual([`spec.${name}.api_token`]);
    expect(specJson(request)).toEqual({ [name]: { apiToken: "from-t" } });
  });

  it("refuses flags of another provider, half a key pair, and nothing at all", async () => {
    await expect(rotationRequest(target(Provider.AWS), { keyFile: "key.json" }, secrets)).rejects.toThrow(
      "--key-file|--key-stdin does not apply to aws connections",
    );
    await expect(rotationRequest(target(Provider.GCP), { apiTokenStdin: true }, secrets)).rejects.toThrow(/does not apply to gcp/);
    await expect(rotationRequest(target(Provider.AWS), { accessKeyId: "A" }, secrets)).rejects.toThrow(/needs its secret/);
    await expect(rotationRequest(target(Provider.AWS), { secretAccessKeyStdin: true }, secrets)).rejects.toThrow(/need --access-key-id/);
    await expect(rotationRequest(target(Provider.CIVO), {}, secrets)).rejects.toThrow(
      "nothing to rotate: give the new secret with --api-token-stdin|--api-token-file",
    );
    await expect(rotationRequest(target(Provider.CIVO), {}, secrets)).rejects.toBeInstanceOf(UsageError);
  });
});

describe("hasRotateFlags", () => {
  it("sees any new-secret flag", () => {
    expect(hasRotateFlags({})).toBe(false);
    expect(hasRotateFlags({ accessKeyId: "A" })).toBe(true);
    expect(hasRotateFlags({ keyStdin: true })).toBe(true);
    expect(hasRotateFlags({ clientSecretFile: "f" })).toBe(true);
  });
});
