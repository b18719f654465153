import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signDevToken, USER_SCOPES } from "@planton/auth";
import { createTestDatabase, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan, type TestDatabase } from "@planton/testing";
import { startNatsServer, startServiceProcess, type NatsProcess, type ServiceProcess } from "./support/service-processes.js";

// Each service in a process of its own, as deployed: vault, registry, authz
// and the verifier on the machine's PostgreSQL, a NATS JetStream of this
// test's own, and a local OTLP/HTTP receiver every process exports to. A
// CreateConnection that carries a caller's traceparent must be followable
// to the verification it caused: registry -> vault over gRPC metadata, the
// outbox and NATS headers to authz and the verifier, the verifier's calls
// back to the vault and the registry, all in the caller's trace.

const SPAN_KIND = { server: 2, client: 3, producer: 4, consumer: 5 } as const;
const CIVO_TOKEN = "civo-token-marker-7c1e0123456789abcdef";

let receiver: OtlpReceiver;
let nats: NatsProcess;
let database: TestDatabase;
let civo: Server;
const processes: ServiceProcess[] = [];
let registry: ServiceProcess;
let vault: ServiceProcess;
let verifier: ServiceProcess;
let secret: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  nats = await startNatsServer();
  database = await createTestDatabase(inject("databaseUrl"), "traces");
  // Civo's region list, as the provider answers it: the verification succeeds.
  civo = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify([{ code: "LON1" }])));
  await new Promise<void>((done) => civo.listen(0, "127.0.0.1", done));
  secret = randomBytes(32).toString("base64url");
  const common = {
    DATABASE_URL: database.url,
    NATS_URL: nats.url,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: "info",
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    // The SDK's own batch setting: export within 100 ms instead of 5 s.
    OTEL_BSP_SCHEDULE_DELAY: "100",
  };
  const start = async (name: string, env: Record<string, string>) => {
    const started = await startServiceProcess(name, { ...common, ...env });
    processes.push(started);
    return started;
  };
  vault = await start("vault", {});
  registry = await start("registry", { VAULT_URL: vault.grpcUrl, OUTBOX_POLL_MS: "50" });
  [, verifier] = await Promise.all([
    start("authz", { VAULT_URL: vault.grpcUrl, REGISTRY_URL: registry.grpcUrl }),
    start("verifier", { VAULT_URL: vault.grpcUrl, REGISTRY_URL: registry.grpcUrl, CIVO_API_URL: `http://127.0.0.1:${(civo.address() as AddressInfo).port}` }),
  ]);
}, 120_000);

afterAll(async () => {
  for (const started of processes.reverse()) await started.stop();
  await nats?.stop();
  await receiver?.close();
  await new Promise((done) => civo?.close(done));
  await database?.drop();
}, 60_000);

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

