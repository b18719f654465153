import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
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
const SERVICES: readonly DescService[] = [ConnectionService, RunnerService, AwsTrustService, EnvironmentAuthorizationService, VaultService, Health, ServerReflection];
const entry = resolve(import.meta.dirname, "../dist/src/main.js");

let child: ChildProcess;
let db: TestDatabase;
let dataDir: string;
let output = "";
let baseUrl: string;
let grpcClient: grpc.Client;
let secret: string;

beforeAll(async () => {
  db = await createTestDatabase(inject("databaseUrl"), "fuzz");
  dataDir = await mkdtemp(join(tmpdir(), "fuzz-"));
  secret = randomBytes(32).toString("base64url");
  // Provider APIs point at a closed local port: verification fails fast, offline.
  const closed = "http://127.0.0.1:9";
  child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env["PATH"],
      HOME: process.env["HOME"],
      HOST: "127.0.0.1",
      PORT: "0",
      GRPC_PORT: "0",
      METRICS_PORT: "0",
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: "warn",
      AWS_STS_URL: closed,
      AZURE_LOGIN_URL: closed,
      AZURE_MANAGEMENT_URL: closed,
      DIGITALOCEAN_API_URL: closed,
      CIVO_API_URL: closed,
      CLOUDFLARE_API_URL: closed,
      GCP_TOKEN_URI: closed,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const banner = await new Promise<string>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
    const check = () => {
      if (/native gRPC\s+\S+/.test(output)) {
        clearTimeout(timer);
        resolveBanner(output);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
  });
  baseUrl = /gRPC-Web \/ gRPC\s+(http:\/\/\S+)/.exec(banner)![1]!;
  grpcClient = new grpc.Client(/native gRPC\s+(\S+)/.exec(banner)![1]!, grpc.credentials.createInsecure());
}, 90_000);

afterAll(async () => {
  grpcClient?.close();
  child?.kill("SIGKILL");
  await db?.drop().catch(() => undefined);
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

async function rssBytes(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, "utf8");
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
    return { method: path, protocol: "grpc", answer: await callOverGrpc(grpcClient, path, kind, mutatedBinary(rng, method.input, message), metadata), reproduce };
  }
  const body = protocol === "connect-json" ? mutatedJson(rng, method.input, message) : mutatedBinary(rng, method.input, message);
  const answer = await callOverHttp(baseUrl, path, protocol, method.methodKind === "server_streaming", body, headers);
  return { method: path, protocol, answer, reproduce };
}

const methods: readonly DescMethod[] = SERVICES.flatMap((service) => service.methods);

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
  // Warm up with half as many fuzzed requests of their own (JIT, pools,
  // caches, the heap growing to its working size) before the baseline: what
  // must come back is what the measured run adds.
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
  console.log(JSON.stringify({ seed: SEED, requests: results.length, methods: new Set(results.map((r) => r.method)).size, byProtocol, byCode, rssBefore, rssAfter }));

  const bad = results.filter((r) => /Internal|Unknown|NO_ANSWER|NO_STATUS|NO_END_STREAM|HTTP 5/.test(r.answer));
  expect(bad.slice(0, 10), `server log:\n${output.split("\n").filter((l) => /"level":(50|60)/.test(l)).slice(0, 10).join("\n")}`).toEqual([]);
  expect(results).toHaveLength(REQUESTS);
  expect(new Set(results.map((r) => r.method)).size).toBe(methods.length);
  expect(child.exitCode).toBeNull();
  expect(rssAfter).toBeLessThanOrEqual(rssBefore * 1.2);
}, 600_000);
