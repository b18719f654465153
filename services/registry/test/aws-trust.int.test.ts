import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createInProcessBus, type EventEnvelope } from "@planton/events";
import { AwsTrustSetupState, TemplateFormat, type StartSetupResponse } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionSpecSchema } from "@planton/proto/planton/connect/v1/connection_spec_pb";
import { VerificationSchema } from "@planton/proto/planton/connect/v1/connection_pb";
import { EventSchema } from "@planton/proto/planton/connect/v1/events_pb";
import { AuthMode, AwsCapability, ConnectionStatus } from "@planton/proto/planton/connect/v1/provider_pb";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { captureLogs, dumpDatabase, rpcFailure } from "@planton/testing";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { runInNewContext } from "node:vm";
import { CALLBACK_LAMBDA_SOURCE } from "../src/trust/callback-lambda.js";
import { parseQuickCreateUrl } from "../src/trust/quick-create-url.js";
import { awsSecret } from "./support/fixtures.js";
import { startRegistry, type RegistryHarness } from "./support/registry-harness.js";

const PRINCIPAL = "arn:aws:iam::999999999999:role/planton-runner";
const TEMPLATE_URL = "https://planton-templates.s3.us-east-1.amazonaws.com/aws-trust/v2/template.json";
const PUBLIC_URL = "https://connect.example.com";
const ACCOUNT = "123456789012";
const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const stackId = (name: string, account = ACCOUNT) => `arn:aws:cloudformation:us-west-2:${account}:stack/${name}/5b6c7d8e-1234-11ef-9a1b-0a1b2c3d4e5f`;

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const events: EventEnvelope[] = [];
bus.subscribe("connect.>", async (event) => {
  events.push(event);
});
let h: RegistryHarness;

