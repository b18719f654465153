import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toBinary, create } from "@bufbuild/protobuf";
import { SealCredentialRequestSchema, VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { ALLOWED_ORIGIN, startTestServer, type TestServer } from "./support/test-server.js";

// Browsers reach the connect-node port with Connect-Web and gRPC-Web; CORS
// lets the configured origins in and keeps every other origin out.

const OTHER_ORIGIN = "https://evil.example.net";
const SEAL_PATH = `/${VaultService.typeName}/${VaultService.method.sealCredential.name}`;

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});

afterAll(async () => {
  await t?.server.shutdown(1_000);
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain HTTP/1.1 request (no fetch: browsers' forbidden-header rules do not apply here). */
function request(method: string, path: string, headers: Record<string, string>, body?: Uint8Array): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${t.server.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A header's comma-separated list, lower-cased. */
function list(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value.join(",") : (value ?? ""))
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
}

const preflightHeaders = (origin: string) => ({
  origin,
  "access-control-request-method": "POST",
  "access-control-request-headers": "authorization,content-type,connect-protocol-version,x-grpc-web,grpc-timeout",
});

describe("preflight (OPTIONS)", () => {
  it("from the allowed origin is 204 with the methods and headers Connect-Web and gRPC-Web need", async () => {
    const res = await request("OPTIONS", SEAL_PATH, preflightHeaders(ALLOWED_ORIGIN));
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    expect(list(res.headers["access-control-allow-methods"])).toContain("post");
    expect(list(res.headers["access-control-allow-headers"])).toEqual(
      expect.arrayContaining(["authorization", "content-type", "connect-protocol-version", "connect-timeout-ms", "x-grpc-web", "grpc-timeout", "x-request-id"]),
    );
    expect(Number(res.headers["access-control-max-age"])).toBeGreaterThan(0);
    expect(list(res.headers["vary"])).toContain("origin");
    // The preflight never reaches the RPC handler.
    expect(res.body.length).toBe(0);
  });

  it("from another origin is 403 without any allow header", async () => {
    const res = await request("OPTIONS", SEAL_PATH, preflightHeaders(OTHER_ORIGIN));
    expect(res.status).toBe(403);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(res.headers["access-control-allow-methods"]).toBeUndefined();
    expect(res.headers["access-control-allow-headers"]).toBeUndefined();
  });

  it("matches the origin exactly (scheme, host and port), not by prefix", async () => {
    for (const origin of [`${ALLOWED_ORIGIN}.evil.net`, ALLOWED_ORIGIN.replace("https:", "http:"), `${ALLOWED_ORIGIN}:8443`]) {
      const res = await request("OPTIONS", SEAL_PATH, preflightHeaders(origin));
      expect(res.status, origin).toBe(403);
      expect(res.headers["access-control-allow-origin"], origin).toBeUndefined();
    }
  });
});

describe("actual requests", () => {
  it("a Connect POST from the allowed origin gets Allow-Origin and the exposed gRPC/Connect headers", async () => {
    const res = await request(
      "POST",
      SEAL_PATH,
      { origin: ALLOWED_ORIGIN, "content-type": "application/json", "connect-protocol-version": "1", ...(await t.auth()) },
      new TextEncoder().encode(JSON.stringify({ orgId: "echo", connectionId: "cors-1", payload: "AAEC" })),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString("utf8"))).toEqual({ version: 3, keyId: "caller:svc-test@org-test" });
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    expect(list(res.headers["access-control-expose-headers"])).toEqual(
      expect.arrayContaining(["grpc-status", "grpc-message", "grpc-status-details-bin", "x-request-id"]),
    );
  });

  it("a gRPC-Web POST from the allowed origin gets them too, errors included", async () => {
    const message = toBinary(SealCredentialRequestSchema, create(SealCredentialRequestSchema, { orgId: "fail-invalid", connectionId: "cors-2" }));
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    const res = await request(
      "POST",
      SEAL_PATH,
      { origin: ALLOWED_ORIGIN, "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...(await t.auth()) },
      frame,
    );
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBe(ALLOWED_ORIGIN);
    expect(list(res.headers["access-control-expose-headers"])).toContain("grpc-status");
    // The status travels in the trailer frame of the body.
    expect(res.body.toString("latin1")).toMatch(/grpc-status: ?3\r\n/);
  });

  it("a POST from another origin is served (CORS is the browser's business) but gets no CORS headers", async () => {
    const res = await request(
      "POST",
      SEAL_PATH,
      { origin: OTHER_ORIGIN, "content-type": "application/json", "connect-protocol-version": "1", ...(await t.auth()) },
      new TextEncoder().encode(JSON.stringify({ orgId: "echo", connectionId: "cors-3" })),
    );
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    expect(res.headers["access-control-expose-headers"]).toBeUndefined();
  });

  it("a request without an Origin (not a browser) gets no CORS headers", async () => {
    const res = await request(
      "POST",
      SEAL_PATH,
      { "content-type": "application/json", "connect-protocol-version": "1", ...(await t.auth()) },
      new TextEncoder().encode(JSON.stringify({ orgId: "echo", connectionId: "cors-4" })),
    );
    expect(res.status).toBe(200);
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
