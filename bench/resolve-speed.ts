/**
 * `npm run bench:speed`: ResolveCredentials, GetConnection and
 * CreateConnection against the serving stack's own ceiling, as ratios
 * measured in one run.
 *
 * Starts its own database (DATABASE_URL's server, else the embedded
 * PostgreSQL), its own JetStream NATS and the built all-in-one process (what
 * `npm start` runs, local key provider, logs at info read and dropped), and
 * a bare grpc-js echo in a process of its own. Then three interleaved rounds
 * of, at 8 connections x 16 streams:
 * - h2load: bare echo, Health/Check and pinned ResolveCredentials on
 *   GRPC_PORT and on PORT (gRPC and Connect), GetConnection on GRPC_PORT;
 *   the grpc-status of the answers is read off the stack's metrics, since
 *   h2load counts any HTTP 200 as success;
 * - a Node HTTP/2 load generator (bench/speed/grpc-load.ts, its own process)
 *   where each call needs its own body: first resolves (a new deployment
 *   each) beside pinned ones, and CreateConnection at 64 in flight.
 * Then KMS calls per resolve with the AWS KMS provider against the local KMS
 * imitation (requests counted there), and the stack's RSS.
 *
 * BENCH_DURATION_S (default 10) per run, BENCH_ROUNDS (3), BENCH_SOAK_S (0:
 * no soak; 300 for the five-minute soak, RSS printed every 30 s),
 * BENCH_CASES (only the cases whose label contains one of these
 * |-separated words, e.g. "pinned|Health"; the ratios need their pairs),
 * BENCH_SKIP_KMS=1 (no KMS phase).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { signDevToken } from "@planton/auth";
import { AuthorizationScope, EnvironmentAuthorizationService, ResolveCredentialsRequestSchema } from "@planton/proto/planton/connect/v1/authz_service_pb";
import { ConnectionService, GetConnectionRequestSchema } from "@planton/proto/planton/connect/v1/connection_service_pb";
import { Provider } from "@planton/proto/planton/connect/v1/provider_pb";
import { fakeKmsCredentials, startFakeKms } from "@planton/testing";
import { BENCH_JWT_SECRET, cpuSecondsOf, startBackends, startStack, type BenchStack } from "./speed/bench-stack.js";
import { startBareEcho } from "./speed/bare-echo.js";
import { grpcFrame } from "./speed/grpc-frame.js";
import type { LoadResult, LoadSpec } from "./speed/grpc-load.js";
import { h2load } from "./speed/h2load-run.js";
import { countsSince, rpcCounts } from "./speed/metrics-scrape.js";

const DURATION_S = Number(process.env["BENCH_DURATION_S"] ?? 10);
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 3);
const SOAK_S = Number(process.env["BENCH_SOAK_S"] ?? 0);
const WARM_UP_S = 2;
const C = 8;
const M = 16;
const HEALTH = "/grpc.health.v1.Health/Check";
const RESOLVE = "/planton.connect.v1.EnvironmentAuthorizationService/ResolveCredentials";
const GET = "/planton.connect.v1.ConnectionService/GetConnection";

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per request, in microseconds (robust to other load on the machine). */
  cpuUs?: number;
}