beforeAll(async () => {
  h = await startRegistry({
    logger: logs.logger,
    publisher: bus,
    env: { AWS_TRUST_PRINCIPAL_ARN: PRINCIPAL, AWS_TRUST_TEMPLATE_URL: TEMPLATE_URL, PUBLIC_URL, AWS_TRUST_WATCH_POLL_MS: "30" },
  });
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

const failure = rpcFailure;

function fields(error: ConnectError): Record<string, string> {
  const [details] = error.findDetails(BadRequestSchema);
  return Object.fromEntries((details?.fieldViolations ?? []).map((v) => [v.field, v.reason]));
}

/** The values the Quick Create link hands to CloudFormation. */
function linkOf(started: StartSetupResponse) {
  const { params } = parseQuickCreateUrl(started.quickCreateUrl);
  return { externalId: params.get("param_ExternalId")!, token: params.get("param_CallbackToken")!, setupId: params.get("param_SetupId")! };
}

async function startNew(orgId: string, name: string, capabilities: AwsCapability[] = []) {
  const { trust } = await h.clients(orgId);
  return trust.startSetup({ name, accountId: ACCOUNT, capabilities });
}

function complete(
  started: StartSetupResponse,
  role = roleArn("planton-TrustRole-1"),
  overrides: Partial<{ token: string; accountId: string; stackId: string; setupId: string }> = {},
) {
  return h.anonymousTrust().completeSetup({
    setupId: overrides.setupId ?? started.setupId,
    token: overrides.token ?? linkOf(started).token,
    roleArn: role,
    accountId: overrides.accountId ?? ACCOUNT,
    stackId: overrides.stackId ?? stackId("planton-stack"),
  });
}

// Events leave through the outbox relay: wait until it has published them all.
async function eventsOf(kind: string, connectionId: string) {
  expect(await h.registry.relay.drain(5_000)).toBe(true);
  await bus.idle();
  return published(kind, connectionId);
}

const published = (kind: string, connectionId: string) =>
  events
    .map((e) => fromBinary(EventSchema, e.data))
    .filter((e) => e.kind === kind && (e.payload.value as { connectionId?: string } | undefined)?.connectionId === connectionId);

describe("StartSetup", () => {
  it("creates the connection awaiting the role and a link that expires in 10 minutes", async () => {
    const started = await startNew("org-trust-start", "payments-prod-aws");
    const c = started.connection!;
    expect(c.id).toMatch(/^awsconn_/);
    expect(c.status).toBe(ConnectionStatus.AWAITING_TRUST_SETUP);
    expect(c.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(c.credentialVersion).toBe(0);
    expect(started.setupId).toMatch(/^awstrust_[0-9a-z]{26}$/);
    const setup = started.setup!;
    expect(setup.state).toBe(AwsTrustSetupState.PENDING);
    expect(setup.capabilities).toHaveLength(10);
    expect(setup.region).toBe("us-west-2");
    expect(timestampDate(started.expiresAt!).getTime() - timestampDate(setup.createTime!).getTime()).toBe(600_000);
    const created = await eventsOf("connection.created", c.id);
    expect(created).toHaveLength(1);
  });

  it("builds a Quick Create link that decodes back to exactly this setup's parameters", async () => {
    const started = await startNew("org-trust-link", "shop-prod-aws", [AwsCapability.EKS, AwsCapability.S3_STORAGE, AwsCapability.VPC_NETWORKING]);
    const link = parseQuickCreateUrl(started.quickCreateUrl);
    expect(link.host).toBe("us-west-2.console.aws.amazon.com");
    expect(link.region).toBe("us-west-2");
    expect(link.route).toBe("/stacks/quickcreate");
    const p = link.params;
    expect(p.get("templateURL")).toBe(TEMPLATE_URL);
    expect(p.get("stackName")).toBe(started.setup!.stackName);
    expect(p.get("stackName")).toMatch(/^planton-shop-prod-aws-[0-9a-z]{6}$/);
    expect(p.get("param_TrustedPrincipalArn")).toBe(PRINCIPAL);
    expect(p.get("param_CallbackUrl")).toBe(`${PUBLIC_URL}/planton.connect.v1.AwsTrustService/CompleteSetup`);
    expect(p.get("param_SetupId")).toBe(started.setupId);
    expect(p.get("param_ExternalId")).toMatch(/^planton-[A-Za-z0-9_-]{32}$/);
    expect(p.get("param_CallbackToken")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const switches = Object.fromEntries([...p].filter(([k]) => k.startsWith("param_Enable")));
    expect(switches).toEqual({
      param_EnableEks: "true",
      param_EnableEcs: "false",
      param_EnableVpcNetworking: "true",
      param_EnableS3Storage: "true",
      param_EnableRds: "false",
      param_EnableLambda: "false",
      param_EnableRoute53: "false",
      param_EnableCloudWatch: "false",
      param_EnableEcr: "false",
      param_EnableKms: "false",
    });
    // Every value is URL-encoded in the link itself.
    for (const [name, value] of p) expect(started.quickCreateUrl).toContain(`${name}=${encodeURIComponent(value)}`);
    expect(new Set(started.setup!.capabilities)).toEqual(new Set([AwsCapability.EKS, AwsCapability.S3_STORAGE, AwsCapability.VPC_NETWORKING]));
  });

  it("generates a different external id for every setup and keeps it out of every table and event", async () => {
    const a = await startNew("org-trust-extid", "acme-prod-aws");
    const b = await startNew("org-trust-extid", "acme-staging-aws");
    expect(linkOf(a).externalId).not.toBe(linkOf(b).externalId);
    await complete(a);
    expect(await eventsOf("aws_trust.completed", a.connection!.id)).toHaveLength(1);
    const dump = (await dumpDatabase(h.database.url)).text;
    expect(dump).toContain("aws_trust_setups");
    for (const started of [a, b]) {
      const { externalId, token } = linkOf(started);
      expect(dump).not.toContain(externalId);
      expect(dump).not.toContain(token);
      for (const e of events) expect(Buffer.from(e.data).toString("latin1")).not.toContain(externalId);
      expect(logs.text()).not.toContain(externalId);
      expect(logs.text()).not.toContain(token);
    }
  });

  it("refuses bad input field by field, and another org's connection or setup", async () => {
    const { trust } = await h.clients("org-trust-input");
    const bad = await failure(
      trust.startSetup({ name: "", accountId: "12345", region: "Mars-1", capabilities: [AwsCapability.EKS, AwsCapability.UNSPECIFIED] }),
    );
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(fields(bad)).toEqual({ name: "REQUIRED", account_id: "PATTERN", region: "ENUM", "capabilities[1]": "ENUM" });
    // An undefined number never reaches StartSetup: the protocol layer refuses it first.
    const undefinedCapability = await failure(
      trust.startSetup({ name: "x-aws", accountId: "123456789012", capabilities: [AwsCapability.EKS, 99 as AwsCapability] }),
    );
    expect(fields(undefinedCapability)).toEqual({ "capabilities[1]": "ENUM" });
    expect((await failure(trust.startSetup({ name: "x-aws", accountId: "" }))).code).toBe(Code.InvalidArgument);

    const other = await startNew("org-trust-other", "other-prod-aws");
    expect((await failure(trust.getSetup({ setupId: other.setupId }))).code).toBe(Code.NotFound);
    expect((await failure(trust.startSetup({ reconnect: other.connection!.id }))).code).toBe(Code.NotFound);

    const { connections } = await h.clients("org-trust-input");
    const doConn = await connections.createConnection({
      name: "web-prod-do",
      spec: { provider: { case: "digitalocean", value: { apiToken: `dop_v1_${"a".repeat(64)}`, defaultRegion: "nyc1" } } },
    });
    const notAws = await failure(trust.startSetup({ reconnect: doConn.connection!.slug }));
    expect(fields(notAws)).toMatchObject({ reconnect: "MISMATCH" });
    const taken = await failure(trust.startSetup({ name: "web-prod-do", accountId: ACCOUNT }));
    expect(taken.code).toBe(Code.AlreadyExists);
  });

  it("needs connections:write", async () => {
    const { trust } = await h.clients("org-trust-scope", ["connections:read"]);
    expect((await failure(trust.startSetup({ name: "ro-aws", accountId: ACCOUNT }))).code).toBe(Code.PermissionDenied);
  });
});

describe("CompleteSetup", () => {
  it("completes once with the one-time token, sealing the role and the external id as a new version", async () => {
    const started = await startNew("org-trust-complete", "data-prod-aws", [AwsCapability.RDS]);
    const id = started.connection!.id;
    const role = roleArn("planton-data-TrustRole-X1");
    const answer = await complete(started, role, { stackId: stackId("planton-data-prod-aws") });
    expect(answer.connectionId).toBe(id);

    const { connections, trust } = await h.clients("org-trust-complete");
    const { connection } = await connections.getConnection({ connection: id });
    expect(connection!.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
    expect(connection!.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(connection!.credentialVersion).toBeGreaterThan(0);
    const details = connection!.details!.provider;
    expect(details.case).toBe("aws");
    expect(details.value).toMatchObject({ accountId: ACCOUNT, roleArn: role, capabilities: [AwsCapability.RDS], stackId: stackId("planton-data-prod-aws") });

    const sealed = fromBinary(
      ConnectionSpecSchema,
      await h.vault.vault.open({ orgId: "org-trust-complete", connectionId: id, version: connection!.credentialVersion }),
    );
    expect(sealed.provider.case === "aws" && sealed.provider.value.auth.case === "crossAccountTrust" && sealed.provider.value.auth.value).toMatchObject({
      roleArn: role,
      externalId: linkOf(started).externalId,
    });

    const completed = await eventsOf("aws_trust.completed", id);
    expect(completed).toHaveLength(1);
    expect(completed[0]!.payload.value).toMatchObject({
      roleArn: role,
      credentialVersion: connection!.credentialVersion,
      previousCredentialVersion: 0,
      setupId: started.setupId,
    });

    const { setup } = await trust.getSetup({ setupId: started.setupId });
    expect(setup).toMatchObject({ state: AwsTrustSetupState.COMPLETED, roleArn: role });

    // The token is single-use: replaying the very same request is refused.
    const replay = await failure(complete(started, role, { stackId: stackId("planton-data-prod-aws") }));
    expect(replay.code).toBe(Code.AlreadyExists);
    expect(await eventsOf("aws_trust.completed", id)).toHaveLength(1);
  });

  it("refuses forged tokens, tokens of other setups and unknown setups alike", async () => {
    const a = await startNew("org-trust-forged", "a-prod-aws");
    const b = await startNew("org-trust-forged", "b-prod-aws");
    const token = linkOf(a).token;
    const flipped = (token[0] === "A" ? "B" : "A") + token.slice(1);
    for (const attempt of [
      () => complete(a, undefined, { token: flipped }),
      () => complete(a, undefined, { token: linkOf(b).token }),
      () => complete(a, undefined, { token: "not-a-token" }),
      () => complete(a, undefined, { setupId: "awstrust_00000000000000000000000000" }),
      () => complete(a, undefined, { setupId: "../../etc" }),
    ]) {
      const error = await failure(attempt());
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toBe("invalid setup token");
    }
    const missing = await failure(h.anonymousTrust().completeSetup({ setupId: a.setupId, token: "" }));
    expect(fields(missing)).toEqual({ token: "REQUIRED" });
    // None of it consumed the setup.
    await complete(a);
  });

  it("refuses a role or stack from another account and malformed ARNs, leaving the setup usable", async () => {
    const started = await startNew("org-trust-arn", "arn-prod-aws");
    const cases: [Parameters<typeof complete>[1], Parameters<typeof complete>[2], Record<string, string>][] = [
      [roleArn("TrustRole", "210987654321"), {}, { role_arn: "MISMATCH" }],
      ["arn:aws:iam::123456789012:user/alice", {}, { role_arn: "PATTERN" }],
      ["arn:aws:iam::12345678901:role/short-account", {}, { role_arn: "PATTERN" }],
      ["arn:aws:sts::123456789012:assumed-role/TrustRole/session", {}, { role_arn: "PATTERN" }],
      ["arn:aws:iam::123456789012:role/", {}, { role_arn: "PATTERN" }],
      ["arn:aws:iam::123456789012:role/has space", {}, { role_arn: "PATTERN" }],
      ["TrustRole", {}, { role_arn: "PATTERN" }],
      ["", {}, { role_arn: "REQUIRED" }],
      [roleArn("TrustRole"), { accountId: "210987654321" }, { account_id: "MISMATCH" }],
      [roleArn("TrustRole"), { stackId: stackId("s", "210987654321") }, { stack_id: "MISMATCH" }],
      [roleArn("TrustRole"), { stackId: "stack-1" }, { stack_id: "PATTERN" }],
    ];
    for (const [role, overrides, expected] of cases) {
      const error = await failure(complete(started, role, overrides));
      expect(error.code, `${role} ${JSON.stringify(overrides)}`).toBe(Code.InvalidArgument);
      expect(fields(error)).toEqual(expected);
    }
    await complete(started, roleArn("path/to/TrustRole"));
    const { connections } = await h.clients("org-trust-arn");
    const { connection } = await connections.getConnection({ connection: started.connection!.id });
    expect(connection!.details!.provider.value).toMatchObject({ roleArn: roleArn("path/to/TrustRole") });
  });

  it("takes no bearer token, and a user token does not replace the setup token", async () => {
    const started = await startNew("org-trust-anon", "anon-prod-aws");
    const { trust } = await h.clients("org-trust-anon");
    const withUser = await failure(
      trust.completeSetup({ setupId: started.setupId, token: "x", roleArn: roleArn("R"), accountId: ACCOUNT, stackId: stackId("s") }),
    );
    expect(withUser.code).toBe(Code.Unauthenticated);
  });
});

describe("reconnect", () => {
  it("keeps the connection and its current credentials untouched until the new role is captured", async () => {
    const orgId = "org-trust-reconnect";
    const { connections, trust } = await h.clients(orgId);
    const inline = await connections.createConnection({
      name: "legacy-prod-aws",
      spec: {
        provider: {
          case: "aws",
          value: { accountId: ACCOUNT, auth: { case: "inlineKeys", value: { accessKeyId: "AKIAABCDEFGHIJKLMNOP", secretAccessKey: awsSecret() } } },
        },
      },
    });
    const before = inline.connection!;
    const started = await trust.startSetup({ reconnect: before.slug, capabilities: [AwsCapability.ECS] });
    expect(started.connection!.id).toBe(before.id);
    expect(started.setup!.reconnect).toBe(true);
    const during = (await connections.getConnection({ connection: before.id })).connection!;
    expect(during).toMatchObject({ etag: before.etag, credentialVersion: before.credentialVersion, authMode: AuthMode.INLINE, status: before.status });

    await complete(started, roleArn("legacy-TrustRole"));
    const after = (await connections.getConnection({ connection: before.id })).connection!;
    expect(after.authMode).toBe(AuthMode.CROSS_ACCOUNT_TRUST);
    expect(after.credentialVersion).toBeGreaterThan(before.credentialVersion);
    expect(after.details!.provider.value).toMatchObject({ roleArn: roleArn("legacy-TrustRole"), accessKeyIdHint: "", capabilities: [AwsCapability.ECS] });
    const [completed] = await eventsOf("aws_trust.completed", before.id);
    expect(completed!.payload.value).toMatchObject({ previousCredentialVersion: before.credentialVersion, credentialVersion: after.credentialVersion });
    // The previous version stays readable for pinned deployments (authz retires it later).
    await expect(h.vault.vault.open({ orgId, connectionId: before.id, version: before.credentialVersion })).resolves.toBeInstanceOf(Uint8Array);

    // Narrowing capabilities later is one more reconnect of the now role-based connection.
    const narrower = await trust.startSetup({ reconnect: before.id, capabilities: [AwsCapability.ECS, AwsCapability.ECR] });
    await complete(narrower, roleArn("legacy-TrustRole-2"));
    const latest = (await connections.getConnection({ connection: before.id })).connection!;
    expect(latest.details!.provider.value).toMatchObject({ roleArn: roleArn("legacy-TrustRole-2"), capabilities: [AwsCapability.ECS, AwsCapability.ECR] });
  });

  it("supersedes an older pending setup of the same connection and shreds its external id", async () => {
    const orgId = "org-trust-supersede";
    const first = await startNew(orgId, "sup-prod-aws");
    const { trust } = await h.clients(orgId);
    const second = await trust.startSetup({ reconnect: first.connection!.id });
    const refused = await failure(complete(first));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect(refused.rawMessage).toMatch(/newer setup replaced/);
    expect((await trust.getSetup({ setupId: first.setupId })).setup!.state).toBe(AwsTrustSetupState.SUPERSEDED);
    await complete(second);
  });

  it("leaves exactly one pending setup when reconnects race", async () => {
    const orgId = "org-trust-race";
    const first = await startNew(orgId, "race-prod-aws");
    const { trust } = await h.clients(orgId);
    const raced = await Promise.all([1, 2, 3, 4].map(() => trust.startSetup({ reconnect: first.connection!.id })));
    const pending = await h.registry.db
      .selectFrom("aws_trust_setups")
      .select("id")
      .where("connection_id", "=", first.connection!.id)
      .where("state", "=", AwsTrustSetupState.PENDING)
      .execute();
    expect(pending).toHaveLength(1);
    expect(raced.map((r) => r.setupId)).toContain(pending[0]!.id);
  });

  it("answers FAILED_PRECONDITION, not INTERNAL, when the setup's sealed external id was shredded meanwhile", async () => {
    const orgId = "org-trust-shredded";
    const started = await startNew(orgId, "shred-prod-aws");
    const row = await h.registry.db.selectFrom("aws_trust_setups").select("pending_version").where("id", "=", started.setupId).executeTakeFirstOrThrow();
    await h.vault.vault.destroy(orgId, started.connection!.id, row.pending_version);
    const error = await failure(complete(started));
    expect(error.code).toBe(Code.FailedPrecondition);
  });

  it("refuses a name or account that differs from the connection's", async () => {
    const started = await startNew("org-trust-reconnect-input", "fixed-prod-aws");
    const { trust } = await h.clients("org-trust-reconnect-input");
    const error = await failure(trust.startSetup({ reconnect: started.connection!.slug, name: "renamed-aws", accountId: "210987654321" }));
    expect(fields(error)).toEqual({ name: "MISMATCH", account_id: "MISMATCH" });
  });
});

describe("WatchSetup", () => {
  it("streams the setup from pending to completed to verified, then ends", async () => {
    const orgId = "org-trust-watch";
    const started = await startNew(orgId, "watch-prod-aws");
    const { trust } = await h.clients(orgId);
    const seen: [AwsTrustSetupState, ConnectionStatus][] = [];
    const watching = (async () => {
      for await (const snapshot of trust.watchSetup({ setupId: started.setupId }, { timeoutMs: 20_000 })) {
        seen.push([snapshot.setup!.state, snapshot.connection!.status]);
        if (snapshot.connection!.status === ConnectionStatus.PENDING_VERIFICATION) {
          const c = snapshot.connection!;
          await h.registry.connections.recordVerification(
            { orgId: "platform", subject: "svc-verifier" },
            orgId,
            c.id,
            create(VerificationSchema, { credentialVersion: c.credentialVersion, ok: true, identity: `arn:aws:sts::${ACCOUNT}:assumed-role/watch/${c.id}` }),
          );
        }
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await complete(started);
    await watching;
    expect(seen[0]).toEqual([AwsTrustSetupState.PENDING, ConnectionStatus.AWAITING_TRUST_SETUP]);
    expect(seen).toContainEqual([AwsTrustSetupState.COMPLETED, ConnectionStatus.PENDING_VERIFICATION]);
    expect(seen.at(-1)).toEqual([AwsTrustSetupState.COMPLETED, ConnectionStatus.VERIFIED]);
  });
});

describe("the template's custom resource", () => {
  it("completes the setup against the registry with the link's values and answers CloudFormation SUCCESS", async () => {
    const orgId = "org-trust-lambda";
    const started = await startNew(orgId, "lambda-prod-aws");
    const { params } = parseQuickCreateUrl(started.quickCreateUrl);
    const callbackPath = new URL(params.get("param_CallbackUrl")!).pathname;
    // CloudFormation's pre-signed ResponseURL, played by a local server.
    const responses: { contentType: string | undefined; body: Record<string, unknown> }[] = [];
    const responseServer = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        responses.push({ contentType: req.headers["content-type"], body: JSON.parse(body) as Record<string, unknown> });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => responseServer.listen(0, "127.0.0.1", resolve));
    try {
      const module = { exports: {} as { handler?: (event: unknown, context: unknown) => Promise<unknown> } };
      runInNewContext(CALLBACK_LAMBDA_SOURCE, {
        module,
        exports: module.exports,
        require: () => ({}),
        console: { log() {}, error() {}, warn() {} },
        fetch,
        setTimeout,
        clearTimeout,
        AbortSignal,
        URL,
        Buffer,
      });
      const role = roleArn("planton-lambda-prod-aws-TrustRole-1ABC");
      await module.exports.handler!(
        {
          RequestType: "Create",
          ResponseURL: `http://127.0.0.1:${(responseServer.address() as AddressInfo).port}/response?X-Amz-Signature=abc`,
          StackId: stackId(started.setup!.stackName),
          RequestId: "0f0e0d0c-1111-2222-3333-444455556666",
          LogicalResourceId: "TrustCallback",
          ResourceType: "Custom::PlantonTrustCallback",
          ResourceProperties: {
            ServiceToken: "arn:aws:lambda:us-west-2:123456789012:function:cb",
            // The stack would call PUBLIC_URL; here the same path on the test server.
            CallbackUrl: `${h.server.url}${callbackPath}`,
            SetupId: params.get("param_SetupId"),
            CallbackToken: params.get("param_CallbackToken"),
            RoleArn: role,
            AccountId: ACCOUNT,
          },
        },
        { getRemainingTimeInMillis: () => 60_000 },
      );
      expect(responses).toHaveLength(1);
      expect(responses[0]!.contentType ?? "").toBe("");
      expect(responses[0]!.body).toMatchObject({ Status: "SUCCESS", LogicalResourceId: "TrustCallback", Data: { RoleArn: role } });
      const { connections } = await h.clients(orgId);
      const { connection } = await connections.getConnection({ connection: started.connection!.id });
      expect(connection!.status).toBe(ConnectionStatus.PENDING_VERIFICATION);
      expect(connection!.details!.provider.value).toMatchObject({ roleArn: role });
    } finally {
      await new Promise<void>((resolve) => responseServer.close(() => resolve()));
    }
  });
});

describe("the template", () => {
  it("is served by GetTemplate as JSON or YAML and over plain HTTP for development", async () => {
    const { trust } = await h.clients("org-trust-template");
    const json = await trust.getTemplate({});
    expect(json).toMatchObject({ version: "v2", templateUrl: TEMPLATE_URL, contentType: "application/json" });
    const template = JSON.parse(json.body) as { Resources: Record<string, unknown> };
    expect(Object.keys(template.Resources)).toContain("TrustRole");
    const yaml = await trust.getTemplate({ format: TemplateFormat.YAML });
    expect(yaml.contentType).toBe("application/yaml");
    expect(yaml.body).toContain("TrustRole:");
    const http = await fetch(`${h.server.url}/aws-trust/template.json`);
    expect(http.status).toBe(200);
    expect(http.headers.get("content-type")).toBe("application/json");
    expect(await http.text()).toBe(json.body);
  });
});

describe("ConnectionService and cross-account trust", () => {
  it("never lets CreateConnection or UpdateConnection set a role, but keeps one through other updates", async () => {
    const orgId = "org-trust-connsvc";
    const { connections } = await h.clients(orgId);
    const forged = await failure(
      connections.createConnection({
        name: "forged-aws",
        spec: {
          provider: {
            case: "aws",
            value: { accountId: ACCOUNT, auth: { case: "crossAccountTrust", value: { roleArn: roleArn("Forged"), externalId: "chosen-by-user" } } },
          },
        },
      }),
    );
    expect(fields(forged)).toEqual({ "spec.aws.cross_account_trust": "CONFLICT" });

    const started = await startNew(orgId, "kept-prod-aws");
    await complete(started, roleArn("KeptRole"));
    const current = (await connections.getConnection({ connection: started.connection!.id })).connection!;
    const moved = await connections.updateConnection({
      connection: current.id,
      etag: current.etag,
      spec: { provider: { case: "aws", value: { region: "eu-central-1" } } },
      updateMask: { paths: ["spec.aws.region"] },
    });
    expect(moved.connection!.details!.provider.value).toMatchObject({ region: "eu-central-1", roleArn: roleArn("KeptRole") });
    expect(moved.connection!.credentialVersion).toBe(current.credentialVersion);

    const edit = await failure(
      connections.updateConnection({
        connection: current.id,
        etag: moved.connection!.etag,
        spec: { provider: { case: "aws", value: { auth: { case: "crossAccountTrust", value: { roleArn: roleArn("Other"), externalId: "chosen-by-user" } } } } },
        updateMask: { paths: ["spec.aws.cross_account_trust"] },
      }),
    );
    expect(fields(edit)).toEqual({ "spec.aws.cross_account_trust": "CONFLICT" });
  });
});

describe("expiry", () => {
  let short: RegistryHarness;
  beforeAll(async () => {
    short = await startRegistry({ logger: logs.logger, publisher: bus, env: { AWS_TRUST_PRINCIPAL_ARN: PRINCIPAL, AWS_TRUST_SETUP_TTL_MS: "1000" } });
  });
  afterAll(async () => {
    await short?.dispose();
  });

  it("refuses an expired token, and the sweep marks the setup EXPIRED and shreds its external id", async () => {
    const orgId = "org-trust-expiry";
    const { trust } = await short.clients(orgId);
    const started = await trust.startSetup({ name: "late-prod-aws", accountId: ACCOUNT });
    const pendingVersion = (
      await short.registry.db.selectFrom("aws_trust_setups").select("pending_version").where("id", "=", started.setupId).executeTakeFirstOrThrow()
    ).pending_version;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const late = await failure(
      short
        .anonymousTrust()
        .completeSetup({ setupId: started.setupId, token: linkOf(started).token, roleArn: roleArn("Late"), accountId: ACCOUNT, stackId: stackId("s") }),
    );
    expect(late.code).toBe(Code.FailedPrecondition);
    expect(late.rawMessage).toMatch(/expired/);
    expect((await trust.getSetup({ setupId: started.setupId })).setup!.state).toBe(AwsTrustSetupState.EXPIRED);
    expect(await short.registry.trustExpiry.runOnce()).toBeGreaterThanOrEqual(1);
    await expect(short.vault.vault.open({ orgId, connectionId: started.connection!.id, version: pendingVersion })).rejects.toThrow();
    // The connection waits for a new setup (a reconnect gives it a fresh link).
    const again = await trust.startSetup({ reconnect: started.connection!.id });
    expect(again.connection!.status).toBe(ConnectionStatus.AWAITING_TRUST_SETUP);
  });
});
