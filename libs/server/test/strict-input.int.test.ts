import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, toBinary, type DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService, GetConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { AwsCapability, Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { registerService, startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";
import { postConnectUnary, postGrpcWebUnary } from "./support/raw-calls.js";
import { CALLERS, rawGrpcUnary, type Caller, type UnaryOutcome } from "./support/transports.js";

// Strict input is one mechanism for every RPC (issue 11): unknown JSON fields
// and enum names are refused by the JSON parser, undefined enum numbers, NUL
// characters and unknown binary fields by the strict-input interceptor, on
// every protocol of both listeners, before any handler runs.

const SCOPE = "connections:write";
let server: RunningServer;
let callers: Caller[];
let headers: Record<string, string>;
const reached: string[] = [];

/** A service whose every method records that it ran and answers an empty response. */
function recordingImpl(service: DescService) {
  return Object.fromEntries(
    service.methods.map((method) => [
      method.localName,
      method.methodKind === "server_streaming"
        ? async function* () {
            reached.push(method.name);
            yield* [];
          }
        : () => {
            reached.push(method.name);
            return {};
          },
    ]),
  );
}

beforeAll(async () => {
  const secret = randomBytes(32).toString("base64url");
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [ConnectionService, AwsTrustService].map((service) =>
      registerService(service, recordingImpl(service) as never, { default: { scopes: [SCOPE] } }),
    ),
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: () => undefined,
    logger: captureLogs().logger,
  });
  callers = CALLERS.map((factory) => factory.create(server));
  headers = { authorization: `Bearer ${await signDevToken(secret, { subject: "u", orgId: "org-strict", scopes: [SCOPE] })}` };
});

afterAll(async () => {
  for (const caller of callers ?? []) caller.close();
  await server?.shutdown(1_000);
});

const url = (service: DescService, method: string) => `${server.url}/${service.typeName}/${method}`;

function violationsOf(outcome: UnaryOutcome<unknown>): string[] {
  return (outcome.error?.findDetails(BadRequestSchema) ?? []).flatMap((d) => d.fieldViolations.map((v) => `${v.field} ${v.reason}`));
}

describe("Connect JSON", () => {
  it.each([
    [
      "an unknown enum name in a list",
      AwsTrustService,
      "StartSetup",
      '{"name":"aws-prod","accountId":"123456789012","capabilities":["AWS_CAPABILITY_EKS","AWS_CAPABILITY_EKS_TYPO"]}',
      ["capabilities[1] ENUM"],
    ],
    ["an unknown enum name in a filter", ConnectionService, "ListConnections", '{"provider":"PROVIDER_NOPE"}', ["provider ENUM"]],
    [
      "an unknown field inside a nested spec",
      ConnectionService,
      "CreateConnection",
      '{"name":"cf","spec":{"cloudflare":{"apiToken":"x","surprise":true}}}',
      ["spec.cloudflare.surprise UNKNOWN_FIELD"],
    ],
    ["an unknown top-level field", ConnectionService, "GetConnection", '{"connection":"c","connectionTypo":"d"}', ["connectionTypo UNKNOWN_FIELD"]],
    [
      "unknown fields and enum names together",
      AwsTrustService,
      "StartSetup",
      '{"name":"a","capabilities":["NOPE"],"extra":{"x":1}}',
      ["capabilities[0] ENUM", "extra UNKNOWN_FIELD"],
    ],
    [
      "a field mask with proto field names",
      ConnectionService,
      "UpdateConnection",
      '{"connection":"c","updateMask":"name,spec.aws.inline_keys"}',
      ["update_mask FIELD_MASK"],
    ],
  ])("refuses %s with INVALID_ARGUMENT naming the field, before the handler", async (_case, service, method, body, violations) => {
    const before = reached.length;
    const outcome = await postConnectUnary(url(service, method), body, headers);
    expect(outcome.code).toBe("InvalidArgument");
    expect(outcome.violations).toEqual(violations);
    expect(reached.length).toBe(before);
  });

  it("accepts proto field names as well as JSON names, as the JSON mapping allows", async () => {
    const before = reached.length;
    const outcome = await postConnectUnary(url(ConnectionService, "ListConnections"), '{"page_size":5,"pageToken":""}', headers);
    expect(outcome.code).toBe("OK");
    expect(reached.length).toBe(before + 1);
    const update = await postConnectUnary(url(ConnectionService, "UpdateConnection"), '{"connection":"c","update_mask":"name,spec.aws.inlineKeys"}', headers);
    expect(update.code).toBe("OK");
    expect(reached.length).toBe(before + 2);
  });

  it("still refuses malformed JSON with INVALID_ARGUMENT", async () => {
    for (const body of ["{", "[]", '{"pageSize":"many"}', "\u0000"]) {
      const outcome = await postConnectUnary(url(ConnectionService, "ListConnections"), body, headers);
      expect(outcome.code, body).toBe("InvalidArgument");
    }
  });

  it.each([
    ["an undefined enum number", ConnectionService, "ListConnections", '{"provider":99}', ["provider ENUM"]],
    ["undefined enum numbers in a list", AwsTrustService, "StartSetup", '{"name":"aws","capabilities":[1,77,0]}', ["capabilities[1] ENUM"]],
    ["a NUL character", ConnectionService, "GetConnection", '{"connection":"awsconn_\\u0000x"}', ["connection NUL_CHARACTER"]],
    [
      "a NUL character deep in a oneof",
      ConnectionService,
      "CreateConnection",
      '{"name":"a","spec":{"aws":{"accountId":"123456789012","region":"us-\\u0000west-2"}}}',
      ["spec.aws.region NUL_CHARACTER"],
    ],
    [
      "NUL characters in several fields",
      AwsTrustService,
      "StartSetup",
      '{"name":"\\u0000","accountId":"1\\u0000","capabilities":[1]}',
      ["name NUL_CHARACTER", "account_id NUL_CHARACTER"],
    ],
  ])("refuses %s with a field violation", async (_case, service, method, body, violations) => {
    const before = reached.length;
    const outcome = await postConnectUnary(url(service, method), body, headers);
    expect(outcome.code).toBe("InvalidArgument");
    expect(outcome.violations).toEqual(violations);
    expect(outcome.message).not.toContain("\u0000");
    expect(reached.length).toBe(before);
  });

  it("lets a well-formed request through", async () => {
    const before = reached.length;
    const outcome = await postConnectUnary(url(ConnectionService, "ListConnections"), '{"provider":"PROVIDER_AWS","status":1}', headers);
    expect(outcome.code).toBe("OK");
    expect(reached.slice(before)).toEqual(["ListConnections"]);
  });
});

