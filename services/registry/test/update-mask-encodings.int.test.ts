import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { FieldMaskSchema } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema } from "@planton/proto/google/rpc/error_details_pb";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { signDevToken } from "@planton/auth";
import { createInProcessBus } from "@planton/events";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { captureLogs } from "@planton/testing";
import { validSpecs } from "./support/fixtures.js";
import { SECRET, startRegistry, type RegistryHarness } from "./support/registry-harness.js";

// The update mask's paths are spelled differently per encoding, as the proto
// comment on UpdateConnectionRequest.update_mask says: proto field names
// (snake_case) in the binary encoding, lowerCamelCase in the JSON string.

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const ORG = "org-mask-encodings";
let h: RegistryHarness;
let token: string;

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
  token = await signDevToken(SECRET, { subject: `user@${ORG}`, orgId: ORG, scopes: ["connections:read", "connections:write"] });
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

const NEW_KEYS = { accessKeyId: "AKIAI44QH8DHBEXAMPLE", secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY" };

/** A fresh AWS connection: its id and etag. */
async function awsConnection(name: string): Promise<{ id: string; etag: string }> {
  const { connections } = await h.clients(ORG);
  const created = await connections.createConnection({ name, spec: validSpecs("MASK", "unused")["aws inline"]! });
  return { id: created.connection!.id, etag: created.connection!.etag };
}

/** UpdateConnection over Connect JSON (a raw POST): the HTTP status and the body. */
type JsonBody = { rotated?: boolean; code?: string; details?: { debug: { fieldViolations: { field: string; reason: string }[] } }[] };
async function updateJson(body: unknown): Promise<{ status: number; body: JsonBody }> {
  const response = await fetch(`${h.server.url}/${ConnectionService.typeName}/UpdateConnection`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as JsonBody };
}

function binaryClient() {
  return createClient(
    ConnectionService,
    createConnectTransport({
      baseUrl: h.server.url,
      httpVersion: "1.1",
      useBinaryFormat: true,
      interceptors: [(next) => (request) => (request.header.set("authorization", `Bearer ${token}`), next(request))],
    }),
  );
}

describe("update_mask paths per encoding", () => {
  it("JSON takes lowerCamelCase (spec.aws.inlineKeys) and refuses snake_case", async () => {
    const { id, etag } = await awsConnection("mask json");
    const spec = { aws: { region: "eu-west-1", inlineKeys: NEW_KEYS } };
    const snake = await updateJson({ connection: id, etag, updateMask: "spec.aws.inline_keys", spec });
    expect(snake.status).toBe(400);
    expect(snake.body.code).toBe("invalid_argument");
    expect(snake.body.details?.flatMap((d) => d.debug.fieldViolations.map((v) => `${v.field} ${v.reason}`))).toEqual(["update_mask FIELD_MASK"]);
    const camel = await updateJson({ connection: id, etag, updateMask: "spec.aws.region,spec.aws.inlineKeys", spec });
    expect(camel.status).toBe(200);
    expect(camel.body.rotated).toBe(true);
    expect((camel.body as { connection?: { details?: { aws?: { region?: string } } } }).connection?.details?.aws?.region).toBe("eu-west-1");
  });

  it("the binary encoding takes proto field names (spec.aws.inline_keys) and refuses lowerCamelCase", async () => {
    const { id, etag } = await awsConnection("mask binary");
    const client = binaryClient();
    const spec = {
      provider: { case: "aws" as const, value: { accountId: "123456789012", region: "eu-west-1", auth: { case: "inlineKeys" as const, value: NEW_KEYS } } },
    };
    const camel = await client.updateConnection({ connection: id, etag, spec, updateMask: create(FieldMaskSchema, { paths: ["spec.aws.inlineKeys"] }) }).then(
      () => undefined,
      (error: unknown) => ConnectError.from(error),
    );
    expect(camel?.code).toBe(Code.InvalidArgument);
    expect(camel?.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => `${v.field} ${v.reason}`))).toEqual(["update_mask UNKNOWN_FIELD"]);
    const snake = await client.updateConnection({
      connection: id,
      etag,
      spec,
      updateMask: create(FieldMaskSchema, { paths: ["spec.aws.region", "spec.aws.inline_keys"] }),
    });
    expect(snake.rotated).toBe(true);
    expect(snake.connection?.details?.provider.case === "aws" && snake.connection.details.provider.value.region).toBe("eu-west-1");
  });
});
