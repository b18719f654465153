import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signDevToken, USER_SCOPES } from "@planton/auth";
import { cleanUpAllInOne, createTestDatabase, startAllInOne, type TestDatabase } from "@planton/testing";
import { healthCheck } from "./support/health-client.js";

// The all-in-one process as deployed: one process, one registry, one metrics
// port. A few RPCs through every service, then the scrape is checked for the
// series the README documents and for identifiers and secrets it must never carry.

// Markers planted in tokens, requests and credentials: none may reach a label.
const MARKER_ORG = "org-marker-5f1d";
const MARKER_SUBJECT = "user-marker-5f1d";
const MARKER_CONNECTION = "conn-marker-5f1d";
const MARKER_DEPLOYMENT = "deploy-marker-5f1d";
const MARKER_REQUEST_ID = "request-marker-5f1d";
const MARKER_SECRET = "civo-secret-marker-5f1d0123456789abcdef";

let db: TestDatabase;
let civo: Server;
let httpUrl: string;
let grpcAddress: string;
let metricsUrl: string;
let token: string;
let secret: string;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "metrics");
  secret = randomBytes(32).toString("base64url");
  // Civo's region list, as the provider answers it: the verification succeeds.
  civo = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ code: "LON1" }])));
  await new Promise<void>((done) => civo.listen(0, "127.0.0.1", done));
  const app = await startAllInOne({
    DATABASE_URL: db.url,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: "warn",
    CIVO_API_URL: `http://127.0.0.1:${(civo.address() as AddressInfo).port}`,
  });
  httpUrl = `http://${app.httpAddress}`;
  grpcAddress = app.grpcAddress;
  metricsUrl = app.metricsUrl;
  token = await signDevToken(secret, { subject: MARKER_SUBJECT, orgId: MARKER_ORG, scopes: USER_SCOPES, expiresIn: "1h" });
}, 60_000);

afterAll(async () => {
  await cleanUpAllInOne();
  await new Promise((done) => civo?.close(done));
  await db?.drop();
});

