import { homedir } from "node:os";
import { createCliContext } from "./cli-context.js";
import { readEnvironment } from "./environment.js";
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./run-cli.js";

// The `planton` entry point and composition root: the only place that reads
// `process.env`, touches the process's streams and signals, and exits.

const env = readEnvironment(process.env, homedir());
const ctx = createCliContext(env, process);

process.on("SIGINT", () => {
  ctx.runInterruptHooks();
  exit(ExitCode.interrupted);
});
// Nothing left to wait for while the command is unfinished: stdin ended in
// the middle of a prompt, whose promise will never settle. Not a success.
let exiting = false;
process.on("beforeExit", () => {
  if (exiting) return;
  ctx.err("error: input ended before every question was answered");
  exit(ExitCode.failure);
});
// `planton ... | head` closes stdout early; that is not a failure.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(ExitCode.ok);
});

runCli(ctx, process.argv.slice(2)).then(exit, (error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(ExitCode.failure);
});

// Exit explicitly once both streams are flushed: idle keep-alive connections
// of the transports would otherwise hold the process open.
function exit(code: number): void {
  exiting = true;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
