/**
 * RunnerService through the RPC API: registration and its once-shown token
 * (stored only as a SHA-256 hash), identity principal rules per kind, name
 * uniqueness per organization, deletion refused while a connection uses the
 * runner, and the runner events on the bus.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, toJsonString, type MessageInitShape } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import type { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import type { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, ConnectionStatus, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerSchema, type Runner, type RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { captureLogs, dumpDatabase, markerForms, rpcFailure } from "@planton/testing";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

type SpecInit = MessageInitShape<typeof ConnectionSpecSchema>;
type Clients = { connections: Client<typeof ConnectionService>; runners: Client<typeof RunnerService> };

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

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const failure = rpcFailure;

async function expectCode(promise: Promise<unknown>, code: Code, label = ""): Promise<ConnectError> {
  const error = await failure(promise);
  expect(error.code, `${label} ${error.rawMessage}`).toBe(code);
  return error;
}

const IRSA = { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/planton-runner" };
const GCP_WI = { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "planton-runner@acme-prod-1234.iam.gserviceaccount.com" };
const AZURE_MI = { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: "0f1e2d3c-4b5a-4968-8776-655443322110" };

function awsRunnerSpec(accountId: string, runnerId: string): SpecInit {
  return { provider: { case: "aws", value: { accountId, auth: { case: "runner", value: { runnerId } } } } };
}
function gcpRunnerSpec(projectId: string, runnerId: string): SpecInit {
  return { provider: { case: "gcp", value: { projectId, auth: { case: "runner", value: { runnerId } } } } };
}
function azureRunnerSpec(runnerId: string): SpecInit {
  return {
    provider: {
      case: "azure",
      value: {
        tenantId: "8d5e7c1a-1b2c-4d3e-9f4a-5b6c7d8e9f00",
        subscriptionId: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        auth: { case: "runner", value: { runnerId } },
      },
    },
  };
}

async function runnerRow(id: string) {
  return h.registry.db.selectFrom("runners").selectAll().where("id", "=", id).executeTakeFirst();
}

async function counts(): Promise<{ runners: number; outbox: number; connections: number }> {
  const n = async (table: "runners" | "outbox" | "connections") =>
    Number(
      (
        await h.registry.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { runners: await n("runners"), outbox: await n("outbox"), connections: await n("connections") };
}

async function listAllRunners(clients: Clients, pageSize: number): Promise<{ runners: Runner[]; pages: number[] }> {
  const runners: Runner[] = [];
  const pages: number[] = [];
  let pageToken = "";
  for (let i = 0; i < 100; i++) {
    const page = await clients.runners.listRunners({ pageSize, pageToken });
    runners.push(...page.runners);
    pages.push(page.runners.length);
    if (page.nextPageToken === "") return { runners, pages };
    pageToken = page.nextPageToken;
  }
  throw new Error("listing did not end");
}

/** Waits until every committed outbox row is published and every bus delivery has run. */
async function settleEvents(): Promise<void> {
  expect(await h.registry.relay.drain(10_000), "outbox drained").toBe(true);
  await bus.idle();
}

function runnerEventsOf(runnerId: string) {
  return events
    .filter((e) => e.subject.startsWith("connect.runner."))
    .map((e) => ({ envelope: e, event: fromBinary(EventSchema, e.data) }))
    .filter(({ event }) => event.payload.case === "runner" && event.payload.value.runnerId === runnerId);
}

// ---------------------------------------------------------------------------
// Registration and the token
// ---------------------------------------------------------------------------