async function main(): Promise<void> {
  if (spawnSync("h2load", ["--version"]).status !== 0) {
    console.error("h2load not found: apt-get install nghttp2-client");
    process.exit(2);
  }
  const backends = await startBackends("speed");
  // Whatever fails, nothing this run started is left behind (processes, the database).
  const bare = await startBareEcho(HEALTH).catch(async (error: unknown) => {
    await backends.dispose();
    throw error;
  });
  const stack = await startStack(backends, { KEY_PROVIDER: "local" }).catch(async (error: unknown) => {
    bare.stop();
    await backends.dispose();
    throw error;
  });
  const token = await signDevToken(BENCH_JWT_SECRET, {
    subject: "bench",
    orgId: "org-bench",
    scopes: ["connections:read", "connections:write", "environments:admin", "credentials:resolve"],
  });
  try {
    const slug = await prepare(stack, token);
    const dir = await mkdtemp(join(tmpdir(), "speed-bench-"));
    const write = async (name: string, bytes: Uint8Array) => {
      const file = join(dir, name);
      await writeFile(file, bytes);
      return file;
    };
    const resolveMessage = toBinary(
      ResolveCredentialsRequestSchema,
      create(ResolveCredentialsRequestSchema, { deploymentId: "bench-pinned", environment: "prod", provider: Provider.CIVO, connection: slug }),
    );
    const files = {
      // An empty HealthCheckRequest; for Connect, service = "" written out (h2load cannot send an empty file).
      health: await write("health.grpc", grpcFrame(new Uint8Array())),
      healthConnect: await write("health.proto", Uint8Array.of(0x0a, 0x00)),
      resolve: await write("resolve.grpc", grpcFrame(resolveMessage)),
      resolveConnect: await write("resolve.proto", resolveMessage),
      get: await write("get.grpc", grpcFrame(toBinary(GetConnectionRequestSchema, create(GetConnectionRequestSchema, { connection: slug })))),
    };
    const auth = `authorization: Bearer ${token}`;
    const grpcHeaders = ["content-type: application/grpc", "te: trailers", auth];
    const connectHeaders = ["content-type: application/proto", "connect-protocol-version: 1", auth];
    const grpcUrl = (path: string) => `http://${stack.grpcAddress}${path}`;
    const httpUrl = (path: string) => `http://${stack.httpAddress}${path}`;
    type Case = { label: string; run: () => Promise<Sample> };
    // The CPU time the serving process spent per request over the run (warm-up included, so requests = rps x (D + W)).
    const withCpu = async (pid: number, run: () => Promise<Sample>): Promise<Sample> => {
      const before = await cpuSecondsOf(pid);
      const sample = await run();
      const cpu = (await cpuSecondsOf(pid)) - before;
      return { ...sample, cpuUs: (cpu * 1e6) / (sample.rps * (DURATION_S + WARM_UP_S)) };
    };
    const viaH2load = (label: string, url: string, headers: string[], bodyFile: string, procedure?: string): Case => ({
      label,
      run: () =>
        withCpu(procedure === undefined ? bare.child.pid! : stack.pid, async () => {
          const before = procedure ? await rpcCounts(stack.metricsUrl, procedure) : undefined;
          const r = await h2load({ url, headers, bodyFile, connections: C, streams: M, durationS: DURATION_S, warmUpS: WARM_UP_S });
          if (r.failed > 0) throw new Error(`${label}: h2load counted ${r.failed} failed requests`);
          if (before !== undefined && procedure !== undefined) {
            const delta = countsSince(before, await rpcCounts(stack.metricsUrl, procedure));
            // h2load resets the streams still in flight when its time is up: at most C x M "canceled".
            const notOk = [...delta].filter(([code, n]) => code !== "ok" && !(code === "canceled" && n <= C * M));
            if (notOk.length > 0) throw new Error(`${label}: answers with grpc-status other than OK: ${JSON.stringify(notOk)}`);
            if ((delta.get("ok") ?? 0) < r.succeeded) throw new Error(`${label}: ${r.succeeded} HTTP 200 but only ${delta.get("ok") ?? 0} OK RPCs`);
          }
          return r;
        }),
    });
    const viaLoad = (label: string, spec: Omit<LoadSpec, "address" | "token" | "durationS" | "warmUpS">): Case => ({
      label,
      run: () =>
        withCpu(stack.pid, async () => {
          const r = await runLoad({ ...spec, address: stack.grpcAddress, token, durationS: DURATION_S, warmUpS: WARM_UP_S });
          const notOk = Object.entries(r.statuses).filter(([code]) => code !== "0");
          if (notOk.length > 0) throw new Error(`${label}: answers with grpc-status other than 0 (OK): ${JSON.stringify(notOk)}`);
          return r;
        }),
    });
    const only = (process.env["BENCH_CASES"] ?? "").split("|").filter((w) => w !== "");
    const allCases: Case[] = [
      viaH2load("bare grpc-js echo (own process)", `http://127.0.0.1:${bare.port}${HEALTH}`, grpcHeaders.slice(0, 2), files.health),
      viaH2load("Health/Check, GRPC_PORT", grpcUrl(HEALTH), grpcHeaders, files.health, HEALTH),
      viaH2load("ResolveCredentials pinned, GRPC_PORT", grpcUrl(RESOLVE), grpcHeaders, files.resolve, RESOLVE),
      viaH2load("Health/Check, PORT gRPC", httpUrl(HEALTH), grpcHeaders, files.health, HEALTH),
      viaH2load("ResolveCredentials pinned, PORT gRPC", httpUrl(RESOLVE), grpcHeaders, files.resolve, RESOLVE),
      viaH2load("Health/Check, PORT Connect", httpUrl(HEALTH), connectHeaders, files.healthConnect, HEALTH),
      viaH2load("ResolveCredentials pinned, PORT Connect", httpUrl(RESOLVE), connectHeaders, files.resolveConnect, RESOLVE),
      viaH2load("GetConnection, GRPC_PORT", grpcUrl(GET), grpcHeaders, files.get, GET),
      viaLoad("ResolveCredentials pinned, GRPC_PORT (load gen)", { kind: "pinned-resolve", connection: slug, prefix: "bench", connections: C, streams: M }),
      ...Array.from({ length: 1 }, () =>
        viaLoad("ResolveCredentials first resolve (load gen)", { kind: "first-resolve", connection: slug, prefix: "", connections: C, streams: M }),
      ),
      viaLoad("CreateConnection AWS inline, 64 in flight (load gen)", { kind: "create", connection: "", prefix: "", connections: 4, streams: 16 }),
    ];
    const cases = only.length === 0 ? allCases : allCases.filter((c) => only.some((w) => c.label.includes(w)));
    console.log(
      `h2load ${C} connections x ${M} streams unless noted, ${DURATION_S} s per run after ${WARM_UP_S} s warm-up, ${ROUNDS} interleaved rounds; ` +
        `stack: all-in-one, ${backends.databaseLabel}, ${backends.natsUrl ? "own NATS JetStream" : "in-process events"}, local key provider, LOG_LEVEL info`,
    );
    const results = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
    let rssAfterResolve = 0;
    let memory = "";
    // Creates go last, after every round: each created connection is then
    // verified (and retried) in the background, work that would otherwise
    // be charged to the reads measured after it.
    const isCreate = (c: Case) => c.label.startsWith("CreateConnection");
    const runOne = async (round: number, c: Case) => {
      const sample = await c.run.call(undefined);
      results.get(c.label)!.push(sample);
      console.log(
        `round ${round}  ${c.label.padEnd(54)} ${sample.rps.toFixed(0).padStart(7)} req/s  p50 ${ms(sample.p50)}  p99 ${ms(sample.p99)}  server CPU ${cpu(sample)}/req`,
      );
    };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of cases.filter((c) => !isCreate(c))) await runOne(round, c);
      rssAfterResolve = await stack.rssMb();
      memory = await (await fetch(stack.metricsUrl)).text();
    }
    for (let round = 1; round <= ROUNDS; round++) for (const c of cases.filter(isCreate)) await runOne(round, c);
    console.log("\nsummary (req/s min / median / max; p50 and p99 of the median run)");
    for (const [label, samples] of results) console.log(`  ${label.padEnd(54)} ${summary(samples)}`);
    const med = (label: string) => median(results.get(label)?.map((s) => s.rps) ?? []);
    const ratio = (a: string, b: string, target: number) => {
      if (!results.has(a) || !results.has(b)) return;
      const r = med(a) / med(b);
      console.log(`  ${`${a} / ${b}`.padEnd(110)} ${r.toFixed(2).padStart(5)}  (target >= ${target})`);
    };
    console.log("\nratios of medians");
    ratio("ResolveCredentials pinned, GRPC_PORT", "Health/Check, GRPC_PORT", 0.6);
    ratio("ResolveCredentials pinned, GRPC_PORT", "bare grpc-js echo (own process)", 0.3);
    ratio("ResolveCredentials pinned, PORT gRPC", "Health/Check, PORT gRPC", 0.6);
    ratio("ResolveCredentials pinned, PORT Connect", "Health/Check, PORT Connect", 0.6);
    ratio("ResolveCredentials first resolve (load gen)", "ResolveCredentials pinned, GRPC_PORT (load gen)", 0.4);
    ratio("GetConnection, GRPC_PORT", "Health/Check, GRPC_PORT", 0.6);
    if (results.has("CreateConnection AWS inline, 64 in flight (load gen)"))
      console.log(`  CreateConnection, 64 in flight: ${med("CreateConnection AWS inline, 64 in flight (load gen)").toFixed(0)} req/s (target >= 1500)`);
    console.log(
      `\nall-in-one RSS after the ${ROUNDS} rounds of reads (${(ROUNDS * cases.filter((c) => !isCreate(c)).length * (DURATION_S + WARM_UP_S)).toFixed(0)} s of load, before the creates): ${rssAfterResolve.toFixed(0)} MB (target < 250)`,
    );
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(memory)?.[1] ?? Number.NaN) / 2 ** 20;
    console.log(
      `  of which V8 heap ${gauge("nodejs_heap_size_total_bytes").toFixed(0)} MB (${gauge("nodejs_heap_size_used_bytes").toFixed(0)} MB in use), external ${gauge("nodejs_external_memory_bytes").toFixed(0)} MB`,
    );
    if (SOAK_S > 0) await soak(stack, grpcUrl(RESOLVE), grpcHeaders, files.resolve);
  } finally {
    await stack.stop();
    bare.stop();
    await backends.dispose();
  }
  // A database of its own: the create runs above left thousands of connections sealed under the local key.
  if (process.env["BENCH_SKIP_KMS"] === "1") return;
  const kmsBackends = await startBackends("speed_kms");
  try {
    await kmsCalls(kmsBackends);
  } finally {
    await kmsBackends.dispose();
  }
}