describe("trace context across service processes", () => {
  it("follows a CreateConnection from the caller's traceparent to the verification it caused, in spans and log lines", async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const token = await signDevToken(secret, { subject: "trace-user", orgId: "org-traces", scopes: USER_SCOPES, expiresIn: "1h" });
    const created = await fetch(`${registry.url}/planton.connect.v1.ConnectionService/CreateConnection`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: JSON.stringify({ name: "traced-civo", spec: { civo: { apiToken: CIVO_TOKEN, defaultRegion: "LON1" } } }),
    });
    expect(created.status).toBe(200);

    const inTrace = (spans: ReceivedSpan[]) => spans.filter((s) => s.traceId === traceId);
    const find = (spans: ReceivedSpan[], service: string, name: string, kind: number) =>
      inTrace(spans).find((s) => s.service === service && s.name === name && s.kind === kind);
    const spans = await receiver.waitFor(
      (all) =>
        find(all, "registry", "planton.connect.v1.ConnectionService/RecordVerification", SPAN_KIND.server) !== undefined &&
        // A consumer span ends (and is exported) after its handler's calls.
        find(all, "verifier", "process connect.connection.created", SPAN_KIND.consumer) !== undefined &&
        find(all, "authz", "process connect.connection.created", SPAN_KIND.consumer) !== undefined,
      "the verification and authz's handling in the caller's trace",
    );
    const span = (service: string, name: string, kind: number) => {
      const found = find(spans, service, name, kind);
      expect(found, `${service} ${name}`).toBeDefined();
      return found!;
    };

    // The registry continues the caller's trace.
    const create = span("registry", "planton.connect.v1.ConnectionService/CreateConnection", SPAN_KIND.server);
    expect(create.parentSpanId).toBe(callerSpanId);
    expect(create.attributes).toMatchObject({
      "rpc.system": "connect_rpc",
      "rpc.service": "planton.connect.v1.ConnectionService",
      "rpc.method": "CreateConnection",
    });
    // registry -> vault: gRPC metadata between two processes.
    const seal = span("registry", "planton.connect.v1.VaultService/SealCredential", SPAN_KIND.client);
    expect(seal.parentSpanId).toBe(create.spanId);
    expect(span("vault", "planton.connect.v1.VaultService/SealCredential", SPAN_KIND.server).parentSpanId).toBe(seal.spanId);
    // The outbox keeps the trace until the relay publishes: the producer span hangs under the create.
    const publish = span("registry", "publish connect.connection.created", SPAN_KIND.producer);
    expect(publish.parentSpanId).toBe(create.spanId);
    expect(publish.attributes).toMatchObject({ "messaging.system": "nats", "messaging.destination.name": "connect.connection.created" });
    // NATS headers: both consumers continue it.
    const processed = span("verifier", "process connect.connection.created", SPAN_KIND.consumer);
    expect(processed.parentSpanId).toBe(publish.spanId);
    expect(span("authz", "process connect.connection.created", SPAN_KIND.consumer).parentSpanId).toBe(publish.spanId);
    // The verifier's calls back: the vault's OpenCredential and the registry's RecordVerification.
    const open = span("verifier", "planton.connect.v1.VaultService/OpenCredential", SPAN_KIND.client);
    expect(open.parentSpanId).toBe(processed.spanId);
    expect(span("vault", "planton.connect.v1.VaultService/OpenCredential", SPAN_KIND.server).parentSpanId).toBe(open.spanId);
    const record = span("verifier", "planton.connect.v1.ConnectionService/RecordVerification", SPAN_KIND.client);
    expect(record.parentSpanId).toBe(processed.spanId);
    const recorded = span("registry", "planton.connect.v1.ConnectionService/RecordVerification", SPAN_KIND.server);
    expect(recorded.parentSpanId).toBe(record.spanId);
    expect(recorded.attributes["rpc.system"]).toBe("grpc");
    expect(recorded.attributes["rpc.grpc.status_code"]).toBe(0);
    // The verification's own event is in the same trace too.
    await receiver.waitFor((all) => find(all, "registry", "publish connect.connection.verified", SPAN_KIND.producer) !== undefined, "the verified event");

    // Log lines of every process carry the trace id while they work on it.
    const logged = (process: ServiceProcess, message: string) => process.records().filter((r) => r["msg"] === message && r["trace_id"] === traceId);
    // Standard output is buffered (written at least every 100 ms): wait for the lines checked below.
    for (let waited = 0; logged(verifier, "connection verified").length === 0 && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(logged(registry, "rpc").map((r) => r["procedure"])).toEqual(
      expect.arrayContaining(["/planton.connect.v1.ConnectionService/CreateConnection", "/planton.connect.v1.ConnectionService/RecordVerification"]),
    );
    expect(logged(registry, "rpc").find((r) => r["procedure"] === "/planton.connect.v1.ConnectionService/CreateConnection")?.["span_id"]).toBe(create.spanId);
    expect(logged(vault, "rpc").map((r) => r["procedure"])).toEqual(
      expect.arrayContaining(["/planton.connect.v1.VaultService/SealCredential", "/planton.connect.v1.VaultService/OpenCredential"]),
    );
    expect(logged(verifier, "connection verified")).toHaveLength(1);
    // Lines outside any trace (start-up) have none.
    expect(registry.records().find((r) => r["msg"] === "registry listening")).not.toHaveProperty("trace_id");

    // Nothing secret was exported: not the credential, the signing secret or a token.
    const exported = receiver.bodies().join("\n");
    for (const marker of [CIVO_TOKEN, secret, token, "Bearer"]) expect(exported).not.toContain(marker);
  });

  it("starts a new trace for a call without traceparent, and refuses none for a malformed one", async () => {
    const token = await signDevToken(secret, { subject: "trace-user", orgId: "org-traces", scopes: USER_SCOPES, expiresIn: "1h" });
    const list = (headers: Record<string, string>) =>
      fetch(`${registry.url}/planton.connect.v1.ConnectionService/ListConnections`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": `trace-${hex(4)}`, ...headers },
        body: "{}",
      });
    const bare = await list({});
    const malformed = await list({ traceparent: "00-not-a-trace-01" });
    expect(bare.status).toBe(200);
    expect(malformed.status).toBe(200);
    const ids = [bare, malformed].map((response) => response.headers.get("x-request-id"));
    // Standard output is buffered (written at least every 100 ms): wait for both lines.
    const lineOf = (id: string | null) => registry.records().find((r) => r["msg"] === "rpc" && r["request_id"] === id);
    for (let waited = 0; ids.some((id) => lineOf(id) === undefined) && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const lines = ids.map(lineOf);
    for (const line of lines) expect(line?.["trace_id"]).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]?.["trace_id"]).not.toBe(lines[1]?.["trace_id"]);
    const spans = await receiver.waitFor((all) => lines.every((line) => all.some((s) => s.traceId === line?.["trace_id"])), "the two new traces");
    for (const line of lines) expect(spans.find((s) => s.traceId === line?.["trace_id"])?.parentSpanId).toBe("");
  });
});
