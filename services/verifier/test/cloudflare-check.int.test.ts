import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkCloudflare } from "../src/checks/cloudflare-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { startFakeCloudflare, type FakeCloudflare } from "./support/fake-cloudflare.js";

const MARKER = "SECRETMARKERcf";
const TOKEN = `cfut_${MARKER}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`;
const DISABLED = `cfut_${MARKER}bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb`;
const EXPIRED = `cfut_${MARKER}ccccccccccccccccccccccccccccccccccccccc`;
const ACCOUNT_TOKEN = `cfat_${MARKER}ddddddddddddddddddddddddddddddddddddddd`;
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const EXPIRING = `cfut_${MARKER}fffffffffffffffffffffffffffffffffffffff`;
const LEGACY_KEY = `cfk_${MARKER}eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee`;

let fake: FakeCloudflare;
const results: CheckResult[] = [];

beforeAll(async () => {
  fake = await startFakeCloudflare();
  fake.addToken(TOKEN, { id: "100bf38cc8393103870917dd535e0628" });
  fake.addToken(DISABLED, { id: "200bf38cc8393103870917dd535e0628", status: "disabled" });
  fake.addToken(EXPIRED, { id: "300bf38cc8393103870917dd535e0628", status: "expired" });
  fake.addToken(ACCOUNT_TOKEN, { id: "400bf38cc8393103870917dd535e0628", accountId: ACCOUNT });
  fake.addToken(EXPIRING, { id: "500bf38cc8393103870917dd535e0628", notBefore: "2026-01-01T00:00:00Z", expiresOn: "2027-01-01T00:00:00Z" });
  fake.addLegacyKey("user@example.com", LEGACY_KEY);
});
afterAll(async () => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await fake.close();
});

type Cf = { apiToken?: string; accountId?: string; legacy?: { apiKey: string; email: string } };
async function run(value: Cf = { apiToken: TOKEN }, timeoutMs = 2000): Promise<CheckResult> {
  const options: CheckOptions = {
    endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: fake.url, gcpTokenUri: "" },
    timeoutMs,
    connectionId: "conn-1",
  };
  const r = await checkCloudflare(create(ConnectionSpecSchema, { provider: { case: "cloudflare", value } }), options);
  results.push(r);
  return r;
}

describe("checkCloudflare", () => {
  it("verifies a user token and reports its id", async () => {
    expect(await run()).toEqual({ kind: "verified", identity: "token 100bf38cc8393103870917dd535e0628" });
  });

  it("verifies an account token on the account route", async () => {
    expect(await run({ apiToken: ACCOUNT_TOKEN, accountId: ACCOUNT })).toEqual({ kind: "verified", identity: "token 400bf38cc8393103870917dd535e0628" });
  });

  it("reports a token's expiry (result.expires_on) when it was created with one, and none otherwise", async () => {
    expect(await run({ apiToken: EXPIRING })).toEqual({
      kind: "verified",
      identity: "token 500bf38cc8393103870917dd535e0628",
      lifetime: { expireTime: new Date("2027-01-01T00:00:00Z") },
    });
    const plain = await run();
    expect(plain.kind === "verified" && plain.lifetime).toBe(undefined);
  });

  it("account token without account id -> INVALID_CREDENTIALS hinting at the account id", async () => {
    const r = await run({ apiToken: ACCOUNT_TOKEN });
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    if (r.kind === "failed") expect(r.message).toMatch(/account ID/);
  });

  it("unknown token -> INVALID_CREDENTIALS (401 code 1000)", async () => {
    expect(await run({ apiToken: `cfut_${MARKER}wrong` })).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
  });

  it("disabled / expired token -> TOKEN_DISABLED / EXPIRED", async () => {
    expect(await run({ apiToken: DISABLED })).toMatchObject({ kind: "failed", reason: "TOKEN_DISABLED" });
    expect(await run({ apiToken: EXPIRED })).toMatchObject({ kind: "failed", reason: "EXPIRED" });
  });

  it("legacy key verifies with the account email", async () => {
    expect(await run({ legacy: { apiKey: LEGACY_KEY, email: "user@example.com" } })).toEqual({ kind: "verified", identity: "user@example.com" });
  });

  it("legacy wrong key -> INVALID_CREDENTIALS (403 9103); malformed key -> INVALID_CREDENTIALS (400 6003/6103)", async () => {
    expect(await run({ legacy: { apiKey: `cfk_${MARKER}wrong`, email: "user@example.com" } })).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    const r = await run({ legacy: { apiKey: `not-a-key-${MARKER}`, email: "user@example.com" } });
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    if (r.kind === "failed") expect(r.message).toMatch(/malformed/);
  });

  it("429 with Retry-After -> transient with retryAfterMs", async () => {
    fake.failNext("429", 1, 300);
    expect(await run()).toMatchObject({ kind: "transient", reason: "RATE_LIMITED", retryAfterMs: 300_000 });
  });

  it("500 -> transient (token and legacy)", async () => {
    fake.failNext("500", 2);
    expect(await run()).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
    expect(await run({ legacy: { apiKey: LEGACY_KEY, email: "user@example.com" } })).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("a hanging server with a small timeout -> transient TIMEOUT", async () => {
    fake.failNext("timeout");
    expect(await run({ apiToken: TOKEN }, 150)).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
  });

  it("malformed JSON -> transient", async () => {
    fake.failNext("malformed");
    expect(await run()).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });
});
