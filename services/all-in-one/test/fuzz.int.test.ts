import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { signDevToken } from "@planton/auth";
import { Health } from "@planton/proto/grpc/health/v1/health_pb";
import { ServerReflection } from "@planton/proto/grpc/reflection/v1/reflection_pb";
import { EnvironmentAuthorizationService } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { AwsTrustService } from "@planton/proto/planton/connect/v1/aws_trust_service_pb";
import { ConnectionService } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { RunnerService } from "@planton/proto/planton/connect/v1/runner_service_pb";
import { VaultService } from "@planton/proto/planton/connect/v1/vault_pb";
import { createTestDatabase, type TestDatabase } from "@planton/testing";
import { mutatedBinary, mutatedJson, randomMessage, Rng } from "./support/fuzz-input.js";
import { cleanUpAllInOne, startAllInOne, type AllInOne } from "./support/all-in-one-process.js";
import { callOverGrpc, callOverHttp, type Protocol } from "./support/raw-protocols.js";

// A bounded, seeded fuzz run against the real all-in-one process (issue 11):
// every RPC of every service, on Connect JSON, Connect binary, gRPC-Web and
// native gRPC, with random and corrupted requests. Nothing may answer
// INTERNAL or UNKNOWN, the process must not crash, and its memory must come
// back. FUZZ_SEED reproduces a run; FUZZ_REQUESTS makes it longer.

const SEED = Number(process.env["FUZZ_SEED"] ?? 20261207);
const REQUESTS = Math.max(2_000, Number(process.env["FUZZ_REQUESTS"] ?? 2_400));
const IN_FLIGHT = 12;
const PROTOCOLS: readonly Protocol[] = ["connect-json", "connect-binary", "grpc-web", "grpc"];
const SERVICES: readonly DescService[] = [
  ConnectionService,
  RunnerService,
  AwsTrustService,
  EnvironmentAuthorizationService,
  VaultService,
  Health,
  ServerReflection,
];

let app: AllInOne;
let db: TestDatabase;
let baseUrl: string;
let grpcClient: grpc.Client;
let secret: string;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "fuzz");
  secret = randomBytes(32).toString("base64url");
  // Provider APIs point at a closed local port: verification fails fast, offline.
  const closed = "http://127.0.0.1:9";
  app = await startAllInOne(
    {
      DATABASE_URL: db.url,
      AUTH_JWT_SECRET: secret,
      METRICS_PORT: "0",
      LOG_LEVEL: "warn",
      AWS_STS_URL: closed,
      AZURE_LOGIN_URL: closed,
      AZURE_MANAGEMENT_URL: closed,
      DIGITALOCEAN_API_URL: closed,
      CIVO_API_URL: closed,
      CLOUDFLARE_API_URL: closed,
      GCP_TOKEN_URI: closed,
    },
    60_000,
  );
  baseUrl = `http://${app.httpAddress}`;
  grpcClient = new grpc.Client(app.grpcAddress, grpc.credentials.createInsecure());
}, 90_000);

afterAll(async () => {
  grpcClient?.close();
  await cleanUpAllInOne();
  await db?.drop().catch(() => undefined);
});

