/**
 * Organization isolation, scopes, optimistic concurrency (etags), slug and
 * name rules, naming advice, and pagination of ConnectionService, all
 * through the RPC API of a real registry + vault on a fresh database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { signDevToken } from "@planton/auth";
import { createInProcessBus } from "@planton/events";
import type { Connection } from "@planton/proto/planton/connect/v1/connection_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { ConnectionStatus, Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { captureLogs, rpcFailure } from "@planton/testing";
import { awsSecret } from "./support/fixtures.js";
import { SECRET, startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;
type Clients = { connections: Client<typeof ConnectionService>; runners: Client<typeof RunnerService> };

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
let h: RegistryHarness;

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const failure = rpcFailure;

async function expectCode(promise: Promise<unknown>, code: Code, label = ""): Promise<ConnectError> {
  const error = await failure(promise);
  expect(error.code, `${label} ${error.rawMessage}`).toBe(code);
  return error;
}

function mask(...paths: string[]) {
  return create(FieldMaskSchema, { paths });
}

function awsSpec(accountId: string, secretMarker = "iso"): SpecInit {
  return {
    provider: {
      case: "aws",
      value: {
        accountId,
        region: "eu-west-1",
        auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: awsSecret(secretMarker) } },
      },
    },
  };
}

function awsRunnerSpec(accountId: string, runnerId: string): SpecInit {
  return { provider: { case: "aws", value: { accountId, auth: { case: "runner", value: { runnerId } } } } };
}

function doSpec(): SpecInit {
  return { provider: { case: "digitalocean", value: { apiToken: `dop_v1_${"c".repeat(64)}`, defaultRegion: "ams3" } } };
}

async function registerRunner(clients: Clients, name: string): Promise<string> {
  const { runner } = await clients.runners.registerRunner({
    name,
    identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/planton-runner" },
  });
  return runner!.id;
}

async function connectionRows(orgId: string) {
  return h.registry.db.selectFrom("connections").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
}

async function runnerRows(orgId: string) {
  return h.registry.db.selectFrom("runners").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
}

/** Rows in the registry's outbox or the vault's credential_versions. */
async function countRows(table: "outbox" | "credential_versions"): Promise<number> {
  const row =
    table === "outbox"
      ? await h.registry.db
          .selectFrom("outbox")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      : await h.vault.db
          .selectFrom("credential_versions")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The slugs a DUPLICATE_ACCOUNT warning lists in its parentheses. */
function slugsIn(message: string): string[] {
  const list = /\(([^)]*)\)/.exec(message)?.[1] ?? "";
  return list.split(", ").filter((x) => x !== "");
}

/** A client with no Authorization header at all. */
function anonymousClient(): Client<typeof ConnectionService> {
  return createClient(ConnectionService, createConnectTransport({ baseUrl: h.server.url, httpVersion: "1.1" }));
}

