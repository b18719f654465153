import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { sql } from "kysely";
import { signDevToken } from "@planton/auth";
import { AuditDecision, AuthorizationScope, EnvironmentAuthorizationService, type AuditEvent } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { Provider, RunnerIdentityKind } from "@planton/proto/planton/connect/v1/provider_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { bearerMetadata, captureLogs, dumpDatabase, grpcUnary, markerForms, rpcFailure } from "@planton/testing";
import * as grpc from "@grpc/grpc-js";
import { SECRET, startPlatform, type PlatformHarness } from "./support/platform-harness.js";

// The audit log tells the truth: every resolve attempt leaves exactly one
// record (ALLOWED, DENIED or ERROR with its code), every change leaves exactly
// one record with who, what, when and the request id, and no record holds a
// secret. Vault, registry and authz in one process over the in-process bus,
// as `npm start` runs them, on the real PostgreSQL.

const logs = captureLogs();
let p: PlatformHarness;
const ACCOUNT = "123456789012";

beforeAll(async () => {
  p = await startPlatform({ logger: logs.logger });
});
afterAll(async () => {
  await p?.dispose();
});

const failure = rpcFailure;

/** Clients of every service acting as `subject` of `orgId`, each call sending the request id `nextId()` names. */
async function clientsOf(orgId: string, options: { subject?: string; scopes?: string[]; requestId?: () => string | undefined } = {}) {
  const token = await signDevToken(SECRET, {
    subject: options.subject ?? `admin@${orgId}`,
    orgId,
    scopes: options.scopes ?? ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
  });
  const headers: Interceptor = (next) => (request) => {
    request.header.set("authorization", `Bearer ${token}`);
    const id = options.requestId?.();
    if (id !== undefined) request.header.set("x-request-id", id);
    return next(request);
  };
  const transport = createConnectTransport({ baseUrl: p.server.url, httpVersion: "1.1", interceptors: [headers] });
  return {
    connections: createClient(ConnectionService, transport),
    authz: createClient(EnvironmentAuthorizationService, transport),
    runners: createClient(RunnerService, transport),
    trust: createClient(AwsTrustService, transport),
  };
}

/** Every record of the org, through ListAuditEvents pages (newest first). */
async function allRecords(authz: Awaited<ReturnType<typeof clientsOf>>["authz"], filter: Record<string, unknown> = {}, pageSize = 7): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let pageToken = "";
  do {
    const page = await authz.listAuditEvents({ ...filter, pageSize, pageToken });
    expect(page.events.length).toBeLessThanOrEqual(pageSize);
    out.push(...page.events);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return out;
}

/** Waits until every registry event has been published and applied by authz. */
async function settle(): Promise<void> {
  expect(await p.registry.relay.drain(5_000)).toBe(true);
  await p.bus.idle();
}

function linkValues(started: StartSetupResponse) {
  const url = started.quickCreateUrl;
  const params = new URLSearchParams(url.slice(url.indexOf("?", url.indexOf("#")) + 1));
  return { token: params.get("param_CallbackToken")! };
}

const awsKeys = (accessKeyId: string, secretAccessKey: string) => ({
  provider: { case: "aws" as const, value: { accountId: ACCOUNT, auth: { case: "inlineKeys" as const, value: { accessKeyId, secretAccessKey } } } },
});
const civoSpec = (token: string) => ({ provider: { case: "civo" as const, value: { apiToken: token, defaultRegion: "LON1" } } });

/** A 40-character AWS secret access key that starts with a unique marker. */
function markerSecret(label: string): string {
  return `MARKER${label}${Math.random().toString(36).slice(2, 10)}`.padEnd(40, "Q").slice(0, 40);
}

