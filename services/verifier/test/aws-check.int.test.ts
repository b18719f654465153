import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAws } from "../src/checks/aws-check.js";
import type { CheckOptions, CheckResult, ProviderEndpoints } from "../src/checks/provider-check.js";
import { startFakeIam, type FakeIam } from "./support/fake-iam.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";

// The secret carries a marker so any leak into a message is easy to spot.
const MARKER = "LEAKMARKER";
const SECRET = `wJalrXUtnFEMI/K7MDENG+${MARKER}/EXAMPLEKEY`.slice(0, 40);
const ACCOUNT = "123456789012";
const ARN = `arn:aws:iam::${ACCOUNT}:user/ci-verifier`;
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const EXPIRED_KEY_ID = "ASIAIOSFODNN7EXPIRED";

let sts: FakeSts;
let iam: FakeIam;
const LISTING_KEY_ID = "AKIAIOSFODNN7LISTING";
const results: CheckResult[] = [];

beforeAll(async () => {
  sts = await startFakeSts();
  sts.addKey(KEY_ID, SECRET, { account: ACCOUNT, arn: ARN });
  sts.addKey(EXPIRED_KEY_ID, SECRET, { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/demo/s` });
  sts.expireKey(EXPIRED_KEY_ID);
  sts.addKey(LISTING_KEY_ID, SECRET, { account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/key-reader` });
  iam = await startFakeIam();
  iam.addKey(KEY_ID, { secret: SECRET, userName: "ci-verifier", account: ACCOUNT, createDate: "2025-03-01T12:00:00Z", mayListOwnKeys: false });
  iam.addKey(LISTING_KEY_ID, { secret: SECRET, userName: "key-reader", account: ACCOUNT, createDate: "2025-09-14T06:30:00Z", mayListOwnKeys: true });
  // The user's second key: listed too, not the one in use.
  iam.addKey("AKIAIOSFODNN7SECONDK", { secret: SECRET, userName: "key-reader", account: ACCOUNT, createDate: "2026-01-01T00:00:00Z", mayListOwnKeys: true });
});

afterAll(async () => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await iam.close();
  await sts.close();
});

function endpoints(awsSts: string): ProviderEndpoints {
  return { awsSts, azureLogin: "", azureManagement: "", digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" };
}

function spec(accessKeyId: string, secretAccessKey: string, accountId = ACCOUNT): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "aws",
      value: { accountId, region: "us-west-2", auth: { case: "inlineKeys", value: { accessKeyId, secretAccessKey } } },
    },
  });
}

async function check(s: ConnectionSpec, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const result = await checkAws(s, { endpoints: endpoints(sts.url), timeoutMs: 2000, connectionId: "conn-1", ...overrides });
  results.push(result);
  return result;
}

describe("checkAws reads the access key's creation date through IAM ListAccessKeys", () => {
  const withIam = () => ({ endpoints: { ...endpoints(sts.url), awsIam: iam.url } });

  it("reports the key's CreateDate when the user may list its own keys", async () => {
    expect(await check(spec(LISTING_KEY_ID, SECRET), withIam())).toEqual({
      kind: "verified",
      identity: `arn:aws:iam::${ACCOUNT}:user/key-reader`,
      lifetime: { createTime: new Date("2025-09-14T06:30:00Z") },
    });
    expect(iam.actions()).toContain("ListAccessKeys");
  });

  it("still verifies when IAM answers AccessDenied, saying why", async () => {
    const r = await check(spec(KEY_ID, SECRET), withIam());
    expect(r).toMatchObject({ kind: "verified", identity: ARN });
    const lifetime = r.kind === "verified" ? r.lifetime : undefined;
    expect(lifetime?.createTime).toBeUndefined();
    expect(lifetime?.unavailableReason).toMatch(/HTTP 403 AccessDenied.*iam:ListAccessKeys/);
  });

  it("still verifies when IAM is unreachable", async () => {
    const r = await check(spec(LISTING_KEY_ID, SECRET), { endpoints: { ...endpoints(sts.url), awsIam: "http://127.0.0.1:1" } });
    expect(r).toMatchObject({ kind: "verified", lifetime: { unavailableReason: "AWS IAM did not answer ListAccessKeys" } });
  });
});

