import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { create, fromBinary, toBinary, type DescService } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { Code } from "@connectrpc/connect";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { createTokenVerifier, signDevToken } from "@planton/auth";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService, GetConnectionRequestSchema, GetConnectionResponseSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { registerService, startServer, type RunningServer } from "@planton/server";
import { captureLogs } from "@planton/testing";

// Read-only RPCs are NO_SIDE_EFFECTS, so Connect clients may call them with
// GET (cacheable, no preflight for simple requests). A GET request is the
// `message` query parameter; it gets the same strict input as a POST body.

const SCOPE = "connections:read";
let server: RunningServer;
let headers: Record<string, string>;
const reached: string[] = [];

beforeAll(async () => {
  const secret = randomBytes(32).toString("base64url");
  const impl = Object.fromEntries(
    ConnectionService.methods.map((method) => [
      method.localName,
      (request: { connection?: string }) => {
        reached.push(method.name);
        return method.name === "GetConnection" ? { connection: { id: request.connection ?? "", name: "echo" } } : {};
      },
    ]),
  );
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    grpcPort: 0,
    services: [registerService(ConnectionService, impl as never, { default: { scopes: [SCOPE] } })],
    verifier: createTokenVerifier({ kind: "hs256", secret }),
    mapError: () => undefined,
    logger: captureLogs().logger,
  });
  headers = { authorization: `Bearer ${await signDevToken(secret, { subject: "u", orgId: "org-get", scopes: [SCOPE] })}` };
});

afterAll(async () => {
  await server?.shutdown(1_000);
});

interface GetOutcome {
  readonly status: number;
  readonly code: string;
  /** The JSON body (a proto response body is under `bytes`). */
  readonly body: Record<string, unknown>;
  readonly violations: string[];
}

/** Sends a Connect GET for `service/method` with the given query parameters. */
async function connectGet(service: DescService, method: string, query: Record<string, string>, auth = true): Promise<GetOutcome> {
  const url = new URL(`${server.url}/${service.typeName}/${method}`);
  for (const [key, value] of Object.entries({ connect: "v1", ...query })) url.searchParams.set(key, value);
  const response = await fetch(url, { headers: auth ? headers : {} });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const isJson = (response.headers.get("content-type") ?? "").startsWith("application/json");
  const body = (isJson ? JSON.parse(new TextDecoder().decode(bytes)) : { bytes }) as Record<string, unknown> & {
    code?: string;
    details?: { type: string; debug?: { fieldViolations?: { field: string; reason?: string }[] } }[];
  };
  if (response.ok) return { status: response.status, code: "OK", body, violations: [] };
  const code = codeFromString(body.code ?? "");
  const violations = (body.details ?? [])
    .filter((d) => d.type === "google.rpc.BadRequest")
    .flatMap((d) => d.debug?.fieldViolations ?? [])
    .map((v) => `${v.field} ${v.reason ?? ""}`.trim());
  return { status: response.status, code: code === undefined ? `HTTP ${response.status}` : Code[code], body, violations };
}

const json = (message: unknown) => ({ encoding: "json", message: JSON.stringify(message) });