describe.each(CALLERS.map((c) => [c.name] as const))("binary over %s", (name) => {
  const caller = () => callers.find((c) => c.name === name)!;

  it("refuses an undefined enum number, a NUL character and a deep NUL, naming each field", async () => {
    const before = reached.length;
    const list = await caller().unary(ConnectionService.method.listConnections, { provider: 99 as Provider }, { headers });
    const get = await caller().unary(ConnectionService.method.getConnection, { connection: "a\u0000b" }, { headers });
    const createCall = await caller().unary(
      ConnectionService.method.createConnection,
      { name: "x", spec: { provider: { case: "aws", value: { accountId: "123456789012", region: "eu\u0000" } } } },
      { headers },
    );
    const trust = await caller().unary(AwsTrustService.method.startSetup, { name: "x", capabilities: [AwsCapability.EKS, 42 as AwsCapability] }, { headers });
    expect([list, get, createCall, trust].map((o) => o.error?.code)).toEqual([
      Code.InvalidArgument,
      Code.InvalidArgument,
      Code.InvalidArgument,
      Code.InvalidArgument,
    ]);
    expect(violationsOf(list)).toEqual(["provider ENUM"]);
    expect(violationsOf(get)).toEqual(["connection NUL_CHARACTER"]);
    expect(violationsOf(createCall)).toEqual(["spec.aws.region NUL_CHARACTER"]);
    expect(violationsOf(trust)).toEqual(["capabilities[1] ENUM"]);
    expect(reached.length).toBe(before);
  });

  it("lets defined values through", async () => {
    const before = reached.length;
    const outcome = await caller().unary(ConnectionService.method.listConnections, { provider: Provider.GCP }, { headers });
    expect(outcome.error).toBeUndefined();
    expect(reached.length).toBe(before + 1);
  });
});

describe("unknown binary fields", () => {
  // GetConnectionRequest { connection: "c" } plus field 99 (varint 1), which the schema does not define.
  const known = toBinary(GetConnectionRequestSchema, create(GetConnectionRequestSchema, { connection: "c" }));
  const body = Buffer.concat([known, Buffer.from([0x98, 0x06, 0x01])]);
  const path = `/${ConnectionService.typeName}/GetConnection`;

  it("are refused on every protocol of both listeners, naming the field numbers", async () => {
    const before = reached.length;
    const [grpcJs, connectNodeGrpc, connect, grpcWeb] = await Promise.all([
      rawGrpcUnary(server.grpcAddress, path, body, headers),
      rawGrpcUnary(`127.0.0.1:${server.port}`, path, body, headers),
      postConnectUnary(`${server.url}${path}`, body, headers),
      postGrpcWebUnary(`${server.url}${path}`, body, headers),
    ]);
    expect([Code[grpcJs.code as number], Code[connectNodeGrpc.code as number], connect.code, grpcWeb]).toEqual([
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
      "InvalidArgument",
    ]);
    expect(connect.violations).toEqual(["(request) UNKNOWN_FIELD"]);
    expect(connect.message).toContain("field number(s) 99");
    expect(reached.length).toBe(before);
  });

  it("nested in a message are named by the message's path", async () => {
    const outcome = await postConnectUnary(
      url(ConnectionService, "CreateConnection"),
      // name "n" (field 1) and spec (field 2) = { aws (field 1) = { account_id: "1", field 50: varint 0 } }
      Buffer.from([0x0a, 0x01, 0x6e, 0x12, 0x08, 0x0a, 0x06, 0x0a, 0x01, 0x31, 0x90, 0x03, 0x00]),
      headers,
    );
    expect(outcome.code).toBe("InvalidArgument");
    expect(outcome.violations).toEqual(["spec.aws UNKNOWN_FIELD"]);
  });
});