/** A Civo connection authorized org-wide and the pinned deployment h2load resolves; returns the slug. */
async function prepare(stack: BenchStack, token: string): Promise<string> {
  const transport = createGrpcTransport({ baseUrl: `http://${stack.grpcAddress}` });
  const headers = { authorization: `Bearer ${token}` };
  const connections = createClient(ConnectionService, transport);
  const authz = createClient(EnvironmentAuthorizationService, transport);
  const { connection } = await connections.createConnection(
    { name: "bench-prod-civo", spec: { provider: { case: "civo", value: { apiToken: "civo-bench-token-0123456789abcdef", defaultRegion: "LON1" } } } },
    { headers },
  );
  await authz.authorizeConnection({ connection: connection!.slug, scope: AuthorizationScope.ORGANIZATION }, { headers });
  for (const deploymentId of ["bench-pinned"]) {
    await authz.resolveCredentials({ deploymentId, environment: "prod", provider: Provider.CIVO, connection: connection!.slug }, { headers });
  }
  return connection!.slug;
}

let loadRuns = 0;
/** Runs bench/speed/grpc-load.js in its own process (so it does not share the stack's or this process's event loop). */
async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const unique = { ...spec, prefix: spec.prefix === "" ? `run${++loadRuns}-${Date.now()}` : spec.prefix };
  const child = spawn(process.execPath, [join(import.meta.dirname, "speed/grpc-load.js"), JSON.stringify(unique)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise((r) => child.on("close", r));
  if (code !== 0) throw new Error(`load generator exited ${String(code)}`);
  return JSON.parse(out) as LoadResult;
}

/** Pinned resolves for SOAK_S in 30 s runs, the RSS after each. */
async function soak(stack: BenchStack, url: string, headers: string[], bodyFile: string): Promise<void> {
  console.log(`\nsoak: pinned ResolveCredentials on GRPC_PORT for ${SOAK_S} s, RSS after each 30 s`);
  for (let t = 30; t <= SOAK_S; t += 30) {
    const r = await h2load({ url, headers, bodyFile, connections: C, streams: M, durationS: 30, warmUpS: 0 });
    console.log(`  t=${String(t).padStart(4)} s  ${r.rps.toFixed(0).padStart(6)} req/s  RSS ${(await stack.rssMb()).toFixed(0)} MB`);
  }
}

/**
 * KMS requests per resolve with the AWS KMS provider: a stack seals four
 * connections (one data key each) and pins a deployment on each; a second
 * stack on the same database starts cold; its first resolve of each needs
 * the data key (at most one Decrypt each), the next 1,000 none.
 */
async function kmsCalls(backends: Awaited<ReturnType<typeof startBackends>>): Promise<void> {
  const kms = await startFakeKms({ region: "us-east-1" });
  const key = kms.createKey();
  const env = {
    KEY_PROVIDER: "aws-kms",
    KMS_KEY_ID: key.arn,
    KMS_ENDPOINT: kms.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: fakeKmsCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fakeKmsCredentials.secretAccessKey,
  };
  const token = await signDevToken(BENCH_JWT_SECRET, {
    subject: "bench",
    orgId: "org-kms",
    scopes: ["connections:write", "connections:read", "environments:admin", "credentials:resolve"],
  });
  const headers = { authorization: `Bearer ${token}` };
  const requests: { deploymentId: string; slug: string }[] = [];
  let stack = await startStack(backends, env);
  try {
    const transport = createGrpcTransport({ baseUrl: `http://${stack.grpcAddress}` });
    const connections = createClient(ConnectionService, transport);
    const authz = createClient(EnvironmentAuthorizationService, transport);
    for (let i = 0; i < 4; i++) {
      const { connection } = await connections.createConnection(
        { name: `kms-civo-${i}`, spec: { provider: { case: "civo", value: { apiToken: `civo-kms-token-${i}-0123456789abcdef`, defaultRegion: "LON1" } } } },
        { headers },
      );
      await authz.authorizeConnection({ connection: connection!.slug, scope: AuthorizationScope.ORGANIZATION }, { headers });
      await authz.resolveCredentials({ deploymentId: `kms-${i}`, environment: "prod", provider: Provider.CIVO, connection: connection!.slug }, { headers });
      requests.push({ deploymentId: `kms-${i}`, slug: connection!.slug });
    }
  } finally {
    await stack.stop();
  }
  stack = await startStack(backends, env);
  try {
    const authz = createClient(EnvironmentAuthorizationService, createGrpcTransport({ baseUrl: `http://${stack.grpcAddress}` }));
    const resolveAll = async (n: number) => {
      const before = kms.requests.length;
      for (let i = 0; i < n; i += requests.length) {
        await Promise.all(
          requests.map((r) =>
            authz.resolveCredentials({ deploymentId: r.deploymentId, environment: "prod", provider: Provider.CIVO, connection: r.slug }, { headers }),
          ),
        );
      }
      return kms.requests.slice(before).map((r) => r.target.replace("TrentService.", ""));
    };
    const cold = await resolveAll(requests.length);
    const steady = await resolveAll(1000);
    console.log("\nKMS requests (AWS KMS provider, local KMS imitation), restarted stack, four connections with a data key each");
    console.log(`  first resolve of each (cold data keys):   ${cold.length} requests (${summarizeOps(cold)}) (target <= 4)`);
    console.log(`  next 1,000 resolves (steady state):       ${steady.length} requests${steady.length > 0 ? ` (${summarizeOps(steady)})` : ""} (target 0)`);
  } finally {
    await stack.stop();
    await kms.close();
  }
}

function summarizeOps(ops: string[]): string {
  const counts = new Map<string, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return [...counts].map(([op, n]) => `${op} ${n}`).join(", ") || "none";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function summary(samples: Sample[]): string {
  const byRps = [...samples].sort((a, b) => a.rps - b.rps);
  const mid = byRps[Math.floor(byRps.length / 2)]!;
  return `${byRps[0]!.rps.toFixed(0).padStart(6)} / ${mid.rps.toFixed(0).padStart(6)} / ${byRps[byRps.length - 1]!.rps.toFixed(0).padStart(6)}   p50 ${ms(mid.p50)}  p99 ${ms(mid.p99)}  server CPU ${cpu(mid)}/req`;
}

function cpu(sample: Sample): string {
  return sample.cpuUs === undefined ? "?" : `${sample.cpuUs.toFixed(0).padStart(5)} us`;
}

function ms(value: number): string {
  return `${value.toFixed(1).padStart(6)} ms`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