describe("changes", () => {
  it("every change leaves exactly one record with actor, time and the request id, and no record holds a secret", async () => {
    const org = "org-audit-changes";
    const started = new Date(Date.now() - 1000);
    let requestId: string | undefined;
    const user = await clientsOf(org, { requestId: () => requestId });
    const verifier = await clientsOf(org, { subject: "svc-verifier", scopes: ["internal"], requestId: () => requestId });
    const anonymousTrust = createClient(
      AwsTrustService,
      createConnectTransport({
        baseUrl: p.server.url,
        httpVersion: "1.1",
        interceptors: [
          (next) => (request) => {
            if (requestId !== undefined) request.header.set("x-request-id", requestId);
            return next(request);
          },
        ],
      }),
    );
    const firstSecret = markerSecret("first");
    const rotatedSecret = markerSecret("rotated");
    // What each request must leave in the log: request id -> kinds, and who acted.
    const expected = new Map<string, { kinds: string[]; actor: string; target?: () => string }>();
    const step = async <T>(id: string, kinds: string[], call: () => Promise<T>, actor = `admin@${org}`): Promise<T> => {
      requestId = id;
      try {
        const result = await call();
        expected.set(id, { kinds, actor });
        return result;
      } finally {
        requestId = undefined;
      }
    };

    const created = (
      await step("req-create", ["connection.created"], () =>
        user.connections.createConnection({ name: "audit-prod-aws", spec: awsKeys("AKIAAUDITCHANGES0001", firstSecret) }),
      )
    ).connection!;
    const renamed = (
      await step("req-rename", ["connection.updated"], () =>
        user.connections.updateConnection({ connection: created.id, etag: created.etag, name: "audit-main-aws", updateMask: { paths: ["name"] } }),
      )
    ).connection!;
    const rotated = (
      await step("req-rotate", ["connection.rotated"], () =>
        user.connections.updateConnection({
          connection: created.id,
          etag: renamed.etag,
          spec: {
            provider: { case: "aws", value: { auth: { case: "inlineKeys", value: { accessKeyId: "AKIAAUDITCHANGES0002", secretAccessKey: rotatedSecret } } } },
          },
          updateMask: { paths: ["spec.aws.inline_keys"] },
        }),
      )
    ).connection!;
    expect(rotated.credentialVersion).toBe(2);
    await step(
      "req-verify",
      ["connection.verified"],
      () =>
        verifier.connections.recordVerification({
          orgId: org,
          connectionId: created.id,
          verification: { credentialVersion: 2, ok: false, reason: "INVALID_CREDENTIALS", message: "AWS does not recognise access key ID AKIA****0002" },
        }),
      "svc-verifier",
    );
    await step("req-authorize", ["authorization.granted"], () =>
      user.authz.authorizeConnection({ connection: created.id, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod", "staging"] }),
    );
    await step("req-default", ["default_connection.set"], () =>
      user.authz.setDefaultConnection({ connection: created.id, provider: Provider.AWS, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" }),
    );
    await step("req-undefault", ["default_connection.unset"], () =>
      user.authz.unsetDefaultConnection({ provider: Provider.AWS, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" }),
    );
    await step("req-revoke", ["authorization.revoked"], () =>
      user.authz.revokeAuthorization({ connection: created.id, scope: AuthorizationScope.ENVIRONMENTS, environments: ["staging"] }),
    );
    const runner = await step("req-runner", ["runner.registered"], () =>
      user.runners.registerRunner({
        name: "audit-runner",
        identity: { kind: RunnerIdentityKind.AWS_IRSA, principal: `arn:aws:iam::${ACCOUNT}:role/audit-runner` },
      }),
    );
    await step("req-runner-delete", ["runner.deleted"], () => user.runners.deleteRunner({ runnerId: runner.runner!.id }));
    const setup = await step("req-trust-start", ["aws_trust.started", "connection.created"], () =>
      user.trust.startSetup({ name: "audit-trust-aws", accountId: ACCOUNT }),
    );
    const trustConnection = setup.connection!;
    const complete = (s: StartSetupResponse, role: string) =>
      anonymousTrust.completeSetup({
        setupId: s.setupId,
        token: linkValues(s).token,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        stackId: `arn:aws:cloudformation:us-west-2:${ACCOUNT}:stack/${s.setup!.stackName}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`,
      });
    await step("req-trust-complete", ["aws_trust.completed"], () => complete(setup, "AuditRoleA"), "aws-trust-callback");
    const reconnect = await step("req-trust-reconnect", ["aws_trust.started"], () => user.trust.startSetup({ reconnect: trustConnection.slug }));
    await step("req-trust-recomplete", ["aws_trust.completed"], () => complete(reconnect, "AuditRoleB"), "aws-trust-callback");
    const latest = (await user.connections.getConnection({ connection: created.id })).connection!;
    await step("req-delete", ["connection.deleted"], () => user.connections.deleteConnection({ connection: created.id, etag: latest.etag, force: true }));
    await settle();

    const records = await allRecords(user.authz);
    const finished = new Date(Date.now() + 1000);
    for (const [id, want] of expected) {
      const mine = records.filter((r) => r.requestId === id);
      expect(mine.map((r) => r.kind).sort(), `records of ${id}`).toEqual([...want.kinds].sort());
      for (const r of mine) {
        expect(r.actor, `actor of ${id}`).toBe(want.actor);
        const time = timestampDate(r.time!);
        expect(time >= started && time <= finished, `time of ${id}`).toBe(true);
        expect(r.decision).toBe(AuditDecision.UNSPECIFIED);
        expect(r.target, `target of ${id}`).not.toBe("");
      }
    }
    expect(
      records.filter((r) => r.requestId === "").map((r) => r.kind),
      "every change names its request",
    ).toEqual([]);
    expect(records).toHaveLength([...expected.values()].reduce((n, e) => n + e.kinds.length, 0));

    const one = (id: string, kind?: string) => records.find((r) => r.requestId === id && (kind === undefined || r.kind === kind))!;
    expect(one("req-create")).toMatchObject({ connectionId: created.id, target: created.id, provider: Provider.AWS, credentialVersion: 1 });
    expect(one("req-rename").summary).toContain("paths=name");
    expect(one("req-rename").summary).toContain("previous_name=audit-prod-aws");
    expect(one("req-rotate").summary).toMatch(/paths=spec\.aws\.inline_keys.*credential_version=2 previous_version=1/);
    expect(one("req-verify").summary).toContain("result=failed reason=INVALID_CREDENTIALS");
    expect(one("req-authorize").summary).toContain("added=prod,staging");
    expect(one("req-default")).toMatchObject({ connectionId: created.id, environment: "prod" });
    expect(one("req-undefault").summary).toContain("removed=audit-prod-aws");
    expect(one("req-revoke")).toMatchObject({ environment: "staging", connectionId: created.id });
    expect(one("req-runner").target).toBe(runner.runner!.id);
    expect(one("req-trust-start", "aws_trust.started")).toMatchObject({ target: setup.setupId, connectionId: trustConnection.id });
    expect(one("req-trust-start", "aws_trust.started").summary).toContain("reconnect=false");
    expect(one("req-trust-reconnect").summary).toContain("reconnect=true");
    expect(one("req-trust-recomplete").summary).toMatch(/role_arn=arn:aws:iam::123456789012:role\/AuditRoleB .*reconnect=true/);
    expect(one("req-delete").summary).toContain("forced=true");

    // No secret in any record: neither in the API's answer nor in the table.
    const answered = JSON.stringify(records.map((r) => ({ ...r, time: undefined })));
    const table = JSON.stringify(await p.authz.db.selectFrom("audit_events").selectAll().where("org_id", "=", org).execute());
    for (const secret of [firstSecret, rotatedSecret]) {
      for (const form of markerForms(secret)) {
        expect(answered.includes(form), `${form} in ListAuditEvents`).toBe(false);
        expect(table.includes(form), `${form} in authz.audit_events`).toBe(false);
      }
    }
    const dump = await dumpDatabase(p.database.url);
    for (const secret of [firstSecret, rotatedSecret]) {
      for (const form of markerForms(secret)) expect(dump.text.includes(form), `${form} in the database`).toBe(false);
    }
  });

  it("a redelivered event does not duplicate its record, and a runner.updated event is recorded", async () => {
    const org = "org-audit-redeliver";
    const { connections, authz } = await clientsOf(org);
    const c = (await connections.createConnection({ name: "redeliver-civo", spec: civoSpec("civo-token-redeliver-0000001") })).connection!;
    await connections.deleteConnection({ connection: c.id, etag: c.etag });
    await settle();
    const before = await allRecords(authz);
    expect(before.map((r) => r.kind).sort()).toEqual(["connection.created", "connection.deleted"]);
    const mine = p.events.filter((e) => before.some((r) => r.id === e.id));
    expect(mine).toHaveLength(2);
    for (let i = 0; i < 3; i++) await Promise.all(mine.map((e) => p.authz.onConnectionEvent(e.data)));
    const after = await allRecords(authz);
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());

    // No RPC updates runners yet; the registry's event kind is recorded once it does.
    const updated = create(EventSchema, {
      id: "0b5a3c1e-5f43-4f9e-9a59-3a1fd5e4a001",
      kind: "runner.updated",
      occurTime: timestampFromDate(new Date()),
      orgId: org,
      actor: `admin@${org}`,
      requestId: "req-runner-update",
      payload: {
        case: "runner",
        value: { runnerId: "runner_01jf0000000000000000000000", identityKind: RunnerIdentityKind.AWS_IRSA, name: "r1", updatePaths: ["identity"] },
      },
    });
    await p.authz.onConnectionEvent(toBinary(EventSchema, updated));
    await p.authz.onConnectionEvent(toBinary(EventSchema, updated));
    const runnerRecords = await allRecords(authz, { kind: "runner.*" });
    expect(runnerRecords.map((r) => [r.kind, r.requestId, r.target, r.summary])).toEqual([
      ["runner.updated", "req-runner-update", "runner_01jf0000000000000000000000", "name=r1 identity_kind=AWS_IRSA paths=identity"],
    ]);
  });

  it("the request id reaches the record over the native gRPC listener too", async () => {
    const org = "org-audit-grpc";
    const token = await signDevToken(SECRET, { subject: `admin@${org}`, orgId: org, scopes: ["connections:write", "environments:admin"] });
    const client = new grpc.Client(p.server.grpcAddress, grpc.credentials.createInsecure());
    try {
      const metadata = bearerMetadata(token);
      metadata.set("x-request-id", "req-native-grpc-1");
      const created = await grpcUnary(
        client,
        ConnectionService.method.createConnection,
        { name: "grpc-civo", spec: civoSpec("civo-token-native-grpc-0001") },
        metadata,
      );
      expect(created.error).toBeUndefined();
      const granted = await grpcUnary(
        client,
        EnvironmentAuthorizationService.method.authorizeConnection,
        { connection: created.response!.connection!.id, scope: AuthorizationScope.ORGANIZATION },
        metadata,
      );
      expect(granted.error).toBeUndefined();
    } finally {
      client.close();
    }
    await settle();
    const { authz } = await clientsOf(org);
    expect((await allRecords(authz)).map((r) => [r.kind, r.requestId]).sort()).toEqual([
      ["authorization.granted", "req-native-grpc-1"],
      ["connection.created", "req-native-grpc-1"],
    ]);
  });

  it("a change that fails leaves no record; an x-request-id that is not printable or too long is replaced by a generated one", async () => {
    const org = "org-audit-refused";
    let requestId: string | undefined;
    const { connections, authz } = await clientsOf(org, { requestId: () => requestId });
    const c = (await connections.createConnection({ name: "refused-civo", spec: civoSpec("civo-token-refused-00000001") })).connection!;
    // Not authorized for prod: the default is refused and nothing is recorded.
    expect(
      (await failure(authz.setDefaultConnection({ connection: c.id, provider: Provider.CIVO, scope: AuthorizationScope.ENVIRONMENTS, environment: "prod" })))
        .code,
    ).toBe(Code.PermissionDenied);
    requestId = "x".repeat(200);
    await authz.authorizeConnection({ connection: c.id, scope: AuthorizationScope.ORGANIZATION });
    await settle();
    const records = await allRecords(authz);
    expect(records.map((r) => r.kind).sort()).toEqual(["authorization.granted", "connection.created"]);
    const granted = records.find((r) => r.kind === "authorization.granted")!;
    expect(granted.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(granted.summary).toBe(`connection=${c.slug} scope=ORGANIZATION added=organization`);
  });
});

describe("resolves", () => {
  /** A civo connection of `org` authorized everywhere; every call sends the request id `${org}-<n>`. */
  async function authorizedConnection(org: string, name: string) {
    let n = 0;
    const clients = await clientsOf(org, { requestId: () => `${org}-${++n}` });
    const c = (await clients.connections.createConnection({ name, spec: civoSpec(`civo-token-${name}-0000000001`.slice(0, 40)) })).connection!;
    await clients.authz.authorizeConnection({ connection: c.id, scope: AuthorizationScope.ORGANIZATION });
    return { ...clients, c, lastRequestId: () => `${org}-${n}` };
  }

  // The client sees CANCELED at once; the server's handler may still be
  // running. It has finished when the logging interceptor wrote its line.
  async function handlerDone(requestId: string): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (logs.records().some((r) => r["request_id"] === requestId && r["procedure"] !== undefined)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the handler of ${requestId} did not finish`);
  }

  const resolveRecords = (org: string) =>
    p.authz.db.selectFrom("audit_events").selectAll().where("org_id", "=", org).where("kind", "=", "credentials.resolve").execute();

  it("a resolve that fails with DATA_LOSS (a tampered credential) leaves one ERROR record with the code", async () => {
    const org = "org-audit-dataloss";
    const { authz, c } = await authorizedConnection(org, "dataloss-civo");
    // Flip one bit of the sealed version's tag: the vault refuses it as DATA_LOSS.
    await sql`update vault.credential_versions set tag = set_byte(tag, 0, get_byte(tag, 0) # 1) where org_id = ${org} and connection_id = ${c.id}`.execute(
      p.authz.db,
    );
    const failed = await failure(authz.resolveCredentials({ deploymentId: "dataloss-1", environment: "prod", provider: Provider.CIVO, connection: c.id }));
    expect(failed.code).toBe(Code.DataLoss);
    const records = await allRecords(authz, { kind: "credentials.resolve" });
    expect(records.map((r) => [r.deploymentId, AuditDecision[r.decision], r.errorCode, r.connectionId, r.credentialVersion])).toEqual([
      ["dataloss-1", "ERROR", "DATA_LOSS", c.id, 1],
    ]);
    expect(records[0]!.reason).toContain("integrity");
    expect((await allRecords(authz, { decision: AuditDecision.ERROR })).map((r) => r.id)).toEqual([records[0]!.id]);
  });

  it("a resolve whose registry lookup fails leaves one ERROR record with UNAVAILABLE", async () => {
    const org = "org-audit-unavailable";
    const { authz, c } = await authorizedConnection(org, "unavailable-civo");
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back, never called unbound
    const lookup = p.registry.connections.lookup;
    const outage = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    p.registry.connections.lookup = async () => {
      throw outage;
    };
    try {
      const failed = await failure(authz.resolveCredentials({ deploymentId: "unavailable-1", environment: "prod", provider: Provider.CIVO, connection: c.id }));
      expect(failed.code).toBe(Code.Unavailable);
    } finally {
      p.registry.connections.lookup = lookup;
    }
    const records = await allRecords(authz, { kind: "credentials.resolve" });
    expect(records.map((r) => [r.deploymentId, AuditDecision[r.decision], r.errorCode])).toEqual([["unavailable-1", "ERROR", "UNAVAILABLE"]]);
  });

  /** Holds `table` locked against inserts until `release()`; waits until a statement of `org` queues behind it. */
  async function lockInserts(table: "audit_events" | "deployment_pins") {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = p.authz.db.transaction().execute(async (trx) => {
      await sql`lock table ${sql.table(`authz.${table}`)} in exclusive mode`.execute(trx);
      locked();
      await released;
    });
    await Promise.race([isLocked, holder]);
    const waiting = async () => {
      for (let i = 0; i < 400; i++) {
        const row = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike ${`insert into "authz"."${table}"%`}`.execute(
          p.authz.db,
        );
        if (row.rows[0]!.n > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`no insert into ${table} queued behind the lock`);
    };
    return { waiting, release: async () => (release(), await holder) };
  }

  for (const [what, table] of [
    ["while its audit record is being written", "audit_events"],
    ["before its audit record is written", "deployment_pins"],
  ] as const) {
    it(`a resolve the caller cancels ${what} leaves one ERROR CANCELED record, never ALLOWED`, async () => {
      const org = `org-audit-cancel-${table.replace("_", "-")}`;
      const { authz, c, lastRequestId } = await authorizedConnection(org, `cancel-${table.slice(0, 6)}-civo`);
      const lock = await lockInserts(table);
      const controller = new AbortController();
      const call = failure(
        authz.resolveCredentials({ deploymentId: "cancel-1", environment: "prod", provider: Provider.CIVO, connection: c.id }, { signal: controller.signal }),
      );
      const requestId = lastRequestId();
      try {
        await lock.waiting();
        controller.abort();
        expect((await call).code).toBe(Code.Canceled);
        // The client gives up at once; the server learns of it when it reads
        // the closed socket. Give it that moment before the write can finish
        // (on a loaded machine the close may otherwise be read after it).
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        await lock.release();
      }
      await handlerDone(requestId);
      const records = await resolveRecords(org);
      expect(records.map((r) => [r.deployment_id, AuditDecision[r.decision], r.error_code])).toEqual([["cancel-1", "ERROR", "CANCELED"]]);
      expect(records[0]!.reason).toContain("nothing was handed out");
    });
  }

  it("a resolve whose deadline passes while its audit record is written leaves one ERROR DEADLINE_EXCEEDED record", async () => {
    const org = "org-audit-deadline";
    const { authz, c, lastRequestId } = await authorizedConnection(org, "deadline-civo");
    const lock = await lockInserts("audit_events");
    // The deadline travels as the protocol header and the server enforces it
    // (a client-side timeout would hang up first: a cancellation). The
    // server answers once the handler ends, so the lock goes only after the
    // deadline's timer (same process, due earlier) has fired.
    const call = failure(
      authz.resolveCredentials(
        { deploymentId: "deadline-1", environment: "prod", provider: Provider.CIVO, connection: c.id },
        { headers: { "connect-timeout-ms": "200" } },
      ),
    );
    const requestId = lastRequestId();
    try {
      await lock.waiting();
      await new Promise((resolve) => setTimeout(resolve, 400));
    } finally {
      await lock.release();
    }
    expect((await call).code).toBe(Code.DeadlineExceeded);
    await handlerDone(requestId);
    const records = await resolveRecords(org);
    expect(records.map((r) => [AuditDecision[r.decision], r.error_code])).toEqual([["ERROR", "DEADLINE_EXCEEDED"]]);
  });

  it("an audit write that fails still fails the resolve, and hands nothing out", async () => {
    const org = "org-audit-writefail";
    const { authz, c } = await authorizedConnection(org, "writefail-civo");
    await sql`alter table authz.audit_events add constraint audit_refuses_writefail check (org_id <> 'org-audit-writefail') not valid`.execute(p.authz.db);
    try {
      const failed = await failure(authz.resolveCredentials({ deploymentId: "writefail-1", environment: "prod", provider: Provider.CIVO, connection: c.id }));
      expect(failed.code).toBe(Code.Internal);
      expect(failed.rawMessage).not.toContain("civo-token");
    } finally {
      await sql`alter table authz.audit_events drop constraint audit_refuses_writefail`.execute(p.authz.db);
    }
    expect(await resolveRecords(org)).toEqual([]);
  });
});

describe("ListAuditEvents", () => {
  it("filters by connection, actor, kind, decision and time range, pages through each filter, and never shows another org's records", async () => {
    const org = "org-audit-filters";
    const alice = await clientsOf(org, { subject: "alice@example.com" });
    const bob = await clientsOf(org, { subject: "bob@example.com" });
    const a = (await alice.connections.createConnection({ name: "filters-a-civo", spec: civoSpec("civo-token-filters-a-00001") })).connection!;
    const b = (await bob.connections.createConnection({ name: "filters-b-civo", spec: civoSpec("civo-token-filters-b-00001") })).connection!;
    await alice.authz.authorizeConnection({ connection: a.id, scope: AuthorizationScope.ENVIRONMENTS, environments: ["prod"] });
    await bob.authz.authorizeConnection({ connection: b.id, scope: AuthorizationScope.ORGANIZATION });
    for (let i = 0; i < 3; i++)
      await alice.authz.resolveCredentials({ deploymentId: `filters-a-${i}`, environment: "prod", provider: Provider.CIVO, connection: a.id });
    await failure(alice.authz.resolveCredentials({ deploymentId: "filters-denied", environment: "dev", provider: Provider.CIVO, connection: a.id }));
    for (let i = 0; i < 2; i++)
      await bob.authz.resolveCredentials({ deploymentId: `filters-b-${i}`, environment: "dev", provider: Provider.CIVO, connection: b.id });
    // Another org, with the same subjects, kinds and even the ids of this org in its requests.
    const other = await clientsOf("org-audit-filters-other", { subject: "alice@example.com" });
    const o = (await other.connections.createConnection({ name: "filters-a-civo", spec: civoSpec("civo-token-filters-o-00001") })).connection!;
    await other.authz.authorizeConnection({ connection: o.id, scope: AuthorizationScope.ORGANIZATION });
    await other.authz.resolveCredentials({ deploymentId: "filters-a-0", environment: "prod", provider: Provider.CIVO, connection: o.id });
    await failure(other.authz.resolveCredentials({ deploymentId: "filters-x", environment: "prod", provider: Provider.CIVO, connection: a.id }));
    await settle();

    const all = await allRecords(alice.authz, {}, 100);
    expect(all).toHaveLength(10);
    const times = all.map((r) => timestampDate(r.time!).getTime());
    expect(
      [...times].sort((x, y) => y - x),
      "newest first",
    ).toEqual(times);
    const ids = (records: AuditEvent[]) => records.map((r) => r.id);
    const expectFilter = async (filter: Record<string, unknown>, keep: (r: AuditEvent) => boolean) => {
      const want = ids(all.filter(keep));
      const label = Object.keys(filter).join("+");
      expect(want.length, label).toBeGreaterThan(0);
      expect(ids(await allRecords(alice.authz, filter, 2)), label).toEqual(want);
      expect(
        ids(await allRecords(other.authz, filter, 2)).filter((id) => want.includes(id)),
        "another org sees none of them",
      ).toEqual([]);
    };
    await expectFilter({ connectionId: a.id }, (r) => r.connectionId === a.id);
    await expectFilter({ actor: "bob@example.com" }, (r) => r.actor === "bob@example.com");
    await expectFilter({ kind: "credentials.resolve" }, (r) => r.kind === "credentials.resolve");
    await expectFilter({ kind: "connection.*" }, (r) => r.kind.startsWith("connection."));
    await expectFilter({ kind: "authorization.granted" }, (r) => r.kind === "authorization.granted");
    await expectFilter({ decision: AuditDecision.DENIED }, (r) => r.decision === AuditDecision.DENIED);
    await expectFilter(
      { actor: "alice@example.com", kind: "credentials.resolve", decision: AuditDecision.ALLOWED },
      (r) => r.actor === "alice@example.com" && r.decision === AuditDecision.ALLOWED,
    );
    const middle = all[5]!.time!;
    const pivot = timestampDate(middle).getTime();
    await expectFilter({ startTime: middle }, (r) => timestampDate(r.time!).getTime() >= pivot);
    await expectFilter({ endTime: middle }, (r) => timestampDate(r.time!).getTime() < pivot);
    await expectFilter({ startTime: all[all.length - 1]!.time, endTime: middle, actor: "alice@example.com" }, (r) => {
      const t = timestampDate(r.time!).getTime();
      return t < pivot && r.actor === "alice@example.com";
    });

    const theirs = await allRecords(other.authz, {}, 100);
    expect(theirs.map((r) => r.kind).sort()).toEqual(["authorization.granted", "connection.created", "credentials.resolve", "credentials.resolve"]);
    expect(await allRecords(other.authz, { connectionId: a.id })).toEqual([]);
  });

  it("refuses unknown kinds and decisions, an empty time range and a foreign page token with INVALID_ARGUMENT", async () => {
    const { authz } = await clientsOf("org-audit-bad-filters");
    for (const [label, request, field] of [
      ["a misspelt kind", { kind: "connection.creatd" }, "kind"],
      ["an unknown family", { kind: "nope.*" }, "kind"],
      ["an unknown decision", { decision: 9 as AuditDecision }, "decision"],
      ["an end before the start", { startTime: timestampFromDate(new Date(2026, 1, 2)), endTime: timestampFromDate(new Date(2026, 1, 1)) }, "end_time"],
      ["a page token of something else", { pageToken: "bm90LWEtdG9rZW4" }, "page_token"],
    ] as const) {
      const refused = await failure(authz.listAuditEvents(request));
      expect(refused.code, label).toBe(Code.InvalidArgument);
      expect(
        refused.findDetails(BadRequestSchema)[0]?.fieldViolations.map((v) => v.field),
        label,
      ).toEqual([field]);
    }
  });
});
