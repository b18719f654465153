import { Command } from "commander";
import type { CliContext } from "./cli-context.js";
import { commandPath } from "./command-kit.js";
import { addConnectCommands } from "./commands/connect.js";
import { addConnectionCommands } from "./commands/connection.js";
import { addCredentialsCommands } from "./commands/credentials.js";
import { addLoginCommand } from "./commands/login.js";
import { addRunnerCommands } from "./commands/runner.js";
import { CommandLineError } from "./failures.js";
import { VERSION } from "./version.js";

const ENVIRONMENT_HELP = `
Environment:
  PLANTON_API_URL    the planton API (default: the one saved by login, else http://127.0.0.1:8080)
  PLANTON_TOKEN      API token (default: the one saved by \`planton login\`)
  PLANTON_PROTOCOL   connect (HTTP/1.1, the default) or grpc (HTTP/2)
  BROWSER            command that opens links (default: xdg-open, open or start)
  NO_COLOR           set to turn colors off

Exit codes: 0 ok, 1 refused or failed, 2 bad command line, 3 API unreachable, 130 interrupted.
`;

/**
 * createProgram builds the `planton` command tree over `ctx`. Parse errors
 * and help/version exits are thrown as {@link CommandLineError} (commander
 * prints nothing itself but help and version), so `main` decides the exit
 * code and the message in one place.
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command("planton")
    .description("planton connect: connect cloud accounts, authorize them for environments, rotate and delete them")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help for a command")
    .showSuggestionAfterError(true)
    .addHelpText("after", ENVIRONMENT_HELP);
  addLoginCommand(program, ctx);
  addConnectCommands(program, ctx);
  addConnectionCommands(program, ctx);
  addRunnerCommands(program, ctx);
  addCredentialsCommands(program, ctx);
  configureTree(program, ctx);
  return program;
}

// Applied after the tree is built, so every command gets it whatever the order it was created in.
function configureTree(command: Command, ctx: CliContext): void {
  command.exitOverride((error) => {
    throw new CommandLineError(error, commandPath(command));
  });
  command.configureOutput({
    writeOut: (text) => void ctx.stdout.write(text),
    writeErr: (text) => void ctx.stderr.write(text),
    outputError: () => {},
  });
  for (const sub of command.commands) configureTree(sub, ctx);
}