describe("RegisterRunner: the token is shown once and stored only as a hash", () => {
  const ORG = "org-runners-token";
  let c: Clients;
  let registered: { runner: Runner; token: string };

  beforeAll(async () => {
    c = await h.clients(ORG);
    const response = await c.runners.registerRunner({ name: "prod-eks-runner", identity: IRSA });
    registered = { runner: response.runner!, token: response.token };
  });

  it("returns the runner and a prn_ token of 256 random bits", async () => {
    const { runner, token } = registered;
    expect(token).toMatch(/^prn_[A-Za-z0-9_-]{43}$/);
    expect(runner.id).toMatch(/^runner_[0-9a-z]{26}$/);
    expect(runner.orgId).toBe(ORG);
    expect(runner.name).toBe("prod-eks-runner");
    expect(runner.identity).toMatchObject({ kind: RunnerIdentityKind.AWS_IRSA, principal: IRSA.principal });
    expect(runner.createTime).toBeDefined();
    // A second registration gets another token.
    const other = await c.runners.registerRunner({ name: "prod-eks-runner-2", identity: IRSA });
    expect(other.token).toMatch(/^prn_/);
    expect(other.token).not.toBe(token);
    expect(other.runner!.id).not.toBe(runner.id);
  });

  it("stores only SHA-256(token), 32 bytes; the token is nowhere in the database", async () => {
    const { runner, token } = registered;
    const row = (await runnerRow(runner.id))!;
    expect(row).toBeDefined();
    const hash = Buffer.from(row.token_hash);
    expect(hash).toHaveLength(32);
    expect(hash.equals(createHash("sha256").update(token).digest())).toBe(true);
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === "string") expect(value, column).not.toContain(token);
    }
    // Everything in every schema (registry, vault, outbox), plain, base64 and hex.
    const dump = await dumpDatabase(h.database.url);
    const secretPart = token.slice("prn_".length);
    for (const form of [...markerForms(token), ...markerForms(secretPart)]) expect(dump.text).not.toContain(form);
  });

  it("responses after registration show only a short hint: never the token", async () => {
    const { runner, token } = registered;
    expect(runner.tokenHint).not.toBe("");
    const hintPrefix = runner.tokenHint.replace(/[…*.]+$/u, "");
    expect(token.startsWith(hintPrefix)).toBe(true);
    // At most 8 characters of the token: "prn_" and a few characters to recognise it by.
    expect(hintPrefix.length).toBeLessThanOrEqual(8);
    expect(runner.tokenHint.length).toBeLessThanOrEqual(12);

    const got = (await c.runners.getRunner({ runnerId: runner.id })).runner!;
    expect(got.tokenHint).toBe(runner.tokenHint);
    expect(got.id).toBe(runner.id);
    const listed = await c.runners.listRunners({});
    expect(listed.runners.map((r) => r.id)).toContain(runner.id);
    const secretPart = token.slice("prn_".length);
    for (const json of [toJsonString(RunnerSchema, got), ...listed.runners.map((r) => toJsonString(RunnerSchema, r))]) {
      expect(json).not.toContain(token);
      expect(json).not.toContain(secretPart);
    }
    // Nor in the log lines of these calls.
    expect(logs.text()).not.toContain(secretPart);
  });

  it("the name is unique per organization: ALREADY_EXISTS, nothing written; another org may use it", async () => {
    const before = await counts();
    const error = await expectCode(c.runners.registerRunner({ name: "prod-eks-runner", identity: GCP_WI }), Code.AlreadyExists, "same name");
    expect(error.rawMessage).toContain("prod-eks-runner");
    expect(await counts()).toEqual(before);
    const other = await h.clients("org-runners-token-other");
    const elsewhere = await other.runners.registerRunner({ name: "prod-eks-runner", identity: IRSA });
    expect(elsewhere.runner!.orgId).toBe("org-runners-token-other");
    expect(elsewhere.runner!.id).not.toBe(registered.runner.id);
    // ...and cannot see this org's runner of the same name.
    const otherList = await other.runners.listRunners({});
    expect(otherList.runners.map((r) => r.id)).toEqual([elsewhere.runner!.id]);
    await expectCode(other.runners.getRunner({ runnerId: registered.runner.id }), Code.NotFound, "other org get");
    await expectCode(other.runners.deleteRunner({ runnerId: registered.runner.id }), Code.NotFound, "other org delete");
    expect(await runnerRow(registered.runner.id)).toBeDefined();
  });

  it("ListRunners pages without duplicates or gaps", async () => {
    const pager = await h.clients("org-runners-pages");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await pager.runners.registerRunner({ name: `pager-runner-${i}`, identity: AZURE_MI })).runner!.id);
    const { runners, pages } = await listAllRunners(pager, 2);
    expect(pages).toEqual([2, 2, 1]);
    expect(runners.map((r) => r.id)).toEqual(ids);
  });
});

// ---------------------------------------------------------------------------
// Identity principal rules
// ---------------------------------------------------------------------------