async function rssBytes(): Promise<number> {
  const status = await readFile(`/proc/${app.child.pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const ALL_SCOPES = ["connections:read", "connections:write", "environments:admin", "credentials:resolve", "internal"];

/** Mostly a valid token of one org; sometimes none, garbage, another org's, or one without scopes. */
async function headersFor(rng: Rng): Promise<Record<string, string>> {
  const roll = rng.int(20);
  if (roll === 0) return {};
  if (roll === 1) return { authorization: `Bearer ${randomBytes(rng.int(64)).toString("base64url")}` };
  const token = await signDevToken(secret, {
    subject: roll === 2 ? "user\u0000x" : "fuzz-user",
    orgId: roll === 3 ? "fuzz-other-org" : "fuzz-org",
    scopes: roll === 4 ? [] : ALL_SCOPES,
  });
  return { authorization: `Bearer ${token}`, "x-request-id": `fuzz-${rng.int(1e9)}` };
}

interface Result {
  readonly method: string;
  readonly protocol: Protocol;
  readonly answer: string;
  readonly reproduce: string;
}

async function send(index: number, method: DescMethod): Promise<Result> {
  // One generator per request, seeded from the run's seed and the index, so
  // any single request can be replayed alone.
  const rng = new Rng(SEED ^ Math.imul(index + 1, 0x9e3779b1));
  const protocol = PROTOCOLS[Math.floor(index / methods.length) % PROTOCOLS.length]!;
  const message = randomMessage(rng, method.input);
  const headers = await headersFor(rng);
  const path = `/${method.parent.typeName}/${method.name}`;
  const reproduce = `FUZZ_SEED=${SEED} request #${index}`;
  const bidi = method.methodKind === "bidi_streaming" || method.methodKind === "client_streaming";
  if (protocol === "grpc" || bidi) {
    const metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    const kind = method.methodKind === "unary" ? "unary" : method.methodKind === "server_streaming" ? "server_streaming" : "bidi_streaming";
    return {
      method: path,
      protocol: "grpc",
      answer: await callOverGrpc(grpcClient, path, kind, mutatedBinary(rng, method.input, message), metadata),
      reproduce,
    };
  }
  const body = protocol === "connect-json" ? mutatedJson(rng, method.input, message) : mutatedBinary(rng, method.input, message);
  const answer = await callOverHttp(baseUrl, path, protocol, method.methodKind === "server_streaming", body, headers);
  return { method: path, protocol, answer, reproduce };
}

const methods: readonly DescMethod[] = SERVICES.flatMap((service) => service.methods);

/** Creates one valid connection per provider and waits for the verifier to have tried each (the provider URLs are closed: it fails fast). */
async function createOnePerProvider(): Promise<void> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const gcpKey = {
    type: "service_account",
    project_id: "fuzz-project-1",
    private_key_id: "0123456789abcdef0123456789abcdef01234567",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: "fuzz@fuzz-project-1.iam.gserviceaccount.com",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  const uuid = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
  const specs: Record<string, unknown>[] = [
    { aws: { accountId: "123456789012", inlineKeys: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } } },
    { gcp: { serviceAccountKey: { keyBase64: Buffer.from(JSON.stringify(gcpKey)).toString("base64") } } },
    { azure: { tenantId: uuid, subscriptionId: uuid, servicePrincipal: { clientId: uuid, clientSecret: "fuzz-azure-client-secret-0123456789" } } },
    { digitalocean: { apiToken: `dop_v1_${"ab".repeat(32)}`, defaultRegion: "nyc1" } },
    { civo: { apiToken: "fuzzcivotoken0123456789abcdef", defaultRegion: "LON1" } },
    { cloudflare: { apiToken: "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm3_" } },
  ];
  const token = await signDevToken(secret, { subject: "fuzz-user", orgId: "fuzz-warmup", scopes: ALL_SCOPES });
  for (const [i, spec] of specs.entries()) {
    const answer = await callOverHttp(
      baseUrl,
      "/planton.connect.v1.ConnectionService/CreateConnection",
      "connect-json",
      false,
      JSON.stringify({ name: `warmup-${i}-fuzz`, spec }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(answer, JSON.stringify(spec).slice(0, 40)).toBe("OK");
  }
  await new Promise((r) => setTimeout(r, 3_000));
}

/** Sends requests `from` to `to - 1`, IN_FLIGHT at a time; method `i % methods.length` for request i. */
async function run(from: number, to: number): Promise<Result[]> {
  const results: Result[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < to) {
        const index = next++;
        results.push(await send(index, methods[index % methods.length]!));
      }
    }),
  );
  return results;
}

it(`answers ${REQUESTS} fuzzed requests to every RPC on every protocol without INTERNAL, UNKNOWN or a crash, and gives its memory back`, async () => {
  // Warm up before the baseline: one valid connection per provider (the
  // verifier loads each provider's check, the AWS SDK's STS client among them,
  // on first use), then half as many fuzzed requests of their own (JIT, pools,
  // caches, the heap growing to its working size). What must come back is
  // what the measured run adds.
  await createOnePerProvider();
  await run(REQUESTS, REQUESTS + REQUESTS / 2);
  await new Promise((r) => setTimeout(r, 1_000));
  const rssBefore = await rssBytes();

  const results = await run(0, REQUESTS);
  // Memory comes back once the process is idle (V8 shrinks the heap then, on
  // its own schedule, later on a loaded machine): wait for it, up to 60 s.
  // Measured alone, RSS after 2,400 requests is within 2-5 % of the baseline.
  let rssAfter = await rssBytes();
  for (let waited = 0; waited < 60_000 && rssAfter > rssBefore * 1.2; waited += 1_000) {
    await new Promise((r) => setTimeout(r, 1_000));
    rssAfter = await rssBytes();
  }

  const byCode: Record<string, number> = {};
  for (const result of results) byCode[result.answer.startsWith("NO_ANSWER") ? "NO_ANSWER" : result.answer] = (byCode[result.answer] ?? 0) + 1;
  const byProtocol: Record<string, number> = {};
  for (const result of results) byProtocol[result.protocol] = (byProtocol[result.protocol] ?? 0) + 1;
  // The note reports these numbers.
  console.log(
    JSON.stringify({ seed: SEED, requests: results.length, methods: new Set(results.map((r) => r.method)).size, byProtocol, byCode, rssBefore, rssAfter }),
  );

  const bad = results.filter((r) => /Internal|Unknown|NO_ANSWER|NO_STATUS|NO_END_STREAM|HTTP 5/.test(r.answer));
  expect(
    bad.slice(0, 10),
    `server log:\n${app
      .output()
      .split("\n")
      .filter((l) => /"level":(50|60)/.test(l))
      .slice(0, 10)
      .join("\n")}`,
  ).toEqual([]);
  expect(results).toHaveLength(REQUESTS);
  expect(new Set(results.map((r) => r.method)).size).toBe(methods.length);
  expect(app.child.exitCode).toBeNull();
  expect(rssAfter).toBeLessThanOrEqual(rssBefore * 1.2);
}, 600_000);
