import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAzure } from "../src/checks/azure-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.js";

const MARKER = "SECRET-MARKER-az";
const SECRET = `abc8Q~${MARKER}-0123456789abcdefghijklmn`;
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const CLIENT = "11111111-2222-3333-4444-555555555555";
const SUB = "00000000-1111-2222-3333-444444444444";
const READER_APP = "44444444-2222-3333-4444-555555555555";

let fake: FakeAzure;
const results: CheckResult[] = [];

beforeAll(async () => {
  fake = await startFakeAzure();
  fake.addApp(TENANT, CLIENT, SECRET);
  fake.addApp(TENANT, "22222222-2222-3333-4444-555555555555", SECRET, { expired: true });
  fake.addApp(TENANT, "33333333-2222-3333-4444-555555555555", SECRET);
  fake.addSubscription(SUB, { tenantId: TENANT, displayName: "Production", readers: [CLIENT, READER_APP] });
  fake.addApp(TENANT, READER_APP, SECRET, {
    mayReadApplication: true,
    secretDates: { start: "2026-02-01T10:00:00Z", end: "2026-08-01T10:00:00Z" },
    // Another secret of the same app, older and with another beginning: not the one in use.
    otherSecrets: [
      {
        keyId: "9f0c1c5e-0000-4000-8000-000000000001",
        displayName: "old",
        hint: "zzz",
        startDateTime: "2024-01-01T00:00:00Z",
        endDateTime: "2026-03-01T00:00:00Z",
      },
    ],
  });
});
afterAll(async () => {
  // Every message any test produced: none may quote the secret.
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await fake.close();
});

function spec(over: { tenantId?: string; subscriptionId?: string; clientId?: string; clientSecret?: string } = {}) {
  return create(ConnectionSpecSchema, {
    provider: {
      case: "azure",
      value: {
        tenantId: over.tenantId ?? TENANT,
        subscriptionId: over.subscriptionId ?? SUB,
        auth: { case: "servicePrincipal", value: { clientId: over.clientId ?? CLIENT, clientSecret: over.clientSecret ?? SECRET } },
      },
    },
  });
}

async function run(s = spec(), timeoutMs = 2000, graph = false): Promise<CheckResult> {
  const options: CheckOptions = {
    endpoints: {
      awsSts: "",
      azureLogin: fake.url,
      azureManagement: fake.url,
      digitalocean: "",
      civo: "",
      cloudflare: "",
      gcpTokenUri: "",
      ...(graph ? { azureGraph: fake.url } : {}),
    },
    timeoutMs,
    connectionId: "conn-1",
  };
  const r = await checkAzure(s, options);
  results.push(r);
  return r;
}

describe("checkAzure", () => {
  it("verifies and reports the subscription display name", async () => {
    expect(await run()).toEqual({ kind: "verified", identity: "Production" });
  });

  it("reads the client secret's start and end dates from Microsoft Graph, with a Graph token, matching the secret by its hint", async () => {
    expect(await run(spec({ clientId: READER_APP }), 2000, true)).toEqual({
      kind: "verified",
      identity: "Production",
      lifetime: { createTime: new Date("2026-02-01T10:00:00Z"), expireTime: new Date("2026-08-01T10:00:00Z") },
    });
  });

  it("still verifies when Graph refuses the read (no Application.Read.All), saying why", async () => {
    const r = await run(spec(), 2000, true);
    expect(r).toMatchObject({ kind: "verified", identity: "Production" });
    const lifetime = r.kind === "verified" ? r.lifetime : undefined;
    expect(lifetime?.expireTime).toBeUndefined();
    expect(lifetime?.unavailableReason).toMatch(/HTTP 403 Authorization_RequestDenied/);
  });

  it("wrong secret -> INVALID_CREDENTIALS (AADSTS7000215)", async () => {
    const r = await run(spec({ clientSecret: `wrong-${MARKER}` }));
    expect(r).toMatchObject({ kind: "failed", reason: "INVALID_CREDENTIALS" });
    if (r.kind === "failed") expect(r.message).toMatch(/secret VALUE/);
  });

  it("expired secret -> EXPIRED (AADSTS7000222)", async () => {
    expect(await run(spec({ clientId: "22222222-2222-3333-4444-555555555555" }))).toMatchObject({ kind: "failed", reason: "EXPIRED" });
  });

  it("unknown app -> APPLICATION_NOT_FOUND, unknown tenant -> TENANT_NOT_FOUND", async () => {
    expect(await run(spec({ clientId: "99999999-2222-3333-4444-555555555555" }))).toMatchObject({ kind: "failed", reason: "APPLICATION_NOT_FOUND" });
    expect(await run(spec({ tenantId: "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee" }))).toMatchObject({ kind: "failed", reason: "TENANT_NOT_FOUND" });
  });

  it("no role on the subscription -> INSUFFICIENT_PERMISSIONS telling to grant Reader", async () => {
    const r = await run(spec({ clientId: "33333333-2222-3333-4444-555555555555" }));
    expect(r).toMatchObject({ kind: "failed", reason: "INSUFFICIENT_PERMISSIONS" });
    if (r.kind === "failed") expect(r.message).toMatch(/Reader/);
  });

  it("unknown subscription -> SUBSCRIPTION_NOT_FOUND", async () => {
    expect(await run(spec({ subscriptionId: "99999999-1111-2222-3333-444444444444" }))).toMatchObject({ kind: "failed", reason: "SUBSCRIPTION_NOT_FOUND" });
  });

  it("429 with Retry-After on the token call -> transient with retryAfterMs", async () => {
    fake.failNext("429", 1, 7, "/oauth2/");
    expect(await run()).toMatchObject({ kind: "transient", reason: "RATE_LIMITED", retryAfterMs: 7000 });
  });

  it("429 with Retry-After on ARM -> transient with retryAfterMs", async () => {
    fake.failNext("429", 1, 3, "/subscriptions/");
    expect(await run()).toMatchObject({ kind: "transient", reason: "RATE_LIMITED", retryAfterMs: 3000 });
  });

  it("500 -> transient", async () => {
    fake.failNext("500");
    expect(await run()).toMatchObject({ kind: "transient", reason: "PROVIDER_UNAVAILABLE" });
  });

  it("a hanging server with a small timeout -> transient TIMEOUT", async () => {
    fake.failNext("timeout", 1, undefined, "/subscriptions/");
    const started = Date.now();
    expect(await run(spec(), 150)).toMatchObject({ kind: "transient", reason: "TIMEOUT" });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("malformed JSON -> transient", async () => {
    fake.failNext("malformed", 1, undefined, "/oauth2/");
    expect(await run()).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
    fake.failNext("malformed", 1, undefined, "/subscriptions/");
    expect(await run()).toMatchObject({ kind: "transient", reason: "MALFORMED_RESPONSE" });
  });

  it("throws for a spec that isn't an Azure service principal", async () => {
    await expect(
      checkAzure(create(ConnectionSpecSchema, {}), { endpoints: {} as CheckOptions["endpoints"], timeoutMs: 10, connectionId: "x" }),
    ).rejects.toThrow(/not azure/);
  });
});
