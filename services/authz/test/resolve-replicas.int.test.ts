/**
 * ResolveCredentials across two authz instances sharing one database, as two
 * replicas do: A applies the registry's events, B never sees one (the worst
 * case for B's caches) and keeps connections cached for a minute. Whatever
 * B holds in memory, it must hand out exactly what a fresh read would:
 * pins, sealed versions and first-resolve choices come from the database on
 * every call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuditDecision, AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs } from "@planton/testing";
import { buildAuthz, type AuthzComponents } from "../src/authz-components.js";
import { loadAuthzConfig } from "../src/config.js";
import { startPlatform, type PlatformHarness } from "./support/platform-harness.js";

const logs = captureLogs();
let p: PlatformHarness;
let b: AuthzComponents;

const LONG_CACHE = { RESOLVE_CONNECTION_CACHE_TTL_MS: "60000", VERSION_RETENTION_MS: "0", RETENTION_INTERVAL_MS: "3600000" };

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger, env: LONG_CACHE });
  b = await buildAuthz({
    config: loadAuthzConfig(LONG_CACHE, { requireUrls: false }),
    databaseUrl: p.database.url,
    logger: logs.logger,
    registry: { lookup: (orgId, reference) => p.registry.connections.lookup(orgId, reference) },
    vault: {
      open: (orgId, connectionId, version) => p.vault.vault.open({ orgId, connectionId, version }),
      destroy: async (orgId, connectionId, version) => {
        await p.vault.vault.destroy(orgId, connectionId, version);
      },
    },
  });
});
afterAll(async () => {
  await b?.close();
  await p?.dispose();
});

const civoSpec = (token: string) => ({ provider: { case: "civo" as const, value: { apiToken: token, defaultRegion: "LON1" } } });
// What the all-in-one's error chain answers for an in-process failure.
const codeOf = (error: unknown) => ConnectError.from(b.mapError(error) ?? p.vault.mapError(error) ?? p.registry.mapError(error) ?? error).code;
const tokenOf = (response: { credentials: { case?: string; value?: unknown } }) =>
  response.credentials.case === "inline" ? (response.credentials.value as { provider: { value: { apiToken: string } } }).provider.value.apiToken : "";

async function setUp(org: string, name: string, token: string) {
  const clients = await p.clients(org);
  const c = (await clients.connections.createConnection({ name, spec: civoSpec(token) })).connection!;
  await clients.authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
  const viaA = (deploymentId: string) => clients.authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.CIVO, connection: c.slug });
  const viaB = (deploymentId: string) =>
    b.resolver.resolve({ orgId: org, subject: `deployer@${org}` }, { deploymentId, environment: "prod", provider: Provider.CIVO, connection: c.slug });
  const rotate = async (newToken: string) => {
    const current = (await clients.connections.getConnection({ connection: c.slug })).connection!;
    const rotated = await clients.connections.updateConnection({
      connection: c.slug,
      etag: current.etag,
      spec: civoSpec(newToken),
      updateMask: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }),
    });
    await p.registry.relay.drain(5000);
    await p.bus.idle();
    return rotated.connection!;
  };
  return { ...clients, connection: c, viaA, viaB, rotate };
}

async function auditRecords(org: string, deploymentId: string) {
  return p.authz.db
    .selectFrom("audit_events")
    .select(["decision", "credential_version"])
    .where("org_id", "=", org)
    .where("kind", "=", "credentials.resolve")
    .where("deployment_id", "=", deploymentId)
    .execute();
}

describe("two authz replicas on one database", () => {
  it("concurrent first resolves of one deployment on both pin one version once, and each attempt has one audit record", async () => {
    const org = "org-rep-first";
    const { viaA, viaB } = await setUp(org, "rep-first-civo", "civo-token-rep-first-0000001");
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 === 0 ? viaA("rep-first-d") : viaB("rep-first-d"))));
    expect(new Set(results.map((r) => `${r.connectionId}:${r.credentialVersion}:${tokenOf(r)}`)).size).toBe(1);
    const pins = await p.authz.db.selectFrom("deployment_pins").selectAll().where("org_id", "=", org).execute();
    expect(pins).toHaveLength(1);
    const records = await auditRecords(org, "rep-first-d");
    expect(records).toHaveLength(24);
    expect(records.every((r) => r.decision === AuditDecision.ALLOWED && r.credential_version === 1)).toBe(true);
  });

  it("resolves racing a rotation: pinned deployments keep their version on both; a new deployment on B gets the new version although B saw no event", async () => {
    const org = "org-rep-rotate";
    const { viaA, viaB, rotate } = await setUp(org, "rep-rotate-civo", "civo-token-rep-rotate-v1-0001");
    await viaB("rep-rotate-d1"); // B caches the connection at version 1
    const during = Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? viaA("rep-rotate-d1") : viaB("rep-rotate-d1"))));
    await rotate("civo-token-rep-rotate-v2-0002");
    for (const r of await during) expect([r.credentialVersion, tokenOf(r)]).toEqual([1, "civo-token-rep-rotate-v1-0001"]);
    const fresh = await viaB("rep-rotate-d2");
    expect([fresh.credentialVersion, tokenOf(fresh)]).toEqual([2, "civo-token-rep-rotate-v2-0002"]);
    const pinned = await viaB("rep-rotate-d1");
    expect([pinned.credentialVersion, tokenOf(pinned)]).toEqual([1, "civo-token-rep-rotate-v1-0001"]);
  });

  it("a release on A is seen by B's next resolve: a new pin on the current version", async () => {
    const org = "org-rep-release";
    const { authz, viaB, rotate } = await setUp(org, "rep-release-civo", "civo-token-rep-release-v1-001");
    expect((await viaB("rep-release-d")).credentialVersion).toBe(1);
    await rotate("civo-token-rep-release-v2-002");
    expect((await viaB("rep-release-d")).credentialVersion, "still pinned").toBe(1);
    expect((await authz.releaseDeployment({ deploymentId: "rep-release-d" })).released).toBe(true);
    const after = await viaB("rep-release-d");
    expect([after.credentialVersion, tokenOf(after)]).toEqual([2, "civo-token-rep-release-v2-002"]);
  });

  it("a retention sweep on A destroys a released version; B never hands it out again", async () => {
    const org = "org-rep-retention";
    const { connection, authz, viaB, rotate } = await setUp(org, "rep-retention-civo", "civo-token-rep-retention-v1-1");
    await viaB("rep-retention-d");
    await rotate("civo-token-rep-retention-v2-2");
    await p.authz.retention.runOnce(); // also sweeps what earlier tests released
    expect((await p.vault.vault.open({ orgId: org, connectionId: connection.id, version: 1 })).length, "version 1 is pinned: kept").toBeGreaterThan(0);
    const racing = Promise.all(Array.from({ length: 20 }, () => viaB("rep-retention-d")));
    await authz.releaseDeployment({ deploymentId: "rep-retention-d" });
    // Resolves that arrive after the release pin version 2 again, so the sweep may find version 1 pinned once more.
    const seen = await racing;
    await authz.releaseDeployment({ deploymentId: "rep-retention-d" });
    expect(await p.authz.retention.runOnce()).toBeGreaterThanOrEqual(1);
    await expect(p.vault.vault.open({ orgId: org, connectionId: connection.id, version: 1 })).rejects.toThrow(/destroyed/);
    for (const r of seen) expect([1, 2]).toContain(r.credentialVersion);
    const after = await viaB("rep-retention-d");
    expect([after.credentialVersion, tokenOf(after)]).toEqual([2, "civo-token-rep-retention-v2-2"]);
  });

  it("a forced delete: B refuses at once, before or after A applied the deletion, and records DENIED", async () => {
    const org = "org-rep-delete";
    const { connection, connections, viaB } = await setUp(org, "rep-delete-civo", "civo-token-rep-delete-v1-0001");
    await viaB("rep-delete-d");
    await connections.deleteConnection({ connection: connection.slug, etag: connection.etag, force: true });
    // No wait for the event: the registry shredded the versions; B's cache still holds the connection.
    const refused = await b.resolver
      .resolve({ orgId: org, subject: "x" }, { deploymentId: "rep-delete-d", environment: "prod", provider: Provider.CIVO, connection: "" })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused, "no credentials after the delete").toBeDefined();
    expect(codeOf(refused)).toBe(Code.NotFound);
    await p.registry.relay.drain(5000);
    await p.bus.idle();
    const again = await b.resolver
      .resolve({ orgId: org, subject: "x" }, { deploymentId: "rep-delete-d", environment: "prod", provider: Provider.CIVO, connection: connection.id })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(codeOf(again)).toBe(Code.NotFound);
    const decisions = (await auditRecords(org, "rep-delete-d")).map((r) => r.decision);
    expect(decisions).toEqual([AuditDecision.ALLOWED, AuditDecision.DENIED, AuditDecision.DENIED]);
  });
});
