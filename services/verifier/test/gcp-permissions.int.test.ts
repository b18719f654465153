import { generateKeyPairSync } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema, type ConnectionSpec } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGcp } from "../src/checks/gcp-check.js";
import type { CheckOptions, CheckResult } from "../src/checks/provider-check.js";
import { GCP_FAMILY_CHECKS } from "../src/permissions/gcp-family-permissions.js";
import { checkGcpPermissions } from "../src/permissions/gcp-permissions.js";
import type { CapabilityVerdict, PermissionReport } from "../src/permissions/permission-report.js";
import { startFakeGoogleToken, type FakeGoogleToken } from "./support/fake-google-token.js";
import { startFakeResourceManager, type FakeResourceManager } from "./support/fake-resource-manager.js";

const FAMILIES = ["kubernetes", "compute", "networking", "storage", "databases", "dns", "functions", "monitoring", "registry", "encryption"];
const ALL = [...new Set(GCP_FAMILY_CHECKS.flatMap((f) => f.permissions))];

let google: FakeGoogleToken;
let rm: FakeResourceManager;
const results: CheckResult[] = [];
let privatePem = "";

function keyFile(email: string, projectId: string): string {
  return Buffer.from(
    JSON.stringify({
      type: "service_account",
      project_id: projectId,
      private_key_id: "0123456789abcdef0123456789abcdef01234567",
      private_key: privatePem,
      client_email: email,
      token_uri: google.url,
    }),
  ).toString("base64");
}

function spec(email: string, projectId: string): ConnectionSpec {
  return create(ConnectionSpecSchema, {
    provider: { case: "gcp", value: { projectId, auth: { case: "serviceAccountKey", value: { keyBase64: keyFile(email, projectId) } } } },
  });
}

async function check(email: string, projectId: string, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const r = await checkGcp(spec(email, projectId), {
    endpoints: {
      awsSts: "",
      azureLogin: "",
      azureManagement: "",
      digitalocean: "",
      civo: "",
      cloudflare: "",
      gcpTokenUri: google.url,
      gcpResourceManager: rm.url,
    },
    timeoutMs: 2000,
    connectionId: "gcpconn_1",
    checkPermissions: true,
    ...overrides,
  });
  results.push(r);
  return r;
}

function report(r: CheckResult): PermissionReport {
  if (r.kind !== "verified" || r.permissions === undefined) throw new Error(`no permission report: ${JSON.stringify(r)}`);
  return r.permissions;
}

const byFamily = (p: PermissionReport): Record<string, CapabilityVerdict> => Object.fromEntries(p.capabilities.map((c) => [c.capability, c]));

/** Registers a service account whose key the fake token endpoint accepts; returns its email. */
function account(name: string, project: string): string {
  const email = `${name}@${project}.iam.gserviceaccount.com`;
  google.registerKey(email, publicPem);
  return email;
}

let publicPem = "";

beforeAll(async () => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  google = await startFakeGoogleToken();
  rm = await startFakeResourceManager((token) => google.tokenInfo(token));
});

afterAll(async () => {
  for (const r of results) {
    const text = JSON.stringify(r);
    expect(text).not.toContain("PRIVATE KEY");
    expect(text).not.toContain("ya29.");
  }
  await rm.close();
  await google.close();
});

