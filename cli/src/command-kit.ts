import type { Command } from "commander";
import { UsageError } from "./failures.js";
import { checkOneStdin } from "./secret-input.js";

/** commandPath is the full name of a command as typed, e.g. `planton connection auth create`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * defineAction installs `action` on `command` with the checks every command
 * shares: at most one `--*-stdin` flag, and usage errors labelled with the
 * command path so their hint points at the right `--help`. `action` gets
 * commander's positional arguments followed by the parsed options.
 */
export function defineAction(command: Command, action: (...args: never[]) => Promise<void>): Command {
  return command.action(async (...args: unknown[]) => {
    // commander passes (...positionals, options, command).
    const options = command.opts();
    try {
      checkOneStdin(options);
      await (action as (...a: unknown[]) => Promise<void>)(...args.slice(0, -1));
    } catch (error) {
      if (error instanceof UsageError && error.command === undefined) error.command = commandPath(command);
      throw error;
    }
  });
}

/** withExamples appends an `Examples:` section to the command's `--help`. */
export function withExamples(command: Command, examples: readonly string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n`);
}