/** A client for `orgId` with exactly `scopes`. */
async function scopedClients(orgId: string, scopes: string[]): Promise<Clients> {
  const token = await signDevToken(SECRET, { subject: `scoped@${orgId}`, orgId, scopes });
  const transport = createConnectTransport({
    baseUrl: h.server.url,
    httpVersion: "1.1",
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${token}`);
        return next(req);
      },
    ],
  });
  return { connections: createClient(ConnectionService, transport), runners: createClient(RunnerService, transport) };
}

async function listAll(clients: Clients, request: { provider?: Provider; status?: ConnectionStatus; pageSize?: number } = {}): Promise<Connection[]> {
  const out: Connection[] = [];
  let pageToken = "";
  for (let i = 0; i < 100; i++) {
    const page = await clients.connections.listConnections({ ...request, pageToken });
    out.push(...page.connections);
    if (page.nextPageToken === "") return out;
    pageToken = page.nextPageToken;
  }
  throw new Error("listing did not end");
}

// ---------------------------------------------------------------------------
// Organization isolation
// ---------------------------------------------------------------------------

describe("organization isolation", () => {
  const ORG_A = "org-iso-a";
  const ORG_B = "org-iso-b";
  let a: Clients;
  let b: Clients;
  let connA: Connection;
  let runnerConnA: Connection;
  let runnerA: string;

  beforeAll(async () => {
    a = await h.clients(ORG_A);
    b = await h.clients(ORG_B);
    runnerA = await registerRunner(a, "shared-runner-name");
    connA = (await a.connections.createConnection({ name: "Payments Prod AWS", spec: awsSpec("111111111111", "orgAsecret") })).connection!;
    runnerConnA = (await a.connections.createConnection({ name: "payments-prod-aws-runner", spec: awsRunnerSpec("222222222222", runnerA) })).connection!;
  });

  it("reads that share one statement (GetConnection batches): each organization gets its own connection of a shared slug, never another's", async () => {
    // The same name in both organizations gives the same slug.
    const mineB = (await b.connections.createConnection({ name: "Payments Prod AWS", spec: awsSpec("333333333333", "orgBsecret") })).connection!;
    expect(mineB.slug).toBe(connA.slug);
    // Issued together, so they go to PostgreSQL in shared statements.
    const reads = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => {
        const [client, reference] = [
          [a, connA.slug],
          [b, connA.slug],
          [a, connA.id],
          [b, connA.id],
          [b, mineB.id],
        ][i % 5] as [Clients, string];
        return client.connections.getConnection({ connection: reference });
      }),
    );
    const seen = reads.map((r) => (r.status === "fulfilled" ? r.value.connection!.id : ConnectError.from(r.reason).code));
    for (let i = 0; i < seen.length; i++) expect(seen[i], `read ${i}`).toEqual([connA.id, mineB.id, connA.id, Code.NotFound, mineB.id][i % 5]);
    await b.connections.deleteConnection({ connection: mineB.id, etag: mineB.etag });
  });

  it("org B gets NOT_FOUND for every read and write of org A's connections and runners, and A's rows do not change", async () => {
    const connectionsBefore = await connectionRows(ORG_A);
    const runnersBefore = await runnerRows(ORG_A);
    const outboxBefore = await countRows("outbox");
    const versionsBefore = await countRows("credential_versions");

    for (const c of [connA, runnerConnA]) {
      for (const reference of [c.id, c.slug]) {
        const notFound = await expectCode(b.connections.getConnection({ connection: reference }), Code.NotFound, `get ${reference}`);
        // The answer is the same as for a connection that does not exist at all.
        const missing = await failure(b.connections.getConnection({ connection: reference.replace(/.$/, (ch) => (ch === "0" ? "1" : "0")) }));
        expect(missing.code).toBe(Code.NotFound);
        expect(notFound.rawMessage).not.toContain(ORG_A);
        await expectCode(
          b.connections.updateConnection({ connection: reference, etag: c.etag, name: "hijacked", updateMask: mask("name") }),
          Code.NotFound,
          `update ${reference}`,
        );
        await expectCode(
          b.connections.updateConnection({
            connection: reference,
            etag: c.etag,
            spec: awsSpec("999999999999", "hijack"),
            updateMask: mask("spec.aws.inline_keys"),
          }),
          Code.NotFound,
          `rotate ${reference}`,
        );
        await expectCode(b.connections.deleteConnection({ connection: reference, etag: c.etag }), Code.NotFound, `delete ${reference}`);
      }
    }
    await expectCode(b.runners.getRunner({ runnerId: runnerA }), Code.NotFound, "get runner");
    await expectCode(b.runners.deleteRunner({ runnerId: runnerA }), Code.NotFound, "delete runner");

    // Lists of B hold none of A's.
    const listedB = await listAll(b);
    expect(listedB.map((c) => c.id)).not.toContain(connA.id);
    expect(listedB.map((c) => c.id)).not.toContain(runnerConnA.id);
    expect(listedB.every((c) => c.orgId === ORG_B)).toBe(true);
    const runnersB = await b.runners.listRunners({});
    expect(runnersB.runners.map((r) => r.id)).not.toContain(runnerA);

    // Nothing of A's changed, nothing was written, and A still reads its own.
    expect(await connectionRows(ORG_A)).toEqual(connectionsBefore);
    expect(await runnerRows(ORG_A)).toEqual(runnersBefore);
    expect(await countRows("outbox")).toBe(outboxBefore);
    expect(await countRows("credential_versions")).toBe(versionsBefore);
    expect((await a.connections.getConnection({ connection: connA.slug })).connection!.etag).toBe(connA.etag);
    expect((await a.runners.getRunner({ runnerId: runnerA })).runner!.id).toBe(runnerA);
  });

  it("org B may use the same names and slugs as org A: slugs are unique per organization", async () => {
    const before = await connectionRows(ORG_A);
    const runnerB = await registerRunner(b, "shared-runner-name");
    expect(runnerB).not.toBe(runnerA);
    const connB = (await b.connections.createConnection({ name: connA.name, spec: awsSpec("111111111111", "orgBsecret") })).connection!;
    expect(connB.slug).toBe(connA.slug);
    expect(connB.id).not.toBe(connA.id);
    expect(connB.orgId).toBe(ORG_B);
    // The same account in another organization is no duplicate for B.
    const runnerConnB = await b.connections.createConnection({ name: runnerConnA.name, spec: awsRunnerSpec("222222222222", runnerB) });
    expect(runnerConnB.connection!.slug).toBe(runnerConnA.slug);
    expect(runnerConnB.warnings.map((w) => w.code)).not.toContain("DUPLICATE_ACCOUNT");

    // Each org resolves the shared slug to its own connection.
    expect((await a.connections.getConnection({ connection: connA.slug })).connection!.id).toBe(connA.id);
    expect((await b.connections.getConnection({ connection: connA.slug })).connection!.id).toBe(connB.id);
    expect((await b.connections.getConnection({ connection: connB.id })).connection!.orgId).toBe(ORG_B);

    // B's updates and deletes by the shared slug touch only B's connection.
    const renamed = await b.connections.updateConnection({ connection: connA.slug, etag: connB.etag, name: "Payments Prod AWS (B)", updateMask: mask("name") });
    expect(renamed.connection!.id).toBe(connB.id);
    await b.connections.deleteConnection({ connection: connA.slug, etag: renamed.connection!.etag });
    await expectCode(b.connections.getConnection({ connection: connB.id }), Code.NotFound);
    expect(await connectionRows(ORG_A)).toEqual(before);
    // A's sealed credentials survived B's delete.
    const live = await h.vault.db
      .selectFrom("credential_versions")
      .select("version")
      .where("connection_id", "=", connA.id)
      .where("destroyed_at", "is", null)
      .execute();
    expect(live.map((r) => r.version)).toEqual([1]);
  });

  it("a page token of org A is refused in org B", async () => {
    const page = await a.connections.listConnections({ pageSize: 1 });
    expect(page.nextPageToken).not.toBe("");
    await expectCode(b.connections.listConnections({ pageSize: 1, pageToken: page.nextPageToken }), Code.InvalidArgument);
  });
});

// ---------------------------------------------------------------------------
// Authentication and scopes
// ---------------------------------------------------------------------------

describe("authentication and scopes", () => {
  const ORG = "org-iso-scopes";

  it("a connections:read token reads but cannot write (PERMISSION_DENIED), and nothing is written", async () => {
    const writer = await h.clients(ORG);
    const existing = (await writer.connections.createConnection({ name: "scopes-prod-aws", spec: awsSpec("333333333333") })).connection!;
    const runnerId = await registerRunner(writer, "scopes-runner");
    const reader = await scopedClients(ORG, ["connections:read"]);
    const rowsBefore = await connectionRows(ORG);
    const runnersBefore = await runnerRows(ORG);
    const outboxBefore = await countRows("outbox");

    expect((await reader.connections.getConnection({ connection: existing.id })).connection!.id).toBe(existing.id);
    expect((await reader.connections.listConnections({})).connections.map((c) => c.id)).toContain(existing.id);
    expect((await reader.runners.getRunner({ runnerId })).runner!.id).toBe(runnerId);

    await expectCode(reader.connections.createConnection({ name: "read-only-attempt", spec: awsSpec("444444444444") }), Code.PermissionDenied, "create");
    await expectCode(
      reader.connections.updateConnection({ connection: existing.id, etag: existing.etag, name: "x-renamed", updateMask: mask("name") }),
      Code.PermissionDenied,
      "update",
    );
    await expectCode(reader.connections.deleteConnection({ connection: existing.id, etag: existing.etag }), Code.PermissionDenied, "delete");
    await expectCode(
      reader.runners.registerRunner({
        name: "read-only-runner",
        identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/r" },
      }),
      Code.PermissionDenied,
      "register",
    );
    await expectCode(reader.runners.deleteRunner({ runnerId }), Code.PermissionDenied, "delete runner");
    await expectCode(
      reader.connections.recordVerification({ orgId: ORG, connectionId: existing.id, verification: { credentialVersion: 1, ok: true } }),
      Code.PermissionDenied,
      "record",
    );

    expect(await connectionRows(ORG)).toEqual(rowsBefore);
    expect(await runnerRows(ORG)).toEqual(runnersBefore);
    expect(await countRows("outbox")).toBe(outboxBefore);
  });

  it("a connections:write token without read cannot read (PERMISSION_DENIED)", async () => {
    const writeOnly = await scopedClients(ORG, ["connections:write"]);
    await expectCode(writeOnly.connections.listConnections({}), Code.PermissionDenied, "list");
    await expectCode(writeOnly.connections.getConnection({ connection: "scopes-prod-aws" }), Code.PermissionDenied, "get");
  });

  it("without a token every method is UNAUTHENTICATED", async () => {
    const anonymous = anonymousClient();
    const before = await connectionRows(ORG);
    await expectCode(anonymous.listConnections({}), Code.Unauthenticated, "list");
    await expectCode(anonymous.getConnection({ connection: "scopes-prod-aws" }), Code.Unauthenticated, "get");
    await expectCode(anonymous.createConnection({ name: "anonymous-attempt", spec: awsSpec("555555555555") }), Code.Unauthenticated, "create");
    await expectCode(anonymous.deleteConnection({ connection: "scopes-prod-aws", etag: "x" }), Code.Unauthenticated, "delete");
    expect(await connectionRows(ORG)).toEqual(before);
    // A token signed with another secret is no better than none.
    const forged = await signDevToken("another-secret-another-secret-0123456789", {
      subject: "mallory",
      orgId: ORG,
      scopes: ["connections:read", "connections:write"],
    });
    const forgedClient = createClient(
      ConnectionService,
      createConnectTransport({
        baseUrl: h.server.url,
        httpVersion: "1.1",
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${forged}`);
            return next(req);
          },
        ],
      }),
    );
    await expectCode(forgedClient.listConnections({}), Code.Unauthenticated, "forged");
  });
});

