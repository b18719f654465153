import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import { ConnectionSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { AuthMode, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { captureLogs, rpcFailure } from "@planton/testing";
import { gcpKeyBase64, registerRunners, validSpecs, type RunnerIds } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const events: EventEnvelope[] = [];
bus.subscribe("connect.>", async (event) => {
  events.push(event);
});
let h: RegistryHarness;

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

const failure = rpcFailure;

async function runnersFor(orgId: string): Promise<RunnerIds> {
  const { runners } = await h.clients(orgId);
  return registerRunners(runners, `runner-${Math.random().toString(36).slice(2, 8)}`);
}

describe("every provider and auth mode: create, get, list, rotate or update, delete", () => {
  it("round-trips each one, never returning a secret", async () => {
    const orgId = "org-lifecycle";
    const marker = `MARKER${Math.random().toString(36).slice(2, 10)}`;
    const runnerIds = await runnersFor(orgId);
    const { connections } = await h.clients(orgId);
    const specs = validSpecs(marker, runnerIds);
    expect(Object.keys(specs)).toHaveLength(10);
    for (const [label, spec] of Object.entries(specs)) {
      const name = `lifecycle ${label}`;
      const created = await connections.createConnection({ name, spec });
      const c = created.connection!;
      expect(c.slug, label).toBe(`lifecycle-${label.replace(/ /g, "-")}`);
      expect(c.orgId).toBe(orgId);
      const runnerMode = label.endsWith("runner");
      expect(c.authMode, label).toBe(runnerMode ? AuthMode.RUNNER : AuthMode.INLINE);
      expect(c.status, label).toBe(runnerMode ? ConnectionStatus.VERIFIED_BY_RUNNER : ConnectionStatus.PENDING_VERIFICATION);
      expect(c.credentialVersion, label).toBe(runnerMode ? 0 : 1);
      expect(c.id).toMatch(/^(aws|gcp|az|do|civo|cf)conn_[0-9a-z]{26}$/);
      expect(toJsonString(ConnectionSchema, c)).not.toContain(marker);

      const byId = (await connections.getConnection({ connection: c.id })).connection!;
      const bySlug = (await connections.getConnection({ connection: c.slug })).connection!;
      expect(byId.id).toBe(c.id);
      expect(bySlug.id).toBe(c.id);

      // Rotate secrets where there are any, else change a non-secret field.
      const provider = spec.provider!.case!;
      const rotation = rotationFor(label, marker);
      const updated = await connections.updateConnection({
        connection: c.slug,
        etag: c.etag,
        spec: rotation?.spec ?? spec,
        name: `${name} renamed`,
        updateMask: create(FieldMaskSchema, { paths: ["name", ...(rotation ? [rotation.path] : [])] }),
      });
      expect(updated.connection!.name).toBe(`${name} renamed`);
      expect(updated.connection!.slug, "slug is immutable").toBe(c.slug);
      expect(updated.rotated, label).toBe(rotation !== undefined);
      if (rotation) {
        expect(updated.connection!.credentialVersion).toBe(2);
        expect(updated.connection!.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
        // The old version stays in the vault (authz decides when it goes).
        const v1 = await h.vault.vault.open({ orgId, connectionId: c.id, version: 1 });
        expect(v1.length).toBeGreaterThan(0);
      }
      expect(toJsonString(ConnectionSchema, updated.connection!)).not.toContain(marker);
      expect(provider).toBeDefined();

      const listed = await connections.listConnections({ provider: c.provider });
      expect(listed.connections.map((x) => x.id)).toContain(c.id);

      await connections.deleteConnection({ connection: c.id, etag: updated.connection!.etag });
      expect((await failure(connections.getConnection({ connection: c.id }))).code).toBe(Code.NotFound);
      if (!runnerMode) {
        const rows = await h.vault.db.selectFrom("credential_versions").selectAll().where("connection_id", "=", c.id).execute();
        expect(rows.length).toBeGreaterThan(0);
        expect(
          rows.every((r) => r.destroyed_at !== null && r.ciphertext === null),
          `${label}: every version destroyed`,
        ).toBe(true);
      }
    }
    const kinds = events.filter((e) => e.subject.startsWith("connect.connection.")).map((e) => e.subject);
    expect(kinds).toEqual(
      expect.arrayContaining(["connect.connection.created", "connect.connection.rotated", "connect.connection.updated", "connect.connection.deleted"]),
    );
  });
});

function rotationFor(label: string, marker: string): { path: string; spec: SpecInit } | undefined {
  const m = marker.replace(/[^A-Za-z0-9]/g, "");
  switch (label) {
    case "aws inline":
      return {
        path: "spec.aws.inline_keys",
        spec: {
          provider: {
            case: "aws",
            value: {
              auth: {
                case: "inlineKeys",
                value: { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: `${m}je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY`.slice(0, 40) },
              },
            },
          },
        },
      };
    case "gcp key":
      return {
        path: "spec.gcp.service_account_key",
        spec: { provider: { case: "gcp", value: { auth: { case: "serviceAccountKey", value: { keyBase64: gcpKeyBase64({ rotated: m }) } } } } },
      };
    case "azure service principal":
      return {
        path: "spec.azure.service_principal.client_secret",
        spec: { provider: { case: "azure", value: { auth: { case: "servicePrincipal", value: { clientSecret: `${m}-rotated-azure-secret` } } } } },
      };
    case "digitalocean":
      return {
        path: "spec.digitalocean.api_token",
        spec: { provider: { case: "digitalocean", value: { apiToken: `dop_v1_${m}${"b".repeat(64)}`.slice(0, 71) } } },
      };
    case "civo":
      return { path: "spec.civo.api_token", spec: { provider: { case: "civo", value: { apiToken: `${m}rotatedcivotoken0123456789` } } } };
    case "cloudflare token":
      return { path: "spec.cloudflare.api_token", spec: { provider: { case: "cloudflare", value: { apiToken: `cfat_${m}${"y".repeat(48)}`.slice(0, 53) } } } };
    case "cloudflare legacy":
      return {
        path: "spec.cloudflare.legacy.api_key",
        spec: { provider: { case: "cloudflare", value: { legacy: { apiKey: `cfk_${m}${"q".repeat(48)}`.slice(0, 52) } } } },
      };
    default:
      return undefined;
  }
}
