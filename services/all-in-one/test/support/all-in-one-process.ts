import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { embeddedPostgresDir } from "@planton/db";
import { HealthCheckRequestSchema, HealthCheckResponse_ServingStatus, HealthCheckResponseSchema } from "@planton/proto/grpc/health/v1/health_pb";

// The embedded default as a user runs it: the built entry point, a fresh
// data folder, PORT and GRPC_PORT 0.
const entry = resolve(import.meta.dirname, "../../dist/src/main.js");

/** A running `npm start` process and what its banner said. */
export interface AllInOne {
  readonly child: ChildProcess;
  /** `host:port` of PORT (Connect, gRPC-Web, gRPC). */
  readonly httpAddress: string;
  /** `host:port` of GRPC_PORT (native gRPC). */
  readonly grpcAddress: string;
  /** The printed development token ("" when `AUTH_JWT_SECRET` is given: none is minted then). */
  readonly token: string;
  /** The banner (stderr up to and including the token). */
  readonly banner: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>;
}

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

/** Kills what is still running and removes the data folders; call from afterAll. */
export async function cleanUpAllInOne(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dataDirs) {
    await rm(dirname(embeddedPostgresDir(dir)), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the built all-in-one with `extraEnv` and waits for its banner
 * (`timeoutMs`, default 30 s): up to the development token, or up to the
 * endpoints when `AUTH_JWT_SECRET` is given (no token is printed then).
 */
export async function startAllInOne(extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<AllInOne> {
  const dataDir = await mkdtemp(join(tmpdir(), "all-in-one-"));
  dataDirs.push(dataDir);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env["PATH"],
    HOME: process.env["HOME"],
    PORT: "0",
    GRPC_PORT: "0",
    METRICS_PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    ...extraEnv,
  };
  const child = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const tokenLine = /development token[^\n]*\n(\S+)\n/;
  const ready = extraEnv["AUTH_JWT_SECRET"] === undefined ? tokenLine : /native gRPC\s+\S+\n/;
  const banner = await new Promise<string>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolveBanner(out);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
  });
  return {
    child,
    httpAddress: /gRPC-Web \/ gRPC\s+http:\/\/(\S+)/.exec(banner)![1]!,
    grpcAddress: /native gRPC\s+(\S+)/.exec(banner)![1]!,
    token: tokenLine.exec(banner)?.[1] ?? "",
    banner,
    output: () => out,
    stop() {
      const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
      child.kill("SIGTERM");
      return exited;
    },
  };
}

const healthCheckMethod = (service: string) => ({
  path: "/grpc.health.v1.Health/Check",
  serialize: (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
  deserialize: (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
  request: create(HealthCheckRequestSchema, { service }),
});

/** grpc.health.v1.Health/Check over native gRPC (either port speaks it). */
export function healthCheck(address: string, service = ""): Promise<HealthCheckResponse_ServingStatus> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const m = healthCheckMethod(service);
  return new Promise((resolveStatus, reject) => {
    client.makeUnaryRequest(m.path, m.serialize, m.deserialize, m.request, { deadline: Date.now() + 5000 }, (error, response) => {
      client.close();
      if (error) reject(error);
      else resolveStatus(response!.status);
    });
  });
}

/**
 * grpc.health.v1.Health/Watch over native gRPC: calls `onStatus` with each
 * status (and the time it arrived) until the returned cancel is called.
 */
export function healthWatch(address: string, service: string, onStatus: (status: HealthCheckResponse_ServingStatus, at: number) => void): () => void {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest(
    "/grpc.health.v1.Health/Watch",
    (m: ReturnType<typeof create<typeof HealthCheckRequestSchema>>) => Buffer.from(toBinary(HealthCheckRequestSchema, m)),
    (b: Buffer) => fromBinary(HealthCheckResponseSchema, b),
    create(HealthCheckRequestSchema, { service }),
  );
  call.on("data", (response: { status: HealthCheckResponse_ServingStatus }) => onStatus(response.status, Date.now()));
  call.on("error", () => undefined);
  return () => {
    call.cancel();
    client.close();
  };
}
