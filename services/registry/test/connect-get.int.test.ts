import * as diagnostics from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { signDevToken } from "@planton/auth";
import { createInProcessBus } from "@planton/events";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { captureLogs } from "@planton/testing";
import { validSpecs } from "./support/fixtures.js";
import { SECRET, startRegistry, type RegistryHarness } from "./support/registry-harness.js";

// GetConnection and ListConnections are NO_SIDE_EFFECTS: a Connect client may
// send them as GET (cacheable), and gets the same answer as with POST.

const logs = captureLogs();
const bus = createInProcessBus(logs.logger);
const ORG = "org-connect-get";
let h: RegistryHarness;
let token: string;
let connectionId: string;

beforeAll(async () => {
  h = await startRegistry({ logger: logs.logger, publisher: bus });
  token = await signDevToken(SECRET, { subject: `user@${ORG}`, orgId: ORG, scopes: ["connections:read", "connections:write"] });
  const { connections } = await h.clients(ORG);
  const created = await connections.createConnection({ name: "get me", spec: validSpecs("GET", "unused")["cloudflare legacy"]! });
  connectionId = created.connection!.id;
});
afterAll(async () => {
  await h?.dispose();
  await bus.close();
});

describe("Connect GET on ConnectionService", () => {
  it("GetConnection and ListConnections over a GET transport answer as over POST", async () => {
    const { connections: post } = await h.clients(ORG);
    const viaPost = await post.getConnection({ connection: connectionId });
    // The transport turns POST into GET after its interceptors run: watch the wire.
    const methods: string[] = [];
    const onRequest = (message: unknown) => {
      const request = (message as { request: ClientRequest }).request;
      if (request.path.startsWith(`/${ConnectionService.typeName}/`)) methods.push(request.method);
    };
    diagnostics.subscribe("http.client.request.start", onRequest);
    const get = createClient(
      ConnectionService,
      createConnectTransport({
        baseUrl: h.server.url,
        httpVersion: "1.1",
        useHttpGet: true,
        interceptors: [
          (next) => (request) => {
            request.header.set("authorization", `Bearer ${token}`);
            return next(request);
          },
        ],
      }),
    );
    let viaGet, viaGetSlug, listed;
    try {
      viaGet = await get.getConnection({ connection: connectionId });
      viaGetSlug = await get.getConnection({ connection: "get-me" });
      listed = await get.listConnections({ pageSize: 10 });
    } finally {
      diagnostics.unsubscribe("http.client.request.start", onRequest);
    }
    expect(viaGet).toEqual(viaPost);
    expect(viaGetSlug).toEqual(viaPost);
    expect(listed.connections.map((c) => c.id)).toEqual([connectionId]);
    expect(methods.length).toBeGreaterThanOrEqual(3);
    expect(new Set(methods)).toEqual(new Set(["GET"]));
  });

  it("a plain GET URL with a JSON message works, and an unknown field in it is a field violation", async () => {
    const url = (message: string) =>
      `${h.server.url}/${ConnectionService.typeName}/GetConnection?connect=v1&encoding=json&message=${encodeURIComponent(message)}`;
    const headers = { authorization: `Bearer ${token}` };
    const ok = await fetch(url(JSON.stringify({ connection: connectionId })), { headers });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { connection: { id: string; name: string } }).connection).toMatchObject({ id: connectionId, name: "get me" });

    const refused = await fetch(url(JSON.stringify({ connection: connectionId, conection: "typo" })), { headers });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { code: string; details: { type: string; debug: { fieldViolations: { field: string; reason: string }[] } }[] };
    expect(body.code).toBe("invalid_argument");
    expect(body.details.flatMap((d) => d.debug.fieldViolations.map((v) => `${v.field} ${v.reason}`))).toEqual(["conection UNKNOWN_FIELD"]);
  });

  it("CreateConnection (a change) is not callable with GET", async () => {
    const response = await fetch(
      `${h.server.url}/${ConnectionService.typeName}/CreateConnection?connect=v1&encoding=json&message=${encodeURIComponent("{}")}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(405);
  });
});
