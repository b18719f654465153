import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/** A bare grpc-js echo running in a process of its own (bare-echo-server.ts). */
export interface BareEcho {
  readonly child: ChildProcess;
  readonly port: number;
  stop(): void;
}

/**
 * Starts the bare grpc-js echo answering `path` in its own process, so the
 * reference figure has a core's worth of event loop to itself, as the stack
 * under test has.
 */
export async function startBareEcho(path: string): Promise<BareEcho> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "bare-echo-server.js"), path], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`bare echo exited ${code}`)));
  });
  return { child, port, stop: () => child.kill("SIGTERM") };
}
