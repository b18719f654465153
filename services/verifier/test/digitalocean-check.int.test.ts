import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkDigitalOcean } from "../src/checks/digitalocean-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { startFakeDigitalOcean, type FakeDigitalOcean } from "./support/fake-digitalocean.js";

const MARKER = "SECRET-MARKER-do";
const TOKEN = `dop_v1_${MARKER}_good`;
const SCOPED = `dop_v1_${MARKER}_scoped`;
const LOCKED = `dop_v1_${MARKER}_locked`;

let fake: FakeDigitalOcean;
const results: CheckResult[] = [];

beforeAll(async () => {
  fake = await startFakeDigitalOcean();
  fake.addToken(TOKEN, { email: "sammy@digitalocean.com" });
  fake.addToken(SCOPED, { email: "scoped@digitalocean.com", canReadAccount: false });
  fake.addToken(LOCKED, { email: "locked@digitalocean.com", status: "locked" });
});
afterAll(async () => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await fake.close();
});

async function run(apiToken = TOKEN, timeoutMs = 2000): Promise<CheckResult> {
  const options: CheckOptions = {
    endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: fake.url, civo: "", cloudflare: "", gcpTokenUri: "" },
    timeoutMs,
    connectionId: "conn-1",
  };
  const r = await checkDigitalOcean(create(ConnectionSpecSchema, { provider: { case: "digitalocean", value: { apiToken, defaultRegion: "nyc3" } } }), options);
  results.push(r);
  return r;
}

describe("checkDigitalOcean", () => {
  it("verifies and reports the account email", async () => {
    expect(await run()).toEqual({ kind: "verified", identity: "sammy@digitalocean.com" });
  });

  it("unknown token -> INVALID_CREDENTIALS", async () => {
    expect(await run(`dop_v1_${MARKER}_wrong`)).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
  });

  it("token without account:read -> INSUFFICIENT_PERMISSIONS", async () => {
    const r = await run(SCOPED);
    expect(r).toMatchObject({ kind: "failed", reason: "INSUFFICIENT_PERMISSIONS" });
    if (r.kind === "failed") expect(r.message).toContain("account:read");
  });

  it("locked account -> ACCOUNT_LOCKED", async () => {
    expect(await run(LOCKED)).toMatchObject({ kind: "failed", reason: "ACCOUNT_LOCKED" });
  });

  it("token with a line break -> INVALID_CREDENTIALS without a request", async () => {
    const before = fake.requests.length;
    expect(await run(`${TOKEN}\n`)).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    expect(fake.requests.length).toBe(before);
  });

  it("429 with Retry-After -> transient with retryAfterMs", async () => {
    fake.failNext("429", 1, 5);
    expect(await run()).toMatchObject({ kind: "transient", reason: "RATE_LIMITED", retryAfterMs: 5000 });
  });

  it("429 without Retry-After falls back to ratelimit-reset (epoch seconds)", async () => {
    fake.setRateLimitReset(Math.floor(Date.now() / 1000) + 120);
    fake.failNext("429");
    const r = await run();
    expect(r.kind).toBe("transient");
    if (r.kind === "transient") {
      expect(r.retryAfterMs).toBeGreaterThan(110_000);
      expect(r.retryAfterMs).toBeLessThanOrEqual(120_000);
    }
  });

  it("500 -> transient", async () => {
    fake.failNext("500");
    expect(await run()).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("a hanging server with a small timeout -> transient TIMEOUT", async () => {
    fake.failNext("timeout");
    expect(await run(TOKEN, 150)).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
  });

  it("malformed JSON -> transient", async () => {
    fake.failNext("malformed");
    expect(await run()).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });

  it("unreachable server -> transient NETWORK_ERROR", async () => {
    const options: CheckOptions = {
      endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "http://127.0.0.1:1", civo: "", cloudflare: "", gcpTokenUri: "" },
      timeoutMs: 2000,
      connectionId: "conn-1",
    };
    const r = await checkDigitalOcean(create(ConnectionSpecSchema, { provider: { case: "digitalocean", value: { apiToken: TOKEN } } }), options);
    results.push(r);
    expect(r).toMatchObject({ kind: "transient", reason: "NETWORK_ERROR" });
  });

  it("caller abort -> transient ABORTED", async () => {
    fake.failNext("timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const options: CheckOptions = {
      endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: fake.url, civo: "", cloudflare: "", gcpTokenUri: "" },
      timeoutMs: 5000,
      signal: controller.signal,
      connectionId: "conn-1",
    };
    const r = await checkDigitalOcean(create(ConnectionSpecSchema, { provider: { case: "digitalocean", value: { apiToken: TOKEN } } }), options);
    results.push(r);
    expect(r).toMatchObject({ kind: "transient", reason: "ABORTED" });
  });
});
