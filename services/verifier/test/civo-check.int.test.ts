import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CIVO_IDENTITY, checkCivo } from "../src/checks/civo-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { startFakeCivo, type FakeCivo } from "./support/fake-civo.js";

const MARKER = "SECRET-MARKER-civo";
const KEY = `civo${MARKER}0123456789abcdefghijklmnopqrstuvwxyz`;

let fake: FakeCivo;
const results: CheckResult[] = [];

beforeAll(async () => {
  fake = await startFakeCivo();
  fake.setApiKey(KEY);
});
beforeEach(() => {
  fake.setRegions(["LON1", "FRA1", "NYC1"]);
  fake.useLegacyAuthError(false);
});
afterAll(async () => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await fake.close();
});

async function run(over: { apiToken?: string; defaultRegion?: string } = {}, timeoutMs = 2000): Promise<CheckResult> {
  const options: CheckOptions = {
    endpoints: { awsSts: "", azureLogin: "", azureManagement: "", digitalocean: "", civo: fake.url, cloudflare: "", gcpTokenUri: "" },
    timeoutMs,
    connectionId: "conn-1",
  };
  const r = await checkCivo(
    create(ConnectionSpecSchema, { provider: { case: "civo", value: { apiToken: over.apiToken ?? KEY, defaultRegion: over.defaultRegion ?? "FRA1" } } }),
    options,
  );
  results.push(r);
  return r;
}

describe("checkCivo", () => {
  it("verifies when the default region is listed (case-insensitive)", async () => {
    expect(await run()).toEqual({ kind: "verified", identity: CIVO_IDENTITY });
    expect(await run({ defaultRegion: "nyc1" })).toEqual({ kind: "verified", identity: CIVO_IDENTITY });
  });

  it("wrong key -> INVALID_CREDENTIALS (database_account_not_found and requires_authentication bodies)", async () => {
    expect(await run({ apiToken: `wrong${MARKER}` })).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    fake.useLegacyAuthError(true);
    expect(await run({ apiToken: `wrong${MARKER}` })).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
  });

  it("default region not offered -> REGION_UNAVAILABLE naming the available codes", async () => {
    fake.setRegions(["LON1", "NYC1"]);
    const r = await run({ defaultRegion: "PHX1" });
    expect(r).toMatchObject({ kind: "failed", reason: "REGION_UNAVAILABLE" });
    if (r.kind === "failed") expect(r.message).toContain("LON1, NYC1");
  });

  it("429 with Retry-After -> transient with retryAfterMs", async () => {
    fake.failNext("429", 1, 9);
    expect(await run()).toMatchObject({ kind: "transient", reason: "RATE_LIMITED", retryAfterMs: 9000 });
  });

  it("500 -> transient", async () => {
    fake.failNext("500");
    expect(await run()).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("a hanging server with a small timeout -> transient TIMEOUT", async () => {
    fake.failNext("timeout");
    expect(await run({}, 150)).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
  });

  it("malformed JSON -> transient", async () => {
    fake.failNext("malformed");
    expect(await run()).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });
});