describe("Connect GET", () => {
  it("answers grpc.health.v1.Health/Check without a token", async () => {
    const outcome = await connectGet(Health, "Check", json({ service: "" }), false);
    expect(outcome).toMatchObject({ status: 200, code: "OK", body: { status: "SERVING" } });
  });

  it("calls a read-only service method with JSON, base64 JSON and base64 binary messages", async () => {
    const before = reached.length;
    const binary = toBinary(GetConnectionRequestSchema, create(GetConnectionRequestSchema, { connection: "awsconn_c" }));
    const outcomes = await Promise.all([
      connectGet(ConnectionService, "GetConnection", json({ connection: "awsconn_a" })),
      connectGet(ConnectionService, "GetConnection", {
        encoding: "json",
        base64: "1",
        message: base64Encode(new TextEncoder().encode('{"connection":"awsconn_b"}'), "url"),
      }),
      connectGet(ConnectionService, "GetConnection", { encoding: "proto", base64: "1", message: base64Encode(binary, "url") }),
    ]);
    const [plain, base64Json, base64Proto] = outcomes;
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200]);
    expect((plain.body["connection"] as { id: string }).id).toBe("awsconn_a");
    expect((base64Json.body["connection"] as { id: string }).id).toBe("awsconn_b");
    expect(fromBinary(GetConnectionResponseSchema, base64Proto.body["bytes"] as Uint8Array).connection?.id).toBe("awsconn_c");
    expect(reached.slice(before)).toEqual(["GetConnection", "GetConnection", "GetConnection"]);
  });

  it("still needs a token for a service method", async () => {
    const outcome = await connectGet(ConnectionService, "GetConnection", json({ connection: "a" }), false);
    expect(outcome.code).toBe("Unauthenticated");
  });

  it("is refused with 405 for a method with side effects, before the handler", async () => {
    const before = reached.length;
    const outcome = await connectGet(ConnectionService, "DeleteConnection", json({ connection: "a", etag: "e" }));
    expect(outcome.status).toBe(405);
    expect(reached.length).toBe(before);
  });

  it.each([
    ["an unknown field", "GetConnection", { connection: "c", connectionTypo: "d" }, ["connectionTypo UNKNOWN_FIELD"]],
    ["an unknown enum name", "ListConnections", { provider: "PROVIDER_NOPE" }, ["provider ENUM"]],
    ["an undefined enum number", "ListConnections", { provider: 99 }, ["provider ENUM"]],
    ["a NUL character", "GetConnection", { connection: "a\u0000b" }, ["connection NUL_CHARACTER"]],
  ])("refuses %s in a JSON message with INVALID_ARGUMENT naming the field, before the handler", async (_case, method, message, violations) => {
    const before = reached.length;
    const plain = await connectGet(ConnectionService, method, json(message));
    const base64 = await connectGet(ConnectionService, method, {
      encoding: "json",
      base64: "1",
      message: base64Encode(new TextEncoder().encode(JSON.stringify(message)), "url"),
    });
    for (const outcome of [plain, base64]) {
      expect(outcome.code).toBe("InvalidArgument");
      expect(outcome.violations).toEqual(violations);
    }
    expect(reached.length).toBe(before);
  });

  it("refuses unknown binary fields in a base64 proto message, naming the field numbers", async () => {
    const before = reached.length;
    const known = toBinary(GetConnectionRequestSchema, create(GetConnectionRequestSchema, { connection: "c" }));
    const bytes = new Uint8Array([...known, 0x98, 0x06, 0x01]);
    const outcome = await connectGet(ConnectionService, "GetConnection", { encoding: "proto", base64: "1", message: base64Encode(bytes, "url") });
    expect(outcome.code).toBe("InvalidArgument");
    expect(outcome.violations).toEqual(["(request) UNKNOWN_FIELD"]);
    expect(reached.length).toBe(before);
  });

  it("refuses malformed JSON with INVALID_ARGUMENT", async () => {
    for (const message of ["{", "[]", '{"pageSize":"many"}']) {
      const outcome = await connectGet(ConnectionService, "ListConnections", { encoding: "json", message });
      expect(outcome.code, message).toBe("InvalidArgument");
    }
  });
});

describe("idempotency levels in the contract", () => {
  // Lowering a level breaks GET clients; buf breaking cannot tell raising
  // from lowering, so the expected set is written down here.
  it("marks exactly the read-only unary RPCs NO_SIDE_EFFECTS", () => {
    const services = [Health, ConnectionService, EnvironmentAuthorizationService, AwsTrustService, RunnerService, VaultService];
    const readOnly = services.flatMap((service) =>
      service.methods.filter((m) => m.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS).map((m) => `${service.name}.${m.name}`),
    );
    expect(readOnly).toEqual([
      "Health.Check",
      "Health.List",
      "ConnectionService.GetConnection",
      "ConnectionService.ListConnections",
      "ConnectionService.LookupConnection",
      "EnvironmentAuthorizationService.ListAuthorizations",
      "EnvironmentAuthorizationService.GetDefaultConnection",
      "EnvironmentAuthorizationService.ListAuditEvents",
      "EnvironmentAuthorizationService.CountDeploymentPins",
      "AwsTrustService.GetSetup",
      "AwsTrustService.GetTemplate",
      "RunnerService.GetRunner",
      "RunnerService.ListRunners",
    ]);
  });
});