describe("GCP permission check (projects.testIamPermissions with the key's own token)", () => {
  it("reports every family GRANTED when the service account holds every permission, in one request", async () => {
    const email = account("owner", "proj-granted");
    rm.grant("proj-granted", email, ALL);
    const before = rm.tested().length;
    const p = report(await check(email, "proj-granted"));
    expect(p.capabilities.map((c) => c.capability)).toEqual(FAMILIES);
    for (const c of p.capabilities) expect(c).toMatchObject({ enabled: true, outcome: "granted", missingActions: [] });
    expect(byFamily(p)["kubernetes"]?.checkedActionCount).toBe(5);
    expect(p.warnings).toEqual([]);
    expect(rm.tested().slice(before)).toEqual([ALL]);
  });

  it("lists the exact missing permissions per family and warns once naming the roles that grant them", async () => {
    const email = account("storage-only", "proj-some");
    rm.grant("proj-some", email, [
      "storage.buckets.create",
      "storage.buckets.get",
      "storage.buckets.update",
      "storage.buckets.delete",
      "storage.buckets.list",
      "container.clusters.get",
    ]);
    const p = report(await check(email, "proj-some"));
    const f = byFamily(p);
    expect(f["storage"]).toMatchObject({ outcome: "granted" });
    expect(f["kubernetes"]).toMatchObject({
      outcome: "missing",
      missingActions: ["container.clusters.create", "container.clusters.update", "container.clusters.delete", "container.operations.get"],
      checkedActionCount: 5,
    });
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatchObject({ code: "CAPABILITY_NOT_USABLE", capability: "" });
    expect(p.warnings[0]?.message).toContain("kubernetes (4 of 5 missing)");
    expect(p.warnings[0]?.message).not.toContain("storage (");
    expect(p.warnings[0]?.fix).toContain(`Grant service account ${email} on project proj-some roles that include container.clusters.create`);
    expect(p.warnings[0]?.fix).toContain("roles/container.admin");
  });

  it("treats an answer without `permissions` as none granted", async () => {
    const email = account("nothing", "proj-none");
    rm.grant("proj-none", email, []);
    const p = report(await check(email, "proj-none"));
    for (const c of p.capabilities) expect(c.outcome).toBe("missing");
  });

  it("records NOT_CHECKABLE with the fix, and still verifies, when the API is disabled in the project (403 SERVICE_DISABLED)", async () => {
    const email = account("disabled", "proj-disabled");
    rm.grant("proj-disabled", email, ALL);
    rm.disableApi("proj-disabled");
    const r = await check(email, "proj-disabled");
    expect(r).toMatchObject({ kind: "verified", identity: email });
    const p = report(r);
    for (const c of p.capabilities)
      expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(/disabled in project proj-disabled \(HTTP 403 SERVICE_DISABLED\)/) });
    expect(p.warnings).toEqual([
      expect.objectContaining({
        code: "PERMISSIONS_NOT_CHECKABLE",
        fix: "Enable the Cloud Resource Manager API (cloudresourcemanager.googleapis.com) in project proj-disabled, then verify again.",
      }),
    ]);
  });

  it("records NOT_CHECKABLE when Google refuses the project (403 PERMISSION_DENIED)", async () => {
    const email = account("stranger", "proj-unknown");
    const p = report(await check(email, "proj-unknown"));
    for (const c of p.capabilities) expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(/HTTP 403 PERMISSION_DENIED/) });
    expect(p.warnings[0]?.code).toBe("PERMISSIONS_NOT_CHECKABLE");
  });

  it.each([
    ["429", /HTTP 429 RATE_LIMIT_EXCEEDED.*checked again/],
    ["500", /HTTP 500 INTERNAL.*checked again/],
    ["timeout", /did not answer \(TIMEOUT\)/],
  ] as const)("records NOT_CHECKABLE without a warning when Resource Manager answers %s", async (kind, reason) => {
    const email = account(`flaky-${kind}`, "proj-flaky");
    rm.grant("proj-flaky", email, ALL);
    rm.failNext(kind, 1, undefined, ":testIamPermissions");
    const p = report(await check(email, "proj-flaky", { timeoutMs: kind === "timeout" ? 300 : 2000 }));
    for (const c of p.capabilities) expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(reason) });
    expect(p.warnings).toEqual([]);
  });
});

describe("checkGcpPermissions batching", () => {
  it("sends at most `batch` permissions per request and joins the answers", async () => {
    const email = "batch@proj-batch.iam.gserviceaccount.com";
    // Its own fake, accepting one fixed token: only the batching is under test.
    const direct = await startFakeResourceManager((token) =>
      token === "ya29.batch-token" ? { email, scope: "https://www.googleapis.com/auth/cloud-platform" } : undefined,
    );
    try {
      direct.grant(
        "proj-batch",
        email,
        ALL.filter((p) => p !== "cloudkms.cryptoKeys.update"),
      );
      const p = await checkGcpPermissions(direct.url, { projectId: "proj-batch", clientEmail: email }, "ya29.batch-token", { timeoutMs: 2000 }, 7);
      const sent = direct.tested();
      expect(sent.length).toBe(Math.ceil(ALL.length / 7));
      expect(sent.every((batch) => batch.length <= 7)).toBe(true);
      expect(sent.flat()).toEqual(ALL);
      const f = byFamily(p);
      expect(f["encryption"]).toMatchObject({ outcome: "missing", missingActions: ["cloudkms.cryptoKeys.update"] });
      expect(f["kubernetes"]?.outcome).toBe("granted");
    } finally {
      await direct.close();
    }
  });
});