describe("checkAws against a fake STS", () => {
  it("verifies a good key pair and reports the caller ARN", async () => {
    expect(await check(spec(KEY_ID, SECRET))).toEqual({ kind: "verified", identity: ARN });
  });

  it("reports a wrong secret as INVALID_CREDENTIALS (SignatureDoesNotMatch)", async () => {
    const r = await check(spec(KEY_ID, SECRET.replace(/.$/, "Z") + ""));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    expect(r.kind === "failed" && r.message).toMatch(/secret access key does not match/);
  });

  it("reports an unknown access key id as INVALID_CREDENTIALS (InvalidClientTokenId)", async () => {
    const r = await check(spec("AKIAUNKNOWNUNKNOWN00", SECRET));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    // Named by its hint, as every API response shows the key: never in full.
    expect(r.kind === "failed" && r.message).toContain("does not recognise access key ID AKIA************WN00");
    expect(r.kind === "failed" && r.message).not.toContain("AKIAUNKNOWNUNKNOWN00");
  });

  it("reports expired credentials as EXPIRED", async () => {
    expect(await check(spec(EXPIRED_KEY_ID, SECRET))).toMatchObject({ kind: "failed", reason: "EXPIRED" });
  });

  it("reports a key from another account as ACCOUNT_MISMATCH naming both accounts", async () => {
    const r = await check(spec(KEY_ID, SECRET, "210987654321"));
    expect(r).toMatchObject({ kind: "failed", reason: "ACCOUNT_MISMATCH" });
    expect(r.kind === "failed" && r.message).toContain("123456789012");
    expect(r.kind === "failed" && r.message).toContain("210987654321");
  });

  it("reports STS Throttling (400, no Retry-After) as transient THROTTLED", async () => {
    sts.failNext("throttle");
    const r = await check(spec(KEY_ID, SECRET));
    expect(r).toMatchObject({ kind: "transient", reason: "THROTTLED" });
    expect(r.kind === "transient" && r.retryAfterMs).toBeUndefined();
  });

  it("reports 429 with Retry-After as transient THROTTLED with retryAfterMs", async () => {
    sts.failNext("429");
    expect(await check(spec(KEY_ID, SECRET))).toMatchObject({ kind: "transient", reason: "THROTTLED", retryAfterMs: 7000 });
  });

  it("reports a 500 InternalFailure as transient PROVIDER_UNAVAILABLE", async () => {
    sts.failNext("500");
    expect(await check(spec(KEY_ID, SECRET))).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("reports a hanging server as transient TIMEOUT within about timeoutMs", async () => {
    sts.failNext("timeout");
    const started = Date.now();
    expect(await check(spec(KEY_ID, SECRET), { timeoutMs: 150 })).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("bounds the body too: a server that stalls after the headers is transient TIMEOUT", async () => {
    sts.failNext("stall-body");
    const started = Date.now();
    expect(await check(spec(KEY_ID, SECRET), { timeoutMs: 150 })).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each(["throttle", "500"] as const)("sends one request for %s (the SDK does not retry; the worker does)", async (kind) => {
    sts.failNext(kind);
    const before = sts.requests;
    expect(await check(spec(KEY_ID, SECRET))).toMatchObject({ kind: "transient" });
    expect(sts.requests - before).toBe(1);
  });

  it("signs for the endpoint's region (us-east-1 for a local endpoint)", async () => {
    await check(spec(KEY_ID, SECRET));
    expect(sts.calls().at(-1)).toMatchObject({ action: "GetCallerIdentity", accessKeyId: KEY_ID, region: "us-east-1" });
  });

  it("reports a truncated XML body as transient MALFORMED_RESPONSE", async () => {
    sts.failNext("malformed");
    expect(await check(spec(KEY_ID, SECRET))).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });

  it("serves normally again after injected failures", async () => {
    expect(await check(spec(KEY_ID, SECRET))).toEqual({ kind: "verified", identity: ARN });
  });

  it("reports an unreachable endpoint as transient NETWORK_ERROR", async () => {
    const dead = await startFakeSts();
    const url = dead.url;
    await dead.close();
    const r = await checkAws(spec(KEY_ID, SECRET), { endpoints: endpoints(url), timeoutMs: 2000, connectionId: "c" });
    results.push(r);
    expect(r).toMatchObject({ kind: "transient", reason: "NETWORK_ERROR" });
  });

  it("reports a cancelled check as transient ABORTED", async () => {
    sts.failNext("timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await check(spec(KEY_ID, SECRET), { signal: controller.signal, timeoutMs: 5000 })).toMatchObject({
      kind: "transient",
      reason: "ABORTED",
    });
  });

  it("returns NOT_APPLICABLE for runner auth without calling STS", async () => {
    const before = sts.requests;
    const runnerSpec = create(ConnectionSpecSchema, {
      provider: { case: "aws", value: { accountId: ACCOUNT, auth: { case: "runner", value: { runnerId: "r1" } } } },
    });
    expect(await check(runnerSpec)).toMatchObject({ kind: "failed", reason: "NOT_APPLICABLE" });
    expect(sts.requests).toBe(before);
  });

  it("throws for a spec that is not AWS (programming error)", async () => {
    const civo = create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: "x" } } });
    await expect(checkAws(civo, { endpoints: endpoints(sts.url), timeoutMs: 100, connectionId: "c" })).rejects.toThrow(/not aws/);
  });

  it("never puts the secret, or a full access key id, in any result", () => {
    expect(results.length).toBeGreaterThan(10);
    for (const r of results) {
      const text = JSON.stringify(r);
      expect(text).not.toContain(MARKER);
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/(AKIA|ASIA)[A-Z0-9]{16}/);
    }
  });
});
