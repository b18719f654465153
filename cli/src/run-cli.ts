import { DEFAULT_API_URL } from "./api-settings.js";
import type { CliContext } from "./cli-context.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { describeFailure } from "./failures.js";
import { createProgram } from "./program.js";

/**
 * runCli runs one command line (`args` without `node` and the script) and
 * returns its exit code; every failure is explained on `ctx`'s stderr (see
 * `describeFailure`). It never exits the process.
 */
export async function runCli(ctx: CliContext, args: readonly string[]): Promise<ExitCodeValue> {
  try {
    await createProgram(ctx).parseAsync([...args], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    let apiUrl: string;
    try {
      apiUrl = await ctx.apiUrl();
    } catch {
      apiUrl = ctx.env.apiUrl ?? DEFAULT_API_URL;
    }
    const report = describeFailure(error, apiUrl);
    for (const line of report.lines) ctx.err(line);
    return report.exitCode;
  }
}