const call = (service: string, method: string, body: unknown) =>
  fetch(`${httpUrl}/planton.connect.v1.${service}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": MARKER_REQUEST_ID },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** The scrape as sample lines: `name{labels}` to value. */
async function scrape(): Promise<{ text: string; samples: Map<string, number> }> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const text = await response.text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { text, samples };
}

async function eventually<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

describe("GET /metrics of the all-in-one process", () => {
  it("has the documented series with sane values after a create, a verification and a resolve, and no ids or secrets", async () => {
    const created = await call("ConnectionService", "CreateConnection", {
      name: MARKER_CONNECTION,
      spec: { civo: { apiToken: MARKER_SECRET, defaultRegion: "LON1" } },
    });
    expect(created.status).toBe(200);
    expect(
      (await call("EnvironmentAuthorizationService", "AuthorizeConnection", { connection: MARKER_CONNECTION, scope: "AUTHORIZATION_SCOPE_ORGANIZATION" }))
        .status,
    ).toBe(200);
    const resolved = await call("EnvironmentAuthorizationService", "ResolveCredentials", {
      deploymentId: MARKER_DEPLOYMENT,
      environment: "prod",
      provider: "PROVIDER_CIVO",
      connection: MARKER_CONNECTION,
    });
    expect(resolved.status).toBe(200);
    // Not found, and refused before dispatch (not JSON): both measured.
    expect((await call("ConnectionService", "GetConnection", { connection: "missing-marker-5f1d" })).status).toBe(404);
    expect((await call("ConnectionService", "GetConnection", "{not json")).status).toBe(400);
    // A path that is no RPC: a 404 that must not become a label.
    expect((await call("NoSuchService", "NoSuchMethodMarker5f1d", {})).status).toBe(404);
    await healthCheck(grpcAddress);

    // The verifier runs on the in-process bus; wait for its result.
    const { text, samples } = await eventually(async () => {
      const scraped = await scrape();
      return [...scraped.samples.keys()].some((k) => k.startsWith("planton_verifier_results_total{")) ? scraped : undefined;
    }, "the verification result");

    const value = (series: string) => {
      const found = samples.get(series);
      expect(found, series).toBeDefined();
      return found!;
    };
    const rpc = (procedure: string, code: string, protocol = "connect") =>
      value(`planton_rpc_duration_seconds_count{procedure="/${procedure}",code="${code}",protocol="${protocol}"}`);
    expect(rpc("planton.connect.v1.ConnectionService/CreateConnection", "ok")).toBe(1);
    expect(rpc("planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials", "ok")).toBe(1);
    expect(rpc("planton.connect.v1.ConnectionService/GetConnection", "not_found")).toBe(1);
    expect(rpc("grpc.health.v1.Health/Check", "ok", "grpc")).toBeGreaterThanOrEqual(1);
    expect(
      value(`planton_rpc_duration_seconds_sum{procedure="/planton.connect.v1.ConnectionService/CreateConnection",code="ok",protocol="connect"}`),
    ).toBeGreaterThan(0);
    // A series appears once its method is called: no empty series per method.
    expect(samples.has(`planton_rpc_duration_seconds_count{procedure="/planton.connect.v1.RunnerService/ListRunners",code="ok",protocol="connect"}`)).toBe(
      false,
    );
    expect(value("planton_rpc_in_flight")).toBe(0);
    expect(value(`planton_rpc_refused_total{procedure="/planton.connect.v1.ConnectionService/GetConnection",protocol="connect"}`)).toBe(1);

    expect(value(`planton_verifier_results_total{provider="CIVO",result="verified",reason=""}`)).toBe(1);
    expect(value(`planton_authz_resolve_decisions_total{decision="ALLOWED",error_code=""}`)).toBe(1);
    expect(value(`planton_authz_audit_write_seconds_count{outcome="ok"}`)).toBeGreaterThanOrEqual(1);

    expect(value(`planton_kms_call_duration_seconds_count{provider="local",operation="GenerateDataKey",outcome="ok"}`)).toBeGreaterThanOrEqual(1);
    expect(value(`planton_kms_call_duration_seconds_count{provider="local",operation="Decrypt",outcome="ok"}`)).toBeGreaterThanOrEqual(1);
    const hits = value(`planton_vault_data_key_cache_requests_total{result="hit"}`);
    const misses = value(`planton_vault_data_key_cache_requests_total{result="miss"}`);
    expect(hits + misses).toBeGreaterThanOrEqual(2); // the verifier's open and the resolve's
    expect(misses).toBeGreaterThanOrEqual(1);
    expect(value("planton_vault_data_key_cache_evictions_total")).toBe(0);

    expect(value(`planton_outbox_publish_seconds_count{outbox="registry",outcome="ok"}`)).toBeGreaterThanOrEqual(1);
    expect(value(`planton_outbox_pending_events{outbox="registry"}`)).toBeGreaterThanOrEqual(0);
    expect(value(`planton_outbox_oldest_pending_age_seconds{outbox="registry"}`)).toBeGreaterThanOrEqual(0);

    for (const pool of ["registry", "vault", "authz"]) {
      expect(value(`planton_db_pool_connections{pool="${pool}",state="in_use"}`)).toBeGreaterThanOrEqual(0);
      expect(value(`planton_db_pool_connections{pool="${pool}",state="idle"}`)).toBeGreaterThanOrEqual(0);
      expect(value(`planton_db_pool_waiting{pool="${pool}"}`)).toBe(0);
    }
    // The standard process metrics the dashboard reads (deploy/check.mjs DEFAULT_METRICS).
    expect(value("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(value("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(value("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(value("nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);

    // Bounded labels only: no organization, subject, connection, deployment
    // or request id, no path that is not an RPC, and never a secret.
    const connectionId = ((await created.json()) as { connection: { id: string } }).connection.id;
    for (const marker of [
      MARKER_ORG,
      MARKER_SUBJECT,
      MARKER_CONNECTION,
      connectionId,
      MARKER_DEPLOYMENT,
      MARKER_REQUEST_ID,
      "missing-marker-5f1d",
      "NoSuchMethodMarker5f1d",
      MARKER_SECRET,
      secret,
      token,
    ]) {
      expect(text).not.toContain(marker);
    }
    expect(text).not.toContain("5f1d");
  }, 60_000);

  it("serves nothing but GET /metrics, and is not on the public listener", async () => {
    expect((await fetch(metricsUrl.replace(/\/metrics$/, "/other"))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: "POST" })).status).toBe(405);
    // PORT never serves the metrics (with the console built, an unknown path
    // there is the console's page, for its client-side routes).
    const onPublic = await fetch(`${httpUrl}/metrics`);
    expect(onPublic.headers.get("content-type") ?? "").not.toContain("text/plain");
    expect(await onPublic.text()).not.toContain("planton_rpc");
  });
});