// ---------------------------------------------------------------------------
// Etags and concurrent writers
// ---------------------------------------------------------------------------

describe("etags: concurrent writers with the same etag, exactly one wins", () => {
  const ORG = "org-iso-race";
  let c: Clients;

  beforeAll(async () => {
    c = await h.clients(ORG);
  });

  it("10 concurrent renames with one etag: one succeeds, 9 are ABORTED, the winner's name stays", async () => {
    const original = (await c.connections.createConnection({ name: "race-rename-aws", spec: awsSpec("666666666666") })).connection!;
    const outboxBefore = await countRows("outbox");
    const names = Array.from({ length: 10 }, (_, i) => `race-rename-aws-${i}`);
    const results = await Promise.allSettled(
      names.map((name) => c.connections.updateConnection({ connection: original.id, etag: original.etag, name, updateMask: mask("name") })),
    );
    const won = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [ConnectError.from(r.reason)] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array(9).fill(Code.Aborted));
    const winner = won[0]!.connection!;
    expect(names).toContain(winner.name);
    expect(winner.etag).not.toBe(original.etag);

    const now = (await c.connections.getConnection({ connection: original.id })).connection!;
    expect(now.name).toBe(winner.name);
    expect(now.etag).toBe(winner.etag);
    expect(now.slug).toBe(original.slug);
    expect(now.credentialVersion).toBe(1);
    // One updated event, for the one change that happened.
    expect(await countRows("outbox")).toBe(outboxBefore + 1);
  });

  it("10 concurrent rotations with one etag: one succeeds, 9 are ABORTED, one new credential version is referenced", async () => {
    const original = (await c.connections.createConnection({ name: "race-rotate-aws", spec: awsSpec("777777777777") })).connection!;
    expect(original.credentialVersion).toBe(1);
    const secrets = Array.from({ length: 10 }, (_, i) => awsSecret(`rotation${i}X`));
    expect(new Set(secrets).size).toBe(10);
    const results = await Promise.allSettled(
      secrets.map((secretAccessKey) =>
        c.connections.updateConnection({
          connection: original.id,
          etag: original.etag,
          spec: { provider: { case: "aws", value: { auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey } } } } },
          updateMask: mask("spec.aws.inline_keys"),
        }),
      ),
    );
    const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ response: r.value, secret: secrets[i]! }] : []));
    const lost = results.flatMap((r) => (r.status === "rejected" ? [ConnectError.from(r.reason)] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array(9).fill(Code.Aborted));
    const winner = won[0]!;
    expect(winner.response.rotated).toBe(true);

    const now = (await c.connections.getConnection({ connection: original.id })).connection!;
    expect(now.etag).toBe(winner.response.connection!.etag);
    expect(now.credentialVersion).toBe(winner.response.connection!.credentialVersion);
    expect(now.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
    // The referenced version holds the winner's secret.
    const payload = await h.vault.vault.open({ orgId: ORG, connectionId: original.id, version: now.credentialVersion });
    const sealed = fromBinary(ConnectionSpecSchema, payload);
    expect(sealed.provider.case === "aws" && sealed.provider.value.auth.case === "inlineKeys" ? sealed.provider.value.auth.value.secretAccessKey : "").toBe(
      winner.secret,
    );
    // Only version 1 and the referenced one are live: every loser's version was destroyed.
    const live = await h.vault.db
      .selectFrom("credential_versions")
      .select("version")
      .where("connection_id", "=", original.id)
      .where("destroyed_at", "is", null)
      .orderBy("version")
      .execute();
    expect(live.map((r) => r.version)).toEqual([1, now.credentialVersion]);
    // Versions are numbered by the vault in seal order, not commit order, so
    // the winner's version is one of 2..11, not necessarily 2.
    expect(now.credentialVersion).toBeGreaterThan(1);
  });

  it("5 concurrent creates of one name: one succeeds, 4 are ALREADY_EXISTS, no credential is left without a connection", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => c.connections.createConnection({ name: "race-create-aws", spec: awsSpec(`88888888888${i}`, `create${i}X`) })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.flatMap((r) => (r.status === "rejected" ? [ConnectError.from(r.reason)] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array(4).fill(Code.AlreadyExists));
    const orphans = await h.vault.db
      .selectFrom("credential_versions")
      .select("connection_id")
      .where("org_id", "=", ORG)
      .where("destroyed_at", "is", null)
      .execute();
    const ids = new Set((await connectionRows(ORG)).map((r) => r.id));
    expect(orphans.filter((o) => !ids.has(o.connection_id))).toEqual([]);
  });

  it("a stale etag is ABORTED on update and delete, and the connection is unchanged", async () => {
    const original = (await c.connections.createConnection({ name: "stale-etag-aws", spec: awsSpec("999999999991") })).connection!;
    const renamed = (await c.connections.updateConnection({ connection: original.id, etag: original.etag, name: "stale-etag-aws-2", updateMask: mask("name") }))
      .connection!;
    const before = await connectionRows(ORG);
    const outboxBefore = await countRows("outbox");
    await expectCode(c.connections.deleteConnection({ connection: original.id, etag: original.etag }), Code.Aborted, "delete");
    await expectCode(c.connections.deleteConnection({ connection: original.slug, etag: "0000000000000000" }), Code.Aborted, "delete made-up etag");
    await expectCode(
      c.connections.updateConnection({ connection: original.id, etag: original.etag, name: "stale-etag-aws-3", updateMask: mask("name") }),
      Code.Aborted,
      "update",
    );
    await expectCode(
      c.connections.updateConnection({
        connection: original.id,
        etag: original.etag,
        spec: awsSpec("999999999991", "staleX"),
        updateMask: mask("spec.aws.inline_keys"),
      }),
      Code.Aborted,
      "rotate",
    );
    expect(await connectionRows(ORG)).toEqual(before);
    expect(await countRows("outbox")).toBe(outboxBefore);
    const live = await h.vault.db.selectFrom("credential_versions").select("version").where("connection_id", "=", original.id).execute();
    expect(live.map((r) => r.version)).toEqual([1]);
    // With the current etag it goes.
    await c.connections.deleteConnection({ connection: original.id, etag: renamed.etag });
    await expectCode(c.connections.getConnection({ connection: original.id }), Code.NotFound);
  });
});

