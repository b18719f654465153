import { generateKeyPairSync } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGcp } from "../src/checks/gcp-check.js";
import type { CheckOptions, CheckResult, ProviderEndpoints } from "../src/checks/provider-check.js";
import { startFakeGoogleToken, type FakeGoogleToken } from "./support/fake-google-token.js";

const PROJECT = "my-proj-123";
const EMAIL = `verifier@${PROJECT}.iam.gserviceaccount.com`;

interface TestKey {
  readonly privatePem: string;
  readonly publicPem: string;
}

function rsaKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function keyFile(key: TestKey, fields: { clientEmail?: string; projectId?: string; tokenUri?: string } = {}): string {
  const projectId = fields.projectId ?? PROJECT;
  const clientEmail = fields.clientEmail ?? EMAIL;
  const json = {
    type: "service_account",
    project_id: projectId,
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: key.privatePem,
    client_email: clientEmail,
    client_id: "123456789012345678901",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: fields.tokenUri ?? google.url,
    universe_domain: "googleapis.com",
  };
  return Buffer.from(JSON.stringify(json), "utf8").toString("base64");
}

function spec(keyBase64: string, projectId = ""): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: { case: "gcp", value: { projectId, auth: { case: "serviceAccountKey", value: { keyBase64 } } } },
  });
}

function endpoints(gcpTokenUri = ""): ProviderEndpoints {
  return { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri };
}

let google: FakeGoogleToken;
let good: TestKey;
let other: TestKey;
const results: CheckResult[] = [];

async function check(s: ConnectionSpec, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  // The fake stands in for Google through the operator's override, the only
  // way a token request may leave Google's hosts.
  const result = await checkGcp(s, { endpoints: endpoints(google.url), timeoutMs: 2000, connectionId: "conn-1", ...overrides });
  results.push(result);
  return result;
}

beforeAll(async () => {
  google = await startFakeGoogleToken();
  good = rsaKey();
  other = rsaKey();
  google.registerKey(EMAIL, good.publicPem);
});

afterAll(async () => {
  await google.close();
});

describe("checkGcp reads the key's validity window through IAM keys.get", () => {
  const KEY_ID = "0123456789abcdef0123456789abcdef01234567";
  const iamOptions = () => ({ endpoints: { ...endpoints(google.url), gcpIam: google.iamUrl } });

  it("reports validAfterTime and validBeforeTime when the account may read its own key", async () => {
    const key = rsaKey();
    const email = `keyreader@${PROJECT}.iam.gserviceaccount.com`;
    google.registerKey(email, key.publicPem, {
      keyId: KEY_ID,
      validAfterTime: "2026-01-05T08:00:00Z",
      validBeforeTime: "2026-04-05T08:00:00Z",
      mayGetKeys: true,
      projectId: PROJECT,
    });
    expect(await check(spec(keyFile(key, { clientEmail: email }), PROJECT), iamOptions())).toEqual({
      kind: "verified",
      identity: email,
      lifetime: { createTime: new Date("2026-01-05T08:00:00Z"), expireTime: new Date("2026-04-05T08:00:00Z") },
    });
  });

  it("treats Google's 9999-12-31 validBeforeTime as no expiry", async () => {
    const key = rsaKey();
    const email = `forever@${PROJECT}.iam.gserviceaccount.com`;
    google.registerKey(email, key.publicPem, {
      keyId: KEY_ID,
      validAfterTime: "2025-11-01T00:00:00Z",
      validBeforeTime: "9999-12-31T23:59:59Z",
      mayGetKeys: true,
      projectId: PROJECT,
    });
    const r = await check(spec(keyFile(key, { clientEmail: email }), PROJECT), iamOptions());
    expect(r).toEqual({ kind: "verified", identity: email, lifetime: { createTime: new Date("2025-11-01T00:00:00Z") } });
  });

  it("still verifies when IAM refuses the read (403 PERMISSION_DENIED), saying why", async () => {
    const r = await check(spec(keyFile(good), PROJECT), iamOptions());
    expect(r).toMatchObject({ kind: "verified", identity: EMAIL });
    const lifetime = r.kind === "verified" ? r.lifetime : undefined;
    expect(lifetime?.createTime).toBeUndefined();
    expect(lifetime?.unavailableReason).toMatch(/HTTP 403 PERMISSION_DENIED.*iam\.serviceAccountKeys\.get/);
  });
});

