import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveDatabase, type DatabaseLocation } from "@planton/db";
import { silentLogger } from "@planton/logging";
import { childServiceEnv, createTestDatabase, type TestDatabase } from "@planton/testing";

// BENCH_ALL_IN_ONE: another build's entry point (e.g. a checkout of an earlier commit, for before/after figures in one run).
const ALL_IN_ONE = process.env["BENCH_ALL_IN_ONE"] ?? resolve(import.meta.dirname, "../../../services/all-in-one/dist/src/main.js");
const NATS_SERVER = ["/usr/sbin/nats-server", "/usr/local/bin/nats-server", "/usr/bin/nats-server"].find((p) => existsSync(p));

/** The benchmark's development signing secret (the stack and the client share it). */
export const BENCH_JWT_SECRET = "bench-secret-0123456789-0123456789-abcdef";

/** A database and a NATS server of the benchmark's own, for one or more stack processes in turn. */
export interface BenchBackends {
  readonly databaseUrl: string;
  readonly databaseLabel: string;
  /** `nats://…` of the NATS server it started, or undefined (no nats-server binary: in-process bus). */
  readonly natsUrl: string | undefined;
  dispose(): Promise<void>;
}

/** Creates a fresh database (on DATABASE_URL, else the embedded PostgreSQL) and starts a JetStream NATS on a free port. */
export async function startBackends(name: string): Promise<BenchBackends> {
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-bench-`));
  const location: DatabaseLocation = await resolveDatabase({ databaseUrl: process.env["DATABASE_URL"], dataDir, logger: silentLogger });
  const database: TestDatabase = await createTestDatabase(location.url, `bench_${name}`);
  let nats: ChildProcess | undefined;
  let natsUrl: string | undefined;
  if (NATS_SERVER !== undefined) {
    const port = await freePort();
    nats = spawn(NATS_SERVER, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", join(dataDir, "nats")], { stdio: "ignore" });
    natsUrl = `nats://127.0.0.1:${port}`;
    await waitForPort(port);
  }
  return {
    databaseUrl: database.url,
    databaseLabel: location.embedded ? "embedded PostgreSQL" : "DATABASE_URL",
    natsUrl,
    async dispose() {
      nats?.kill("SIGTERM");
      await database.drop();
      await location.release();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A running all-in-one process (what `npm start` runs). */
export interface BenchStack {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly metricsUrl: string;
  /** Resident set size now, in MB (from /proc). */
  rssMb(): Promise<number>;
  /** CPU time the process has used so far (user + system), in seconds. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the built all-in-one on `backends` with `env` added; its JSON logs are read and dropped, as a log shipper would. */
export async function startStack(backends: BenchBackends, env: Record<string, string> = {}): Promise<BenchStack> {
  const dataDir = await mkdtemp(join(tmpdir(), "bench-stack-"));
  // BENCH_STACK_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" for a CPU profile of the stack.
  const nodeOptions = (process.env["BENCH_STACK_NODE_OPTIONS"] ?? "").split(" ").filter((o) => o !== "");
  const child = spawn(process.execPath, [...nodeOptions, ALL_IN_ONE], {
    env: childServiceEnv(dataDir, {
      DATABASE_URL: backends.databaseUrl,
      AUTH_JWT_SECRET: BENCH_JWT_SECRET,
      ...(backends.natsUrl !== undefined ? { NATS_URL: backends.natsUrl } : {}),
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", () => undefined);
  let banner = "";
  const addresses = await new Promise<{ http: string; grpc: string; metrics: string }>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`the stack printed no banner within 60 s:\n${banner}`)), 60_000);
    child.stderr.on("data", (chunk: Buffer) => {
      banner += chunk.toString();
      const http = /Connect \/ gRPC-Web \/ gRPC\s+http:\/\/(\S+)/.exec(banner)?.[1];
      const grpc = /native gRPC\s+(\S+)/.exec(banner)?.[1];
      const metrics = /Prometheus metrics\s+(\S+)/.exec(banner)?.[1];
      if (http && grpc && metrics) {
        clearTimeout(timer);
        resolveBanner({ http, grpc: grpc.replace(/^\w+:\/\//, ""), metrics });
      }
    });
    child.once("exit", (code) => reject(new Error(`the stack exited ${code}:\n${banner}`)));
  });
  return {
    pid: child.pid!,
    grpcAddress: addresses.grpc,
    httpAddress: addresses.http,
    metricsUrl: addresses.metrics.startsWith("http") ? addresses.metrics : `http://${addresses.metrics}`,
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system) process `pid` has used, in seconds, from /proc/<pid>/stat. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at ") ".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

// sysconf(_SC_CLK_TCK): 100 on Linux x86_64 and arm64.
const CLOCK_TICKS = 100;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolvePort(port));
    });
    server.on("error", reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  const { connect } = await import("node:net");
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        r(true);
      }).on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${port}`);
}