// ---------------------------------------------------------------------------
// Slugs and names
// ---------------------------------------------------------------------------

describe("slugs: generated from the name, unique per organization, immutable", () => {
  const ORG = "org-iso-slugs";
  let c: Clients;
  let prod: Connection;

  beforeAll(async () => {
    c = await h.clients(ORG);
    prod = (await c.connections.createConnection({ name: "My Prod AWS!!", spec: awsSpec("101010101010") })).connection!;
  });

  it('"My Prod AWS!!" gets the slug my-prod-aws and is found by it', async () => {
    expect(prod.slug).toBe("my-prod-aws");
    expect(prod.name).toBe("My Prod AWS!!");
    expect((await c.connections.getConnection({ connection: "my-prod-aws" })).connection!.id).toBe(prod.id);
  });

  it("runs of symbols and case collapse to lowercase and single dashes; the slug is at most 63 characters", async () => {
    const made = (await c.connections.createConnection({ name: "Data__Team -- Staging (EU)", spec: doSpec() })).connection!;
    expect(made.slug).toBe("data-team-staging-eu");
    // NFKD turns each ligature into two letters: 125 slug characters before the cap.
    const long = (await c.connections.createConnection({ name: `a${"\ufb00".repeat(62)}`, spec: doSpec() })).connection!;
    expect(long.slug).toBe(`a${"f".repeat(62)}`);
    expect(long.slug).toHaveLength(63);
  });

  it("accented letters keep their base letter in the slug (no dash inside a word)", async () => {
    const made = (await c.connections.createConnection({ name: "Équipe Données Staging", spec: doSpec() })).connection!;
    expect(made.slug).toBe("equipe-donnees-staging");
    expect((await c.connections.getConnection({ connection: "equipe-donnees-staging" })).connection!.id).toBe(made.id);
  });

  it("the same name, or one that differs only in case or punctuation, is ALREADY_EXISTS and writes nothing", async () => {
    const before = await connectionRows(ORG);
    const outboxBefore = await countRows("outbox");
    const versionsBefore = await countRows("credential_versions");
    for (const name of ["My Prod AWS!!", "my prod aws", "MY-PROD-AWS", "my_prod_aws", "My  Prod -- AWS"]) {
      await expectCode(c.connections.createConnection({ name, spec: awsSpec("202020202020") }), Code.AlreadyExists, name);
    }
    expect(await connectionRows(ORG)).toEqual(before);
    expect(await countRows("outbox")).toBe(outboxBefore);
    expect(await countRows("credential_versions")).toBe(versionsBefore);
  });

  it("a rename keeps the slug; the connection is still reachable by it, and the slug stays taken", async () => {
    const renamed = (await c.connections.updateConnection({ connection: prod.slug, etag: prod.etag, name: "Payments Production", updateMask: mask("name") }))
      .connection!;
    expect(renamed.name).toBe("Payments Production");
    expect(renamed.slug).toBe("my-prod-aws");
    const bySlug = (await c.connections.getConnection({ connection: "my-prod-aws" })).connection!;
    expect(bySlug.id).toBe(prod.id);
    expect(bySlug.name).toBe("Payments Production");
    await expectCode(c.connections.getConnection({ connection: "payments-production" }), Code.NotFound, "no new slug");
    // The old name is free, but its slug is not: still ALREADY_EXISTS.
    await expectCode(c.connections.createConnection({ name: "My Prod AWS!!", spec: awsSpec("303030303030") }), Code.AlreadyExists, "old name");
    prod = renamed;
  });

  it("renaming to another connection's name is ALREADY_EXISTS and changes nothing", async () => {
    const other = (await c.connections.createConnection({ name: "Staging AWS", spec: awsSpec("404040404040") })).connection!;
    const before = await connectionRows(ORG);
    const outboxBefore = await countRows("outbox");
    await expectCode(
      c.connections.updateConnection({ connection: other.id, etag: other.etag, name: prod.name, updateMask: mask("name") }),
      Code.AlreadyExists,
      "rename",
    );
    expect(await connectionRows(ORG)).toEqual(before);
    expect(await countRows("outbox")).toBe(outboxBefore);
  });

  it("a rename to a taken name together with a rotation is ALREADY_EXISTS and seals no credential version", async () => {
    const other = (await c.connections.createConnection({ name: "Rotating AWS", spec: awsSpec("505050505050") })).connection!;
    const before = await connectionRows(ORG);
    const versionsBefore = await h.vault.db
      .selectFrom("credential_versions")
      .select(["version", "destroyed_at"])
      .where("connection_id", "=", other.id)
      .orderBy("version")
      .execute();
    expect(versionsBefore.map((v) => v.version)).toEqual([1]);
    await expectCode(
      c.connections.updateConnection({
        connection: other.id,
        etag: other.etag,
        name: prod.name,
        spec: awsSpec("505050505050", "rotatedX"),
        updateMask: mask("name", "spec.aws.inline_keys"),
      }),
      Code.AlreadyExists,
      "rename+rotate",
    );
    expect(await connectionRows(ORG)).toEqual(before);
    const versionsAfter = await h.vault.db
      .selectFrom("credential_versions")
      .select(["version", "destroyed_at"])
      .where("connection_id", "=", other.id)
      .orderBy("version")
      .execute();
    expect(versionsAfter, "no credential version sealed for a refused update").toEqual(versionsBefore);
    // The next real rotation is version 2: refused updates leave no gap.
    const rotated = await c.connections.updateConnection({
      connection: other.id,
      etag: other.etag,
      spec: awsSpec("505050505050", "rotatedY"),
      updateMask: mask("spec.aws.inline_keys"),
    });
    expect(rotated.connection!.credentialVersion).toBe(2);
  });
});