describe("RegisterRunner: the principal must fit the identity kind", () => {
  const ORG = "org-runners-principals";
  let c: Clients;

  beforeAll(async () => {
    c = await h.clients(ORG);
  });

  const good: [string, { kind: RunnerIdentityKind; principal: string }][] = [
    ["IRSA role ARN", IRSA],
    ["IRSA role ARN with a path", { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/platform/runners/planton-runner" }],
    ["IRSA GovCloud role ARN", { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws-us-gov:iam::123456789012:role/planton-runner" }],
    ["GCP service-account email", GCP_WI],
    ["Azure client id", AZURE_MI],
    ["Azure client id in upper case", { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: AZURE_MI.principal.toUpperCase() }],
  ];

  it.each(good)("accepts a %s", async (label, identity) => {
    const { runner } = await c.runners.registerRunner({ name: `ok ${label}`, identity });
    expect(runner!.identity).toMatchObject(identity);
  });

  const bad: [string, { kind: RunnerIdentityKind; principal: string }][] = [
    ["IRSA: a user ARN", { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:user/alice" }],
    ["IRSA: an 11-digit account", { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::12345678901:role/planton-runner" }],
    ["IRSA: a role without a name", { kind: RunnerIdentityKind.AWS_IRSA, principal: "arn:aws:iam::123456789012:role/" }],
    ["IRSA: a bare role name", { kind: RunnerIdentityKind.AWS_IRSA, principal: "planton-runner" }],
    ["IRSA: a GCP email", { kind: RunnerIdentityKind.AWS_IRSA, principal: GCP_WI.principal }],
    ["IRSA: trailing newline", { kind: RunnerIdentityKind.AWS_IRSA, principal: `${IRSA.principal}\n` }],
    ["GCP: a gmail address", { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "planton.runner@gmail.com" }],
    ["GCP: a user-managed domain", { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "planton-runner@acme-prod-1234.example.com" }],
    ["GCP: an upper-case account", { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: "Planton-Runner@acme-prod-1234.iam.gserviceaccount.com" }],
    ["GCP: an IAM role ARN", { kind: RunnerIdentityKind.GCP_WORKLOAD_IDENTITY, principal: IRSA.principal }],
    ["Azure: not a UUID", { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: "planton-runner-identity" }],
    ["Azure: a UUID without dashes", { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: "0f1e2d3c4b5a49688776655443322110" }],
    ["Azure: a UUID in braces", { kind: RunnerIdentityKind.AZURE_MANAGED_IDENTITY, principal: `{${AZURE_MI.principal}}` }],
  ];

  it.each(bad)("refuses %s with INVALID_ARGUMENT on identity.principal, writing nothing", async (label, identity) => {
    const before = await counts();
    const error = await expectCode(c.runners.registerRunner({ name: `bad ${label}`.slice(0, 60), identity }), Code.InvalidArgument, label);
    const violations = error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations);
    expect(violations.map((v) => ({ field: v.field, reason: v.reason }))).toEqual([{ field: "identity.principal", reason: "PATTERN" }]);
    expect(violations[0]!.description).not.toBe("");
    expect(await counts()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// Deletion and connections that use a runner
// ---------------------------------------------------------------------------

describe("DeleteRunner: refused while a connection uses the runner", () => {
  const ORG = "org-runners-delete";
  let c: Clients;

  beforeAll(async () => {
    c = await h.clients(ORG);
  });

  it("FAILED_PRECONDITION while connections use it; succeeds once they are gone; then NOT_FOUND", async () => {
    const runner = (await c.runners.registerRunner({ name: "in-use-runner", identity: IRSA })).runner!;
    const aws = (await c.connections.createConnection({ name: "runner-prod-aws", spec: awsRunnerSpec("123456789012", runner.id) })).connection!;
    expect(aws.authMode).toBe(AuthMode.RUNNER);
    expect(aws.status).toBe(ConnectionStatus.VERIFIED_BY_RUNNER);
    expect(aws.credentialVersion).toBe(0);
    expect(aws.details?.provider.case === "aws" ? aws.details.provider.value.runnerId : "").toBe(runner.id);
    const gcp = (await c.connections.createConnection({ name: "runner-stage-aws", spec: awsRunnerSpec("210987654321", runner.id) })).connection!;

    const before = await counts();
    const refused = await expectCode(c.runners.deleteRunner({ runnerId: runner.id }), Code.FailedPrecondition, "both in use");
    expect(refused.rawMessage).toContain(aws.slug);
    expect(refused.rawMessage).toContain(gcp.slug);
    expect(await counts()).toEqual(before);
    expect((await c.runners.getRunner({ runnerId: runner.id })).runner!.id).toBe(runner.id);

    await c.connections.deleteConnection({ connection: aws.id, etag: aws.etag });
    const stillRefused = await expectCode(c.runners.deleteRunner({ runnerId: runner.id }), Code.FailedPrecondition, "one in use");
    expect(stillRefused.rawMessage).toContain(gcp.slug);
    expect(stillRefused.rawMessage).not.toContain(aws.slug);
    expect(await runnerRow(runner.id)).toBeDefined();

    await c.connections.deleteConnection({ connection: gcp.id, etag: gcp.etag });
    await c.runners.deleteRunner({ runnerId: runner.id });
    expect(await runnerRow(runner.id)).toBeUndefined();
    await expectCode(c.runners.getRunner({ runnerId: runner.id }), Code.NotFound, "get deleted");
    await expectCode(c.runners.deleteRunner({ runnerId: runner.id }), Code.NotFound, "delete again");
    expect((await c.runners.listRunners({})).runners.map((r) => r.id)).not.toContain(runner.id);
    // A deleted runner cannot be referenced any more.
    const error = await expectCode(
      c.connections.createConnection({ name: "too-late-aws", spec: awsRunnerSpec("123456789012", runner.id) }),
      Code.InvalidArgument,
      "reference deleted",
    );
    expect(error.findDetails(BadRequestSchema)[0]!.fieldViolations.map((v) => [v.field, v.reason])).toEqual([["spec.aws.runner.runner_id", "NOT_FOUND"]]);
  });

  it("a connection switched from runner mode to inline keys no longer holds the runner", async () => {
    const runner = (await c.runners.registerRunner({ name: "switch-runner", identity: AZURE_MI })).runner!;
    const conn = (await c.connections.createConnection({ name: "switch-azure", spec: azureRunnerSpec(runner.id) })).connection!;
    await expectCode(c.runners.deleteRunner({ runnerId: runner.id }), Code.FailedPrecondition, "in use");
    const switched = await c.connections.updateConnection({
      connection: conn.id,
      etag: conn.etag,
      spec: {
        provider: {
          case: "azure",
          value: { auth: { case: "servicePrincipal", value: { clientId: "0f1e2d3c-4b5a-4968-8776-655443322110", clientSecret: "switched-client-secret" } } },
        },
      },
      updateMask: create(FieldMaskSchema, { paths: ["spec.azure.service_principal"] }),
    });
    expect(switched.connection!.authMode).toBe(AuthMode.INLINE);
    expect(switched.rotated).toBe(true);
    expect(switched.connection!.credentialVersion).toBe(1);
    await c.runners.deleteRunner({ runnerId: runner.id });
    await expectCode(c.runners.getRunner({ runnerId: runner.id }), Code.NotFound);
    // The connection itself is untouched by the runner's deletion.
    expect((await c.connections.getConnection({ connection: conn.id })).connection!.etag).toBe(switched.connection!.etag);
  });

  it("deletion is scoped to the caller's organization, with names shared across organizations", async () => {
    const other = await h.clients("org-runners-delete-other");
    const mine = (await c.runners.registerRunner({ name: "scoped-runner", identity: IRSA })).runner!;
    const theirs = (await other.runners.registerRunner({ name: "scoped-runner", identity: IRSA })).runner!;
    await other.connections.createConnection({ name: "their-runner-aws", spec: awsRunnerSpec("123456789012", theirs.id) });
    // Their connection does not block my runner; my delete does not touch theirs.
    await c.runners.deleteRunner({ runnerId: mine.id });
    expect(await runnerRow(theirs.id)).toBeDefined();
    await expectCode(c.runners.deleteRunner({ runnerId: theirs.id }), Code.NotFound, "their runner");
    await expectCode(other.runners.deleteRunner({ runnerId: theirs.id }), Code.FailedPrecondition, "their runner, in use");
  });

  it("DeleteRunner and GetRunner with an empty or malformed id are INVALID_ARGUMENT, an unknown one NOT_FOUND", async () => {
    await expectCode(c.runners.getRunner({ runnerId: "" }), Code.InvalidArgument, "empty get");
    await expectCode(c.runners.deleteRunner({ runnerId: "" }), Code.InvalidArgument, "empty delete");
    await expectCode(c.runners.getRunner({ runnerId: "Runner-Nope" }), Code.InvalidArgument, "malformed get");
    await expectCode(c.runners.deleteRunner({ runnerId: "awsconn_0123" }), Code.InvalidArgument, "malformed delete");
    await expectCode(c.runners.getRunner({ runnerId: "runner_doesnotexist" }), Code.NotFound, "unknown get");
    await expectCode(c.runners.deleteRunner({ runnerId: "runner_doesnotexist" }), Code.NotFound, "unknown delete");
  });
});

// ---------------------------------------------------------------------------
// Runner kinds per provider
// ---------------------------------------------------------------------------

describe("runner kinds: each provider accepts only the runners that can authenticate to it", () => {
  const ORG = "org-runners-kinds";
  let c: Clients;
  const runners: Record<"irsa" | "gcp" | "azure", string> = { irsa: "", gcp: "", azure: "" };
  const specFor = {
    aws: (runnerId: string) => awsRunnerSpec("123456789012", runnerId),
    gcp: (runnerId: string) => gcpRunnerSpec("acme-prod-1234", runnerId),
    azure: (runnerId: string) => azureRunnerSpec(runnerId),
  };
  const accepted = { aws: "irsa", gcp: "gcp", azure: "azure" } as const;
  const acceptedName = {
    aws: "RUNNER_IDENTITY_KIND_AWS_IRSA",
    gcp: "RUNNER_IDENTITY_KIND_GCP_WORKLOAD_IDENTITY",
    azure: "RUNNER_IDENTITY_KIND_AZURE_MANAGED_IDENTITY",
  };

  beforeAll(async () => {
    c = await h.clients(ORG);
    runners.irsa = (await c.runners.registerRunner({ name: "kind-irsa", identity: IRSA })).runner!.id;
    runners.gcp = (await c.runners.registerRunner({ name: "kind-gcp", identity: GCP_WI })).runner!.id;
    runners.azure = (await c.runners.registerRunner({ name: "kind-azure", identity: AZURE_MI })).runner!.id;
  });

  for (const provider of ["aws", "gcp", "azure"] as const) {
    for (const kind of ["irsa", "gcp", "azure"] as const) {
      const ok = accepted[provider] === kind;
      it(`CreateConnection: a ${provider} connection with a ${kind} runner is ${ok ? "created" : "INVALID_ARGUMENT, nothing written"}`, async () => {
        const name = `kind-${provider}-${kind}`;
        if (ok) {
          const created = (await c.connections.createConnection({ name, spec: specFor[provider](runners[kind]) })).connection!;
          expect(created.status).toBe(ConnectionStatus.VERIFIED_BY_RUNNER);
          await c.connections.deleteConnection({ connection: created.id, etag: created.etag });
          return;
        }
        const before = await counts();
        const error = await expectCode(c.connections.createConnection({ name, spec: specFor[provider](runners[kind]) }), Code.InvalidArgument, name);
        const violations = error.findDetails(BadRequestSchema)[0]!.fieldViolations;
        expect(violations.map((v) => [v.field, v.reason])).toEqual([[`spec.${provider}.runner.runner_id`, "MISMATCH"]]);
        expect(violations[0]!.description).toContain(acceptedName[provider]);
        expect(await counts()).toEqual(before);
      });
    }
  }

  it("UpdateConnection: switching to, or between, runners refuses a runner of the wrong kind and changes nothing", async () => {
    const inline = (
      await c.connections.createConnection({
        name: "kind-update-aws",
        spec: {
          provider: {
            case: "aws",
            value: {
              accountId: "123456789012",
              auth: { case: "inlineKeys", value: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab" } },
            },
          },
        },
      })
    ).connection!;
    const mask = create(FieldMaskSchema, { paths: ["spec.aws.runner"] });
    const before = await counts();
    for (const wrong of [runners.gcp, runners.azure]) {
      const error = await expectCode(
        c.connections.updateConnection({
          connection: inline.id,
          etag: inline.etag,
          spec: { provider: { case: "aws", value: { auth: { case: "runner", value: { runnerId: wrong } } } } },
          updateMask: mask,
        }),
        Code.InvalidArgument,
        "inline to wrong runner",
      );
      expect(error.findDetails(BadRequestSchema)[0]!.fieldViolations.map((v) => [v.field, v.reason])).toEqual([["spec.aws.runner.runner_id", "MISMATCH"]]);
    }
    expect(await counts()).toEqual(before);
    const unchanged = (await c.connections.getConnection({ connection: inline.id })).connection!;
    expect(unchanged).toEqual(inline);

    // To the right kind: accepted; then from it to a wrong one: refused.
    const switched = (
      await c.connections.updateConnection({
        connection: inline.id,
        etag: inline.etag,
        spec: { provider: { case: "aws", value: { auth: { case: "runner", value: { runnerId: runners.irsa } } } } },
        updateMask: mask,
      })
    ).connection!;
    expect(switched.authMode).toBe(AuthMode.RUNNER);
    await expectCode(
      c.connections.updateConnection({
        connection: inline.id,
        etag: switched.etag,
        spec: { provider: { case: "aws", value: { auth: { case: "runner", value: { runnerId: runners.gcp } } } } },
        updateMask: create(FieldMaskSchema, { paths: ["spec.aws.runner.runner_id"] }),
      }),
      Code.InvalidArgument,
      "runner to wrong runner",
    );
    expect((await c.connections.getConnection({ connection: inline.id })).connection!.details?.provider.value).toMatchObject({ runnerId: runners.irsa });
  });
});

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

describe("runner events reach the bus", () => {
  it("connect.runner.registered and connect.runner.deleted carry the runner id, kind, org and actor, never the token", async () => {
    const ORG = "org-runners-events";
    const c = await h.clients(ORG);
    const { runner, token } = await c.runners.registerRunner({ name: "evented-runner", identity: GCP_WI });
    await settleEvents();
    const registered = runnerEventsOf(runner!.id);
    expect(registered.map((e) => e.envelope.subject)).toEqual(["connect.runner.registered"]);
    const first = registered[0]!;
    expect(first.event.kind).toBe("runner.registered");
    expect(first.event.orgId).toBe(ORG);
    expect(first.event.actor).toBe(`user@${ORG}`);
    expect(first.event.id).toBe(first.envelope.id);
    expect(first.event.payload.case === "runner" ? first.event.payload.value.identityKind : undefined).toBe(RunnerIdentityKind.GCP_WORKLOAD_IDENTITY);
    expect(Buffer.from(first.envelope.data).toString("latin1")).not.toContain(token.slice(4));

    // A refused registration and a refused deletion publish nothing.
    await expectCode(c.runners.registerRunner({ name: "evented-runner", identity: GCP_WI }), Code.AlreadyExists);
    const conn = (await c.connections.createConnection({ name: "evented-gcp", spec: gcpRunnerSpec("acme-prod-1234", runner!.id) })).connection!;
    await expectCode(c.runners.deleteRunner({ runnerId: runner!.id }), Code.FailedPrecondition);
    await settleEvents();
    expect(runnerEventsOf(runner!.id).map((e) => e.envelope.subject)).toEqual(["connect.runner.registered"]);

    await c.connections.deleteConnection({ connection: conn.id, etag: conn.etag });
    await c.runners.deleteRunner({ runnerId: runner!.id });
    await settleEvents();
    const all = runnerEventsOf(runner!.id);
    expect(all.map((e) => e.envelope.subject)).toEqual(["connect.runner.registered", "connect.runner.deleted"]);
    const deleted = all[1]!;
    expect(deleted.event.kind).toBe("runner.deleted");
    expect(deleted.event.orgId).toBe(ORG);
    expect(deleted.event.payload.case === "runner" ? deleted.event.payload.value.identityKind : undefined).toBe(RunnerIdentityKind.GCP_WORKLOAD_IDENTITY);
    // Ordered per runner.
    expect(new Set(all.map((e) => e.envelope.orderingKey))).toEqual(new Set([runner!.id]));
  });
});
