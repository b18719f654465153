import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { STDOUT_FLUSH_MS } from "@planton/logging";
import { childServiceEnv } from "./child-service-env.js";
import { embeddedPostgresDir } from "@planton/db";

// The all-in-one process as a user runs it (`npm start`): the built entry
// point, a fresh data folder, PORT, GRPC_PORT and METRICS_PORT 0 (test files
// run side by side), on 127.0.0.1. One helper for every test that needs the
// whole process (services/all-in-one/test, web/e2e), so they wait for the
// same banner and clean up the same way.
const entry = resolve(import.meta.dirname, "../../../services/all-in-one/dist/src/main.js");

// The banner is one write to stderr, ending in an empty line (see printBanner
// in services/all-in-one/src/main.ts); it is complete once that empty line
// follows the metrics line.
const BANNER = /planton connect is running\n[\s\S]*?Prometheus metrics\s+\S+\n[\s\S]*\n\n$/;
const TOKEN_LINE = /development token[^\n]*\n(\S+)\n/;

/** A running all-in-one process and what its banner said. */
export interface AllInOne {
  readonly child: ChildProcess;
  /** `host:port` of PORT (Connect, gRPC-Web, gRPC). */
  readonly httpAddress: string;
  /** `host:port` of GRPC_PORT (native gRPC). */
  readonly grpcAddress: string;
  /** `http://host:port/metrics` of METRICS_PORT. */
  readonly metricsUrl: string;
  /** The web console's origin (no trailing slash), or undefined when web/dist is not built. */
  readonly consoleUrl: string | undefined;
  /** The printed development token ("" when none is minted: AUTH_JWKS_URL is set). */
  readonly token: string;
  /** The printed sign-in link that opens the console with the development token, when both exist. */
  readonly signInLink: string | undefined;
  /** Its DATA_DIR (a fresh temporary folder, removed by cleanUpAllInOne). */
  readonly dataDir: string;
  /** The banner (stderr up to its closing empty line). */
  readonly banner: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /**
   * Everything written once the process's buffered log lines have been
   * written too (standard output is flushed at least every 100 ms): what a
   * check that something is absent from the logs must read.
   */
  settledOutput(): Promise<string>;
  /** SIGTERM, resolving with the exit code. */
  stop(): Promise<number | null>;
}

/** How to start it, beyond its environment. */
export interface AllInOneOptions {
  /** How long to wait for the banner (default 30 s; migrations run first). */
  readonly timeoutMs?: number;
  /** Node options before the entry point (e.g. `--expose-gc`). */
  readonly nodeArgs?: readonly string[];
}

const children: ChildProcess[] = [];
const dataDirs: string[] = [];

/**
 * cleanUpAllInOne stops every process startAllInOne started that still runs
 * (SIGTERM, so an embedded PostgreSQL is stopped with it; SIGKILL after 15 s)
 * and removes their data folders. Call it from afterAll.
 */
export async function cleanUpAllInOne(): Promise<void> {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }),
  );
  for (const dir of dataDirs.splice(0)) {
    await rm(dirname(embeddedPostgresDir(dir)), { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * startAllInOne starts the built all-in-one (`npm run build` first) with
 * `env` over the defaults (ports 0, 127.0.0.1, a fresh DATA_DIR, LOG_LEVEL
 * info; only PATH and HOME of this process's environment) and resolves once
 * its whole banner is printed. Rejects when the process exits first or no
 * banner comes within `timeoutMs`.
 */
export async function startAllInOne(env: Record<string, string> = {}, options: AllInOneOptions = {}): Promise<AllInOne> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dataDir = await mkdtemp(join(tmpdir(), "all-in-one-"));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    env: childServiceEnv(dataDir, { LOG_LEVEL: "info", ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
    stderr += c.toString();
  });
  const banner = await new Promise<string>((resolveBanner, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      if (!BANNER.test(stderr)) return;
      clearTimeout(timer);
      child.stderr?.off("data", check);
      resolveBanner(stderr);
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out}`));
    });
  });
  return {
    child,
    httpAddress: /gRPC-Web \/ gRPC\s+http:\/\/(\S+)/.exec(banner)![1]!,
    grpcAddress: /native gRPC\s+(\S+)/.exec(banner)![1]!,
    metricsUrl: /Prometheus metrics\s+(\S+)/.exec(banner)![1]!,
    consoleUrl: /web console\s+(http:\/\/\S+?)\/?\n/.exec(banner)?.[1],
    token: TOKEN_LINE.exec(banner)?.[1] ?? "",
    signInLink: /development sign-in link[^\n]*\n\s+(\S+)/.exec(banner)?.[1],
    dataDir,
    banner,
    output: () => out,
    settledOutput: async () => {
      await new Promise((resolve) => setTimeout(resolve, 3 * STDOUT_FLUSH_MS));
      return out;
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
      child.kill("SIGTERM");
      return exited;
    },
  };
}