// ---------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------

describe("warnings: accepted, with advice", () => {
  const ORG = "org-iso-warnings";
  let c: Clients;

  beforeAll(async () => {
    c = await h.clients(ORG);
  });

  it("vague names get NAME_CONVENTION on the name field; a descriptive one gets none", async () => {
    const aws1 = await c.connections.createConnection({ name: "aws1", spec: awsSpec("121212121212") });
    expect(aws1.connection!.slug).toBe("aws1");
    expect(aws1.warnings.map((w) => ({ code: w.code, field: w.field }))).toEqual([{ code: "NAME_CONVENTION", field: "name" }]);
    expect(aws1.warnings[0]!.message).not.toBe("");

    const myCloud = await c.connections.createConnection({ name: "my-cloud", spec: doSpec() });
    expect(myCloud.warnings.map((w) => ({ code: w.code, field: w.field }))).toEqual([{ code: "NAME_CONVENTION", field: "name" }]);

    const good = await c.connections.createConnection({ name: "payments-prod-aws", spec: awsSpec("131313131313") });
    expect(good.warnings).toEqual([]);

    // Renaming to a vague name warns too; renaming back does not.
    const vague = await c.connections.updateConnection({
      connection: good.connection!.id,
      etag: good.connection!.etag,
      name: "aws2",
      updateMask: mask("name"),
    });
    expect(vague.warnings.map((w) => w.code)).toEqual(["NAME_CONVENTION"]);
    const back = await c.connections.updateConnection({
      connection: good.connection!.id,
      etag: vague.connection!.etag,
      name: "payments-prod-aws",
      updateMask: mask("name"),
    });
    expect(back.warnings).toEqual([]);
  });

  it("a second AWS connection to an account another connection uses gets DUPLICATE_ACCOUNT naming the first's slug", async () => {
    const first = await c.connections.createConnection({ name: "billing-prod-aws", spec: awsSpec("141414141414") });
    expect(first.warnings).toEqual([]);
    const second = await c.connections.createConnection({ name: "billing-prod-aws-ci", spec: awsSpec("141414141414", "secondX") });
    expect(second.connection!.id).not.toBe(first.connection!.id);
    const dup = second.warnings.filter((w) => w.code === "DUPLICATE_ACCOUNT");
    expect(dup).toHaveLength(1);
    expect(dup[0]!.field).toBe("spec.aws.account_id");
    expect(slugsIn(dup[0]!.message)).toEqual([first.connection!.slug]);
    expect(second.warnings.map((w) => w.code)).toEqual(["DUPLICATE_ACCOUNT"]);
    // Now that the account is shared, updating the first warns too, naming the other one (never itself).
    const firstUpdate = await c.connections.updateConnection({
      connection: first.connection!.id,
      etag: first.connection!.etag,
      name: "billing-prod-aws-main",
      updateMask: mask("name"),
    });
    expect(firstUpdate.warnings.map((w) => w.code)).toEqual(["DUPLICATE_ACCOUNT"]);
    expect(slugsIn(firstUpdate.warnings[0]!.message)).toEqual(["billing-prod-aws-ci"]);
    // Another account: no warning.
    const third = await c.connections.createConnection({ name: "billing-stage-aws", spec: awsSpec("151515151515") });
    expect(third.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Pagination and filters
// ---------------------------------------------------------------------------

describe("pagination and filters", () => {
  const ORG = "org-iso-pages";
  let c: Clients;
  let created: Connection[];
  let runnerId: string;

  beforeAll(async () => {
    c = await h.clients(ORG);
    runnerId = await registerRunner(c, "pages-runner");
    created = [];
    // 7 connections: 4 AWS (2 inline, 2 runner) and 3 DigitalOcean, interleaved.
    const specs: SpecInit[] = [
      awsSpec("600000000001"),
      doSpec(),
      awsRunnerSpec("600000000002", runnerId),
      doSpec(),
      awsSpec("600000000003"),
      awsRunnerSpec("600000000004", runnerId),
      doSpec(),
    ];
    for (const [i, spec] of specs.entries()) {
      created.push((await c.connections.createConnection({ name: `page-item-${i}`, spec })).connection!);
    }
  });

  /** Creation order as the API defines it: create_time, then id. */
  function inCreationOrder(list: Connection[]): string[] {
    return [...list]
      .sort((x, y) => {
        const tx = x.createTime!.seconds * 1000n + BigInt(Math.floor(x.createTime!.nanos / 1e6));
        const ty = y.createTime!.seconds * 1000n + BigInt(Math.floor(y.createTime!.nanos / 1e6));
        return tx !== ty ? (tx < ty ? -1 : 1) : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
      })
      .map((x) => x.id);
  }

  it("page_size 3 gives pages of 3, 3 and 1 in creation order, without duplicates or gaps", async () => {
    const expected = inCreationOrder(created);
    // Sequential creates: the creation order is the order of the calls.
    expect(expected).toEqual(created.map((x) => x.id));
    const pages: Connection[][] = [];
    let token = "";
    do {
      const page = await c.connections.listConnections({ pageSize: 3, pageToken: token });
      pages.push(page.connections);
      token = page.nextPageToken;
    } while (token !== "" && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const ids = pages.flat().map((x) => x.id);
    expect(new Set(ids).size).toBe(7);
    expect(ids).toEqual(expected);
  });

  it("page_size 0 means the default, larger than 100 is capped, both return everything here", async () => {
    const all = await c.connections.listConnections({});
    expect(all.connections.map((x) => x.id)).toEqual(created.map((x) => x.id));
    expect(all.nextPageToken).toBe("");
    const capped = await c.connections.listConnections({ pageSize: 5000 });
    expect(capped.connections).toHaveLength(7);
  });

  it("filters by provider and by status", async () => {
    const aws = await listAll(c, { provider: Provider.AWS, pageSize: 2 });
    expect(aws.map((x) => x.id)).toEqual(created.filter((x) => x.provider === Provider.AWS).map((x) => x.id));
    expect(aws).toHaveLength(4);
    const digitalocean = await listAll(c, { provider: Provider.DIGITALOCEAN });
    expect(digitalocean.map((x) => x.id)).toEqual(created.filter((x) => x.provider === Provider.DIGITALOCEAN).map((x) => x.id));
    expect(digitalocean).toHaveLength(3);
    expect(await listAll(c, { provider: Provider.GCP })).toEqual([]);

    const byRunner = await listAll(c, { status: ConnectionStatus.VERIFIED_BY_RUNNER });
    expect(byRunner.map((x) => x.id)).toEqual([created[2]!.id, created[5]!.id]);
    const pending = await listAll(c, { status: ConnectionStatus.PENDING_VERIFICATION, pageSize: 1 });
    expect(pending.map((x) => x.id)).toEqual([0, 1, 3, 4, 6].map((i) => created[i]!.id));
    const awsPending = await listAll(c, { provider: Provider.AWS, status: ConnectionStatus.PENDING_VERIFICATION });
    expect(awsPending.map((x) => x.id)).toEqual([created[0]!.id, created[4]!.id]);
  });

  it("a token from a filtered listing is INVALID_ARGUMENT without the filter or with another one", async () => {
    const filtered = await c.connections.listConnections({ provider: Provider.AWS, pageSize: 1 });
    expect(filtered.nextPageToken).not.toBe("");
    await expectCode(c.connections.listConnections({ pageSize: 1, pageToken: filtered.nextPageToken }), Code.InvalidArgument, "no filter");
    await expectCode(
      c.connections.listConnections({ provider: Provider.DIGITALOCEAN, pageSize: 1, pageToken: filtered.nextPageToken }),
      Code.InvalidArgument,
      "other provider",
    );
    await expectCode(
      c.connections.listConnections({ provider: Provider.AWS, status: ConnectionStatus.VERIFIED, pageSize: 1, pageToken: filtered.nextPageToken }),
      Code.InvalidArgument,
      "extra status",
    );
    // With the same filter it continues.
    const next = await c.connections.listConnections({ provider: Provider.AWS, pageSize: 1, pageToken: filtered.nextPageToken });
    expect(next.connections.map((x) => x.id)).toEqual([created[2]!.id]);
    // A runners token is no connections token.
    await registerRunner(c, "pages-runner-2");
    const runners = await c.runners.listRunners({ pageSize: 1 });
    expect(runners.nextPageToken).not.toBe("");
    await expectCode(c.connections.listConnections({ pageSize: 1, pageToken: runners.nextPageToken }), Code.InvalidArgument, "runners token");
  });

  it("a deleted connection leaves no gap in a listing in progress", async () => {
    const first = await c.connections.listConnections({ pageSize: 3 });
    const victim = created[3]!;
    const current = (await c.connections.getConnection({ connection: victim.id })).connection!;
    await c.connections.deleteConnection({ connection: victim.id, etag: current.etag });
    const rest = await listAll(c, { pageSize: 3 });
    expect(rest.map((x) => x.id)).not.toContain(victim.id);
    let token = first.nextPageToken;
    const after: string[] = [];
    while (token !== "") {
      const page = await c.connections.listConnections({ pageSize: 3, pageToken: token });
      after.push(...page.connections.map((x) => x.id));
      token = page.nextPageToken;
    }
    expect(after).toEqual([4, 5, 6].map((i) => created[i]!.id));
  });
});
