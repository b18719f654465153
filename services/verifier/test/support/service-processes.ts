import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { childServiceEnv } from "@planton/testing";

const servicesDir = resolve(import.meta.dirname, "../../..");

/** A service started from its built entry point, as deployed. */
export interface ServiceProcess {
  readonly name: string;
  /** `http://host:port` of PORT. */
  readonly url: string;
  /** `http://host:port` of GRPC_PORT (what other services are given as `<NAME>_URL`). */
  readonly grpcUrl: string;
  /** The JSON log records written to stdout so far. */
  records(): Record<string, unknown>[];
  /** Everything written so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

/**
 * startServiceProcess runs `services/<name>/dist/src/main.js` with `env`
 * (PORT, GRPC_PORT and METRICS_PORT 0, a fresh DATA_DIR unless given) and
 * resolves once it logged that it serves ("<name> listening" or "verifier
 * running"), or rejects with its output after 30 s or when it exits.
 */
export async function startServiceProcess(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-`));
  const child: ChildProcess = spawn(process.execPath, [join(servicesDir, name, "dist/src/main.js")], {
    env: childServiceEnv(dataDir, env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let all = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    all += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => (all += chunk.toString()));
  const records = () =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const serving = await new Promise<Record<string, unknown>>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 30 s:\n${all}`)), 30_000);
    const check = () => {
      const record = records().find((r) => r["msg"] === `${name} listening` || r["msg"] === `${name} running`);
      if (record === undefined) return;
      clearTimeout(timer);
      ready(record);
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited ${code}:\n${all}`));
    });
  });
  return {
    name,
    url: String(serving["url"]),
    grpcUrl: `http://${String(serving["grpc"])}`,
    records,
    output: () => all,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A NATS server with JetStream of the test's own (so no other test's consumers see its events). */
export interface NatsProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** startNatsServer runs `nats-server -js` on a free port of 127.0.0.1 with a fresh store. */
export async function startNatsServer(): Promise<NatsProcess> {
  const storeDir = await mkdtemp(join(tmpdir(), "nats-"));
  const child = spawn("nats-server", ["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", storeDir], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const port = await new Promise<string>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`nats-server did not start:\n${out}`)), 15_000);
    const check = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Listening for client connections on [\d.]+:(\d+)/.exec(out);
      if (match === null) return;
      clearTimeout(timer);
      ready(match[1]!);
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    child.once("exit", (code) => fail(new Error(`nats-server exited ${code}:\n${out}`)));
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
