import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuditDecision, AuthorizationScope } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs, dumpDatabase, markerForms, rpcFailure } from "@planton/testing";
import { startPlatform, type PlatformHarness } from "./support/platform-harness.js";

const logs = captureLogs();
let p: PlatformHarness;

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger, env: { VERSION_RETENTION_MS: "0" } });
});
afterAll(async () => {
  await p?.dispose();
});

const failure = rpcFailure;

const civoSpec = (token: string) => ({ provider: { case: "civo" as const, value: { apiToken: token, defaultRegion: "LON1" } } });
const secretOf = (response: { credentials: { case?: string; value?: unknown } }) => {
  const c = response.credentials;
  return c.case === "inline" && (c.value as { provider: { case: string; value: { apiToken: string } } }).provider.case === "civo"
    ? (c.value as { provider: { value: { apiToken: string } } }).provider.value.apiToken
    : "";
};

// Resolve records only: changes (connection created, authorized...) are audited too.
async function auditCount(orgId: string): Promise<number> {
  const row = await p.authz.db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("org_id", "=", orgId)
    .where("kind", "=", "credentials.resolve")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("resolution order", () => {
  it("explicit connection, else environment default, else organization default, else NOT_FOUND saying how to fix it", async () => {
    const org = "org-order";
    const { connections, authz } = await p.clients(org);
    const make = async (name: string, token: string) => (await connections.createConnection({ name, spec: civoSpec(token) })).connection!;
    const orgWide = await make("order-org-default-civo", "civo-token-org-default-000001");
    const envOnly = await make("order-env-default-civo", "civo-token-env-default-000002");
    const explicit = await make("order-explicit-civo", "civo-token-explicit-0000003");
    for (const c of [orgWide, envOnly, explicit]) {
      await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
    }
    const resolve = (deploymentId: string, environment: string, connection = "") =>
      authz.resolveCredentials({ deploymentId, environment, provider: Provider.CIVO, connection });

    const none = await failure(resolve("order-d0", "prod"));
    expect(none.code).toBe(Code.NotFound);
    expect(none.rawMessage).toContain("SetDefaultConnection");

    await authz.setDefaultConnection({ connection: orgWide.slug, provider: Provider.CIVO, scope: AuthorizationScope.ORGANIZATION });
    expect((await resolve("order-d1", "prod")).connectionId).toBe(orgWide.id);

    await authz.setDefaultConnection({ connection: envOnly.slug, provider: Provider.CIVO, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" });
    expect((await resolve("order-d2", "prod")).connectionId).toBe(envOnly.id);
    expect((await resolve("order-d3", "staging")).connectionId, "other environments still get the org default").toBe(orgWide.id);

    const chosen = await resolve("order-d4", "prod", explicit.slug);
    expect(chosen.connectionId).toBe(explicit.id);
    expect(secretOf(chosen)).toBe("civo-token-explicit-0000003");
    expect(chosen.credentialVersion).toBe(1);

    const reasons = (await authz.listAuditEvents({ pageSize: 100, kind: "credentials.resolve" })).events.map((e) => `${e.deploymentId}:${e.reason}`).sort();
    expect(reasons).toEqual([
      "order-d0:no connection named and no default",
      "order-d1:organization default",
      "order-d2:environment default",
      "order-d3:organization default",
      "order-d4:explicit connection",
    ]);
  });

  it("a default must be authorized where it is the default", async () => {
    const { connections, authz } = await p.clients("org-default-rule");
    const c = (await connections.createConnection({ name: "default-rule-civo", spec: civoSpec("civo-token-default-rule-00001") })).connection!;
    const refused = await failure(
      authz.setDefaultConnection({ connection: c.slug, provider: Provider.CIVO, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" }),
    );
    expect(refused.code).toBe(Code.PermissionDenied);
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    await authz.setDefaultConnection({ connection: c.slug, provider: Provider.CIVO, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" });
    const orgLevel = await failure(authz.setDefaultConnection({ connection: c.slug, provider: Provider.CIVO, scope: AuthorizationScope.ORGANIZATION }));
    expect(orgLevel.code, "an environment authorization does not make an organization default").toBe(Code.PermissionDenied);
  });
});

describe("refusals", () => {
  it("PERMISSION_DENIED for an environment the connection is not authorized for; NOT_FOUND for another org's connection", async () => {
    const a = await p.clients("org-refuse-a");
    const b = await p.clients("org-refuse-b");
    const c = (await a.connections.createConnection({ name: "refuse-civo", spec: civoSpec("civo-token-refuse-000000001") })).connection!;
    await a.authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["staging"] });
    expect(
      (await a.authz.resolveCredentials({ deploymentId: "refuse-1", environment: "staging", provider: Provider.CIVO, connection: c.slug })).connectionId,
    ).toBe(c.id);
    const denied = await failure(a.authz.resolveCredentials({ deploymentId: "refuse-2", environment: "prod", provider: Provider.CIVO, connection: c.slug }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toContain("not authorized for environment prod");

    for (const reference of [c.id, c.slug]) {
      const other = await failure(
        b.authz.resolveCredentials({ deploymentId: "refuse-3", environment: "staging", provider: Provider.CIVO, connection: reference }),
      );
      expect(other.code).toBe(Code.NotFound);
      expect((await failure(b.authz.authorizeConnection({ connection: reference, scope: AuthorizationScope.ORGANIZATION }))).code).toBe(Code.NotFound);
    }
    const decisions = (await a.authz.listAuditEvents({})).events.map((e) => [e.deploymentId, AuditDecision[e.decision]]);
    expect(decisions).toEqual(
      expect.arrayContaining([
        ["refuse-1", "ALLOWED"],
        ["refuse-2", "DENIED"],
      ]),
    );
    expect((await b.authz.listAuditEvents({})).events.map((e) => AuditDecision[e.decision])).toEqual(["DENIED", "DENIED"]);
  });

  it("needs credentials:resolve to resolve and environments:admin to authorize", async () => {
    const reader = await p.clients("org-scopes", ["connections:read"]);
    expect((await failure(reader.authz.resolveCredentials({ deploymentId: "x", environment: "prod", provider: Provider.CIVO }))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await failure(reader.authz.authorizeConnection({ connection: "x", scope: AuthorizationScope.ORGANIZATION }))).code).toBe(Code.PermissionDenied);
  });
});

describe("pinning across rotation", () => {
  it("a running deployment keeps its version after a rotation, a new one gets the new version, and after release and retention the old version is gone from the vault", async () => {
    const org = "org-pin";
    const { connections, authz } = await p.clients(org);
    const c = (await connections.createConnection({ name: "pin-civo", spec: civoSpec("civo-token-version-one-000001") })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
    const resolve = (deploymentId: string) => authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.CIVO, connection: c.slug });

    const first = await resolve("pin-d1");
    expect([first.credentialVersion, secretOf(first)]).toEqual([1, "civo-token-version-one-000001"]);

    const rotated = await connections.updateConnection({
      connection: c.slug,
      etag: c.etag,
      spec: civoSpec("civo-token-version-two-000002"),
      updateMask: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }),
    });
    expect(rotated.connection!.credentialVersion).toBe(2);
    await p.registry.relay.drain(5000);
    await p.bus.idle();

    const again = await resolve("pin-d1");
    expect([again.credentialVersion, secretOf(again)], "pinned deployment keeps version 1").toEqual([1, "civo-token-version-one-000001"]);
    const fresh = await resolve("pin-d2");
    expect([fresh.credentialVersion, secretOf(fresh)], "a new deployment gets version 2").toEqual([2, "civo-token-version-two-000002"]);

    // Version 1 is retired but pinned: retention must keep it.
    expect(await p.authz.retention.runOnce()).toBe(0);
    expect((await p.vault.vault.open({ orgId: org, connectionId: c.id, version: 1 })).length).toBeGreaterThan(0);

    expect((await authz.releaseDeployment({ deploymentId: "pin-d1" })).released).toBe(true);
    expect(await p.authz.retention.runOnce()).toBe(1);
    await expect(p.vault.vault.open({ orgId: org, connectionId: c.id, version: 1 })).rejects.toThrow(/destroyed/);
    expect((await resolve("pin-d2")).credentialVersion, "version 2 untouched").toBe(2);
  });

  it("revoking an authorization stops new deployments but not pinned ones", async () => {
    const { connections, authz } = await p.clients("org-revoke");
    const c = (await connections.createConnection({ name: "revoke-civo", spec: civoSpec("civo-token-revoke-00000000001") })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    await authz.resolveCredentials({ deploymentId: "revoke-d1", environment: "prod", provider: Provider.CIVO, connection: c.slug });
    await authz.revokeAuthorization({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    const pinned = await authz.resolveCredentials({ deploymentId: "revoke-d1", environment: "prod", provider: Provider.CIVO, connection: c.slug });
    expect(pinned.connectionId).toBe(c.id);
    const fresh = await failure(authz.resolveCredentials({ deploymentId: "revoke-d2", environment: "prod", provider: Provider.CIVO, connection: c.slug }));
    expect(fresh.code).toBe(Code.PermissionDenied);
  });

  it("DeleteConnection is refused while deployments are pinned unless forced, and deletion removes authorizations and defaults", async () => {
    const { connections, authz } = await p.clients("org-delete");
    const c = (await connections.createConnection({ name: "delete-civo", spec: civoSpec("civo-token-delete-00000000001") })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
    await authz.setDefaultConnection({ connection: c.slug, provider: Provider.CIVO, scope: AuthorizationScope.ORGANIZATION });
    await authz.resolveCredentials({ deploymentId: "delete-d1", environment: "prod", provider: Provider.CIVO });
    const refused = await failure(connections.deleteConnection({ connection: c.slug, etag: c.etag }));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toContain("pinned");
    await connections.deleteConnection({ connection: c.slug, etag: c.etag, force: true });
    await p.registry.relay.drain(5000);
    await p.bus.idle();
    const left = await Promise.all(
      (["authorizations", "default_connections", "deployment_pins"] as const).map((table) =>
        p.authz.db.selectFrom(table).select("connection_id").where("connection_id", "=", c.id).execute(),
      ),
    );
    expect(left.map((rows) => rows.length)).toEqual([0, 0, 0]);
  });
});

describe("audit", () => {
  it("writes exactly one record per resolve, allowed or refused, and holds no secret; neither do logs or events", async () => {
    const org = "org-audit";
    const marker = `MARKERaudit${Math.random().toString(36).slice(2, 10)}`;
    const { connections, authz } = await p.clients(org);
    const c = (await connections.createConnection({ name: "audit-civo", spec: civoSpec(`${marker}-civo-token-0123456789`) })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    const before = await auditCount(org);
    const calls = [
      authz.resolveCredentials({ deploymentId: "audit-1", environment: "prod", provider: Provider.CIVO, connection: c.slug }),
      authz.resolveCredentials({ deploymentId: "audit-1", environment: "prod", provider: Provider.CIVO, connection: c.slug }),
      authz.resolveCredentials({ deploymentId: "audit-2", environment: "dev", provider: Provider.CIVO, connection: c.slug }),
      authz.resolveCredentials({ deploymentId: "audit-3", environment: "prod", provider: Provider.CIVO }),
      authz.resolveCredentials({ deploymentId: "audit-4", environment: "prod", provider: Provider.CIVO, connection: "no-such-connection" }),
    ];
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "rejected"]);
    expect(secretOf((outcomes[0] as PromiseFulfilledResult<Awaited<(typeof calls)[0]>>).value)).toContain(marker);
    expect(await auditCount(org)).toBe(before + calls.length);
    const page = await authz.listAuditEvents({ deploymentId: "audit-1" });
    expect(page.events.map((e) => [e.connectionId, e.credentialVersion, AuditDecision[e.decision], e.actor])).toEqual([
      [c.id, 1, "ALLOWED", `deployer@${org}`],
      [c.id, 1, "ALLOWED", `deployer@${org}`],
    ]);
    await p.registry.relay.drain(5000);
    const dump = await dumpDatabase(p.database.url);
    expect(dump.text).toContain("authz.audit_events");
    const events = p.events.map((e) => Buffer.from(e.data).toString("latin1")).join("\n");
    for (const form of markerForms(marker)) {
      expect(dump.text.includes(form), `${form} in the database`).toBe(false);
      expect(logs.text().includes(form), `${form} in logs`).toBe(false);
      expect(events.includes(form), `${form} in events`).toBe(false);
    }
  });

  it("fails the resolve when the audit record cannot be written", async () => {
    const { connections, authz } = await p.clients("org-audit-fail");
    const c = (await connections.createConnection({ name: "audit-fail-civo", spec: civoSpec("civo-token-audit-fail-000001") })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
    await p.authz.db.schema.alterTable("audit_events").renameTo("audit_events_away").execute();
    try {
      const failed = await failure(
        authz.resolveCredentials({ deploymentId: "audit-fail-1", environment: "prod", provider: Provider.CIVO, connection: c.slug }),
      );
      expect(failed.code).toBe(Code.Internal);
      expect(failed.rawMessage).not.toContain("civo-token");
    } finally {
      await p.authz.db.schema.alterTable("audit_events_away").renameTo("audit_events").execute();
    }
  });
});

describe("audit listing", () => {
  it("pages newest first without gaps or repeats, and filters by decision", async () => {
    const { connections, authz } = await p.clients("org-audit-pages");
    const c = (await connections.createConnection({ name: "pages-civo", spec: civoSpec("civo-token-audit-pages-000001") })).connection!;
    await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    for (let i = 0; i < 4; i++)
      await authz.resolveCredentials({ deploymentId: `pages-${i}`, environment: "prod", provider: Provider.CIVO, connection: c.slug });
    await failure(authz.resolveCredentials({ deploymentId: "pages-denied", environment: "dev", provider: Provider.CIVO, connection: c.slug }));
    const seen: string[] = [];
    let token = "";
    const sizes: number[] = [];
    do {
      const page = await authz.listAuditEvents({ pageSize: 2, pageToken: token, kind: "credentials.resolve" });
      sizes.push(page.events.length);
      seen.push(...page.events.map((e) => e.deploymentId));
      token = page.nextPageToken;
    } while (token !== "");
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(["pages-denied", "pages-3", "pages-2", "pages-1", "pages-0"]);
    const denied = await authz.listAuditEvents({ decision: AuditDecision.DENIED });
    expect(denied.events.map((e) => e.deploymentId)).toEqual(["pages-denied"]);
  });
});

describe("pin time limit", () => {
  it("an expired pin is replaced by the connection's current version on the next resolve", async () => {
    const short = await startPlatform({ logger: logs.logger, env: { PIN_TTL_MS: "1000" } });
    try {
      const { connections, authz } = await short.clients("org-pin-ttl");
      const c = (await connections.createConnection({ name: "ttl-civo", spec: civoSpec("civo-token-ttl-one-00000000001") })).connection!;
      await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
      const resolve = () => authz.resolveCredentials({ deploymentId: "ttl-d1", environment: "prod", provider: Provider.CIVO, connection: c.slug });
      expect((await resolve()).credentialVersion).toBe(1);
      await connections.updateConnection({
        connection: c.slug,
        etag: c.etag,
        spec: civoSpec("civo-token-ttl-two-00000000002"),
        updateMask: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }),
      });
      expect((await resolve()).credentialVersion, "still pinned").toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await resolve();
      expect([after.credentialVersion, secretOf(after)]).toEqual([2, "civo-token-ttl-two-00000000002"]);
    } finally {
      await short.dispose();
    }
  });
});

describe("races and malformed requests", () => {
  it("concurrent first resolves of one deployment for different connections: one pins, the other is refused, never a mixed pairing", async () => {
    const { connections, authz } = await p.clients("org-race");
    const pConn = (await connections.createConnection({ name: "race-p-civo", spec: civoSpec("civo-token-race-p-000000000001") })).connection!;
    const qConn = (await connections.createConnection({ name: "race-q-civo", spec: civoSpec("civo-token-race-q-000000000001") })).connection!;
    // Give Q a higher version so a mixed pairing (Q at P's version) would be visible.
    await connections.updateConnection({
      connection: qConn.slug,
      etag: qConn.etag,
      spec: civoSpec("civo-token-race-q-000000000002"),
      updateMask: create(FieldMaskSchema, { paths: ["spec.civo.api_token"] }),
    });
    for (const c of [pConn, qConn]) await authz.authorizeConnection({ connection: c.slug, scope: AuthorizationScope.ORGANIZATION });
    for (let round = 0; round < 5; round++) {
      const deploymentId = `race-${round}`;
      const outcomes = await Promise.allSettled([
        authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.CIVO, connection: pConn.slug }),
        authz.resolveCredentials({ deploymentId, environment: "dev", provider: Provider.CIVO, connection: qConn.slug }),
      ]);
      const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
      const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [ConnectError.from(o.reason)] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost.map((e) => e.code)).toEqual([Code.FailedPrecondition]);
      const winner = won[0]!;
      const expected = winner.connectionId === pConn.id ? [1, "civo-token-race-p-000000000001"] : [2, "civo-token-race-q-000000000002"];
      expect([winner.credentialVersion, secretOf(winner)]).toEqual(expected);
    }
  });

  it("a malformed resolve is refused with INVALID_ARGUMENT and still audited", async () => {
    // (A request the protocol layer refuses, e.g. an undefined provider number
    // or a NUL character, never reaches the resolver: see the strict-input tests.)
    const { authz } = await p.clients("org-malformed");
    const refused = await failure(authz.resolveCredentials({ deploymentId: "", environment: "Prod!", provider: Provider.UNSPECIFIED }));
    expect(refused.code).toBe(Code.InvalidArgument);
    const events = (await authz.listAuditEvents({})).events;
    expect(events.map((e) => [AuditDecision[e.decision], e.reason, e.environment])).toEqual([["DENIED", "invalid request", "Prod!"]]);
  });
});