describe("checkGcp against a fake Google token endpoint", () => {
  it("verifies a good key and reports the service-account email", async () => {
    expect(await check(spec(keyFile(good), PROJECT))).toEqual({ kind: "verified", identity: EMAIL });
  });

  it("uses endpoints.gcpTokenUri over the key's token_uri", async () => {
    const file = keyFile(good, { tokenUri: "http://127.0.0.1:1/token" });
    expect(await check(spec(file), { endpoints: endpoints(google.url) })).toEqual({ kind: "verified", identity: EMAIL });
  });

  it("reports a key signed by the wrong private key as KEY_REVOKED (Invalid JWT Signature)", async () => {
    const r = await check(spec(keyFile(other)));
    expect(r).toMatchObject({ kind: "failed", reason: "KEY_REVOKED" });
    expect(r.kind === "failed" && r.message).toMatch(/deleted or rotated/);
  });

  it("reports an unknown service account as INVALID_CREDENTIALS", async () => {
    const r = await check(spec(keyFile(good, { clientEmail: `gone@${PROJECT}.iam.gserviceaccount.com` })));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    expect(r.kind === "failed" && r.message).toMatch(/no longer exists/);
  });

  it("reports a project mismatch without calling Google", async () => {
    const before = google.requests;
    expect(await check(spec(keyFile(good), "another-project"))).toMatchObject({ kind: "failed", reason: "PROJECT_MISMATCH" });
    expect(google.requests).toBe(before);
  });

  it("reports 429 with Retry-After as transient THROTTLED with retryAfterMs", async () => {
    google.failNext("throttle");
    expect(await check(spec(keyFile(good)))).toMatchObject({ kind: "transient", reason: "THROTTLED", retryAfterMs: 5000 });
  });

  it("reports a 500 as transient PROVIDER_UNAVAILABLE", async () => {
    google.failNext("500");
    expect(await check(spec(keyFile(good)))).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("reports a hanging server as transient TIMEOUT", async () => {
    google.failNext("timeout");
    const started = Date.now();
    expect(await check(spec(keyFile(good)), { timeoutMs: 150 })).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("reports a non-JSON body as transient MALFORMED_RESPONSE", async () => {
    google.failNext("malformed");
    expect(await check(spec(keyFile(good)))).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });

  it("rejects an undecodable key before any request", async () => {
    const before = google.requests;
    const r = await check(spec(Buffer.from("{not json", "utf8").toString("base64")));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    expect(google.requests).toBe(before);
  });

  it("refuses a key whose token_uri is not Google's, without sending anything (no SSRF through a key file)", async () => {
    const before = google.requests;
    for (const tokenUri of [
      "http://example.com/token",
      "http://127.0.0.1:1/token",
      `${google.url}`,
      "https://metadata.google.internal/token",
      "https://evil.example.com/token",
    ]) {
      const r = await check(spec(keyFile(good, { tokenUri })), { endpoints: endpoints() });
      expect(r, tokenUri).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    }
    expect(google.requests).toBe(before);
  });

  it("returns NOT_APPLICABLE for runner auth", async () => {
    const runner = create(ConnectionSpecSchema, {
      provider: { case: "gcp", value: { projectId: PROJECT, auth: { case: "runner", value: { runnerId: "r1" } } } },
    });
    expect(await check(runner)).toMatchObject({ kind: "failed", reason: "NOT_APPLICABLE" });
  });

  it("reports a revoked (deleted) key as KEY_REVOKED", async () => {
    const email = `revoked@${PROJECT}.iam.gserviceaccount.com`;
    google.registerKey(email, good.publicPem);
    const file = keyFile(good, { clientEmail: email });
    expect(await check(spec(file))).toEqual({ kind: "verified", identity: email });
    google.revoke(email);
    expect(await check(spec(file))).toMatchObject({ kind: "failed", reason: "KEY_REVOKED" });
  });

  it("never puts key material, the assertion or a token in any result", () => {
    expect(results.length).toBeGreaterThan(10);
    const secretLines = [good, other].flatMap((k) => k.privatePem.split("\n").filter((l) => l.length > 0 && !l.startsWith("-----")));
    for (const r of results) {
      const text = JSON.stringify(r);
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain("eyJ"); // any JWT/assertion
      expect(text).not.toContain("ya29.");
      for (const line of secretLines) expect(text).not.toContain(line);
    }
  });
});
