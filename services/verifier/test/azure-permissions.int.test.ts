import { create } from "@bufbuild/protobuf";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAzure } from "../src/checks/azure-check.js";
import type { CheckResult } from "../src/checks/provider-check.js";
import type { CapabilityVerdict, PermissionReport } from "../src/permissions/permission-report.js";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.js";

const MARKER = "AZPERMMARKER";
const SECRET = `abc8Q~${MARKER}-0123456789abcdefghijklmn`;
const TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const SUB = "00000000-1111-2222-3333-444444444444";
const FAMILIES = ["kubernetes", "compute", "networking", "storage", "databases", "dns", "functions", "monitoring", "registry", "encryption"];

// Contributor as the permissions API lists it.
const CONTRIBUTOR = {
  actions: ["*"],
  notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"],
};

let fake: FakeAzure;
const results: CheckResult[] = [];
let next = 0;

/** A new app with a reader role on the subscription; returns its client id. */
function app(): string {
  next += 1;
  const clientId = `11111111-2222-3333-4444-${String(next).padStart(12, "0")}`;
  fake.addApp(TENANT, clientId, SECRET);
  const sub = SUB;
  readers.push(clientId);
  fake.addSubscription(sub, { tenantId: TENANT, displayName: "Production", readers });
  return clientId;
}
const readers: string[] = [];

async function run(clientId: string, checkPermissions = true): Promise<CheckResult> {
  const r = await checkAzure(
    create(ConnectionSpecSchema, {
      provider: {
        case: "azure",
        value: { tenantId: TENANT, subscriptionId: SUB, auth: { case: "servicePrincipal", value: { clientId, clientSecret: SECRET } } },
      },
    }),
    {
      endpoints: { awsSts: "", azureLogin: fake.url, azureManagement: fake.url, digitalocean: "", civo: "", cloudflare: "", gcpTokenUri: "" },
      timeoutMs: 2000,
      connectionId: "azconn_1",
      checkPermissions,
    },
  );
  results.push(r);
  return r;
}

function report(r: CheckResult): PermissionReport {
  if (r.kind !== "verified" || r.permissions === undefined) throw new Error(`no permission report: ${JSON.stringify(r)}`);
  return r.permissions;
}

const byFamily = (p: PermissionReport): Record<string, CapabilityVerdict> => Object.fromEntries(p.capabilities.map((c) => [c.capability, c]));

beforeAll(async () => {
  fake = await startFakeAzure();
});

afterAll(async () => {
  for (const r of results) expect(JSON.stringify(r)).not.toContain(MARKER);
  await fake.close();
});

describe("Azure permission check (the subscription's permissions API, evaluated with Azure's rules)", () => {
  it("reports every family GRANTED for a Contributor, and still reports the subscription as identity", async () => {
    const clientId = app();
    fake.setPermissions(SUB, clientId, [CONTRIBUTOR]);
    const r = await run(clientId);
    expect(r).toMatchObject({ kind: "verified", identity: "Production" });
    const p = report(r);
    expect(p.capabilities.map((c) => c.capability)).toEqual(FAMILIES);
    for (const c of p.capabilities) expect(c).toMatchObject({ enabled: true, outcome: "granted", missingActions: [] });
    expect(p.warnings).toEqual([]);
    const asked = fake.requests.filter((path) => path.endsWith("/providers/Microsoft.Authorization/permissions"));
    expect(asked).toContain(`/subscriptions/${SUB}/providers/Microsoft.Authorization/permissions`);
  });

  it("lists the exact missing actions, honouring wildcards and each role's own notActions", async () => {
    const clientId = app();
    fake.setPermissions(SUB, clientId, [
      { actions: ["*/read"], notActions: [] },
      // Network Contributor-like, minus DNS zone deletion.
      { actions: ["Microsoft.Network/*"], notActions: ["Microsoft.Network/dnsZones/delete"] },
      { actions: ["microsoft.containerservice/managedClusters/*"], notActions: ["Microsoft.ContainerService/managedClusters/agentPools/*"] },
    ]);
    const p = report(await run(clientId));
    const f = byFamily(p);
    expect(f["networking"]).toMatchObject({ outcome: "granted", checkedActionCount: 7 });
    expect(f["dns"]).toMatchObject({ outcome: "missing", missingActions: ["Microsoft.Network/dnsZones/delete"] });
    expect(f["kubernetes"]).toMatchObject({ outcome: "missing", missingActions: ["Microsoft.ContainerService/managedClusters/agentPools/write"] });
    expect(f["storage"]?.missingActions).toEqual([
      "Microsoft.Storage/storageAccounts/write",
      "Microsoft.Storage/storageAccounts/delete",
      "Microsoft.Storage/storageAccounts/listKeys/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    ]);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatchObject({ code: "CAPABILITY_NOT_USABLE", capability: "" });
    expect(p.warnings[0]?.message).toContain("dns (1 of 4 missing)");
    expect(p.warnings[0]?.message).not.toContain("networking (");
    expect(p.warnings[0]?.fix).toContain(`Assign app ${clientId} a role on subscription ${SUB} that allows`);
    expect(p.warnings[0]?.fix).toContain("DNS Zone Contributor");
  });

  it("follows nextLink across pages", async () => {
    const clientId = app();
    fake.setPermissions(SUB, clientId, [
      { actions: ["*/read"], notActions: [] },
      { actions: ["Microsoft.Network/*"], notActions: [] },
      { actions: ["Microsoft.KeyVault/*"], notActions: [] },
    ]);
    fake.setPermissionsPageSize(1);
    try {
      const before = fake.requests.length;
      const f = byFamily(report(await run(clientId)));
      expect(f["encryption"]?.outcome).toBe("granted");
      expect(f["dns"]?.outcome).toBe("granted");
      expect(fake.requests.slice(before).filter((path) => path.endsWith("/permissions")).length).toBe(3);
    } finally {
      fake.setPermissionsPageSize(100);
    }
  });

  it("records NOT_CHECKABLE with the fix, never MISSING, when ARM refuses the list (403 AuthorizationFailed)", async () => {
    const clientId = app();
    fake.setPermissions(SUB, clientId, [CONTRIBUTOR], { mayList: false });
    const r = await run(clientId);
    expect(r).toMatchObject({ kind: "verified", identity: "Production" });
    const p = report(r);
    for (const c of p.capabilities) expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(/HTTP 403 AuthorizationFailed/) });
    expect(p.warnings).toEqual([expect.objectContaining({ code: "PERMISSIONS_NOT_CHECKABLE", fix: expect.stringMatching(/Reader has it/) })]);
  });

  it.each(["429", "500"] as const)("records NOT_CHECKABLE without a warning when ARM answers %s", async (kind) => {
    const clientId = app();
    fake.setPermissions(SUB, clientId, [CONTRIBUTOR]);
    fake.failNext(kind, 1, undefined, "/Microsoft.Authorization/permissions");
    const p = report(await run(clientId));
    for (const c of p.capabilities)
      expect(c).toMatchObject({ outcome: "not_checkable", reason: expect.stringMatching(new RegExp(`HTTP ${kind}.*checked again`)) });
    expect(p.warnings).toEqual([]);
  });

  it("asks nothing when permission checks are off", async () => {
    const clientId = app();
    const before = fake.requests.length;
    expect(await run(clientId, false)).toEqual({ kind: "verified", identity: "Production" });
    expect(fake.requests.slice(before).some((path) => path.endsWith("/permissions"))).toBe(false);
  });
});
