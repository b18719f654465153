import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What one h2load run measured; latencies in ms from its per-request log. */
export interface H2loadResult {
  readonly rps: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
}

/** Options of {@link h2load}. */
export interface H2loadOptions {
  readonly url: string;
  readonly headers: readonly string[];
  /** File holding the request body, sent with every request. */
  readonly bodyFile: string;
  readonly connections: number;
  readonly streams: number;
  readonly durationS: number;
  readonly warmUpS: number;
}

/**
 * Runs h2load (Debian nghttp2-client) and reads req/s from its summary and
 * p50/p99 from its per-request log (`--log-file`: start, status, microseconds).
 * h2load counts any HTTP 200 as success: gRPC status is checked by the caller.
 */
export async function h2load(options: H2loadOptions): Promise<H2loadResult> {
  const dir = await mkdtemp(join(tmpdir(), "h2load-"));
  const log = join(dir, "requests.tsv");
  const args = [
    "-c",
    String(options.connections),
    "-m",
    String(options.streams),
    "-D",
    String(options.durationS),
    `--warm-up-time=${options.warmUpS}`,
    `--log-file=${log}`,
    ...options.headers.flatMap((h) => ["-H", h]),
    "-d",
    options.bodyFile,
    options.url,
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn("h2load", args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`h2load exited ${code}:\n${out}`))));
  });
  const elapsed: number[] = [];
  for (const line of (await readFile(log, "utf8")).split("\n")) {
    const micros = Number(line.split("\t")[2]);
    if (Number.isFinite(micros) && line !== "") elapsed.push(micros / 1000);
  }
  await rm(dir, { recursive: true, force: true });
  elapsed.sort((a, b) => a - b);
  const at = (q: number) => elapsed[Math.min(elapsed.length - 1, Math.floor(q * elapsed.length))] ?? Number.NaN;
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(stdout);
  return {
    rps: Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(stdout)?.[1] ?? 0),
    succeeded: Number(counts?.[1] ?? 0),
    failed: Number(counts?.[2] ?? 0),
    p50: at(0.5),
    p99: at(0.99),
  };
}
