import { create, equals, toJsonString } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { type ConnectionSpec, ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { describe, expect, it } from "vitest";
import { readString } from "./field-path.js";
import { mergeSecrets, SecretMergeError } from "./merge-secrets.js";
import { SECRET_FIELD_PATHS, SECRET_PATHS } from "./secret-paths.js";
import { aws, cloudflare, gcp, valid, validSpecs } from "./spec-fixtures.js";
import { splitSecrets } from "./split-secrets.js";

const specs = Object.entries(validSpecs());

function secretValues(spec: ConnectionSpec): string[] {
  const view = reflect(ConnectionSpecSchema, spec);
  return SECRET_FIELD_PATHS.map((path) => readString(view, path)).filter((value) => value !== "");
}

describe("SECRET_PATHS", () => {
  it("lists the secret fields of every provider", () => {
    expect(SECRET_PATHS).toEqual([
      "aws.inline_keys.access_key_id",
      "aws.inline_keys.secret_access_key",
      "aws.cross_account_trust.external_id",
      "gcp.service_account_key.key_base64",
      "azure.service_principal.client_secret",
      "digitalocean.api_token",
      "digitalocean.spaces_secret_key",
      "civo.api_token",
      "civo.object_store_secret_key",
      "cloudflare.api_token",
      "cloudflare.legacy.api_key",
      "cloudflare.r2.access_key_id",
      "cloudflare.r2.secret_access_key",
    ]);
    expect(Object.isFrozen(SECRET_PATHS)).toBe(true);
  });
});

describe("splitSecrets and mergeSecrets", () => {
  it.each(specs)("round-trips %s", (_name, spec) => {
    const { publicSpec, secretSpec } = splitSecrets(spec);
    expect(equals(ConnectionSpecSchema, mergeSecrets(publicSpec, secretSpec), spec)).toBe(true);
  });

  it.each(specs)("leaves no secret value in the public half of %s", (_name, spec) => {
    const { publicSpec } = splitSecrets(spec);
    expect(secretValues(publicSpec)).toEqual([]);
    const json = toJsonString(ConnectionSpecSchema, publicSpec);
    for (const secret of secretValues(spec)) expect(json).not.toContain(secret);
  });

  it.each(specs)("keeps only secret values in the secret half of %s", (_name, spec) => {
    const { publicSpec, secretSpec } = splitSecrets(spec);
    const secrets = secretValues(spec);
    if (secrets.length === 0) {
      expect(secretSpec).toBeUndefined();
      return;
    }
    expect(secretSpec).toBeDefined();
    expect(secretValues(secretSpec ?? create(ConnectionSpecSchema))).toEqual(secrets);
    // Nothing public is duplicated into the secret half: merging it into an empty
    // spec of the same shape yields exactly the secret fields.
    const json = toJsonString(ConnectionSpecSchema, secretSpec ?? create(ConnectionSpecSchema));
    const publicJson = JSON.parse(toJsonString(ConnectionSpecSchema, publicSpec)) as Record<string, Record<string, unknown>>;
    for (const value of Object.values(Object.values(publicJson)[0] ?? {})) {
      if (typeof value === "string" && value !== "") expect(json).not.toContain(value);
    }
  });

  it("keeps the auth method visible in the public half", () => {
    const { publicSpec, secretSpec } = splitSecrets(aws(valid.awsInline()));
    const provider = publicSpec.provider;
    expect(provider.case).toBe("aws");
    if (provider.case !== "aws") return;
    expect(provider.value.auth.case).toBe("inlineKeys");
    expect(provider.value.accountId).toBe("123456789012");
    expect(toJsonString(ConnectionSpecSchema, secretSpec ?? create(ConnectionSpecSchema))).not.toContain("123456789012");
  });

  it("gives no secret half in runner mode", () => {
    expect(splitSecrets(aws(valid.awsRunner())).secretSpec).toBeUndefined();
    expect(splitSecrets(gcp(valid.gcpRunner())).secretSpec).toBeUndefined();
  });

  it("does not modify its inputs", () => {
    const spec = cloudflare({ ...valid.cloudflareLegacy(), r2: { accessKeyId: "a".repeat(32), secretAccessKey: "b".repeat(64) } });
    const before = toJsonString(ConnectionSpecSchema, spec);
    const { publicSpec, secretSpec } = splitSecrets(spec);
    const publicBefore = toJsonString(ConnectionSpecSchema, publicSpec);
    mergeSecrets(publicSpec, secretSpec);
    expect(toJsonString(ConnectionSpecSchema, spec)).toBe(before);
    expect(toJsonString(ConnectionSpecSchema, publicSpec)).toBe(publicBefore);
  });

  it("refuses a secret half of another provider", () => {
    const { secretSpec } = splitSecrets(cloudflare(valid.cloudflareToken()));
    const { publicSpec } = splitSecrets(aws(valid.awsInline()));
    expect(() => mergeSecrets(publicSpec, secretSpec)).toThrow(SecretMergeError);
  });

  it("refuses a secret for an auth method the public half does not select", () => {
    const { secretSpec } = splitSecrets(aws(valid.awsInline()));
    const { publicSpec } = splitSecrets(aws(valid.awsRunner()));
    expect(() => mergeSecrets(publicSpec, secretSpec)).toThrow(/aws\.inline_keys\.access_key_id/);
  });
});
